"""ingest API: the first answer to each Idempotency-Key per source and endpoint

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_idempotency',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('source', sa.String(length=24), nullable=False),
        sa.Column('endpoint', sa.String(length=16), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('body_hash', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('response', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('source', 'endpoint', 'key_hash', name='uq_api_idempotency_key'),
    )
    op.create_index('ix_api_idempotency_created', 'api_idempotency', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_api_idempotency_created', table_name='api_idempotency')
    op.drop_table('api_idempotency')
