"""wage security on construction projects (issue 14): projects and their sites, the ten
site systems checked in the field, the wage-deposit ledger, monthly labour-cost payments,
grid-worker reports, early warnings, referrals to the competent department; complaints may
name a project

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table('projects',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('site', Geometry(srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('source_crs', sa.String(length=16), server_default='wgs84', nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('contractor_id', sa.BigInteger(), nullable=False),
    sa.Column('contract_value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('planned_end_on', sa.Date(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('workers', sa.Integer(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=12), server_default='building', nullable=False),
    sa.Column('deposit_rate', sa.Numeric(precision=6, scale=5), nullable=False),
    sa.Column('deposit_rule', sa.String(length=16), nullable=False),
    sa.Column('deposit_required', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('deposit_exempt', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("ST_GeometryType(site) IN ('ST_Point', 'ST_Polygon', 'ST_MultiPolygon')", name=op.f('ck_projects_site')),
    sa.CheckConstraint("department IN ('housing', 'transport', 'water', 'other')", name=op.f('ck_projects_department')),
    sa.CheckConstraint("status IN ('planned', 'building', 'suspended', 'completed')", name=op.f('ck_projects_status')),
    sa.CheckConstraint('contract_value > 0', name=op.f('ck_projects_contract_value')),
    sa.CheckConstraint('planned_end_on >= start_on', name=op.f('ck_projects_dates')),
    sa.ForeignKeyConstraint(['contractor_id'], ['employers.id'], name=op.f('fk_projects_contractor_id_employers')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_projects_grid_id_grids'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['employers.id'], name=op.f('fk_projects_owner_id_employers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    op.create_geospatial_index('idx_projects_geom', 'projects', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_index('idx_projects_site', 'projects', ['site'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_projects_contractor_id'), 'projects', ['contractor_id'], unique=False)
    op.create_index(op.f('ix_projects_county_adcode'), 'projects', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_projects_grid_id'), 'projects', ['grid_id'], unique=False)
    op.create_index(op.f('ix_projects_owner_id'), 'projects', ['owner_id'], unique=False)
    op.create_table('project_checks',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('photo', sa.String(length=80), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('checked_by', sa.String(length=64), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("item IN ('labour_contract', 'labour_manager', 'attendance', 'wage_roster', 'full_pay', 'direct_pay', 'wage_account', 'deposit', 'notice_board', 'real_name')", name=op.f('ck_project_checks_item')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_checks_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_checks'))
    )
    op.create_index('ix_project_checks_latest', 'project_checks', ['project_id', 'item', 'checked_at'], unique=False)
    op.create_table('project_deposits',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=True),
    sa.Column('workers_paid', sa.Integer(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("form IS NULL OR form IN ('cash', 'bank_guarantee', 'insurance')", name=op.f('ck_project_deposits_form')),
    sa.CheckConstraint("kind IN ('paid', 'returned', 'drawn', 'top_up_demanded')", name=op.f('ck_project_deposits_kind')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_project_deposits_amount')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_deposits_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_deposits'))
    )
    op.create_index(op.f('ix_project_deposits_project_id'), 'project_deposits', ['project_id'], unique=False)
    op.create_table('project_payments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=8), server_default='manual', nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("source IN ('manual', 'bank_csv')", name=op.f('ck_project_payments_source')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_project_payments_amount')),
    sa.CheckConstraint('extract(day FROM month) = 1', name=op.f('ck_project_payments_month')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_payments_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_payments')),
    sa.UniqueConstraint('project_id', 'reference', name='uq_project_payments_reference')
    )
    op.create_index('ix_project_payments_project_month', 'project_payments', ['project_id', 'month'], unique=False)
    op.create_table('project_reports',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('reported_by', sa.String(length=64), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('arrears_signs', 'workers_gathering', 'contractor_absent', 'other')", name=op.f('ck_project_reports_kind')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_reports_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_reports'))
    )
    op.create_index(op.f('ix_project_reports_project_id'), 'project_reports', ['project_id'], unique=False)
    op.create_table('project_subcontractors',
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_project_subcontractors_employer_id_employers')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_subcontractors_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'employer_id', name=op.f('pk_project_subcontractors'))
    )
    op.create_index(op.f('ix_project_subcontractors_employer_id'), 'project_subcontractors', ['employer_id'], unique=False)
    op.create_table('project_warnings',
    sa.Column('project_id', sa.BigInteger(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=True),
    sa.Column('reasons', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('red_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IS NULL OR level IN ('yellow', 'orange', 'red')", name=op.f('ck_project_warnings_level')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_warnings_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_warnings'))
    )
    op.create_index(op.f('ix_project_warnings_county_adcode'), 'project_warnings', ['county_adcode'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('source_kind', sa.String(length=12), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.BigInteger(), nullable=True),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('department', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('feedback_due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='sent', nullable=False),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("source_kind IN ('project', 'case', 'complaint', 'incident')", name=op.f('ck_referrals_source_kind')),
    sa.CheckConstraint("status IN ('sent', 'received', 'feedback', 'closed')", name=op.f('ck_referrals_status')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_referrals_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    op.create_index(op.f('ix_referrals_county_adcode'), 'referrals', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_referrals_project_id'), 'referrals', ['project_id'], unique=False)
    op.create_index('ix_referrals_source', 'referrals', ['source_kind', 'source_id'], unique=False)
    op.add_column('complaints', sa.Column('project_id', sa.BigInteger(), nullable=True))
    op.create_index(op.f('ix_complaints_project_id'), 'complaints', ['project_id'], unique=False)
    op.create_foreign_key(op.f('fk_complaints_project_id_projects'), 'complaints', 'projects', ['project_id'], ['id'])


def downgrade() -> None:
    op.drop_constraint(op.f('fk_complaints_project_id_projects'), 'complaints', type_='foreignkey')
    op.drop_index(op.f('ix_complaints_project_id'), table_name='complaints')
    op.drop_column('complaints', 'project_id')
    op.drop_index('ix_referrals_source', table_name='referrals')
    op.drop_index(op.f('ix_referrals_project_id'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_county_adcode'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_index(op.f('ix_project_warnings_county_adcode'), table_name='project_warnings')
    op.drop_table('project_warnings')
    op.drop_index(op.f('ix_project_subcontractors_employer_id'), table_name='project_subcontractors')
    op.drop_table('project_subcontractors')
    op.drop_index(op.f('ix_project_reports_project_id'), table_name='project_reports')
    op.drop_table('project_reports')
    op.drop_index('ix_project_payments_project_month', table_name='project_payments')
    op.drop_table('project_payments')
    op.drop_index(op.f('ix_project_deposits_project_id'), table_name='project_deposits')
    op.drop_table('project_deposits')
    op.drop_index('ix_project_checks_latest', table_name='project_checks')
    op.drop_table('project_checks')
    op.drop_index(op.f('ix_projects_owner_id'), table_name='projects')
    op.drop_index(op.f('ix_projects_grid_id'), table_name='projects')
    op.drop_index(op.f('ix_projects_county_adcode'), table_name='projects')
    op.drop_index(op.f('ix_projects_contractor_id'), table_name='projects')
    op.drop_geospatial_index('idx_projects_site', table_name='projects', postgresql_using='gist', column_name='site')
    op.drop_geospatial_index('idx_projects_geom', table_name='projects', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('projects')
