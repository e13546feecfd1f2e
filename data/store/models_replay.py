"""The replay's schema (推演/回放, issue 16; migration 0019), defined on the same Base as data.store.models:
the values and sentences warnings showed before the rules engine replaced them, and the indexes that find
what was open at a past moment and each incident's state then (attached to the tables they index)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models import Base, Incident, IncidentHistory

LONG_OPEN = "closed_at IS NULL OR closed_at - reported_at > 259200"  # as 0019 and data/read/asof.py say it


class WarningValue(Base):
    """A value and sentence a warning showed until the rules engine replaced them (`until`)."""

    __tablename__ = "warning_value"
    __table_args__ = (Index("ix_warning_value_warning_until", "warning_id", "until"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warning.id"))
    until: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float | None] = mapped_column(Float)
    cause_zh: Mapped[str] = mapped_column(String(256))
    cause_en: Mapped[str] = mapped_column(String(256))


_PLACE = (Incident.district_code, Incident.street_code, Incident.grid_code)
Index("ix_incident_reported_closed", Incident.reported_at, Incident.closed_at, *_PLACE)
Index(
    "ix_incident_open_long",
    Incident.closed_at,
    Incident.reported_at,
    *_PLACE,
    sqlite_where=text(LONG_OPEN),
    postgresql_where=text(LONG_OPEN),
)
# SQLite's form; on PostgreSQL (incident_id, at, id) INCLUDE (to_status, due_at). It replaced 0014's
# ix_incident_history_incident_at, whose columns it begins with.
Index("ix_incident_history_state", IncidentHistory.incident_id, IncidentHistory.at, IncidentHistory.to_status,
      IncidentHistory.due_at)  # fmt: skip
