"""Import an employer list (CSV/XLSX): validate, place, upsert by credit code, assign grids.

One transaction, owned by the caller: rows are staged with COPY, get their county
(surveyed points) and grid in PostGIS, then employers are inserted or updated
set-wise, grid included, so no row is written twice.
Re-importing a file changes nothing. An import never replaces a location with a
less precise one (a county centroid does not undo a field survey). Rejected rows
are kept with the import so they can be downloaded, fixed and sent again: the first
KEPT_REJECTS of them whole, the rest only counted, so a file of bad rows cannot
fill memory or the database.
"""
from __future__ import annotations

import csv
import heapq
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import crs
from geo.accounts import audit
from geo.areas.territory import Territory, whole_province
from geo.core import tabular
from geo.core.config import Settings
from geo.core.db import job_timeout
from geo.core.errors import InvalidInput, NotFound, Unprocessable
from geo.core.text import LANGUAGES, Text, rendered
from geo.core.uploads import Limits
from geo.employers.geocode import AdminAreaGeocoder, GeocodeError, Geocoder
from geo.employers.imports.rows import Candidate, Columns, RowError, find_columns, parse_row
from geo.employers.models import LOCATION_PRECISIONS, EmployerImport

Progress = Callable[[int, int], None]  # (rows done, rows in the file)
IMPORT_LOCK = 4_100_000_003  # pg_advisory_xact_lock key: one import at a time
PROGRESS_EVERY = 2000
KEPT_REJECTS = 10_000  # rejected rows stored whole for the download; the others are counted
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet formula injection
STAGE_COLUMNS = ("row", "credit_code", "name", "legal_representative", "address",
                 "contact_person", "contact_phone", "industry", "employees", "migrant_workers",
                 "grade", "lon", "lat", "raw_lon", "raw_lat", "source_crs", "location_source",
                 "location_precision", "county_adcode")
MERGED = ("name", "legal_representative", "address", "contact_person", "contact_phone",
          "industry", "employees", "migrant_workers", "grade")
NEW_DEFAULTS = {"employees": ", 0", "migrant_workers": ", 0", "grade": ", 'unrated'"}
LOCATED = ("geom", "location_source", "location_precision", "source_crs", "county_adcode",
           "grid_id", "location_accuracy_m")


@dataclass
class ImportResult:
    """What an import did; `rejected` lists the kept rejected rows (the first, by row) with
    their reasons, `rejected_count` counts them all."""

    import_id: int
    accepted: int
    updated: int
    unchanged: int
    rejected: list[dict]
    located: dict[str, int]
    columns: dict[str, str]
    file_format: str
    encoding: str | None
    sheet: str | None
    rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    rejected_count: int = 0


class Rejects:
    """Rejected rows: the `keep` with the lowest row numbers whole, all of them counted."""

    def __init__(self, keep: int = KEPT_REJECTS):
        self.keep, self.count = keep, 0
        self._heap: list[tuple[int, Text, list]] = []  # (-row, reason, cells): largest on top

    def add(self, line: int, reason: Text, cells: list) -> None:
        self.count += 1
        item = (-line, self.count, reason, cells)  # the count breaks ties: Texts do not order
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, item)
        elif self._heap and line < -self._heap[0][0]:
            heapq.heapreplace(self._heap, item)

    def rows(self) -> list[dict]:
        """The kept rows in file order, reasons as Texts (`stored` makes them JSON)."""
        return [_reject(-r, reason, cells) for r, _, reason, cells in sorted(
            self._heap, key=lambda item: (item[0], item[1]), reverse=True)]


