"""Backups: the database (pg_dump custom format) and the uploaded files, in one tar file.

A backup is `manifest.json` + `database.dump` + `files/attachments/<stored name>`. The dump
and the manifest's per-table row counts and checksums are read from one snapshot
(`pg_export_snapshot`), so a restore can prove it brought back exactly what was saved:
`restore` recomputes them and names any table that differs.

A restore checks everything it can before it changes anything (the archive's members, the
manifest, that the dump is readable, that the schema is one this code knows, that no other
session is connected); then pg_restore runs in one transaction, so a failure leaves the
database as it was; the files are swapped in only after the database succeeded.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from geo.core import versions
from geo.core.clock import BEIJING, now
from geo.core.embedded import EmbeddedError, find_bindir
from geo.core.errors import InvalidInput
from geo.core.text import Text

FORMAT = "liangwang-backup/1"
MANIFEST, DUMP, FILES = "manifest.json", "database.dump", "files/attachments/"
FILE_FOLDERS = ("attachments",)  # under var/: what people uploaded (see geo.attachments)

# Order-independent: a row's md5 folded to 60 bits and summed (numeric, no overflow), so a
# table of any size is checked in one streaming pass without sorting it.
CHECKSUM = ("SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)"
            "::text FROM {table} AS t")
TABLES = text("""
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relname""")


class BackupError(InvalidInput):
    """The backup cannot be made or the file cannot be restored; the message says why."""


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for `url` (no password in it) and the environment carrying it."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _engine(url: str):
    return create_engine(url, poolclass=NullPool, connect_args={"options": "-c jit=off"})


def fingerprints(connection) -> dict[str, list]:
    """{table: [rows, checksum]} of every table of the app (not PostGIS's own)."""
    out = {}
    for (name,) in connection.execute(TABLES).all():
        rows, checksum = connection.execute(text(CHECKSUM.format(table=f'"{name}"'))).one()
        out[name] = [rows, checksum]
    return out


def _bindir() -> Path:
    """PostgreSQL's client programs (pg_dump, pg_restore) of the newest installed version."""
    try:
        return find_bindir()
    except EmbeddedError:
        raise BackupError(Text("error.backup.no_client")) from None


def _run(args: list, env: dict, error: str) -> subprocess.CompletedProcess:
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise BackupError(Text(error, detail=(out.stderr.strip() or out.stdout.strip())[-600:]))
    return out


def backup(url: str, var: Path, path: Path) -> dict:
    """Write the database and the uploaded files to the tar file `path`; return its manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(Text("error.backup.exists", path=str(path)))
    if not path.parent.is_dir():
        raise BackupError(Text("error.backup.no_folder", path=str(path.parent)))
    dsn, env = libpq(url)
    bindir = _bindir()
    engine = _engine(url)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".lw-backup-") as tmp:
        dump = Path(tmp) / DUMP
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _run([bindir / "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={dsn}"], env,
                 "error.backup.dump_failed")
            tables = fingerprints(conn)
            schema = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            conn.exec_driver_sql("COMMIT")
        engine.dispose()
        files = _stored_files(var)
        manifest = {"format": FORMAT, "made_at": now().astimezone(BEIJING).isoformat(timespec="seconds"), "schema": schema,
                    "tables": tables, "sha256": {DUMP: _sha256(dump)},
                    "files": {name: p.stat().st_size for name, p in files}}
        manifest["sha256"].update({name: _sha256(p) for name, p in files})
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
        partial = Path(tmp) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(tmp) / MANIFEST, MANIFEST)
            tar.add(dump, DUMP)
            for name, p in files:
                tar.add(p, name)
        os.replace(partial, path)  # the file appears whole or not at all
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stored_files(var: Path) -> list[tuple[str, Path]]:
    out = []
    for folder in FILE_FOLDERS:
        root = Path(var) / folder
        if root.is_dir():
            out += [(f"files/{folder}/{p.name}", p) for p in sorted(root.iterdir()) if p.is_file()]
    return out


def read_manifest(path: Path) -> dict:
    """The manifest of the backup `path`, after checking the archive holds only what we write."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(Text("error.backup.missing", path=str(path)))
    try:
        with tarfile.open(path, "r:") as tar:
            members = tar.getmembers()
            for m in members:
                ok_name = m.name in (MANIFEST, DUMP) or (
                    m.name.startswith("files/") and m.name.count("/") == 2
                    and m.name.split("/")[1] in FILE_FOLDERS and ".." not in m.name)
                if not (m.isfile() and ok_name):
                    raise BackupError(Text("error.backup.foreign_member", name=m.name))
            names = {m.name for m in members}
            if MANIFEST not in names or DUMP not in names:
                raise BackupError(Text("error.backup.not_a_backup", path=str(path)))
            manifest = json.loads(tar.extractfile(MANIFEST).read().decode("utf-8"))
    except (tarfile.TarError, UnicodeDecodeError, json.JSONDecodeError, EOFError):
        raise BackupError(Text("error.backup.not_a_backup", path=str(path))) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(Text("error.backup.not_a_backup", path=str(path)))
    return manifest


def restore(url: str, var: Path, path: Path, *, known_schema, force: bool = False) -> dict:
    """Replace the database and the uploaded files with the backup `path`.

    `known_schema(revision)` says whether this code knows the backup's schema revision (a
    backup from newer code is refused). Other sessions on the database make it refuse
    unless `force`, which ends them. Returns {"manifest", "tables" (as restored), "differ",
    "versions_before" (for `advance_versions`, once migrated)}.
    """
    manifest = read_manifest(path)
    if manifest.get("schema") and not known_schema(manifest["schema"]):
        raise BackupError(Text("error.backup.newer_schema", schema=manifest["schema"]))
    dsn, env = libpq(url)
    bindir = _bindir()
    var = Path(var)
    var.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=var, prefix=".lw-restore-") as tmp:
        with tarfile.open(path, "r:") as tar:
            tar.extractall(tmp, filter="data")
        dump = Path(tmp) / DUMP
        for name, expected in manifest.get("sha256", {}).items():
            if not (Path(tmp) / name).is_file() or _sha256(Path(tmp) / name) != expected:
                raise BackupError(Text("error.backup.damaged", name=name))
        _run([bindir / "pg_restore", "--list", dump], env, "error.backup.unreadable_dump")
        engine = _engine(url)
        with engine.connect() as conn:
            versions_before = versions.total(conn) if conn.execute(text(
                "SELECT to_regclass('data_versions')")).scalar() else 0
            others = conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalars().all()
            if others and not force:
                raise BackupError(Text("error.backup.in_use", sessions=len(others)))
            for pid in others:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        _run([bindir / "pg_restore", "--clean", "--if-exists", "--single-transaction",
              "--exit-on-error", "--no-owner", "--no-privileges", f"--dbname={dsn}", dump], env,
             "error.backup.restore_failed")
        for folder in FILE_FOLDERS:
            _swap(Path(tmp) / "files" / folder, var / folder)
        with engine.connect() as conn:
            tables = fingerprints(conn)
        engine.dispose()
    saved = manifest.get("tables", {})
    differ = sorted(t for t in set(saved) | set(tables) if saved.get(t) != tables.get(t))
    return {"manifest": manifest, "tables": tables, "differ": differ,
            "versions_before": versions_before}


def advance_versions(url: str, past: int) -> None:
    """After a restore (and its migration): move the data versions past every value handed
    out before it, so caches keyed by them never serve pre-restore answers."""
    engine = _engine(url)
    with engine.begin() as conn:
        versions.advance(conn, past)
    engine.dispose()


def _swap(new: Path, target: Path) -> None:
    """Put the folder `new` (possibly absent: no files) where `target` is, atomically enough."""
    if not new.is_dir():
        new.mkdir(parents=True)
    old = target.with_name(f".{target.name}.before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
