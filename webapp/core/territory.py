"""Territory checks for every request, in one place (ARCHITECTURE.md: "every read and write is
limited to the user's territory").

A user's territory (`geo.areas.territory.Territory`) is set on `g.territory` when they sign
in to a request. Three doors bring a territorial thing into a request, and each is checked
here, never in a view:

- **path variables** (`<int:inspection_id>`, `<adcode>`…): `check_view_args` looks up the
  record's county before the view runs. Outside the territory: 404 for reads (the same
  answer as for an id that does not exist, so nothing leaks), 403 for writes.
- **query parameters** named `area`, `county` or `grid` (`webapp.core.params.query`): a value
  outside → 404 (reads) / 403 (writes); a missing `area` means the user's own territory.
- **body fields** declared with `field(..., scope=KIND)`: outside → 403.

Services then filter by the area they are given; the few reads without an area (search,
tiles, audit) take `Territory` itself. Province users are never filtered (`whole`), so the
checks cost them nothing. A path variable that names nothing territorial is listed in
`UNSCOPED`; any other must have a resolver, which a test checks for every route.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import g, request
from sqlalchemy import text

from geo.areas import territory as territories
from geo.areas.territory import Territory
from geo.core.errors import Forbidden, NotFound
from geo.core.text import Text
from webapp.core.context import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _county(sql: str) -> Callable[[object], str | None]:
    def resolve(value) -> str | None:
        return db().execute(text(sql), {"v": value}).scalar()
    return resolve


# kind → (catalog key of its name, lookup of its county or area adcode; None: no such record)
RESOLVERS: dict[str, tuple[str, Callable[[object], str | None]]] = {
    "inspection": ("territory.kind.inspection",
                   _county("SELECT county_adcode FROM inspections WHERE id = :v")),
    "complaint": ("territory.kind.complaint",
                  _county("SELECT county_adcode FROM complaints WHERE id = :v")),
    "case": ("territory.kind.case", _county("SELECT county_adcode FROM cases WHERE id = :v")),
    "officer": ("territory.kind.officer",
                _county("SELECT county_adcode FROM officers WHERE id = :v")),
    "employer": ("territory.kind.employer",
                 _county("SELECT county_adcode FROM employers WHERE id = :v")),
    "grid": ("territory.kind.grid", _county("SELECT county_adcode FROM grids WHERE id = :v")),
    "draw": ("territory.kind.draw",
             _county("SELECT area_adcode FROM random_draws WHERE id = :v")),
    "incident": ("territory.kind.incident",
                 _county("SELECT county_adcode FROM incidents WHERE id = :v")),
    # an import belongs to the territory of the user who ran it
    "import": ("territory.kind.import", _county(
        "SELECT u.area_adcode FROM employer_imports i JOIN users u ON u.username = "
        "i.imported_by WHERE i.id = :v")),
    "run": ("territory.kind.run",
            _county("SELECT area_adcode FROM grading_runs WHERE id = :v")),
    "objection": ("territory.kind.objection",
                  _county("SELECT county_adcode FROM grade_objections WHERE id = :v")),
    "list": ("territory.kind.list",
             _county("SELECT area_adcode FROM disclosure_lists WHERE id = :v")),
    "project": ("territory.kind.project",
                _county("SELECT county_adcode FROM projects WHERE id = :v")),
    "referral": ("territory.kind.referral",
                 _county("SELECT county_adcode FROM referrals WHERE id = :v")),
    "reward": ("territory.kind.reward",
               _county("SELECT county_adcode FROM rewards WHERE id = :v")),
    "attachment": ("territory.kind.attachment",
                   _county("SELECT county_adcode FROM attachments WHERE id = :v")),
    "campaign": ("territory.kind.campaign",
                 _county("SELECT area_adcode FROM review_campaigns WHERE id = :v")),
    "submission": ("territory.kind.submission",
                   _county("SELECT county_adcode FROM review_submissions WHERE id = :v")),
    "audit": ("territory.kind.audit", _county("SELECT county_adcode FROM audits WHERE id = :v")),
    "review": ("territory.kind.submission",
               _county("SELECT county_adcode FROM review_submissions WHERE id = :v")),
    "area": ("territory.kind.area", _county(
        "SELECT adcode FROM admin_areas WHERE adcode = :v LIMIT 1")),
}
VIEW_ARGS = {"inspection_id": "inspection", "complaint_id": "complaint", "case_id": "case",
             "officer_id": "officer", "employer_id": "employer", "grid_id": "grid",
             "draw_id": "draw", "incident_id": "incident", "import_id": "import",
             "run_id": "run", "objection_id": "objection", "list_id": "list",
             "project_id": "project", "referral_id": "referral", "reward_id": "reward",
             "attachment_id": "attachment", "campaign_id": "campaign",
             "submission_id": "submission", "audit_id": "audit",
             "adcode": "area"}
# Path variables that name nothing with a territory of its own: a decision or recusal is
# checked through the complaint or officer beside it in the same path.
# A cross-county request (loan_id) has two counties; its views check either side.
UNSCOPED = {"collection_id", "feature_id",  # OGC API: the collection filters by territory
            "decision_id", "recusal_id", "review_id", "loan_id", "entry_id", "day", "year", "z", "x", "y", "package",
            "filename",
            "job"}  # a scheduled job works on the whole province: its page checks that
QUERY_PARAMS = {"area": "area", "county": "area", "grid": "grid"}


def current() -> Territory | None:
    return g.get("territory")


def start(user) -> None:
    """Set the request's territory from the signed-in user (None: nobody signed in)."""
    g.territory = None if user is None else territories.load(db(), user.area_adcode)


