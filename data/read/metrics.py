"""Uncached aggregate SQL over the rollups, shared by the rules engine and the memoized queries.

Each takes a Scope; its level picks the column (city: everything). Results group by the child
level asked for (district, street or grid).
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from data.domain.scope import Scope
from data.domain.timeutil import HOUR
from data.domain.vocab import OPEN_STATUSES
from data.store.models import Incident, RollupIncidentHour, RollupOpen


def overdue_counts(conn: Connection, scope: Scope, now: int, by: str) -> dict[str, int]:
    """Open incidents past their step deadline at `now`, per `by`-level area inside scope.

    Whole hours before now come from rollup_open; the current hour is counted exactly
    from the incidents whose deadline falls inside it (an index range on status, due_at).
    """
    cur_hour = now - now % HOUR
    col = getattr(RollupOpen, f"{by}_code")
    out: dict[str, int] = {}
    q = (
        select(col, func.sum(RollupOpen.count))
        .where(scope.filter(RollupOpen), RollupOpen.due_hour < cur_hour)
        .group_by(col)
    )
    for code, n in conn.execute(q):
        out[code] = int(n)
    icol = getattr(Incident, f"{by}_code")
    q2 = (
        select(icol, func.count())
        .where(
            scope.filter(Incident),
            Incident.status.in_(OPEN_STATUSES),
            and_(Incident.due_at >= cur_hour, Incident.due_at < now),
        )
        .group_by(icol)
    )
    for code, n in conn.execute(q2):
        out[code] = out.get(code, 0) + int(n)
    return {k: v for k, v in out.items() if v}


def open_counts(conn: Connection, scope: Scope, by: str | None) -> dict:
    """Open incidents per status (by=None) or per `by`-level area inside scope."""
    if by is None:
        q = (
            select(RollupOpen.status, func.sum(RollupOpen.count))
            .where(scope.filter(RollupOpen))
            .group_by(RollupOpen.status)
        )
    else:
        col = getattr(RollupOpen, f"{by}_code")
        q = select(col, func.sum(RollupOpen.count)).where(scope.filter(RollupOpen)).group_by(col)
    return {k: int(v) for k, v in conn.execute(q) if v}


def reported_by_area_hour(conn: Connection, scope: Scope, start: int, end: int, by: str) -> dict[str, int]:
    """Incidents reported in whole hours [start, end) per `by` level (district or street)."""
    col = getattr(RollupIncidentHour, f"{by}_code")
    q = (
        select(col, func.sum(RollupIncidentHour.reported))
        .where(scope.filter(RollupIncidentHour), RollupIncidentHour.hour >= start, RollupIncidentHour.hour < end)
        .group_by(col)
    )
    return {k: int(v) for k, v in conn.execute(q) if v}
