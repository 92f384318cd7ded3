"""Embedded PostGIS: a project-local PostgreSQL cluster under var/ (or any folder).

The server listens only on a Unix socket inside the cluster folder, so several
clusters (the app's, a test session's) never clash on a port. When we are root
the server runs as an unprivileged OS user, as PostgreSQL requires.
"""
from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL with PostGIS is not installed: run "
    "`sudo apt-get install -y postgresql postgresql-15-postgis-3` "
    "(or the postgis package matching your PostgreSQL major version), then try again."
)
DB_NAME = "liangwang"
SUPERUSER = "liangwang"
PORT = 5432
# psycopg2 puts parameter values into the statement text, so a logged statement would carry
# complainants' names and phones: log errors alone (terse: no DETAIL "Failing row contains"),
# never statements or their parameters.
PRIVATE_LOGGING = {
    "log_min_error_statement": "panic",
    "log_statement": "none",
    "log_min_duration_statement": "-1",
    "log_parameter_max_length_on_error": "0",
    "log_parameter_max_length": "0",
    "log_error_verbosity": "terse",
}


class EmbeddedError(RuntimeError):
    """The embedded cluster cannot be started; the message says what to do."""


def find_bindir() -> Path:
    """Return the newest PostgreSQL bin directory that has PostGIS next to it."""
    candidates = []
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        candidates.append(base)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    for bindir in sorted(set(candidates), key=lambda p: _major(p), reverse=True):
        if (bindir / "initdb").exists() and _has_postgis(bindir):
            return bindir
    raise EmbeddedError(INSTALL_HINT)


def _major(bindir: Path) -> int:
    try:
        return int(bindir.parent.name)
    except ValueError:
        return 0


def _has_postgis(bindir: Path) -> bool:
    share = bindir.parent.name
    roots = [Path("/usr/share/postgresql") / share / "extension"]
    pg_config = bindir / "pg_config"
    if pg_config.exists():
        out = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True)
        if out.returncode == 0:
            roots.append(Path(out.stdout.strip()) / "extension")
    return any((r / "postgis.control").exists() for r in roots)


