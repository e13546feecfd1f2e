"""incidents per day x district x category x source (whole days of the city in ~1k rows)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 12:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_incident_day',
                    sa.Column('day', sa.BigInteger(), nullable=False),
                    sa.Column('district_code', sa.String(length=6), nullable=False),
                    sa.Column('category', sa.String(length=24), nullable=False),
                    sa.Column('source', sa.String(length=12), nullable=False),
                    sa.Column('reported', sa.Integer(), nullable=False),
                    sa.Column('closed', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('day', 'district_code', 'category', 'source'))
    # fill it from the hourly rollup of an existing database (Shanghai days: UTC+8)
    op.execute("INSERT INTO rollup_incident_day (day, district_code, category, source, reported, closed) "
               "SELECT hour - (hour + 28800) % 86400, district_code, category, source, sum(reported), sum(closed) "
               "FROM rollup_incident_hour GROUP BY hour - (hour + 28800) % 86400, district_code, category, source")


def downgrade() -> None:
    op.drop_table('rollup_incident_day')
