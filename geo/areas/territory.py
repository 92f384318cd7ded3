"""A user's territory (辖区): the province, a city or a county, and the counties inside it.

Every large table carries `county_adcode`, so "inside the territory" is one test on that
column: `Territory.clause(column)` for SQLAlchemy, `Territory.sql(column)` for text SQL
(bind `Territory.params()`). The province needs no filter at all (`counties is None`), so
province users pay nothing for scoping. Admin areas change only with a boundary reload,
so a territory is cached per process by adcode.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, text
from sqlalchemy.orm import Session

from geo.core.errors import InvalidInput
from geo.core.text import Text

PROVINCE = "410000"


@dataclass(frozen=True)
class Territory:
    adcode: str
    level: str  # province | city | county
    name: str
    counties: frozenset[str] | None  # None: the whole province, no filter

    @property
    def whole(self) -> bool:
        return self.counties is None

    def covers(self, adcode: str | None) -> bool:
        """Whether an area (any level), a grid code or a county adcode lies inside."""
        if self.counties is None:
            return True
        if not adcode:
            return False
        code = adcode[:6]  # a grid code starts with its county's adcode
        return code in self.counties or code == self.adcode

    def clause(self, column):
        """`column IN (counties)`, or TRUE for the province."""
        if self.counties is None:
            return literal(True)
        return column.in_(sorted(self.counties))

    def sql(self, column: str, param: str = "territory_counties") -> str:
        """A text-SQL condition on `column`; bind `params(param)` with it."""
        if self.counties is None:
            return "TRUE"
        return f"{column} = ANY(:{param})"

    def params(self, param: str = "territory_counties") -> dict:
        return {} if self.counties is None else {param: sorted(self.counties)}

    def county_list(self) -> list[str] | None:
        return None if self.counties is None else sorted(self.counties)


def load(session: Session, adcode: str) -> Territory:
    """The territory of an area (400 when the adcode is not an area of Henan)."""
    return _load(session.get_bind().url.render_as_string(hide_password=False), adcode,
                 session)


def _load(url: str, adcode: str, session: Session) -> Territory:
    hit = _TERRITORIES.get((url, adcode))
    if hit is not None:
        return hit
    row = session.execute(text("""
        SELECT adcode, name, level FROM admin_areas WHERE adcode = :a
        ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END LIMIT 1
    """), {"a": adcode}).mappings().first()
    if row is None:
        raise InvalidInput(Text("error.territory.unknown_area", adcode=adcode),
                           {"parameter": "area"})
    if row["level"] == "province":
        counties = None
    elif row["level"] == "city":
        counties = frozenset(session.execute(text(
            "SELECT adcode FROM admin_areas WHERE level = 'county' "
            "AND (parent_adcode = :a OR adcode = :a)"), {"a": adcode}).scalars())
    else:
        counties = frozenset({adcode})
    territory = Territory(row["adcode"], row["level"], row["name"], counties)
    if len(_TERRITORIES) > 1024:
        _TERRITORIES.clear()
    _TERRITORIES[(url, adcode)] = territory
    return territory


_TERRITORIES: dict[tuple[str, str], Territory] = {}


def whole_province() -> Territory:
    """The unscoped territory (CLI, jobs, province users)."""
    return Territory(PROVINCE, "province", "河南省", None)
