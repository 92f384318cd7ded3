"""Uploaded GIS files: recognise GeoJSON, GeoPackage or a zipped Shapefile and stage it on disk.

Zip archives are read member by member with a running byte count (declared sizes
are not trusted) and only the dataset's own files are written, under names we
choose; unsafe member names (absolute, `..`, symlinks) refuse the whole archive.
"""
from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.core.config import Settings
from geo.core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from geo.core.text import Text

SQLITE = b"SQLite format 3\x00"
ZIP = b"PK\x03\x04"
SHP = b"\x00\x00\x27\x0a"  # a bare .shp without its .shx/.dbf
MAX_ZIP_MEMBERS = 100  # a grid export holds a handful of files
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SUPPORTED = Text("word.gis_formats")  # GeoJSON (.geojson), GeoPackage (.gpkg) or a zipped …


@dataclass(frozen=True)
class Limits:
    """How much one upload may hold (413 beyond); the defaults are geo.config.Settings'."""

    rows: int = Settings.model_fields["max_upload_rows"].default
    unpacked_bytes: int = Settings.model_fields["max_decompressed_bytes"].default
    vertices: int = Settings.model_fields["max_edit_vertices"].default

    @classmethod
    def of(cls, settings: Settings) -> "Limits":
        return cls(settings.max_upload_rows, settings.max_decompressed_bytes,
                   settings.max_edit_vertices)


def check_archive(members: list[zipfile.ZipInfo], limits: Limits, *, what: Text,
                  max_members: int) -> None:
    """Refuse (413) an archive with too many entries or that unpacks to too much, unread.

    The sizes are those the archive declares; zipfile never yields more than the declared
    size of an entry, so they bound what reading it can produce.
    """
    if len(members) > max_members:
        raise PayloadTooLarge(Text("error.upload.too_many_members", what=what,
                                   files=len(members), max_files=max_members),
                              {"parameter": "file", "max_files": max_members})
    unpacked = sum(i.file_size for i in members)
    if unpacked > limits.unpacked_bytes:
        raise PayloadTooLarge(
            Text("error.upload.unpacks_too_large", what=what, size=_mb(unpacked),
                 limit=_mb(limits.unpacked_bytes)),
            {"parameter": "file", "max_unpacked_bytes": limits.unpacked_bytes})


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n < 10 * 2**20 else f"{n // 2**20:,} MB"


def stage(data: bytes, folder: Path, limits: Limits = Limits()) -> tuple[Path, str]:
    """Write the upload into `folder` as a file GDAL can open; return (path, format)."""
    if not data.strip():
        raise Unprocessable(Text("error.file.empty"), {"parameter": "file"})
    if data.startswith(SQLITE):
        return _write(folder / "upload.gpkg", data), "gpkg"
    if data.startswith(ZIP):
        return unzip_dataset(data, folder, limits)
    if data.startswith(SHP):
        raise UnsupportedMediaType(Text("error.upload.bare_shapefile"), {"parameter": "file"})
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _write(folder / "upload.geojson", data), "geojson"
    raise UnsupportedMediaType(Text("error.upload.unsupported", supported=SUPPORTED),
                               {"parameter": "file"})


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def unzip_dataset(data: bytes, folder: Path, limits: Limits = Limits()) -> tuple[Path, str]:
    """The Shapefile (or single GeoPackage/GeoJSON) inside a zip, extracted safely."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise Unprocessable(Text("error.upload.zip_damaged", reason=str(exc)),
                            {"parameter": "file"}) from None
    check_archive(members, limits, what=Text("word.zip"), max_members=MAX_ZIP_MEMBERS)
    for info in members:
        _check_member(info)
    members = [i for i in members if not i.filename.startswith("__MACOSX/")]
    by_suffix: dict[str, list[zipfile.ZipInfo]] = {}
    for info in members:
        by_suffix.setdefault(PurePosixPath(info.filename).suffix.lower(), []).append(info)
    shps = by_suffix.get(".shp", [])
    if len(shps) > 1:
        raise Unprocessable(Text("error.upload.several_shapefiles",
                                 names=", ".join(i.filename for i in shps)),
                            {"parameter": "file"})
    if shps:
        stem = _stem(shps[0])
        parts = {PurePosixPath(i.filename).suffix.lower(): i for i in members
                 if _stem(i) == stem and PurePosixPath(i.filename).suffix.lower()
                 in SHAPEFILE_PARTS}
        missing = [s for s in (".shx", ".dbf") if s not in parts]
        if missing:
            raise Unprocessable(Text("error.upload.shapefile_parts_missing",
                                     name=shps[0].filename,
                                     missing=missing[0] if len(missing) == 1 else
                                     Text("word.pair", first=missing[0], second=missing[1])),
                                {"parameter": "file"})
        budget = [limits.unpacked_bytes]
        for suffix, info in parts.items():
            _extract(archive, info, folder / f"upload{suffix}", budget)
        return folder / "upload.shp", "shp"
    for suffix, kind in ((".gpkg", "gpkg"), (".geojson", "geojson"), (".json", "geojson")):
        if len(by_suffix.get(suffix, [])) == 1:
            path = folder / f"upload{'.gpkg' if kind == 'gpkg' else '.geojson'}"
            _extract(archive, by_suffix[suffix][0], path, [limits.unpacked_bytes])
            return path, kind
    raise UnsupportedMediaType(Text("error.upload.no_shapefile", supported=SUPPORTED),
                               {"parameter": "file"})


def _stem(info: zipfile.ZipInfo) -> str:
    return str(PurePosixPath(info.filename).with_suffix("")).lower()


def _check_member(info: zipfile.ZipInfo) -> None:
    """Refuse archives whose member names could escape a folder, links and encrypted members."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts:
        raise Unprocessable(Text("error.upload.unsafe_path", name=info.filename),
                            {"parameter": "file"})
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Unprocessable(Text("error.upload.symlink", name=info.filename),
                            {"parameter": "file"})
    if info.flag_bits & 0x1:
        raise Unprocessable(Text("error.upload.encrypted", name=info.filename),
                            {"parameter": "file"})


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
             budget: list[int]) -> None:
    """Copy one member to `path`, counting real bytes against the remaining budget."""
    try:
        with archive.open(info) as src, open(path, "wb") as dst:
            while chunk := src.read(1 << 20):
                budget[0] -= len(chunk)
                if budget[0] < 0:  # a damaged entry that yields more than it declares
                    raise PayloadTooLarge(Text("error.upload.unpacks_beyond_declared"),
                                          {"parameter": "file"})
                dst.write(chunk)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise Unprocessable(Text("error.upload.member_unreadable", name=info.filename,
                                 reason=str(exc)), {"parameter": "file"}) from None


def zip_files(files: list[Path], target: Path) -> Path:
    """Zip these files, without folders, into `target`."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            archive.write(f, f.name)
    return target