def import_employers(session: Session, data: bytes, *, filename: str | None,
                     source_crs: str = "wgs84", encoding: str | None = None,
                     sheet: str | None = None, actor: str | None = None,
                     geocoder: Geocoder | None = None, progress: Progress | None = None,
                     ip: str | None = None, limits: Limits = Limits(),
                     job_timeout_ms: int = Settings.model_fields["job_statement_timeout_ms"].default,
                     territory: Territory | None = None) -> ImportResult:
    """Import one file; fatal problems (too large: 413) raise before anything is written.

    Rows placed outside `territory`, or naming an employer registered outside it, are
    rejected with that reason (an importer changes only their own territory)."""
    default_crs = (source_crs or "wgs84").strip().lower()
    if default_crs not in crs.CRS_NAMES:
        raise InvalidInput(Text("error.crs.choice_got", choices=", ".join(crs.CRS_NAMES),
                                value=source_crs), {"parameter": "crs"})
    table = tabular.read_table(data, encoding=encoding, sheet=sheet, limits=limits)
    if not table.rows:
        raise Unprocessable(Text("error.import.no_rows"), {"parameter": "file"})
    pos, cols = find_columns(table.rows)
    body = table.rows[pos + 1:]
    if not body:
        raise Unprocessable(Text("error.import.header_only"), {"parameter": "file"})
    job_timeout(session, job_timeout_ms)  # a long file is a job, not a web request
    geocoder = geocoder or AdminAreaGeocoder.load(session)
    rejects = Rejects(KEPT_REJECTS)
    staged = _validate(body, cols, default_crs, geocoder, progress, rejects)
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK})
    # Row-at-a-time index lookups: JIT compilation costs more than it saves here.
    session.execute(text("SET LOCAL jit = off"))
    imp = EmployerImport(filename=(filename or "")[:255] or None, file_format=table.file_format,
                         encoding=table.encoding, sheet=table.sheet, source_crs=default_crs,
                         columns=cols.describe(), header=cols.header, accepted=0, updated=0,
                         unchanged=0, rejected_count=0, rejects=[], imported_by=actor)
    session.add(imp)
    session.flush()
    _stage(session, staged, {r: cells for r, cells in body}, rejects,
           territory or whole_province())
    counts, located = _merge(session, imp.id, actor)
    kept = rejects.rows()
    imp.accepted, imp.updated, imp.unchanged = counts
    imp.rejected_count, imp.rejects = rejects.count, [r | {"reason": stored(r["reason"])}
                                                      for r in kept]
    audit.record(session, actor=actor, action="import", entity="employer_import",
                 entity_id=imp.id, ip=ip,
                 after={"filename": filename, "accepted": imp.accepted, "updated": imp.updated,
                        "unchanged": imp.unchanged, "rejected": imp.rejected_count})
    ignored = [h for i, h in enumerate(cols.header) if h and i not in cols.index.values()]
    return ImportResult(imp.id, *counts, [{"row": r["row"], "reason": r["reason"]}
                                          for r in kept], located, cols.describe(),
                        table.file_format, table.encoding, table.sheet, len(body), ignored,
                        rejects.count)


def stored(value):
    """A reason as JSON for the import's row: a Text becomes {"key", "values"}, nested too."""
    if isinstance(value, Text):
        return {"key": value.key, "values": {k: stored(v) for k, v in value.values.items()}}
    return value


def restored(value):
    """The reason `stored` wrote, as a Text again (reasons of older imports are plain text)."""
    if isinstance(value, dict) and set(value) == {"key", "values"}:
        return Text(value["key"], **{k: restored(v) for k, v in value["values"].items()})
    return value


def _reject(line: int, reason: Text, cells: list) -> dict:
    return {"row": line, "reason": reason,
            "values": ["" if c is None else str(c) for c in cells]}


def _validate(body, cols: Columns, default_crs: str, geocoder: Geocoder,
              progress: Progress | None, rejects: Rejects) -> list[tuple]:
    """Stage tuples (see STAGE_COLUMNS) for valid rows; the others go to `rejects`."""
    good: list[Candidate] = []
    first_seen: dict[str, int] = {}
    for n, (line, cells) in enumerate(body, start=1):
        try:
            row = parse_row(line, cells, cols, default_crs)
            if row.credit_code in first_seen:
                raise RowError(Text("import.row.duplicate", code=row.credit_code,
                                    row=first_seen[row.credit_code]))
            first_seen[row.credit_code] = line
            good.append(row)
        except ValueError as exc:  # RowError, or a reader's own ValueError
            rejects.add(line, exc.message if isinstance(exc, RowError) else str(exc), cells)
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, len(body))
    cells_of = {line: cells for line, cells in body}
    staged = []
    surveyed = [r for r in good if r.lon is not None]
    for name in crs.CRS_NAMES:  # vectorised conversion, one CRS at a time
        group = [r for r in surveyed if r.crs == name]
        if group:
            x, y = crs.to_wgs84(np.array([r.lon for r in group]),
                                np.array([r.lat for r in group]), name)
            staged += [_stage_tuple(r, float(a), float(b), "survey", "point", None)
                       for r, a, b in zip(group, np.atleast_1d(x), np.atleast_1d(y))]
    for r in good:
        if r.lon is not None:
            continue
        try:
            place = geocoder.locate(r.address or "")
        except GeocodeError as exc:
            rejects.add(r.row, Text("import.row.not_placed", address=r.address,
                                    reason=exc.message), cells_of[r.row])
            continue
        staged.append(_stage_tuple(r, place.lon, place.lat, place.location_source,
                                   place.precision, place.county_adcode))
    if progress:
        progress(len(body), len(body))
    return staged


