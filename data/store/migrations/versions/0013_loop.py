"""the loop as staff run it: standard category codes, stages, triage, extensions, responsibility, photos

Incidents gain their standard code, handling stage, how they ended when not a normal 结案 (invalid,
merged, self-handled), 挂账 and 督办 flags and whether the rules dispatched them. History rows gain the
move that made them, the deadline of the step they start, whether they ended a step late, and the unit
assigned after them: evaluation (考核评价) is computed from these. Old rows keep NULL/0; the first rows
of old incidents are marked "report".

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 11:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incident') as batch:
        batch.add_column(sa.Column('std_code', sa.String(length=5), nullable=True))
        batch.add_column(sa.Column('stage', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('disposition', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('merged_into', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('parked_at', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('supervised_at', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('supervised_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('auto_dispatch', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('incident_history') as batch:
        batch.add_column(sa.Column('action', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('due_at', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('late', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('unit', sa.String(length=64), nullable=True))
    op.execute("UPDATE incident_history SET action = 'report' WHERE from_status IS NULL")
    op.create_index('ix_incident_history_at_action', 'incident_history', ['at', 'action'])
    op.create_table(
        'incident_extension',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('incident_id', sa.Integer(), sa.ForeignKey('incident.id'), nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('requested_at', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('old_due', sa.BigInteger(), nullable=True),
        sa.Column('new_due', sa.BigInteger(), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', sa.BigInteger(), nullable=True),
        sa.Column('approved', sa.Integer(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
    )
    op.create_index('ix_incident_extension_incident_id', 'incident_extension', ['incident_id'])
    op.create_table(
        'responsibility',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('category', sa.String(length=24), nullable=False),
        sa.Column('std_code', sa.String(length=5), nullable=False, server_default=''),
        sa.Column('area_code', sa.String(length=12), nullable=False, server_default=''),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False, server_default='0'),
    )
    op.create_index('ix_responsibility_category', 'responsibility', ['category', 'area_code'])
    op.create_table(
        'incident_photo',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('incident_id', sa.Integer(), sa.ForeignKey('incident.id'), nullable=False),
        sa.Column('history_id', sa.Integer(), sa.ForeignKey('incident_history.id'), nullable=True),
        sa.Column('phase', sa.String(length=8), nullable=False),
        sa.Column('file_name', sa.String(length=64), nullable=False),
        sa.Column('mime', sa.String(length=24), nullable=False),
        sa.Column('bytes', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_incident_photo_incident_id', 'incident_photo', ['incident_id'])


def downgrade() -> None:
    op.drop_index('ix_incident_photo_incident_id', table_name='incident_photo')
    op.drop_table('incident_photo')
    op.drop_index('ix_responsibility_category', table_name='responsibility')
    op.drop_table('responsibility')
    op.drop_index('ix_incident_extension_incident_id', table_name='incident_extension')
    op.drop_table('incident_extension')
    op.drop_index('ix_incident_history_at_action', table_name='incident_history')
    with op.batch_alter_table('incident_history') as batch:
        for col in ('unit', 'late', 'due_at', 'action'):
            batch.drop_column(col)
    with op.batch_alter_table('incident') as batch:
        for col in ('auto_dispatch', 'supervised_by', 'supervised_at', 'parked_at', 'merged_into', 'disposition', 'stage', 'std_code'):
            batch.drop_column(col)
