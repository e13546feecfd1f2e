"""the incident list's rollup: incidents per report day x district x category x source x priority x status

The list counted a month's rows per status on every filter change (100-160 ms cold at 1M incidents, the
target 30 ms). This table is kept by every write (data/write/rollups_list.py) and filled here from the
incidents an existing database already has.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 15:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from data.write import rollups_list  # the same statement as a rebuild

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_list_day",
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("district_code", sa.String(6), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "district_code", "category", "source", "priority", "status"),
    )
    rollups_list.rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table("rollup_list_day")
