"""Small helpers shared by the benchmarks."""
from __future__ import annotations

import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

# The app refuses a SECRET_KEY shorter than 32 characters.
SECRET = "bench-secret-key-not-secret-0123456789abcdef"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls (after one warm-up call)."""
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p50_p95(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_database(pool_size: int = 5):
    """A fresh embedded PostGIS, migrated, with the Henan boundaries; removed afterwards."""
    from geo.areas import boundaries
    from geo.core import migrate
    from geo.core.db import make_engine, make_sessionmaker, unit_of_work
    from geo.core.embedded import Cluster

    cluster = Cluster(Path(tempfile.mkdtemp(prefix="lw-bench-")))
    try:
        url = cluster.ensure_running()
        migrate.upgrade(url)
        engine = make_engine(url, pool_size=pool_size)
        sessions = make_sessionmaker(engine)
        with unit_of_work(sessions) as s:
            boundaries.load(s)
        yield url, sessions
        engine.dispose()
    finally:
        cluster.destroy()
