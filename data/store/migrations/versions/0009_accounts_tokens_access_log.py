"""accounts: roles, units and password hashes on users; display tokens for walls; the access log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None



def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('role', sa.String(length=12), nullable=False, server_default='system'))
        batch.add_column(sa.Column('unit', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('created_at', sa.BigInteger(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_login_at', sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE users SET role = 'dispatcher' WHERE id IN ('duty-officer', 'intake-clerk', "
                         "'dispatcher', 'verifier')"))
    bind.execute(sa.text("UPDATE users SET role = 'unit', unit = name_zh WHERE kind = 'unit' AND id != 'unit-any'"))
    op.create_table(
        'display_tokens',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('name', sa.String(length=64), nullable=False, unique=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('area_code', sa.String(length=12), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.BigInteger(), nullable=False),
        sa.Column('expires_at', sa.BigInteger(), nullable=True),
        sa.Column('revoked_at', sa.BigInteger(), nullable=True),
        sa.Column('last_seen_at', sa.BigInteger(), nullable=True),
        sa.Column('last_seen_addr', sa.String(length=45), nullable=True),
    )
    op.create_table(
        'access_log',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('at', sa.BigInteger(), nullable=False),
        sa.Column('event', sa.String(length=24), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=True),
        sa.Column('addr', sa.String(length=45), nullable=True),
        sa.Column('target', sa.String(length=96), nullable=True),
    )
    op.create_index('ix_access_log_at', 'access_log', ['at'])


def downgrade() -> None:
    op.drop_index('ix_access_log_at', 'access_log')
    op.drop_table('access_log')
    op.drop_table('display_tokens')
    with op.batch_alter_table('users') as batch:
        for column in ('last_login_at', 'created_at', 'password_hash', 'unit', 'role'):
            batch.drop_column(column)
