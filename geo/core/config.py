"""Settings read from the environment; one place, no framework."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = Path(os.environ.get("LIANGWANG_VAR", ROOT / "var"))


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"Environment variable {name} must be an integer, got {raw!r}.") from exc


def env_number(name: str, default: float) -> float:
    """A number from the environment, or the default; a clear exit when malformed."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SystemExit(f"Environment variable {name} must be a number, got {raw!r}.") from exc


def numbers_from_env(cls, prefix: str = "LIANGWANG_", skip: tuple[str, ...] = ()) -> dict:
    """Each numeric field of a settings dataclass from `<prefix><FIELD>`, else its default."""
    return {name: type(f.default)(env_number(f"{prefix}{name.upper()}", f.default))
            for name, f in cls.__dataclass_fields__.items() if name not in skip}


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def persistent_secret(path: Path) -> str:
    """Return a random secret kept in `path` (mode 0600) so every worker shares it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        value = secrets.token_urlsafe(48)
        fh.write(value)
    return value


def check_secret_key(secret: str, min_length: int) -> None:
    """Refuse to start with a guessable SECRET_KEY: it signs every session and token."""
    if len(secret) < min_length:
        raise SystemExit(
            f"SECRET_KEY must be at least {min_length} characters: generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


@dataclass(frozen=True)
class Settings:
    """Runtime settings; every domain number that is local practice lives here."""

    database_url: str | None = None
    demo: bool = False
    secret_key: str = ""
    token_ttl_s: int = 12 * 3600
    login_max_failures: int = 5  # failures per user within the window before sign-in is slowed
    login_window_s: int = 900
    login_ip_max_failures: int = 20  # failures per address within the window before slowing it
    login_delay_base_s: float = 1.0  # first enforced wait; doubles with every further failure
    login_delay_max_s: float = 60.0  # the wait never grows past this, so no lockout can be held
    session_ttl_s: int = 12 * 3600  # a page session ends after this long, or at sign-out
    secret_min_length: int = 32
    max_content_length: int = 50 * 1024 * 1024
    statement_timeout_ms: int = 30_000  # web requests; below gunicorn's worker timeout (120 s)
    job_statement_timeout_ms: int = 900_000  # imports, seeding and other long jobs
    max_json_depth: int = 32
    max_text_length: int = 10_000  # any free text (descriptions, reasons, notes) in characters
    max_upload_rows: int = 200_000  # rows in one XLSX/CSV import
    max_decompressed_bytes: int = 200 * 1024 * 1024  # XLSX/ZIP content once unpacked
    max_edit_vertices: int = 100_000  # polygon vertices in one grid edit set or upload
    tile_url: str | None = None
    language: str = "zh"
    employer_stale_days: int = 183  # labour data refreshed at least every 6 months (人社部发〔2009〕4号)
    field_max_accuracy_m: float = 100.0  # coarser GPS fixes are not a survey (local practice)
    var: Path = field(default=VAR)

    @classmethod
    def from_env(cls) -> "Settings":
        demo = _flag("LIANGWANG_DEMO", False)
        secret = os.environ.get("SECRET_KEY", "")
        if not secret:
            if not demo:
                raise SystemExit(
                    "SECRET_KEY is not set: export SECRET_KEY=<random string> "
                    "(or LIANGWANG_DEMO=1 for a local demo with a generated key)."
                )
            secret = persistent_secret(VAR / "secret_key")
        check_secret_key(secret, cls.secret_min_length)
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            demo=demo,
            secret_key=secret,
            token_ttl_s=_int("LIANGWANG_TOKEN_TTL_S", 12 * 3600),
            login_max_failures=_int("LIANGWANG_LOGIN_MAX_FAILURES", 5),
            login_window_s=_int("LIANGWANG_LOGIN_WINDOW_S", 900),
            login_ip_max_failures=_int("LIANGWANG_LOGIN_IP_MAX_FAILURES", 20),
            login_delay_base_s=env_number("LIANGWANG_LOGIN_DELAY_BASE_S", 1.0),
            login_delay_max_s=env_number("LIANGWANG_LOGIN_DELAY_MAX_S", 60.0),
            session_ttl_s=_int("LIANGWANG_SESSION_TTL_S", 12 * 3600),
            max_content_length=_int("LIANGWANG_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
            statement_timeout_ms=_int("LIANGWANG_STATEMENT_TIMEOUT_MS", 30_000),
            job_statement_timeout_ms=_int("LIANGWANG_JOB_STATEMENT_TIMEOUT_MS", 900_000),
            max_json_depth=_int("LIANGWANG_MAX_JSON_DEPTH", 32),
            max_text_length=_int("LIANGWANG_MAX_TEXT_LENGTH", 10_000),
            max_upload_rows=_int("LIANGWANG_MAX_UPLOAD_ROWS", 200_000),
            max_decompressed_bytes=_int("LIANGWANG_MAX_DECOMPRESSED_BYTES", 200 * 1024 * 1024),
            max_edit_vertices=_int("LIANGWANG_MAX_EDIT_VERTICES", 100_000),
            tile_url=os.environ.get("LIANGWANG_TILE_URL") or None,
            language=os.environ.get("LIANGWANG_LANGUAGE", "zh"),
            field_max_accuracy_m=_int("LIANGWANG_FIELD_MAX_ACCURACY_M", 100),
            employer_stale_days=_int("LIANGWANG_EMPLOYER_STALE_DAYS", 183),
        )
