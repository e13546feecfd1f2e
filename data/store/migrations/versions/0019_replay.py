"""the wall's replay (推演/回放, issue 16): what was open at a past moment, found without scanning a month

Incidents open at a moment T are those reported by T and not closed by then. Most close within days, so
they are found in the few days of reports before T (ix_incident_reported_closed, covering the report time,
the close time and the place, which also counts a day's reports per grid for the replayed heat layer) plus the few that stayed open longer (ix_incident_open_long, a partial index
of the incidents open now or open longer than LONG_OPEN seconds). Each one's state at T is its last history
row at or before T, read from ix_incident_history_state without touching the table (it replaces 0014's
ix_incident_history_incident_at, whose columns it begins with). warning_value keeps
the value and sentence a warning showed until the rules engine replaced them (the wall cites the value),
so a replayed wall shows the sentence of that moment.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

LONG_OPEN = 259200  # 3 days: data/read/asof.py repeats this predicate word for word, or no planner uses the index
LONG = f"closed_at IS NULL OR closed_at - reported_at > {LONG_OPEN}"


def upgrade() -> None:
    op.create_index(
        "ix_incident_reported_closed",
        "incident",
        ["reported_at", "closed_at", "district_code", "street_code", "grid_code"],
    )
    op.create_index(
        "ix_incident_open_long",
        "incident",
        ["closed_at", "reported_at", "district_code", "street_code", "grid_code"],
        sqlite_where=sa.text(LONG),
        postgresql_where=sa.text(LONG),
    )
    # the state index leads with (incident_id, at): it serves every read the 0014 index served, and left beside it
    # SQLite would pick the narrower one and read the table for each incident's state
    op.drop_index("ix_incident_history_incident_at", table_name="incident_history")
    if op.get_bind().dialect.name == "postgresql":  # the tie-break on id rides in the key, the state alongside
        op.create_index(
            "ix_incident_history_state",
            "incident_history",
            ["incident_id", "at", "id"],
            postgresql_include=["to_status", "due_at"],
        )
    else:  # SQLite ends every index entry with the rowid (the id): the state follows the time
        op.create_index("ix_incident_history_state", "incident_history", ["incident_id", "at", "to_status", "due_at"])
    op.create_table(
        "warning_value",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("warning_id", sa.Integer(), sa.ForeignKey("warning.id"), nullable=False),
        sa.Column("until", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("cause_zh", sa.String(256), nullable=False),
        sa.Column("cause_en", sa.String(256), nullable=False),
    )
    op.create_index("ix_warning_value_warning_until", "warning_value", ["warning_id", "until"])
    op.execute("ANALYZE incident")  # the new indexes' spread, or SQLite keeps walking the report-time index
    op.execute("ANALYZE incident_history")


def downgrade() -> None:
    op.drop_index("ix_warning_value_warning_until", table_name="warning_value")
    op.drop_table("warning_value")
    op.drop_index("ix_incident_history_state", table_name="incident_history")
    op.create_index("ix_incident_history_incident_at", "incident_history", ["incident_id", "at"])
    op.drop_index("ix_incident_open_long", table_name="incident")
    op.drop_index("ix_incident_reported_closed", table_name="incident")
