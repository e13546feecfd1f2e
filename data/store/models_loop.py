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
    """A photo a unit took while handling (before/after), stored as a file under the instance folder. An upload
    that carries an Idempotency-Key keeps it in `client_key`: one photo per (uploader, key), so a phone that
    sends a photo again (a retry, an offline queue) gets the first answer back (migration 0017)."""

    __tablename__ = "incident_photo"
    __table_args__ = (Index("ux_incident_photo_key", "uploaded_by", "client_key", unique=True),)
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
    client_key: Mapped[str | None] = mapped_column(String(128))  # the upload's Idempotency-Key; None without one


# ---- evaluation rollups (考核评价, data/write/rollups_eval.py; docs/EVALUATION.md) ----------------------
# Sums per Shanghai day at a few grains ("du" district x unit, "su" street x unit, "dc" district x
# category, "s" street): a key column outside the grain holds ''; '' is also "no unit". SQLite stores
# them WITHOUT ROWID, in key order: a district's days are one range of the table.
MOVE_COUNTS = (  # data.read.evaluation's counts that are sums of moves
    "reports", "self_handled", "registered", "registered_ontime", "dispatched", "handled", "handled_ontime",
    "due_close", "rework", "extensions", "closed", "closed_ontime",
)  # fmt: skip
STAGE_SUMS = tuple(f"{s}_{x}" for s in ("reported", "registered", "dispatched", "handling", "verifying") for x in "sn")


def _key(kind=String, length: int = 64) -> Mapped:
    return mapped_column(kind(length) if kind is String else kind, primary_key=True)


class RollupMove(Base):
    """The counted moves, and the seconds and number of stages left (<stage>_s, <stage>_n), per grain x
    day x area x category x unit."""

    __tablename__ = "rollup_move"
    __table_args__ = {"sqlite_with_rowid": False}
    grain: Mapped[str] = _key(String, 2)
    district_code: Mapped[str] = _key(String, 6)
    day: Mapped[int] = _key(BigInteger)
    street_code: Mapped[str] = _key(String, 9)
    category: Mapped[str] = _key(String, 24)
    unit: Mapped[str] = _key(String, 64)


for _col in MOVE_COUNTS + STAGE_SUMS:  # one column per count: a period's row is one sum per column
    setattr(RollupMove, _col, mapped_column(_col, BigInteger, nullable=False, default=0, server_default="0"))


class RollupMoveReturn(Base):
    """Dispatches (by the dispatch's day) later sent back (回退): `until` is the day of the first return."""

    __tablename__ = "rollup_move_return"
    __table_args__ = {"sqlite_with_rowid": False}
    grain: Mapped[str] = _key(String, 2)
    district_code: Mapped[str] = _key(String, 6)
    day: Mapped[int] = _key(BigInteger)
    until: Mapped[int] = _key(BigInteger)
    street_code: Mapped[str] = _key(String, 9)
    category: Mapped[str] = _key(String, 24)
    unit: Mapped[str] = _key(String, 64)
    n: Mapped[int] = mapped_column(Integer)


class OverdueSpan(Base):
    """One history row that left its incident dispatched or handling (not parked) and overdue for a while:
    the incident is 超期待处置 at any b with start_at < b <= end_at (start: the later of the row and its
    deadline; end: the incident's next row, or the far future)."""

    __tablename__ = "overdue_span"
    __table_args__ = (
        Index("ix_overdue_span_end", "end_at", "start_at", "district_code", "street_code", "category", "unit"),
    )
    history_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    incident_id: Mapped[int] = mapped_column(Integer, index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    street_code: Mapped[str] = mapped_column(String(9))
    grid_code: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(24))
    unit: Mapped[str | None] = mapped_column(String(64))
    to_status: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[int] = mapped_column(BigInteger)
    start_at: Mapped[int] = mapped_column(BigInteger)
    end_at: Mapped[int] = mapped_column(BigInteger)


class RollupState(Base):
    """Bookkeeping of the evaluation rollups: "covered" is the highest history id they include (reads use
    the history table while a row above it exists, e.g. rows inserted past the write path)."""

    __tablename__ = "rollup_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class RollupListDay(Base):
    """Incidents per Shanghai report day x district x category x source x priority x current status: the
    incident list's counts per status for the city or a district over whole days (issue 13: a month of a
    million incidents was counted row by row). Kept by data/write/rollups_list.py on every write."""

    __tablename__ = "rollup_list_day"
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    source: Mapped[str] = mapped_column(String(12), primary_key=True)
    priority: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
