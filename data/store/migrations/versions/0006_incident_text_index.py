"""index incident titles and descriptions by character bigrams (the list's free-text filter)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 14:30:00
"""
from alembic import op

from data.store import textsearch

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite: an FTS5 table of bigram tokens; PostgreSQL: a text[] with a GIN index (see data/textsearch.py)
    bind = op.get_bind()
    textsearch.create(bind)
    textsearch.rebuild(bind)  # an existing database: index what is there


def downgrade() -> None:
    textsearch.drop(op.get_bind())
