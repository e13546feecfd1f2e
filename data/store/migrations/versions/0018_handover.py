"""the shift handover (交接班): the outgoing officers' notes on an area's shift and the incoming officer's
confirmation, once per (area, shift); both append-only (data/store/models_handover.py)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handover_note",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("shift_start", sa.BigInteger(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_handover_note_area_shift", "handover_note", ["area_code", "shift_start"])
    op.create_table(
        "handover_confirm",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("shift_start", sa.BigInteger(), nullable=False),
        sa.Column("shift_end", sa.BigInteger(), nullable=False),
        sa.Column("handed_by", sa.JSON(), nullable=False),
        sa.Column("confirmed_by", sa.String(64), nullable=False),
        sa.Column("confirmed_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("area_code", "shift_start", name="uq_handover_confirm_area_shift"),
    )
    op.create_index("ix_handover_confirm_end", "handover_confirm", ["shift_end"])


def downgrade() -> None:
    op.drop_index("ix_handover_confirm_end", table_name="handover_confirm")
    op.drop_table("handover_confirm")
    op.drop_index("ix_handover_note_area_shift", table_name="handover_note")
    op.drop_table("handover_note")
