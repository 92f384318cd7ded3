"""Deterministic demo territory: employers placed realistically and grids tiling every county.

Employers cluster around each county seat and a few towns, with a uniform
background; urban districts (区) are denser. Grids are Voronoi cells of k-means
centres of the county's employers, clipped to the county in PostGIS, so they
tile it exactly and hold similar numbers of employers.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.employers import credit_code

Progress = Callable[[int], None]

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红志强海燕鹏飞俊峰玉兰建华春梅")
WORDS = ["鑫源", "华盛", "宏达", "中原", "恒通", "金穗", "博远", "瑞丰", "永兴", "豫丰", "嘉禾", "天成",
         "盛世", "东方", "兴业", "顺达", "新希望", "长城", "黄河", "嵩山", "伏牛", "汇通", "联创", "润泽",
         "锦程", "亿达", "安泰", "众诚", "卓越", "明远", "弘毅", "德隆", "聚鑫", "同舟", "腾飞", "天瑞"]
ROADS = ["人民路", "建设路", "解放路", "中山路", "文化路", "工业路", "黄河路", "迎宾大道", "光明路",
         "新华路", "和平路", "友谊路", "健康路", "商城路", "农业路", "纬一路", "经三路", "东风路"]
# GB/T 4754-2017 sections with a plausible share of employers and a business-name suffix.
INDUSTRIES = [
    ("C", 0.22, ["机械制造", "食品加工", "纺织", "电子科技", "新材料", "服装"]),
    ("E", 0.10, ["建筑工程", "建设工程", "路桥工程", "装饰工程"]),
    ("F", 0.24, ["商贸", "贸易", "百货", "建材销售"]),
    ("H", 0.09, ["餐饮管理", "酒店管理", "饭店"]),
    ("G", 0.06, ["物流", "运输", "快递服务"]),
    ("I", 0.04, ["网络科技", "信息技术", "软件"]),
    ("K", 0.04, ["房地产开发", "物业服务"]),
    ("L", 0.06, ["企业管理咨询", "人力资源服务", "劳务派遣"]),
    ("O", 0.05, ["家政服务", "美容美发", "汽车维修"]),
    ("A", 0.04, ["农业开发", "养殖", "种植专业合作社"]),
    ("M", 0.02, ["技术服务", "检测"]),
    ("P", 0.02, ["培训学校", "教育咨询"]),
    ("Q", 0.02, ["医院", "诊所"]),
]
MIGRANT_SHARE = {"E": 0.7, "C": 0.45, "G": 0.35, "H": 0.3, "A": 0.5}


@dataclass
class County:
    adcode: str
    name: str
    city: str
    geom: shapely.Geometry


def read_counties(session: Session) -> list[County]:
    rows = session.execute(text("""
        SELECT c.adcode, c.name, coalesce(p.name, c.name), ST_AsBinary(c.geom)
        FROM admin_areas c
        LEFT JOIN admin_areas p ON p.level = 'city' AND p.adcode = c.parent_adcode
        WHERE c.level = 'county' ORDER BY c.adcode
    """)).all()
    return [County(a, n, city, shapely.from_wkb(bytes(g))) for a, n, city, g in rows]


def county_weights(counties: list[County]) -> np.ndarray:
    """Urban districts hold more employers per county than rural counties."""
    w = np.array([3.0 if c.name.endswith("区") else 1.6 if c.name.endswith("市") else 1.0
                  for c in counties])
    return w / w.sum()


def sample_points(county: County, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points inside the county: seat cluster, town clusters and uniform background."""
    poly = county.geom
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds
    seat = np.array(poly.point_on_surface().coords[0]) if not poly.centroid.within(poly) \
        else np.array(poly.centroid.coords[0])
    size = np.sqrt(poly.area)
    towns = []
    while len(towns) < 4:
        p = rng.uniform([minx, miny], [maxx, maxy])
        if shapely.contains_xy(poly, p[0], p[1]):
            towns.append(p)
    xs, ys = [], []
    got = 0
    while got < n:
        m = max(64, int((n - got) * 1.6))
        kind = rng.random(m)
        pts = rng.uniform([minx, miny], [maxx, maxy], size=(m, 2))
        seat_mask = kind < 0.55
        pts[seat_mask] = seat + rng.normal(0, size * 0.12, size=(seat_mask.sum(), 2))
        town_mask = (kind >= 0.55) & (kind < 0.75)
        centres = np.array(towns)[rng.integers(0, len(towns), town_mask.sum())]
        pts[town_mask] = centres + rng.normal(0, size * 0.05, size=(town_mask.sum(), 2))
        inside = shapely.contains_xy(poly, pts[:, 0], pts[:, 1])
        pts = pts[inside][: n - got]
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        got += len(pts)
    return np.concatenate(xs), np.concatenate(ys)


