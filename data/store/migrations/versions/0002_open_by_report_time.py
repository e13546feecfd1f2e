"""index open incidents by report time (the wall's closure rate)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:00:00
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # covering: "open incidents reported since T" in a district or the city is an index-only range
    op.create_index('ix_incident_status_reported', 'incident', ['status', 'reported_at', 'district_code', 'street_code'])


def downgrade() -> None:
    op.drop_index('ix_incident_status_reported', table_name='incident')
