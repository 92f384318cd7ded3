"""Geocoding employer addresses offline, from the admin area names of the database.

A `Geocoder` turns an address into a `Place` or raises `GeocodeError` with a
reason a person can act on. The offline `AdminAreaGeocoder` recognises
province, city and county names (with or without the suffix 市/区/县, and the
former names in admin_area_aliases) and places the employer at the county's
point-on-surface: precision 'county', to be refined by a field visit. An
online geocoder (street precision) would implement the same protocol.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.text import Text

PROVINCE_PREFIXES = ("中华人民共和国", "中国", "河南省", "河南")
SUFFIXES = ("回族区", "市", "区", "县")
# After a short name (中原, 新郑) these mean a road or street was named, not the area.
STREET_AFTER = ("路", "街", "道", "巷", "桥", "大道", "大街")
MIN_STEM = 2


class GeocodeError(ValueError):
    """The address cannot be placed; `message` (a Text) says why, str() in English."""

    def __init__(self, message: Text):
        super().__init__(message)  # str() of the error is the English text
        self.message = message


@dataclass(frozen=True)
class Place:
    """Where an address was placed, in WGS 84, and how precisely."""

    lon: float
    lat: float
    county_adcode: str
    precision: str  # one of geo.models.LOCATION_PRECISIONS
    location_source: str  # 'geocoded' or 'county_centroid'
    matched: str  # the names recognised, e.g. "郑州市 中原区"


class Geocoder(Protocol):
    """Anything that places an address inside Henan."""

    def locate(self, address: str) -> Place: ...


@dataclass(frozen=True)
class _Area:
    adcode: str
    name: str
    level: str  # 'city' | 'county'
    parent: str | None


class AdminAreaGeocoder:
    """Offline geocoder: the county named in the address, at its point-on-surface."""

    def __init__(self, cities: list[_Area], counties: list[_Area],
                 aliases: dict[str, str], points: dict[str, tuple[float, float]]):
        self.cities = {c.adcode: c for c in cities}
        self.counties = {c.adcode: c for c in counties}
        self.points = points
        self.names: dict[str, list[tuple[_Area, bool]]] = {}  # name -> [(area, is_full_name)]
        for area in [*cities, *counties]:
            self._add(area.name, area, True)
            for stem in _stems(area.name):
                self._add(stem, area, False)
        for alias, adcode in aliases.items():
            if adcode in self.counties:
                self._add(alias, self.counties[adcode], True)
                for stem in _stems(alias):
                    self._add(stem, self.counties[adcode], False)
        self.longest = max(len(n) for n in self.names)

    @classmethod
    def load(cls, session: Session) -> "AdminAreaGeocoder":
        """Read city and county names, aliases and county points from the database."""
        rows = session.execute(text("""
            SELECT level, adcode, name, parent_adcode, ST_X(p), ST_Y(p)
            FROM (SELECT *, ST_PointOnSurface(geom) AS p FROM admin_areas
                  WHERE level IN ('city', 'county')) a ORDER BY level, adcode
        """)).all()
        cities = [_Area(a, n, lv, p) for lv, a, n, p, _, _ in rows if lv == "city"]
        counties = [_Area(a, n, lv, p) for lv, a, n, p, _, _ in rows if lv == "county"]
        points = {a: (x, y) for lv, a, _, _, x, y in rows if lv == "county"}
        aliases = dict(session.execute(text("SELECT alias, adcode FROM admin_area_aliases")).all())
        return cls(cities, counties, aliases, points)

    def _add(self, name: str, area: _Area, full: bool) -> None:
        entries = self.names.setdefault(name, [])
        if (area, full) not in entries:
            entries.append((area, full))

    def locate(self, address: str) -> Place:
        """The county centroid of the county the address names, or GeocodeError."""
        city, county = self.parse(address)
        x, y = self.points[county.adcode]
        names = [city.name] if city is not None and city.adcode != county.adcode else []
        matched = " ".join(names + [county.name])
        return Place(x, y, county.adcode, "county", "county_centroid", matched)

    def parse(self, address: str) -> tuple[_Area | None, _Area]:
        """(city, county) named by the address; GeocodeError when no single county is named."""
        s = "".join(address.split())
        if not s:
            raise GeocodeError(Text("geocode.no_address"))
        pos = 0
        for prefix in PROVINCE_PREFIXES:
            if s.startswith(prefix):
                pos = len(prefix)
                break
        city, county, _ = self._walk(s, pos)
        if county is None and city is None:  # names further in, e.g. "地址：郑州市…"
            for start in range(pos + 1, len(s)):
                city, county, hit = self._walk(s, start, full_only=True)
                if hit:
                    break
        if county is None and city is not None:
            same = self.counties.get(city.adcode)  # 济源: a city that is its own county
            if same is not None:
                return city, same
            raise GeocodeError(Text("geocode.no_county", city=city.name))
        if county is None:
            raise GeocodeError(Text("geocode.no_area"))
        if city is not None and county.parent != city.adcode and county.adcode != city.adcode:
            parent = self.cities.get(county.parent)
            raise GeocodeError(Text("geocode.other_city", city=city.name, county=county.name,
                                    parent=parent.name if parent else Text("word.another_city")))
        return city, county

    def _walk(self, s: str, pos: int, full_only: bool = False):
        """Match a city then a county from `pos`; returns (city, county, matched_anything)."""
        city = county = None
        hit = False
        for _ in range(2):
            found = self._match(s, pos, city, full_only)
            if found is None:
                break
            area, length = found
            hit = True
            pos += length
            if area.level == "city" and city is None:
                city = area
            else:
                county = area
                break
        return city, county, hit

    def _match(self, s: str, pos: int, city: _Area | None, full_only: bool):
        """The longest name at `pos` (full names win ties, cities before counties)."""
        for length in range(min(self.longest, len(s) - pos), 0, -1):
            entries = self.names.get(s[pos:pos + length])
            if not entries:
                continue
            rest = s[pos + length:]
            candidates = []
            for area, full in entries:
                if full_only and not full:
                    continue
                if not full and (rest.startswith(STREET_AFTER) or len(rest) == 0):
                    continue
                if city is not None and (area.level == "city"
                                         or area.parent != city.adcode and
                                         area.adcode != city.adcode):
                    continue
                candidates.append((not full, area.level != "city", area.adcode, area))
            if city is not None and not candidates:
                # A county of another city: report it rather than skip it.
                candidates = [(not f, True, a.adcode, a) for a, f in entries
                              if a.level == "county" and (f or not full_only)
                              and not rest.startswith(STREET_AFTER)]
            if candidates:
                candidates.sort(key=lambda c: c[:3])
                best = [c for c in candidates if c[:2] == candidates[0][:2]]
                if len(best) > 1 and len({c[3].adcode for c in best}) > 1:
                    names = "、".join(f"{c[3].name}({c[3].adcode})" for c in best)
                    raise GeocodeError(Text("geocode.ambiguous", fragment=s[pos:pos + length],
                                            names=names))
                return candidates[0][3], length
        return None


def _stems(name: str) -> list[str]:
    """Short forms people write: 中原区 -> 中原, 瀍河回族区 -> 瀍河区, 瀍河; never one character."""
    out = []
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_STEM:
            stem = name[: -len(suffix)]
            out.append(stem)
            if suffix == "回族区":
                out.append(stem + "区")
    return out
