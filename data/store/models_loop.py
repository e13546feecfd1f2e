"""The loop's own tables (issue 15): extension requests (延期), the responsibility table (依责承接) and
handling photos. Defined on the same Base as data.store.models (migrations see all of them)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models import Base


class IncidentExtension(Base):
    """A unit's request for more time (延期) and a dispatcher's decision on it."""

    __tablename__ = "incident_extension"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    old_due: Mapped[int | None] = mapped_column(BigInteger)
    new_due: Mapped[int] = mapped_column(BigInteger)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[int | None] = mapped_column(BigInteger)
    approved: Mapped[int | None] = mapped_column(Integer)  # None pending, 1 approved, 0 refused
    decision_note: Mapped[str | None] = mapped_column(Text)


class Responsibility(Base):
    """Who handles what where (依责承接): the unit responsible for a category (or one standard code) in an
    area; the longest area prefix wins, '' is everywhere; rank 0 is proposed first."""

    __tablename__ = "responsibility"
    __table_args__ = (Index("ix_responsibility_category", "category", "area_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category: Mapped[str] = mapped_column(String(24))
    std_code: Mapped[str] = mapped_column(String(5), default="", server_default="")  # '': every code
    area_code: Mapped[str] = mapped_column(String(12), default="", server_default="")
    unit: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class IncidentPhoto(Base):
    """A photo a unit took while handling (before/after), stored as a file under the instance folder."""

    __tablename__ = "incident_photo"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    history_id: Mapped[int | None] = mapped_column(ForeignKey("incident_history.id"))
    phase: Mapped[str] = mapped_column(String(8))  # before | after
    file_name: Mapped[str] = mapped_column(String(64))  # server-made, under <instance>/photos/
    mime: Mapped[str] = mapped_column(String(24))
    bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[int] = mapped_column(BigInteger)
