"""The ingest API's own records: the first answer to each Idempotency-Key, so that a client's retry gets that
answer back instead of a second write. Defined on the same Base as data.store.models (migrations see it)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models import Base


class IdempotentReply(Base):
    """One source's answer to one Idempotency-Key on one endpoint. The key and the body are stored as their
    SHA-256 (fixed size, whatever the client sent); rows older than a day are purged as new ones arrive."""

    __tablename__ = "api_idempotency"
    __table_args__ = (
        UniqueConstraint("source", "endpoint", "key_hash", name="uq_api_idempotency_key"),
        Index("ix_api_idempotency_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(24))  # the API key's source
    endpoint: Mapped[str] = mapped_column(String(16))  # incidents | readings | open311
    key_hash: Mapped[str] = mapped_column(String(64))
    body_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict | list] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
