"""index each sortable incident column with the report time (the incident list's sorts)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 14:00:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# the list filters by report time and sorts by one column, ties by report time in the same direction:
# (column, reported_at) serves that order for both directions, and planners skip-scan the few values
SORTS = ('priority', 'due_at', 'category', 'source')


def upgrade() -> None:
    for col in SORTS:
        op.create_index(f'ix_incident_{col}_reported', 'incident', [col, 'reported_at'])
    # fresh statistics, or SQLite keeps sorting a month of rows through the report-time index
    op.execute('ANALYZE incident' if op.get_bind().dialect.name == 'postgresql' else 'ANALYZE')


def downgrade() -> None:
    for col in SORTS:
        op.drop_index(f'ix_incident_{col}_reported', table_name='incident')
