"""the evaluation's rollups: moves, returned dispatches and stage times per day, and overdue spans

考核评价 read every figure from incident_history, scanning a period's rows (seconds at 200k incidents).
These tables are kept by every write (data/write/rollups_eval.py) and filled here from the history an
existing database already has; incident_history gains (incident_id, at) for the per-incident windows.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from data.write import rollups_eval  # the same statements as a rebuild (0006 fills its index likewise)

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None
SUMS = (  # rollup_move's sums: the counted moves, then seconds and number per stage left
    "reports",
    "self_handled",
    "registered",
    "registered_ontime",
    "dispatched",
    "handled",
    "handled_ontime",
    "due_close",
    "rework",
    "extensions",
    "closed",
    "closed_ontime",
    *(f"{s}_{x}" for s in ("reported", "registered", "dispatched", "handling", "verifying") for x in "sn"),
)


def _keys(*extra):
    """grain, district_code, day, *extra, street_code, category, unit: the key of both rollups."""
    cols = [
        sa.Column("grain", sa.String(length=2), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        *extra,
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
    ]
    return cols, sa.PrimaryKeyConstraint(*[c.name for c in cols])


def upgrade() -> None:
    op.create_index("ix_incident_history_incident_at", "incident_history", ["incident_id", "at"])
    keys, pk = _keys()
    sums = [sa.Column(c, sa.BigInteger(), nullable=False, server_default="0") for c in SUMS]
    op.create_table("rollup_move", *keys, *sums, pk, sqlite_with_rowid=False)
    keys, pk = _keys(sa.Column("until", sa.BigInteger(), nullable=False))
    op.create_table(
        "rollup_move_return", *keys, sa.Column("n", sa.Integer(), nullable=False), pk, sqlite_with_rowid=False
    )
    op.create_table(
        "overdue_span",
        sa.Column("history_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("grid_code", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("start_at", sa.BigInteger(), nullable=False),
        sa.Column("end_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("history_id"),
    )
    op.create_index("ix_overdue_span_incident_id", "overdue_span", ["incident_id"])
    op.create_index(
        "ix_overdue_span_end",
        "overdue_span",
        ["end_at", "start_at", "district_code", "street_code", "category", "unit"],
    )
    op.create_table(
        "rollup_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    rollups_eval.rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    for table in ("rollup_state", "overdue_span", "rollup_move_return", "rollup_move"):
        op.drop_table(table)
    op.drop_index("ix_incident_history_incident_at", table_name="incident_history")
