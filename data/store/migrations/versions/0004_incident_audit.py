"""audit row for every accepted incident action

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:55:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident_audit',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('incident_id', sa.Integer(), nullable=False),
                    sa.Column('action', sa.String(length=16), nullable=False),
                    sa.Column('actor', sa.String(length=64), nullable=False),
                    sa.Column('at', sa.BigInteger(), nullable=False),
                    sa.Column('from_status', sa.String(length=12), nullable=False),
                    sa.Column('to_status', sa.String(length=12), nullable=False),
                    sa.Column('from_version', sa.Integer(), nullable=False),
                    sa.Column('to_version', sa.Integer(), nullable=False),
                    sa.Column('unit', sa.String(length=64), nullable=True),
                    sa.Column('comment', sa.Text(), nullable=True),
                    sa.ForeignKeyConstraint(['incident_id'], ['incident.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_incident_audit_incident_id', 'incident_audit', ['incident_id'])
    op.create_index('ix_incident_audit_at', 'incident_audit', ['at'])


def downgrade() -> None:
    op.drop_table('incident_audit')