def _stage_tuple(r: Candidate, x: float, y: float, source: str, precision: str,
                 county: str | None) -> tuple:
    return (r.row, r.credit_code, r.name, r.legal_representative, r.address, r.contact_person,
            r.contact_phone, r.industry, r.employees, r.migrant_workers, r.grade, repr(x),
            repr(y), r.lon, r.lat, r.crs if source == "survey" else "wgs84", source, precision,
            county)


def _stage(session: Session, staged: list[tuple], cells_of: dict[int, list],
           rejects: Rejects, territory: Territory) -> None:
    """COPY the rows into a temporary table, place them in their county and grid in PostGIS.

    Surveyed points get the county that contains them (those outside Henan are
    rejected); every row gets the grid of its county that contains it.
    """
    # Dropped at commit; dropped here too so two imports can share one transaction.
    session.execute(text("DROP TABLE IF EXISTS employer_stage, employer_placed, employer_merge"))
    session.execute(text("""
        CREATE TEMP TABLE employer_stage (
            row integer PRIMARY KEY, credit_code text, name text, legal_representative text,
            address text, contact_person text, contact_phone text, industry text,
            employees integer, migrant_workers integer, grade text, lon float8, lat float8,
            raw_lon float8, raw_lat float8, source_crs text, location_source text,
            location_precision text, county_adcode text
        ) ON COMMIT DROP
    """))
    buf = io.StringIO()
    csv.writer(buf).writerows(staged)
    buf.seek(0)
    cur = session.connection().connection.dbapi_connection.cursor()
    cur.copy_expert(f"COPY employer_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN "
                    "WITH (FORMAT csv)", buf)
    columns = ", ".join(f"p.{c}" for c in STAGE_COLUMNS if c != "county_adcode")
    # The grid containing a surveyed point also names its county; only points in no grid
    # (counties not gridded yet, or outside Henan) need the county polygons.
    session.execute(text(f"""
        CREATE TEMP TABLE employer_placed ON COMMIT DROP AS
        WITH p AS MATERIALIZED (
            SELECT s.*, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS geom
            FROM employer_stage s)
        SELECT {columns}, p.geom, g.id AS grid_id,
               coalesce(p.county_adcode, g.county_adcode, (
                   SELECT a.adcode FROM admin_areas a
                   WHERE a.level = 'county' AND ST_Intersects(a.geom, p.geom)
                   ORDER BY a.adcode LIMIT 1)) AS county_adcode
        FROM p LEFT JOIN LATERAL (
            SELECT g.id, g.county_adcode FROM grids g
            WHERE (p.county_adcode IS NULL OR g.county_adcode = p.county_adcode)
              AND ST_Intersects(g.geom, p.geom)
            ORDER BY g.id LIMIT 1) g ON true
    """))
    outside = session.execute(text("""
        DELETE FROM employer_placed WHERE county_adcode IS NULL
        RETURNING row, raw_lon, raw_lat, source_crs
    """)).all()
    for line, x, y, source_crs in outside:
        rejects.add(line, Text("import.row.outside_henan", x=x, y=y,
                               crs=Text(f"crs.{source_crs}")), cells_of[line])
    if territory.whole:
        return
    foreign = session.execute(text(f"""
        DELETE FROM employer_placed p
        WHERE NOT {territory.sql("p.county_adcode")}
           OR EXISTS (SELECT 1 FROM employers e WHERE e.credit_code = p.credit_code
                      AND NOT {territory.sql("e.county_adcode")})
        RETURNING row
    """), territory.params()).scalars().all()
    for line in foreign:
        rejects.add(line, Text("import.row.outside_territory", territory=territory.name),
                    cells_of[line])


