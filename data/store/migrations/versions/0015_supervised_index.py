"""a partial index on the incidents a leader flagged (督办): the wall counts them per street every tick

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_incident_supervised',
        'incident',
        ['district_code', 'street_code', 'status'],
        sqlite_where=sa.text('supervised_at IS NOT NULL'),
        postgresql_where=sa.text('supervised_at IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_incident_supervised', table_name='incident')
