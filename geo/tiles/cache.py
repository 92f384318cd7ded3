"""On-disk tile cache shared by every worker on the host, keyed by a data version.

The data version is the sum of the write-maintained counters of the tables the tiles draw
(geo.core.versions: employers, and what a layer adds, such as the stored risk scores), so
it costs an index read, not a scan, and a tile is never served from before a committed
write. The current version is noted in a file so that superseded versions can be pruned
by any worker or by the scheduled job. Files are written to a temporary name and renamed,
so a reader never sees half a tile.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core import versions

KEEP_OLD_S = 60  # a request that read the previous version may still be writing it


class TileCache:
    """Tiles under `root/<version>/<layer>/<z>/<x>/<y>.pbf`; a version names its database."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._database: dict[int, str] = {}  # engine id → identity; never changes for an engine
        self._noted: dict[str, str] = {}  # database → the version this process last noted

    def database(self, session: Session) -> str:
        """Identity of the cluster and database, so two databases never share tiles."""
        key = id(session.get_bind())
        if key not in self._database:
            ident = session.execute(text(
                "SELECT system_identifier::text || '/' || current_database() "
                "FROM pg_control_system()")).scalar_one()
            self._database[key] = hashlib.sha1(ident.encode()).hexdigest()[:12]
        return self._database[key]

    def version(self, session: Session, scopes: Sequence[str] = ()) -> str:
        """The current data version of the employers and `scopes` (from their counters)."""
        database = self.database(session)
        raw = versions.current(session, ("employers", *scopes))
        version = f"{database}-{hashlib.sha1(raw.encode()).hexdigest()[:16]}"
        if self._noted.get(database) != version:
            self._note(database, version)
        return version

    def _note(self, database: str, version: str) -> None:
        """Record `version` as current in the shared file and prune what it superseded."""
        marker = self.root / f"{database}.version.json"
        try:
            stored = json.loads(marker.read_text()).get("version")
        except (OSError, ValueError, AttributeError):
            stored = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if stored != version:
                _write_atomic(marker, json.dumps({"version": version, "at": time.time()}).encode())
                if stored is not None:
                    self._prune(database, keep=version)
        except OSError:
            return  # a full or read-only disk costs speed, not correctness
        self._noted[database] = version

    def path(self, version: str, layer: str, z: int, x: int, y: int) -> Path:
        return self.root / version / layer / str(z) / str(x) / f"{y}.pbf"

    def get(self, version: str, layer: str, z: int, x: int, y: int) -> bytes | None:
        try:
            return self.path(version, layer, z, x, y).read_bytes()
        except OSError:
            return None

    def put(self, version: str, layer: str, z: int, x: int, y: int, data: bytes) -> None:
        target = self.path(version, layer, z, x, y)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, data)
        except OSError:
            pass  # a full or read-only disk costs speed, not correctness

    def prune(self) -> dict:
        """Remove every superseded version's tiles (the scheduled tile-cache pruning): all
        version directories but each database's current one, once untouched for KEEP_OLD_S."""
        current = set()
        for marker in self.root.glob("*.version.json"):
            try:
                current.add(json.loads(marker.read_text())["version"])
            except (OSError, ValueError, KeyError):
                continue
        cutoff = time.time() - KEEP_OLD_S
        removed = 0
        for child in self.root.glob("*-*"):
            if child.is_dir() and child.name not in current and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
        return {"versions_removed": removed, "versions_kept": len(current)}

    def _prune(self, database: str, keep: str) -> None:
        cutoff = time.time() - KEEP_OLD_S
        for child in self.root.glob(f"{database}-*"):
            if child.is_dir() and child.name != keep and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