def kmeans_centres(x: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator,
                   iterations: int = 6) -> np.ndarray:
    """Lloyd's k-means on the employer points (planar degrees, like the Voronoi cells)."""
    pts = np.column_stack([x, y])
    sample = pts if len(pts) <= 20000 else pts[rng.choice(len(pts), 20000, replace=False)]
    centres = sample[rng.choice(len(sample), k, replace=False)]
    for _ in range(iterations):
        d = ((sample[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = d.argmin(axis=1)
        for j in range(k):
            members = sample[label == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    # Distinct centres: Voronoi needs them.
    _, keep = np.unique(np.round(centres, 7), axis=0, return_index=True)
    return centres[np.sort(keep)]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(-len(GIVEN), len(GIVEN), n)
    return [SURNAMES[a] + GIVEN[b] + (GIVEN[c] if c >= 0 else "") for a, b, c in zip(s, g1, g2)]


def unique_codes(adcode: str, n: int, rng: np.random.Generator) -> list[str]:
    """n distinct valid credit codes registered in this county."""
    codes = list(dict.fromkeys(credit_code.generate(np.full(n, adcode), rng)))
    while len(codes) < n:
        more = credit_code.generate(np.full(n - len(codes), adcode), rng)
        codes = list(dict.fromkeys(codes + more))
    return codes


def employer_rows(county: County, x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                  start_serial: int) -> io.StringIO:
    """Tab-separated COPY rows for the employers of one county."""
    n = len(x)
    shares = np.array([i[1] for i in INDUSTRIES])
    ind = rng.choice(len(INDUSTRIES), n, p=shares / shares.sum())
    codes = unique_codes(county.adcode, n, rng)
    reps = _names(rng, n)
    contacts = _names(rng, n)
    words = rng.integers(0, len(WORDS), n)
    suffix = rng.integers(0, 6, n)
    roads = rng.integers(0, len(ROADS), n)
    numbers = rng.integers(1, 400, n)
    employees = np.maximum(1, rng.lognormal(2.6, 1.1, n).astype(int))
    # Newly registered employers are not graded yet: 未评级, supervised as the setting says.
    grade = rng.choice(np.array(["A", "B", "C", "unrated"]), n, p=[0.80, 0.11, 0.03, 0.06])
    source = rng.choice(np.array(["survey", "geocoded", "county_centroid"]), n, p=[0.3, 0.66, 0.04])
    inspected_days = rng.integers(0, 1600, n)
    never = rng.random(n) < 0.15
    city_short = county.city.removesuffix("市")
    seat = county.geom.representative_point()
    buf = io.StringIO()
    for i in range(n):
        code, suffixes = INDUSTRIES[ind[i]][0], INDUSTRIES[ind[i]][2]
        name = f"{city_short}{WORDS[words[i]]}{suffixes[suffix[i] % len(suffixes)]}有限公司"
        if (start_serial + i) % 7 == 0:  # some firms are named after the county
            name = f"{county.name.removesuffix('区').removesuffix('县')}{WORDS[words[i]]}" \
                   f"{suffixes[suffix[i] % len(suffixes)]}有限公司"
        migrants = int(employees[i] * MIGRANT_SHARE.get(code, 0.15) * rng.random())
        deposit = "not_required"
        if code == "E":
            deposit = ("paid", "paid", "paid", "paid", "paid", "unpaid", "exempt")[i % 7]
        src = source[i]
        px, py = (seat.x, seat.y) if src == "county_centroid" else (x[i], y[i])
        crs = "gcj02" if src == "geocoded" else "wgs84"
        inspected = "\\N" if never[i] else str(inspected_days[i])
        address = f"河南省{county.city}{county.name}{ROADS[roads[i]]}{numbers[i]}号"
        phone = f"1{rng.integers(3, 9)}{rng.integers(0, 10**9):09d}"
        buf.write(
            f"{codes[i]}\t{name}\t{reps[i]}\t{address}\t{contacts[i]}\t{phone}\t{code}\t"
            f"{employees[i]}\t{migrants}\t{grade[i]}\t{deposit}\t"
            f"SRID=4326;POINT({px:.7f} {py:.7f})\t{src}\t{crs}\t{county.adcode}\t"
            f"{inspected}\n"
        )
    buf.seek(0)
    return buf


def seed_employers(session: Session, total: int, rng: np.random.Generator,
                   progress: Progress = lambda n: None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Insert `total` employers with COPY; return each county's employer coordinates."""
    counties = read_counties(session)
    counts = rng.multinomial(total, county_weights(counties))
    raw = session.connection().connection.dbapi_connection
    cur = raw.cursor()
    cur.execute("""CREATE TEMP TABLE employer_load (
        credit_code text, name text, legal_representative text, address text,
        contact_person text, contact_phone text, industry text, employees int,
        migrant_workers int, grade text, wage_deposit text, geom geometry(Point, 4326),
        location_source text, source_crs text, county_adcode text, inspected_days_ago int
    ) ON COMMIT DROP""")
    placed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    serial = 0
    for county, n in zip(counties, counts):
        if n == 0:  # a tiny demo dataset leaves the smallest counties empty
            continue
        x, y = sample_points(county, int(n), rng)
        placed[county.adcode] = (x, y)
        cur.copy_expert("COPY employer_load FROM STDIN", employer_rows(county, x, y, rng, serial))
        serial += int(n)
        progress(int(n))
    cur.execute("""
        INSERT INTO employers (credit_code, name, legal_representative, address, contact_person,
            contact_phone, industry, employees, migrant_workers, grade, wage_deposit, geom,
            location_source, location_precision, source_crs, county_adcode, last_inspected_at)
        SELECT credit_code, name, legal_representative, address, contact_person, contact_phone,
            industry, employees, migrant_workers, grade, wage_deposit, geom, location_source,
            CASE location_source WHEN 'county_centroid' THEN 'county'
                 WHEN 'geocoded' THEN 'street' ELSE 'point' END,
            source_crs, county_adcode, now() - make_interval(days => inspected_days_ago)
        FROM employer_load
    """)
    return placed


def seed_grids(session: Session, placed: dict[str, tuple[np.ndarray, np.ndarray]],
               employers_per_grid: int, rng: np.random.Generator,
               progress: Progress = lambda n: None) -> int:
    """Grids per county: Voronoi cells of k-means centres, clipped to the county in PostGIS."""
    names = dict(session.execute(text(
        "SELECT adcode, name FROM admin_areas WHERE level = 'county'")).all())
    made = 0
    for adcode, (x, y) in placed.items():
        # At least three grids a county, never more than it has employers (small demo datasets).
        k = int(min(len(x), max(3, min(len(x) // 2, round(len(x) / employers_per_grid)))))
        centres = kmeans_centres(x, y, k, rng)
        mp = shapely.MultiPoint(centres)
        session.execute(text("""
            WITH county AS (SELECT geom FROM admin_areas
                            WHERE level = 'county' AND adcode = :adcode),
            cells AS (
                SELECT (ST_Dump(ST_VoronoiPolygons(ST_SetSRID(ST_GeomFromText(:seeds), 4326),
                        0, ST_Expand(county.geom, 0.1)))).geom AS cell FROM county
            ),
            clipped AS (
                -- Fixed-precision overlay (1e-9 deg ~ 0.1 mm): robust, and neighbours agree
                -- on every vertex where a cell edge crosses the county border.
                SELECT ST_Multi(ST_CollectionExtract(
                           ST_Intersection(cells.cell, county.geom, 1e-9), 3))
                       AS geom
                FROM cells, county
            ),
            numbered AS (
                SELECT geom, row_number() OVER (ORDER BY ST_Y(ST_PointOnSurface(geom)) DESC,
                                                         ST_X(ST_PointOnSurface(geom))) AS n
                FROM clipped WHERE NOT ST_IsEmpty(geom)
            )
            INSERT INTO grids (code, name, county_adcode, geom)
            SELECT :adcode || '-' || lpad(n::text, 3, '0'), :cname || '第' || n || '网格',
                   :adcode, geom
            FROM numbered
        """), {"adcode": adcode, "seeds": mp.wkt, "cname": names[adcode]})
        made += len(centres)
        progress(len(centres))
    return made
