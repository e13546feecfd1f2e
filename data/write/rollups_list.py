"""The incident list's rollup (rollup_list_day): incidents per report day x district x category x source x
priority x current status, kept by every write in its transaction (called from data.write.rollups), so the
list's counts per status for the city or a district read whole days from here instead of counting a
month's rows (data.read.incidentlist)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from data.domain.timeutil import DAY, OFFSET
from data.store.models import Incident
from data.store.models_loop import RollupListDay
from data.write.upsert import upsert

KEYS = ("day", "district_code", "category", "source", "priority", "status")


def _key(inc: dict) -> tuple:
    ts = inc["reported_at"]
    return (
        ts - (ts + OFFSET) % DAY,
        inc["district_code"],
        inc["category"],
        inc["source"],
        inc["priority"],
        inc["status"],
    )


def added(session: Session, incidents: Iterable[dict]) -> None:
    _apply(session, Counter(_key(inc) for inc in incidents))


def changed(session: Session, before: dict, after: dict) -> None:
    """One incident moved (its status, or any other keyed column)."""
    old, new = _key(before), _key(after)
    if old != new:
        _apply(session, Counter({old: -1, new: 1}))


def _apply(session: Session, delta: Counter) -> None:
    rows = [dict(zip(KEYS, key), count=n) for key, n in delta.items() if n]
    upsert(session, RollupListDay, rows, KEYS, add=("count",))
    if any(n < 0 for n in delta.values()):
        r = RollupListDay
        gone = [k for k, n in delta.items() if n < 0]  # only the rows just decremented can have reached 0
        for key in gone:
            session.execute(delete(r).where(*[getattr(r, c) == v for c, v in zip(KEYS, key)], r.count <= 0))


def rebuild(session: Session) -> None:
    """Recount from the incident table (after a bulk load; the oracle in tests)."""
    session.execute(delete(RollupListDay))
    i = Incident
    day = i.reported_at - (i.reported_at + OFFSET) % DAY
    cols = (day, i.district_code, i.category, i.source, i.priority, i.status)
    session.execute(insert(RollupListDay).from_select([*KEYS, "count"], select(*cols, func.count()).group_by(*cols)))
