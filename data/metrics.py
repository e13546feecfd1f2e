"""Uncached aggregate SQL over the rollups, shared by the rules engine and the memoized queries.

Scope: an area code; its level picks the column (city: everything). Results group by the
child level asked for (district, street or grid).
"""
from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from data.models import CITY_CODE, OPEN_STATUSES, Incident, RollupIncidentHour, RollupOpen
from data.timeutil import HOUR

LEVEL_BY_LEN = {6: "district", 9: "street", 12: "grid"}


def level_of(code: str) -> str:
    """'city', 'district', 'street' or 'grid' from the code's shape."""
    if code == CITY_CODE:
        return "city"
    try:
        return LEVEL_BY_LEN[len(code)]
    except KeyError:
        raise ValueError(f"not an area code: {code!r}") from None


def scope_filter(model, scope: str):
    """A WHERE clause limiting a table with district_code/street_code/grid_code columns to scope."""
    level = level_of(scope)
    if level == "city":
        return True
    return getattr(model, f"{level}_code") == scope


def overdue_counts(conn: Connection, scope: str, now: int, by: str) -> dict[str, int]:
    """Open incidents past their step deadline at `now`, per `by`-level area inside scope.

    Whole hours before now come from rollup_open; the current hour is counted exactly
    from the incidents whose deadline falls inside it (an index range on status, due_at).
    """
    cur_hour = now - now % HOUR
    col = getattr(RollupOpen, f"{by}_code")
    out: dict[str, int] = {}
    q = (select(col, func.sum(RollupOpen.count)).where(scope_filter(RollupOpen, scope), RollupOpen.due_hour < cur_hour)
         .group_by(col))
    for code, n in conn.execute(q):
        out[code] = int(n)
    icol = getattr(Incident, f"{by}_code")
    q2 = (select(icol, func.count()).where(scope_filter(Incident, scope), Incident.status.in_(OPEN_STATUSES),
                                           and_(Incident.due_at >= cur_hour, Incident.due_at < now))
          .group_by(icol))
    for code, n in conn.execute(q2):
        out[code] = out.get(code, 0) + int(n)
    return {k: v for k, v in out.items() if v}


def open_counts(conn: Connection, scope: str, by: str | None) -> dict:
    """Open incidents per status (by=None) or per `by`-level area inside scope."""
    if by is None:
        q = select(RollupOpen.status, func.sum(RollupOpen.count)).where(scope_filter(RollupOpen, scope)).group_by(RollupOpen.status)
    else:
        col = getattr(RollupOpen, f"{by}_code")
        q = select(col, func.sum(RollupOpen.count)).where(scope_filter(RollupOpen, scope)).group_by(col)
    return {k: int(v) for k, v in conn.execute(q) if v}


def reported_by_area_hour(conn: Connection, scope: str, start: int, end: int, by: str) -> dict[str, int]:
    """Incidents reported in whole hours [start, end) per `by` level (district or street)."""
    col = getattr(RollupIncidentHour, f"{by}_code")
    q = (select(col, func.sum(RollupIncidentHour.reported))
         .where(scope_filter(RollupIncidentHour, scope), RollupIncidentHour.hour >= start, RollupIncidentHour.hour < end)
         .group_by(col))
    return {k: int(v) for k, v in conn.execute(q) if v}
