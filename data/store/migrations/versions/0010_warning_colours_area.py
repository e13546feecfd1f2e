"""warning.colours_area: whether a warning counts toward its area's five-colour level (project delays do not)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 22:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('warning') as batch:
        batch.add_column(sa.Column('colours_area', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.get_bind().execute(sa.text("UPDATE warning SET colours_area = false WHERE kind = 'project'"))


def downgrade() -> None:
    with op.batch_alter_table('warning') as batch:
        batch.drop_column('colours_area')