def _server_user() -> str | None:
    """Unprivileged OS user to run the server as when we are root; None otherwise."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "liangwang"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "liangwang"],
        check=True,
    )
    return "liangwang"


@dataclass
class Cluster:
    """A PostgreSQL cluster living in `root` (data/, run/, postgres.log)."""

    root: Path
    fast: bool = False  # fsync off: for throwaway test clusters only

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @property
    def datadir(self) -> Path:
        return self.root / "pgdata"

    @property
    def sockdir(self) -> Path:
        return self.root / "run"

    @property
    def logfile(self) -> Path:
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{SUPERUSER}@/{DB_NAME}?host={self.sockdir}&port={PORT}"

    def _run(self, args: list[str], user: str | None, **kw) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if user:
            cmd = ["runuser", "-u", user, "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, **kw)

    @contextmanager
    def _lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ensure_running(self) -> str:
        """Create, start or reuse the cluster and its database; return its URL."""
        with self._lock():
            bindir = find_bindir()
            user = _server_user()
            self._prepare_dirs(user)
            if not (self.datadir / "PG_VERSION").exists():
                self._initdb(bindir, user)
            running = self._is_running(bindir, user)
            if running and not (self.sockdir / f".s.PGSQL.{PORT}").exists():
                # A server whose socket was deleted (e.g. var/ removed under it) is unreachable.
                self._run([bindir / "pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop"],
                          user)
                running = False
            if not running:
                self._start(bindir, user)
            self._ensure_database(bindir)
            if running:  # started before PRIVATE_LOGGING existed: apply it without a restart
                self._set_private_logging(bindir)
        return self.url

    def _prepare_dirs(self, user: str | None) -> None:
        for d in (self.datadir, self.sockdir):
            d.mkdir(parents=True, exist_ok=True)
        # The server log is the `pg_ctl -l` file: only its owner may read it.
        os.close(os.open(self.logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(self.logfile, 0o600)
        if user:
            os.chmod(self.root, 0o755)  # the server user must traverse it (mkdtemp makes 0700)
            for p in (self.datadir, self.sockdir, self.logfile):
                shutil.chown(p, user, user)
            os.chmod(self.datadir, 0o700)
            probe = self._run(["test", "-w", self.datadir], user)
            if probe.returncode != 0:
                raise EmbeddedError(
                    f"The database server runs as the OS user {user!r}, which cannot reach "
                    f"{self.datadir}: make its parent folders traversable "
                    f"(chmod o+x on each) or set DATABASE_URL to an existing PostGIS."
                )

    def _initdb(self, bindir: Path, user: str | None) -> None:
        out = self._run(
            [bindir / "initdb", "-D", self.datadir, "-U", SUPERUSER, "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"],
            user,
        )
        if out.returncode != 0:
            raise EmbeddedError(f"initdb failed in {self.datadir}: {out.stderr.strip()}")

    def _is_running(self, bindir: Path, user: str | None) -> bool:
        return self._run([bindir / "pg_ctl", "-D", self.datadir, "status"], user).returncode == 0

    def _start(self, bindir: Path, user: str | None) -> None:
        opts = [
            f"-k {self.sockdir}", "-c listen_addresses=''", f"-p {PORT}",
            "-c unix_socket_permissions=0700", "-c shared_buffers=256MB",
            "-c max_connections=100", "-c work_mem=32MB", "-c maintenance_work_mem=256MB",
        ]
        opts += [f"-c {name}={value}" for name, value in PRIVATE_LOGGING.items()]
        if self.fast:
            opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        out = self._run(
            [bindir / "pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w", "-t", "60",
             "-o", " ".join(opts), "start"],
            user,
        )
        if out.returncode != 0:
            tail = self.logfile.read_text(errors="replace")[-800:] if self.logfile.exists() else ""
            raise EmbeddedError(f"PostgreSQL did not start ({out.stderr.strip()}). Log tail: {tail}")

    def _psql(self, bindir: Path) -> list[str]:
        return [str(bindir / "psql"), "-h", str(self.sockdir), "-p", str(PORT), "-U", SUPERUSER,
                "-v", "ON_ERROR_STOP=1", "-tAq"]

    def _set_private_logging(self, bindir: Path) -> None:
        sets = [a for name, value in PRIVATE_LOGGING.items()
                for a in ("-c", f"ALTER SYSTEM SET {name} = '{value}'")]
        subprocess.run(self._psql(bindir) + ["-d", "postgres", *sets, "-c",
                                             "SELECT pg_reload_conf()"],
                       check=True, capture_output=True)

    def _ensure_database(self, bindir: Path) -> None:
        psql = self._psql(bindir)
        for _ in range(50):
            out = subprocess.run(psql + ["-d", "postgres", "-c",
                                         f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],
                                 capture_output=True, text=True)
            if out.returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise EmbeddedError(f"Cannot connect to the embedded PostgreSQL: {out.stderr.strip()}")
        if out.stdout.strip() != "1":
            subprocess.run(psql + ["-d", "postgres", "-c", f"CREATE DATABASE {DB_NAME}"],
                           check=True, capture_output=True)
        subprocess.run(psql + ["-d", DB_NAME, "-c", "CREATE EXTENSION IF NOT EXISTS postgis"],
                       check=True, capture_output=True)

    def stop(self) -> None:
        """Stop the server (fast shutdown)."""
        bindir = find_bindir()
        user = _server_user()
        if (self.datadir / "PG_VERSION").exists() and self._is_running(bindir, user):
            self._run([bindir / "pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop"], user)

    def destroy(self) -> None:
        """Stop the server and delete the whole folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def database_url(settings) -> str:
    """DATABASE_URL when set, otherwise the embedded cluster under var/ (started if needed)."""
    if settings.database_url:
        return settings.database_url
    return Cluster(settings.var / "postgres").ensure_running()