def _writing() -> bool:
    return request.method not in SAFE_METHODS


def _outside(kind: str, value, name: str, write: bool, found: bool = True):
    t = current()
    if write and found:
        return Forbidden(Text("territory.error.write", kind=Text(name), id=value,
                              territory=t.name), {"territory": t.adcode, "kind": kind})
    return NotFound(Text("territory.error.read", kind=Text(name), id=value, territory=t.name),
                    {"kind": kind})


def check(kind: str, value, *, write: bool | None = None) -> None:
    """Refuse `value` (an id of `kind`, or an adcode) unless it lies inside the territory.

    Reads of something outside, or of nothing, get the same 404; writes to something that
    exists outside get 403.
    """
    t = current()
    if t is None or t.whole or value is None:
        return
    write = _writing() if write is None else write
    name, resolve = RESOLVERS[kind]
    if kind == "area":
        county = str(value) if str(value)[:6] in (t.counties or ()) or value == t.adcode \
            else resolve(str(value)[:6])
    else:
        county = resolve(value)
    if county is None:
        raise _outside(kind, value, name, write, found=False)
    if kind == "officer" and not write and county in loaned_counties():
        return
    if not t.covers(county):
        raise _outside(kind, value, name, write)


def check_assignable(officer_ids: list) -> None:
    """Officers sent on a job: of the territory, or lent to it by an approved request."""
    t = current()
    if t is None or t.whole:
        return
    allowed = set(t.counties) | set(loaned_counties())
    ids = [i for i in officer_ids
           if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2 ** 31]
    rows = dict(db().execute(text("SELECT id, county_adcode FROM officers WHERE id = ANY(:ids)"),
                             {"ids": ids}).all())
    for officer_id in officer_ids:
        county = rows.get(officer_id)
        if county is not None and county not in allowed:
            raise Forbidden(Text("territory.error.not_lent", id=officer_id, territory=t.name),
                            {"officer_id": officer_id, "territory": t.adcode})


def loaned_counties() -> list[str]:
    """Counties whose officers are lent to this territory now (approved, not expired)."""
    t = current()
    if t is None or t.whole:
        return []
    if "loaned_counties" not in g:
        from dispatch.officers import loans
        g.loaned_counties = loans.lent_to(db(), t.county_list())
    return g.loaned_counties


def officer_counties() -> list[str] | None:
    """Counties whose officers this user may see and send (None: all)."""
    t = current()
    if t is None or t.whole:
        return None
    return sorted(set(t.counties) | set(loaned_counties()))


def check_view_args() -> None:
    """Before a view: every territorial path variable lies inside the territory."""
    t = current()
    if t is None or t.whole:
        return
    for name, value in (request.view_args or {}).items():
        if name in VIEW_ARGS:
            check(VIEW_ARGS[name], value)


def scoped_param(name: str, value, default):
    """A query parameter `area`, `county` or `grid` checked against the territory; a missing
    `area` becomes the user's own territory, a missing county outside it the first county."""
    t = current()
    if t is None or t.whole:
        return value
    if value is None:
        if name == "area" and (default is None or not t.covers(default)):
            return t.adcode
        if name == "county" and default is not None and not t.covers(default):
            return sorted(t.counties)[0]
        return value
    check(QUERY_PARAMS[name], value)
    return value


def scope_field(kind: str, value) -> None:
    """A body field naming something territorial (`field(..., scope=kind)`): writes only."""
    if kind == "team":
        check_assignable(value if isinstance(value, list) else [value])
        return
    for item in value if isinstance(value, list) else [value]:
        # A malformed item is the service's to refuse (400); only well-formed ones are looked up.
        well_formed = isinstance(item, str) if kind == "area" else \
            isinstance(item, int) and not isinstance(item, bool) and 0 < item < 2 ** 31
        if well_formed:
            check(kind, item, write=True)


def check_created(county: str | None) -> None:
    """After a write placed a new record by its location: it must lie inside (403, and the
    request's transaction is rolled back, not committed)."""
    t = current()
    if t is None or t.whole or county is None or t.covers(county):
        return
    raise Forbidden(Text("territory.error.created", county=county, territory=t.name),
                    {"county_adcode": county, "territory": t.adcode})


def area_of_user() -> str | None:
    t = current()
    return None if t is None else t.adcode
