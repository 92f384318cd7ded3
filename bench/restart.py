"""Second `make run` to serving, against gunicorn alone on the same prepared app.

Peer: `gunicorn wsgi:app` started directly (no make, no prepare step): the floor
for a restart. Needs a first `make run` to have prepared var/ already.
Run: .venv/bin/python -m bench.restart
"""
from __future__ import annotations

import os
import signal
import subprocess
import time

import requests

from bench.common import free_port


def time_to_healthy(cmd: list[str], port: int, env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while time.perf_counter() - started < 120:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    return time.perf_counter() - started
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.05)
        raise RuntimeError("not serving after 120 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    env = dict(os.environ, LIANGWANG_DEMO="1")
    port = free_port()
    ours = time_to_healthy(["make", "run", f"PORT={port}"], port, env)
    port = free_port()
    peer = time_to_healthy([".venv/bin/gunicorn", "--workers", "2", "--bind",
                            f"127.0.0.1:{port}", "wsgi:app"], port, env)
    print(f"second make run to serving: ours {ours:.2f} s, bare gunicorn {peer:.2f} s, "
          f"ratio {ours / peer:.2f} (target < 10 s)")


if __name__ == "__main__":
    main()
