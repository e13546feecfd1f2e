"""index the assigned unit with the report time (the incident list sorts by unit too)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 15:00:00
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_incident_assigned_unit_reported', 'incident', ['assigned_unit', 'reported_at'])
    op.execute('ANALYZE incident' if op.get_bind().dialect.name == 'postgresql' else 'ANALYZE')


def downgrade() -> None:
    op.drop_index('ix_incident_assigned_unit_reported', table_name='incident')