def _merge(session: Session, import_id: int, actor: str | None) -> tuple[tuple, dict]:
    """Insert new employers, update changed ones, keep location history; counts and sources."""
    session.execute(text("""
        SELECT count(*) FROM (SELECT 1 FROM employers e JOIN employer_placed s USING (credit_code)
                              FOR UPDATE OF e) locked
    """))
    merged = ", ".join(f"coalesce(s.{c}, e.{c}{NEW_DEFAULTS.get(c, '')}) AS {c}" for c in MERGED)
    # A replaced location has no known accuracy (the file does not say).
    located = ", ".join(
        f"CASE WHEN better THEN {'NULL' if c == 'location_accuracy_m' else 's.' + c} "
        f"ELSE e.{c} END AS {c}" for c in LOCATED)
    session.execute(text(f"""
        CREATE TEMP TABLE employer_merge ON COMMIT DROP AS
        SELECT s.row, e.id, e.id IS NULL AS is_new, s.credit_code, {merged}, {located},
               e.geom AS geom_before, e.location_source AS source_before,
               e.location_precision AS precision_before, false AS changed
        FROM employer_placed s LEFT JOIN employers e USING (credit_code)
        CROSS JOIN LATERAL (SELECT e.id IS NULL OR
            array_position(CAST(:ranks AS text[]), s.location_precision) <=
            array_position(CAST(:ranks AS text[]), e.location_precision) AS better) b
    """), {"ranks": list(LOCATION_PRECISIONS)})
    columns = MERGED + LOCATED
    session.execute(text(f"""
        UPDATE employer_merge m SET changed = ({', '.join('m.' + c for c in columns)})
            IS DISTINCT FROM ({', '.join('e.' + c for c in columns)})
        FROM employers e WHERE e.id = m.id
    """))
    session.execute(text(f"""
        INSERT INTO employers (credit_code, {', '.join(columns)})
        SELECT credit_code, {', '.join(columns)} FROM employer_merge WHERE is_new ORDER BY row;
        UPDATE employer_merge m SET id = e.id FROM employers e
        WHERE m.is_new AND e.credit_code = m.credit_code;
        UPDATE employers e SET {', '.join(f'{c} = m.{c}' for c in columns)}, updated_at = now()
        FROM employer_merge m WHERE e.id = m.id AND NOT m.is_new AND m.changed;
        INSERT INTO employer_location_history (employer_id, county_adcode, geom_before,
            geom_after, source_before, source_after, precision_before, precision_after,
            import_id, changed_by)
        SELECT id, county_adcode, geom_before, geom, source_before, location_source,
               precision_before, location_precision, :import_id, :actor
        FROM employer_merge WHERE NOT is_new AND geom IS DISTINCT FROM geom_before
    """), {"import_id": import_id, "actor": actor})
    row = session.execute(text("""
        SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new AND changed),
               count(*) FILTER (WHERE NOT is_new AND NOT changed) FROM employer_merge
    """)).one()
    sources = dict(session.execute(text("""
        SELECT location_source, count(*) FROM employer_placed GROUP BY location_source
    """)).all())
    return tuple(row), sources


def rejected_csv(session: Session, import_id: int, language: str = "en") -> str:
    """The rejected rows of an import as CSV (UTF-8 with BOM, for Excel), formulas defused;
    the reasons and the two added column names in `language`."""
    imp = session.get(EmployerImport, import_id)
    if imp is None:
        raise NotFound(Text("error.import.not_found", import_id=import_id),
                       {"import_id": import_id})
    language = language if language in LANGUAGES else "en"
    out = io.StringIO()
    writer = csv.writer(out)
    added = rendered([Text("import.rejects.row"), Text("import.rejects.reason")], language)
    writer.writerow([_safe(c) for c in [*added, *imp.header]])
    for r in imp.rejects:
        reason = rendered(restored(r["reason"]), language)
        writer.writerow([r["row"], *(_safe(c) for c in [reason, *r["values"]])])
    if imp.rejected_count > len(imp.rejects):
        writer.writerow(["", rendered(Text("import.rejects.more",
                                           more=imp.rejected_count - len(imp.rejects),
                                           row=imp.rejects[-1]["row"], kept=len(imp.rejects)),
                                      language)])
    return "\ufeff" + out.getvalue()


def _safe(cell) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ would start a formula."""
    s = "" if cell is None else str(cell)
    return "'" + s if s.startswith(FORMULA_START) else s
