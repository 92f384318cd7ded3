"""Settings read from the environment once (pydantic-settings), typed and frozen."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
VAR = Path(os.environ.get("LIANGWANG_VAR", ROOT / "var"))


class EnvSettings(BaseSettings):
    """Base of every settings group: read once from `<prefix><FIELD>` environment variables,
    typed (an integer setting given "2.5" is refused, not truncated), frozen."""

    model_config = SettingsConfigDict(env_prefix="LIANGWANG_", frozen=True, extra="ignore",
                                      populate_by_name=True)

    @classmethod
    def from_env(cls, **values):
        """The settings from the environment (and `values`); a clear exit when one is malformed."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise SystemExit(settings_problem(cls, exc)) from None


def settings_problem(cls, exc: ValidationError) -> str:
    """One sentence per bad setting, naming its environment variable."""
    prefix = cls.model_config.get("env_prefix", "")
    out = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "settings"
        field = cls.model_fields.get(str(error["loc"][0])) if error["loc"] else None
        alias = field.validation_alias if field is not None else None
        env = (alias.choices[0] if hasattr(alias, "choices") else alias) or f"{prefix}{name}".upper()
        given = error.get("input")
        message = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:  # a rule across fields: its message names them
            out.append(message)
            continue
        out.append(f"{env}: {message}" + (f" (got {given!r})" if isinstance(given, (str, int, float)) else ""))
    return "Settings refused: " + "; ".join(out)


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


def _env(*names: str) -> AliasChoices:
    """Environment variable names of a field (the first is the one documented)."""
    return AliasChoices(*names)


class Settings(EnvSettings):
    """Runtime settings of the territory layer; every domain number that is local practice
    lives in a settings group (this one, PlanningSettings, TileSettings, DispatchSettings,
    RiskSettings), all built once by webapp.core.settings.AppSettings."""

    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL", "database_url"))
    # Streaming standbys for read-only views, comma-separated (webapp.core.context).
    database_replica_urls: str = Field("", validation_alias=_env("DATABASE_REPLICA_URLS",
                                                                 "database_replica_urls"))
    demo: bool = False
    secret_key: str = Field("", validation_alias=_env("SECRET_KEY", "secret_key"))
    token_ttl_s: int = 12 * 3600
    login_max_failures: int = 5  # failures per user within the window before sign-in is slowed
    login_window_s: int = 900
    login_ip_max_failures: int = 20  # failures per address within the window before slowing it
    login_delay_base_s: float = 1.0  # first enforced wait; doubles with every further failure
    login_delay_max_s: float = 60.0  # the wait never grows past this, so no lockout can be held
    session_ttl_s: int = 12 * 3600  # a page session ends after this long, or at sign-out
    secret_min_length: int = 32
    max_content_length: int = Field(50 * 1024 * 1024, validation_alias=_env(
        "LIANGWANG_MAX_UPLOAD_BYTES", "max_content_length"))
    statement_timeout_ms: int = 30_000  # web requests; below gunicorn's worker timeout (120 s)
    job_statement_timeout_ms: int = 900_000  # imports, seeding and other long jobs
    max_json_depth: int = 32
    max_text_length: int = 10_000  # any free text (descriptions, reasons, notes) in characters
    # The public portal: requests per minute per client address (LIANGWANG_PUBLIC_PER_MINUTE).
    public_per_minute: int = 120
    max_upload_rows: int = 200_000  # rows in one XLSX/CSV import
    max_attachment_bytes: int = 10 * 1024 * 1024  # one document or photo (LIANGWANG_MAX_ATTACHMENT_BYTES)
    max_decompressed_bytes: int = 200 * 1024 * 1024  # XLSX/ZIP content once unpacked
    max_edit_vertices: int = 100_000  # polygon vertices in one grid edit set or upload
    tile_url: str | None = None
    language: str = "zh"
    employer_stale_days: int = 183  # labour data refreshed at least every 6 months (人社部发〔2009〕4号)
    field_max_accuracy_m: float = 100.0  # coarser GPS fixes are not a survey (local practice)
    var: Path = Field(default=VAR, validation_alias=_env("LIANGWANG_VAR", "var"))

    @field_validator("database_url", "tile_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

    @classmethod
    def from_env(cls, **values):
        settings = super().from_env(**values)
        secret = settings.secret_key
        if not secret:
            if not settings.demo:
                raise SystemExit(
                    "SECRET_KEY is not set: export SECRET_KEY=<random string> "
                    "(or LIANGWANG_DEMO=1 for a local demo with a generated key)."
                )
            secret = persistent_secret(settings.var / "secret_key")
        check_secret_key(secret, settings.secret_min_length)
        return settings.model_copy(update={"secret_key": secret})
