from alembic import command
from sqlalchemy import create_engine, text
from geo.core.migrate import alembic_config

def test_roundtrip(database_url, app):
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("DROP DATABASE IF EXISTS lw_rc_mig"))
        c.execute(text("CREATE DATABASE lw_rc_mig"))
    url = database_url.replace("/liangwang?", "/lw_rc_mig?")
    cfg = alembic_config(url)
    command.upgrade(cfg, "0007")
    e = create_engine(url)
    with e.begin() as c:
        c.execute(text("INSERT INTO employers (credit_code, name, location_source, county_adcode, geom) VALUES ('91410102MA00000000', 'x', 'survey', '410102', ST_SetSRID(ST_MakePoint(113.6, 34.75), 4326))"))
        eid = c.execute(text("SELECT id FROM employers")).scalar()
        c.execute(text("INSERT INTO random_draws (id, area_adcode, check_item, seed, share, employer_pool, inspector_pool, result) VALUES (5, '410102', '劳动合同签订', 1, 0.05, ARRAY[:e]::bigint[], '{}', '{}')"), {"e": eid})
        c.execute(text("INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status, description) VALUES ('random', :e, '410102', ST_SetSRID(ST_MakePoint(113.6, 34.75), 4326), 'normal', 'pending', '双随机抽查 #5: 劳动合同签订')"), {"e": eid})
    command.upgrade(cfg, "head")
    with e.begin() as c:
        assert c.execute(text("SELECT count(*) FROM check_items")).scalar() == 9
        assert c.execute(text("SELECT check_item FROM random_draws")).scalar() == "labour_contract"
        assert c.execute(text("SELECT random_draw_id, check_item FROM inspections")).one() == (5, "labour_contract")
    command.downgrade(cfg, "0007")
    with e.begin() as c:
        assert c.execute(text("SELECT count(*) FROM check_items")).scalar() == 0
        assert c.execute(text("SELECT check_item FROM random_draws")).scalar() == "劳动合同签订"
    command.upgrade(cfg, "head")
    e.dispose()
    with admin.connect() as c:
        c.execute(text("DROP DATABASE lw_rc_mig"))
