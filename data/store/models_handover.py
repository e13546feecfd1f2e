"""The shift handover's tables (交接班, issue 16): the outgoing officers' notes on a shift of one area, and the
incoming officer's confirmation. Both are append-only: a row is written once, with who and when, and never
changed, so the tables are their own audit. Defined on the same Base as data.store.models."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models import Base


class HandoverNote(Base):
    """One note an outgoing officer wrote on the shift [shift_start, next start) of an area."""

    __tablename__ = "handover_note"
    __table_args__ = (Index("ix_handover_note_area_shift", "area_code", "shift_start"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_code: Mapped[str] = mapped_column(String(12))
    shift_start: Mapped[int] = mapped_column(BigInteger)  # Unix seconds, a configured shift start
    author: Mapped[str] = mapped_column(String(64))  # a user id
    at: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)


class HandoverConfirm(Base):
    """The incoming officer's confirmation of an area's shift: once per (area, shift). `handed_by` keeps the
    note authors (user ids, first note first) as they stood when it was signed: the record's 交班."""

    __tablename__ = "handover_confirm"
    __table_args__ = (
        UniqueConstraint("area_code", "shift_start", name="uq_handover_confirm_area_shift"),
        Index("ix_handover_confirm_end", "shift_end"),  # the wall's duty officers: the shifts just handed over
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_code: Mapped[str] = mapped_column(String(12))
    shift_start: Mapped[int] = mapped_column(BigInteger)
    shift_end: Mapped[int] = mapped_column(BigInteger)
    handed_by: Mapped[list] = mapped_column(JSON)
    confirmed_by: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[int] = mapped_column(BigInteger)
