"""The tables of real data coming in: import runs (who loaded which file, when, with what outcome) and the
ingest API's keys. Defined on the same Base as data.store.models (migrations see both)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models import Base


class ImportRun(Base):
    """One `cityops import` or admin upload: its report (the counts the command printed) and outcome."""

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_started", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # incidents | readings
    origin: Mapped[str] = mapped_column(String(24))  # the mapping's source
    file_name: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(12))  # running | done | failed
    report: Mapped[dict | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)


class ApiKey(Base):
    """A source's credential for the ingest API: the key's SHA-256 (the key itself is shown once) and the
    first characters to tell keys apart in a listing; revoked keys stay for the record."""

    __tablename__ = "api_key"
    __table_args__ = (Index("ix_api_key_source", "source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(24))
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    last_used_at: Mapped[int | None] = mapped_column(BigInteger)
