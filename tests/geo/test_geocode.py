"""Offline geocoding from admin area names, header detection and industry sections."""
import pytest
from sqlalchemy import text

from geo.core.errors import Unprocessable
from geo.employers import industry
from geo.employers.geocode import AdminAreaGeocoder, GeocodeError
from geo.employers.imports.rows import find_columns, map_columns


@pytest.fixture(scope="module")
def geocoder(sessions):
    with sessions() as s:
        return AdminAreaGeocoder.load(s)


@pytest.mark.parametrize("address, adcode", [
    ("郑州市中原区建设路1号", "410102"),
    ("河南省洛阳市涧西区南昌路", "410305"),
    ("中原区桐柏路", "410102"),
    ("河南郑州二七区大学路", "410103"),
    (" 河南省 郑州市 金水区 花园路 ", "410105"),
    ("郑州中牟官渡镇", "410122"),
    ("新郑市薛店镇", "410184"),
    ("辉县城关", "410782"),  # 辉县市 without its 市
    ("瀍河区九都路", "410304"),  # 瀍河回族区
    ("新乡县七里营镇", "410721"),  # the county, not the city 新乡
    ("新乡红旗区", "410702"),
    ("济源市北海街道", "419001"),  # a city that is its own county
    ("洛阳市吉利区", "410308"),  # merged into 孟津区 in 2021 (admin_area_aliases)
    ("河南省开封县", "410212"),  # now 祥符区
    ("地址：郑州市管城回族区", "410104"),
])
def test_addresses_resolve_to_their_county(geocoder, address, adcode):
    assert geocoder.locate(address).county_adcode == adcode


@pytest.mark.parametrize("address, words", [
    ("郑州高新技术产业开发区", "no county"),
    ("郑州市涧西区", "belongs to 洛阳市"),
    ("中原路100号", "no city or county"),
    ("北京市朝阳区", "no city or county"),
    ("", "no address"),
])
def test_addresses_without_one_county_are_refused_with_a_reason(geocoder, address, words):
    with pytest.raises(GeocodeError, match=words):
        geocoder.locate(address)


def test_a_county_is_placed_on_its_point_on_surface(geocoder, db):
    place = geocoder.locate("郑州市中原区")
    inside = db.execute(text("""
        SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326)) FROM admin_areas
        WHERE level = 'county' AND adcode = '410102'"""), {"x": place.lon, "y": place.lat})
    assert inside.scalar_one()
    assert (place.precision, place.location_source) == ("county", "county_centroid")
    assert place.matched == "郑州市 中原区"


def test_every_alias_points_at_a_loaded_county(db):
    missing = db.execute(text("""
        SELECT alias FROM admin_area_aliases l WHERE NOT EXISTS (
            SELECT 1 FROM admin_areas a WHERE a.level = 'county' AND a.adcode = l.adcode)
    """)).scalars().all()
    assert missing == []


@pytest.mark.parametrize("header, field", [
    ("*单位名称", "name"), ("企业名称（全称）", "name"), ("Credit Code", "credit_code"),
    ("统一社会信用代码证号", "credit_code"), ("经度(GCJ-02)", "lon"), ("LAT", "lat"),
    ("从业人数（人）", "employees"), ("农民工人数", "migrant_workers"), ("手机号", "contact_phone"),
])
def test_headers_are_recognised_in_chinese_and_english(header, field):
    cols = map_columns(["序号", header])
    assert cols.index.get(field) == 1


def test_operating_address_wins_over_registered_address():
    cols = map_columns(["单位名称", "注册地址", "经营地址"])
    assert cols.describe()["address"] == "经营地址"


def test_no_header_row_is_reported_with_the_headers_seen():
    with pytest.raises(Unprocessable, match="headers seen: 姓名, 电话"):
        find_columns([(1, ["姓名", "电话"]), (2, ["张三", "138"])])


@pytest.mark.parametrize("raw, letter", [
    ("C", "C"), ("制造业", "C"), ("建筑业", "E"), ("农、林、牧、渔业", "A"), ("E48", "E"),
    ("4812", "E"), ("信息传输、软件和信息技术服务业", "I"), ("劳务派遣", "L"), ("电子商务", "F"),
    ("Ｃ", "C"), ("Manufacturing", "C"), ("C99", None), ("火星", None), ("", None),
])
def test_industry_sections_from_letters_names_codes_and_keywords(raw, letter):
    assert industry.section(raw) == letter
