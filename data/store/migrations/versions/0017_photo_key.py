"""handling photos keep the upload's Idempotency-Key: one photo per (uploader, key)

A phone on a flaky network sends a photo again when it did not hear the answer (a retry, or an offline
queue sending what it kept); the second upload must return the first photo, never store another. NULL
keys (uploads without one, every photo before this revision) do not collide: both SQLite and PostgreSQL
let a unique index hold many NULLs.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incident_photo", sa.Column("client_key", sa.String(length=128), nullable=True))
    op.create_index("ux_incident_photo_key", "incident_photo", ["uploaded_by", "client_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_incident_photo_key", table_name="incident_photo")
    with op.batch_alter_table("incident_photo") as batch:
        batch.drop_column("client_key")
