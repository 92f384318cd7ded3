"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


CREDIT_CODE_VALID = """
CREATE OR REPLACE FUNCTION credit_code_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT code ~ '^[0-9A-HJ-NP-RTUW-Y]{18}$' AND substr(alphabet, (31 - (
        SELECT sum((strpos(alphabet, substr(code, i, 1)) - 1) * (3 ^ (i - 1))::numeric % 31)
        FROM generate_series(1, 17) AS i)::int % 31) % 31 + 1, 1) = substr(code, 18, 1)
    FROM (SELECT '0123456789ABCDEFGHJKLMNPQRTUWXY'::text AS alphabet) a
$$;
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # GB 32100-2015 check character, so the database itself refuses a mistyped credit code.
    op.execute(CREDIT_CODE_VALID)
    op.create_geospatial_table('admin_areas',
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('adcode', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('parent_adcode', sa.String(length=6), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('area_km2', sa.Double(), nullable=False),
    sa.CheckConstraint("adcode ~ '^[0-9]{6}$'", name=op.f('ck_admin_areas_adcode_format')),
    sa.CheckConstraint("level IN ('province', 'city', 'county')", name=op.f('ck_admin_areas_level')),
    sa.PrimaryKeyConstraint('level', 'adcode', name=op.f('pk_admin_areas'))
    )
    op.create_geospatial_index('idx_admin_areas_geom', 'admin_areas', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_admin_areas_adcode'), 'admin_areas', ['adcode'], unique=False)
    op.create_index(op.f('ix_admin_areas_parent_adcode'), 'admin_areas', ['parent_adcode'], unique=False)
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_geospatial_table('grid_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('op', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('geom_before', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('geom_after', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("op IN ('create', 'update', 'delete')", name=op.f('ck_grid_history_op')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_history'))
    )
    op.create_index(op.f('ix_grid_history_county_adcode'), 'grid_history', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_grid_history_grid_id'), 'grid_history', ['grid_id'], unique=False)
    op.create_geospatial_table('grids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grids')),
    sa.UniqueConstraint('code', name=op.f('uq_grids_code'))
    )
    op.create_geospatial_index('idx_grids_geom', 'grids', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_grids_county_adcode'), 'grids', ['county_adcode'], unique=False)
    op.create_table('login_attempts',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    op.create_index('ix_login_attempts_username_at', 'login_attempts', ['username', 'at'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'command', 'dispatcher', 'planner', 'inspector')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_geospatial_table('employers',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_representative', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('contact_person', sa.String(length=64), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('industry', sa.String(length=1), nullable=True),
    sa.Column('employees', sa.Integer(), server_default='0', nullable=False),
    sa.Column('migrant_workers', sa.Integer(), server_default='0', nullable=False),
    sa.Column('grade', sa.String(length=1), server_default='A', nullable=False),
    sa.Column('wage_deposit', sa.String(length=16), server_default='not_required', nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('location_source', sa.String(length=16), nullable=False),
    sa.Column('source_crs', sa.String(length=16), server_default='wgs84', nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('last_inspected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('credit_code_valid(credit_code)', name=op.f('ck_employers_credit_code_valid')),
    sa.CheckConstraint("grade IN ('A', 'B', 'C')", name=op.f('ck_employers_grade')),
    sa.CheckConstraint("industry IS NULL OR industry IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T')", name=op.f('ck_employers_industry')),
    sa.CheckConstraint("location_source IN ('survey', 'geocoded', 'county_centroid')", name=op.f('ck_employers_location_source')),
    sa.CheckConstraint("source_crs IN ('wgs84', 'cgcs2000', 'gcj02', 'bd09')", name=op.f('ck_employers_source_crs')),
    sa.CheckConstraint("wage_deposit IN ('not_required', 'paid', 'unpaid', 'exempt')", name=op.f('ck_employers_wage_deposit')),
    sa.CheckConstraint('employees >= 0 AND migrant_workers >= 0', name=op.f('ck_employers_counts')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_employers_grid_id_grids'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employers')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_employers_credit_code'))
    )
    op.create_geospatial_index('idx_employers_geom', 'employers', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_employers_county_adcode'), 'employers', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_employers_grid_id'), 'employers', ['grid_id'], unique=False)
    op.create_geospatial_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('certified', sa.Boolean(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('position_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('skills', postgresql.ARRAY(sa.String(length=32)), server_default='{}', nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('inspector', 'grid_worker')", name=op.f('ck_officers_kind')),
    sa.CheckConstraint("status IN ('off_duty', 'available', 'assigned', 'en_route', 'on_site', 'unavailable')", name=op.f('ck_officers_status')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_officers_grid_id_grids'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officers')),
    sa.UniqueConstraint('badge', name=op.f('uq_officers_badge'))
    )
    op.create_geospatial_index('idx_officers_geom', 'officers', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_officers_county_adcode'), 'officers', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_officers_grid_id'), 'officers', ['grid_id'], unique=False)
    op.create_geospatial_table('complaints',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('workers_affected', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('complainant_name', sa.String(length=64), nullable=True),
    sa.Column('complainant_phone', sa.String(length=32), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('acceptance_due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.CheckConstraint("category IN ('wage_arrears', 'no_contract', 'overtime', 'social_insurance', 'child_labour', 'other')", name=op.f('ck_complaints_category')),
    sa.CheckConstraint("status IN ('received', 'accepted', 'refused', 'redirected', 'closed')", name=op.f('ck_complaints_status')),
    sa.CheckConstraint('workers_affected >= 1', name=op.f('ck_complaints_workers')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_complaints_employer_id_employers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints'))
    )
    op.create_geospatial_index('idx_complaints_geom', 'complaints', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_complaints_county_adcode'), 'complaints', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_complaints_employer_id'), 'complaints', ['employer_id'], unique=False)
    op.create_table('recusals',
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_recusals_employer_id_employers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_recusals_officer_id_officers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('officer_id', 'employer_id', name=op.f('pk_recusals'))
    )
    op.create_index(op.f('ix_recusals_county_adcode'), 'recusals', ['county_adcode'], unique=False)
    op.create_geospatial_table('inspections',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=True),
    sa.Column('complaint_id', sa.BigInteger(), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("kind IN ('complaint', 'scheduled', 'random', 'incident')", name=op.f('ck_inspections_kind')),
    sa.CheckConstraint("priority IN ('urgent', 'high', 'normal')", name=op.f('ck_inspections_priority')),
    sa.CheckConstraint("status IN ('pending', 'assigned', 'in_progress', 'done', 'cancelled')", name=op.f('ck_inspections_status')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_inspections_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_inspections_employer_id_employers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    op.create_geospatial_index('idx_inspections_geom', 'inspections', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_inspections_county_adcode'), 'inspections', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_inspections_employer_id'), 'inspections', ['employer_id'], unique=False)
    op.create_index(op.f('ix_inspections_status'), 'inspections', ['status'], unique=False)
    op.create_table('assignments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('inspection_id', sa.BigInteger(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_assignments_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_assignments_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('inspection_id', 'officer_id', name='uq_assignment')
    )
    op.create_index(op.f('ix_assignments_county_adcode'), 'assignments', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_assignments_inspection_id'), 'assignments', ['inspection_id'], unique=False)
    op.create_index(op.f('ix_assignments_officer_id'), 'assignments', ['officer_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_assignments_officer_id'), table_name='assignments')
    op.drop_index(op.f('ix_assignments_inspection_id'), table_name='assignments')
    op.drop_index(op.f('ix_assignments_county_adcode'), table_name='assignments')
    op.drop_table('assignments')
    op.drop_index(op.f('ix_inspections_status'), table_name='inspections')
    op.drop_index(op.f('ix_inspections_employer_id'), table_name='inspections')
    op.drop_index(op.f('ix_inspections_county_adcode'), table_name='inspections')
    op.drop_geospatial_index('idx_inspections_geom', table_name='inspections', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('inspections')
    op.drop_index(op.f('ix_recusals_county_adcode'), table_name='recusals')
    op.drop_table('recusals')
    op.drop_index(op.f('ix_complaints_employer_id'), table_name='complaints')
    op.drop_index(op.f('ix_complaints_county_adcode'), table_name='complaints')
    op.drop_geospatial_index('idx_complaints_geom', table_name='complaints', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('complaints')
    op.drop_index(op.f('ix_officers_grid_id'), table_name='officers')
    op.drop_index(op.f('ix_officers_county_adcode'), table_name='officers')
    op.drop_geospatial_index('idx_officers_geom', table_name='officers', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('officers')
    op.drop_index(op.f('ix_employers_grid_id'), table_name='employers')
    op.drop_index(op.f('ix_employers_county_adcode'), table_name='employers')
    op.drop_geospatial_index('idx_employers_geom', table_name='employers', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('employers')
    op.drop_table('users')
    op.drop_index('ix_login_attempts_username_at', table_name='login_attempts')
    op.drop_table('login_attempts')
    op.drop_index(op.f('ix_grids_county_adcode'), table_name='grids')
    op.drop_geospatial_index('idx_grids_geom', table_name='grids', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('grids')
    op.drop_index(op.f('ix_grid_history_grid_id'), table_name='grid_history')
    op.drop_index(op.f('ix_grid_history_county_adcode'), table_name='grid_history')
    op.drop_geospatial_table('grid_history')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index(op.f('ix_admin_areas_parent_adcode'), table_name='admin_areas')
    op.drop_index(op.f('ix_admin_areas_adcode'), table_name='admin_areas')
    op.drop_geospatial_index('idx_admin_areas_geom', table_name='admin_areas', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('admin_areas')
