"""Incident aggregates for a Scope: counts by source and category, closures, the loop, heat, the newest.

Whole past hours come from the rollups in cached blocks aligned to Shanghai days; only the ragged
edges and the current hour are counted from the raw rows' indexes."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data.domain.scope import Scope
from data.domain.timeutil import DAY, HOUR, OFFSET, hour_of, now_ts
from data.domain.vocab import OPEN_STATUSES
from data.read import metrics
from data.store.cache import cached_query, current_engine
from data.store.models import Incident, RollupGridDay, RollupIncidentDay, RollupIncidentHour


def _conn():
    return current_engine().connect()


def _day_grain(scope: Scope, h0: int, h1: int):
    """The day rollup when [h0, h1) is whole Shanghai days of the city or a district, else None."""
    whole_days = (h0 + OFFSET) % DAY == 0 and (h1 - h0) % DAY == 0
    return RollupIncidentDay if whole_days and scope.level in ("city", "district") else None


@cached_query("history")
def _reported_hours(scope: Scope, h0: int, h1: int) -> list[tuple[str, str, int]]:
    """(source, category, n) reported in the whole past hours [h0, h1) (see _is_past)."""
    day = _day_grain(scope, h0, h1)
    r = day or RollupIncidentHour
    t = r.day if day else r.hour
    q = (
        select(r.source, r.category, func.sum(r.reported))
        .where(scope.filter(r), t >= h0, t < h1)
        .group_by(r.source, r.category)
    )
    with _conn() as conn:
        return [(src, cat, int(n or 0)) for src, cat, n in conn.execute(q)]


@cached_query("history")
def _closed_hours(scope: Scope, h0: int, h1: int) -> int:
    """Incidents closed in the whole past hours [h0, h1)."""
    day = _day_grain(scope, h0, h1)
    r = day or RollupIncidentHour
    t = r.day if day else r.hour
    with _conn() as conn:
        n = conn.execute(select(func.sum(r.closed)).where(scope.filter(r), t >= h0, t < h1)).scalar()
    return int(n or 0)


BLOCK_HOURS = (24, 8, 4, 2, 1)


def aligned_blocks(h0: int, h1: int) -> list[tuple[int, int]]:
    """Split whole hours [h0, h1) into blocks of 24/8/4/2/1 hours aligned to Shanghai days.

    Each block is cached on its own, so when a window's end moves on by an hour only the new
    hour's blocks are summed, not the whole window again."""
    out, h = [], h0
    while h < h1:
        for size in BLOCK_HOURS:
            span = size * HOUR
            if (h + OFFSET) % span == 0 and h + span <= h1:
                break
        out.append((h, h + span))
        h += span
    return out


def current_hour() -> int:
    """The start of the hour now (the clock the benches move, too)."""
    return hour_of(now_ts())


def _is_past(h1: int) -> bool:
    """Hours before the current one only change with the "history" version (late writes, re-seeds),
    so their aggregates stay cached while live incidents trickle into the current hour."""
    return h1 <= hour_of(now_ts())


def _reported_exact(conn, scope: Scope, start: int, end: int) -> dict[tuple[str, str], int]:
    """Reported counts per (source, category) in [start, end): whole hours from the rollup,
    the ragged edges (and grid scopes, below the rollup's grain) from the raw rows' indexes."""
    h0 = start + (-start) % HOUR
    h1 = end - end % HOUR
    if scope.level == "grid":
        h0 = h1 = end
    totals: dict[tuple[str, str], int] = {}
    if h1 > h0:
        hours = _reported_hours if _is_past(h1) else _reported_hours.uncached
        for a, b in aligned_blocks(h0, h1):
            for src, cat, n in hours(scope, a, b):
                totals[(src, cat)] = totals.get((src, cat), 0) + n
    i = Incident
    for a, b in ((start, min(h0, end)), (max(h1, start, h0), end)):
        if b <= a:
            continue
        q = (
            select(i.source, i.category, func.count())
            .where(scope.filter(i), i.reported_at >= a, i.reported_at < b)
            .group_by(i.source, i.category)
        )
        for src, cat, n in conn.execute(q):
            totals[(src, cat)] = totals.get((src, cat), 0) + int(n)
    return totals


@cached_query("incidents")
def incident_counts(scope: Scope, start: int, end: int) -> dict:
    """Incidents reported in [start, end): {'total', 'by_source': {...}, 'by_category': {...}}."""
    with _conn() as conn:
        return counts_of(_reported_exact(conn, scope, start, end))


