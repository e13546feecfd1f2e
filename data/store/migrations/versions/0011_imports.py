"""real data in: incidents keep their origin (the import source) and may be unlocated; readings are unique per
indicator x area x time; import runs and ingest API keys

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incident') as batch:
        batch.add_column(sa.Column('origin', sa.String(length=24), nullable=False, server_default='cityops'))
        batch.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch.drop_constraint('uq_incident_source_external', type_='unique')
        batch.create_unique_constraint('uq_incident_origin_external', ['origin', 'external_id'])
        batch.alter_column('lon', existing_type=sa.Float(), nullable=True)
        batch.alter_column('lat', existing_type=sa.Float(), nullable=True)
        batch.alter_column('h3_cell', existing_type=sa.BigInteger(), nullable=True)
    bind = op.get_bind()
    # rollups keyed by place down to the district: an import placed only by its district shares the empty street
    # (and grid) with unlocated incidents, so the district joins the keys (existing rows copy over unchanged)
    _rekey('rollup_incident_hour', [
        sa.Column('hour', sa.BigInteger(), nullable=False),
        sa.Column('street_code', sa.String(length=9), nullable=False),
        sa.Column('category', sa.String(length=24), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('district_code', sa.String(length=6), nullable=False),
        sa.Column('reported', sa.Integer(), nullable=False),
        sa.Column('closed', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('hour', 'street_code', 'category', 'source', 'district_code'),
    ], [('ix_rih_street_hour', ['street_code', 'hour']), ('ix_rih_district_hour', ['district_code', 'hour'])])
    _rekey('rollup_open', [
        sa.Column('grid_code', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('due_hour', sa.BigInteger(), nullable=False),
        sa.Column('street_code', sa.String(length=9), nullable=False),
        sa.Column('district_code', sa.String(length=6), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('grid_code', 'status', 'due_hour', 'street_code', 'district_code'),
    ], [('ix_rollup_open_street_code', ['street_code']), ('ix_rollup_open_district_code', ['district_code'])])
    # a reading is one value per indicator x area x time: keep the first of any duplicates, then enforce it
    bind.execute(sa.text(
        "DELETE FROM reading WHERE id NOT IN "
        "(SELECT min(id) FROM reading GROUP BY indicator_code, area_code, ts)"
    ))
    op.drop_index('ix_reading_ind_area_ts', table_name='reading')
    op.create_index('ix_reading_ind_area_ts', 'reading', ['indicator_code', 'area_code', 'ts'], unique=True)
    op.create_table(
        'import_run',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('origin', sa.String(length=24), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.BigInteger(), nullable=False),
        sa.Column('finished_at', sa.BigInteger(), nullable=True),
        sa.Column('dry_run', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
    )
    op.create_index('ix_import_run_started', 'import_run', ['started_at'])
    op.create_table(
        'api_key',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('source', sa.String(length=24), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.BigInteger(), nullable=False),
        sa.Column('revoked_at', sa.BigInteger(), nullable=True),
        sa.Column('last_used_at', sa.BigInteger(), nullable=True),
    )
    op.create_index('ix_api_key_source', 'api_key', ['source'])


def _rekey(name: str, columns: list, indexes: list) -> None:
    """Recreate a rollup table with a wider primary key and copy its rows (same columns, same values)."""
    cols = ', '.join(c.name for c in columns if isinstance(c, sa.Column))
    op.create_table(f'{name}_new', *columns)
    op.get_bind().execute(sa.text(f'INSERT INTO {name}_new ({cols}) SELECT {cols} FROM {name}'))
    op.drop_table(name)
    op.rename_table(f'{name}_new', name)
    for index, on in indexes:
        op.create_index(index, name, on)


def downgrade() -> None:
    op.drop_table('api_key')
    op.drop_table('import_run')
    op.drop_index('ix_reading_ind_area_ts', table_name='reading')
    op.create_index('ix_reading_ind_area_ts', 'reading', ['indicator_code', 'area_code', 'ts'])
    with op.batch_alter_table('incident') as batch:
        batch.drop_constraint('uq_incident_origin_external', type_='unique')
        batch.create_unique_constraint('uq_incident_source_external', ['source', 'external_id'])
        batch.drop_column('address')
        batch.drop_column('origin')