@cached_query("incidents")
def unlocated_count(scope: Scope, start: int, end: int) -> int:
    """Imported incidents reported in [start, end) that no area holds (the city's 未定位; 0 elsewhere)."""
    if not scope.is_city:
        return 0
    i = Incident
    q = select(func.count()).where(i.district_code == "", i.reported_at >= start, i.reported_at < end)
    with _conn() as conn:
        return int(conn.execute(q).scalar() or 0)


def counts_of(pairs: dict[tuple[str, str], int]) -> dict:
    """incident_counts' answer from {(source, category): n} (zero counts left out)."""
    by_source: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for (src, cat), n in pairs.items():
        if n:
            by_source[src] = by_source.get(src, 0) + n
            by_category[cat] = by_category.get(cat, 0) + n
    return {"total": sum(pairs.values()), "by_source": by_source, "by_category": by_category}


@cached_query("incidents")
def closed_count(scope: Scope, start: int, end: int) -> int:
    """Incidents closed in the whole hours of [start, end] (the current hour included)."""
    h0, h_end = start - start % HOUR, end - end % HOUR
    if scope.level == "grid":  # below the rollup's grain: a grid holds few enough rows to count
        i = Incident
        with _conn() as conn:
            # closed_at is set exactly while an incident is closed; no status test, so the grid index is used
            return int(
                conn.execute(
                    select(func.count()).where(i.grid_code == scope.code, i.closed_at >= h0, i.closed_at < h_end + HOUR)
                ).scalar()
                or 0
            )
    hours = _closed_hours if _is_past(h_end) else _closed_hours.uncached
    past = sum(hours(scope, a, b) for a, b in aligned_blocks(h0, h_end))
    r = RollupIncidentHour
    with _conn() as conn:
        n = conn.execute(select(func.sum(r.closed)).where(scope.filter(r), r.hour == h_end)).scalar()
    return past + int(n or 0)


@cached_query("incidents")
def loop_status(scope: Scope, now: int) -> dict:
    """The closed loop now: open incidents per status, overdue total, and overdue per child area."""
    child = scope.child_level or "grid"
    with _conn() as conn:
        per_status = metrics.open_counts(conn, scope, None)
        overdue_by_child = metrics.overdue_counts(conn, scope, now, child)
    return {
        "open": {s: per_status.get(s, 0) for s in OPEN_STATUSES},
        "open_total": sum(per_status.values()),
        "overdue": sum(overdue_by_child.values()),
        "overdue_by_child": overdue_by_child,
    }


@cached_query("incidents")
def supervised_count(scope: Scope) -> int:
    """Open incidents in scope that a leader flagged for supervision (督办)."""
    i = Incident
    q = select(func.count()).where(i.status.in_(OPEN_STATUSES), i.supervised_at.is_not(None), scope.filter(i))
    with _conn() as conn:
        return int(conn.execute(q).scalar() or 0)


@cached_query("incidents")
def open_reported_since(scope: Scope, since: int) -> int:
    """Incidents reported since `since` that are still open (a covering-index range per status)."""
    i = Incident
    with _conn() as conn:
        return int(
            conn.execute(
                select(func.count()).where(i.status.in_(OPEN_STATUSES), i.reported_at >= since, scope.filter(i))
            ).scalar()
            or 0
        )


@cached_query("incidents")
def open_by_child(scope: Scope) -> dict[str, int]:
    child = scope.child_level or "grid"
    with _conn() as conn:
        return metrics.open_counts(conn, scope, child)


@cached_query("incidents")
def heat(scope: Scope, start_day: int, end_day: int) -> dict[str, int]:
    """Incidents per grid cell reported on Shanghai days [start_day, end_day] (day-start seconds)."""
    q = select(RollupGridDay.grid_code, func.sum(RollupGridDay.reported)).where(
        RollupGridDay.day >= start_day, RollupGridDay.day <= end_day, scope.prefix(RollupGridDay.grid_code)
    )
    with _conn() as conn:
        return {g: int(n) for g, n in conn.execute(q.group_by(RollupGridDay.grid_code))}


LATEST_COLUMNS = (
    "id",
    "reported_at",
    "source",
    "category",
    "subcategory",
    "title",
    "district_code",
    "street_code",
    "grid_code",
    "lon",
    "lat",
    "status",
    "priority",
)


@cached_query("incidents")
def latest_incidents(scope: Scope, limit: int = 20, min_priority: int = 3) -> pd.DataFrame:
    """The newest incidents in scope (no personal data): id, time, place, category, status, priority.
    Ties in time go to the higher id, so every read (and wallsets.newest_in) agrees on the order."""
    i = Incident
    q = (
        select(*[getattr(i, c) for c in LATEST_COLUMNS])
        .where(scope.filter(i), i.priority <= min_priority)
        .order_by(i.reported_at.desc(), i.id.desc())
        .limit(limit)
    )
    with _conn() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=list(LATEST_COLUMNS))
