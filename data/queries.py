"""Named, memoized, scoped read functions: everything the pages need, as plain data.

Every function takes an explicit scope (an area code the caller may see, from
data.scope.resolve_scope) and explicit times (Unix seconds, rounded by the caller to its
refresh tick so that screens share cache entries). Results are dicts, lists and DataFrames.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func, or_, select

from data import metrics
from data.cache import cached_query, current_engine
from data.mapqueries import round_geometry
from data.metrics import level_of, scope_filter
from data.models import (
    CITY_CODE,
    OPEN_STATUSES,
    Area,
    DataVersion,
    Incident,
    Indicator,
    LatestReading,
    Project,
    Reading,
    RollupGridDay,
    RollupIncidentDay,
    RollupIncidentHour,
    Warning,
)
from data.ruleconfig import level_for
from data.rules import STALE_FACTOR, schedule_performance
from data.timeutil import DAY, HOUR, OFFSET, hour_of, now_ts

PROJECT_GRACE_DAYS = 14
CHILD_LEVEL = {"city": "district", "district": "street", "street": "grid", "grid": None}


def _conn():
    return current_engine().connect()


# ---- areas ----------------------------------------------------------------------------


@cached_query("areas")
def area(code: str) -> dict | None:
    """One area's attributes (no geometry), or None if the code is unknown."""
    cols = [c for c in Area.__table__.columns if c.name != "geometry"]
    with _conn() as conn:
        row = conn.execute(select(*cols).where(Area.code == code)).mappings().first()
    return dict(row) if row else None


@cached_query("areas")
def area_names() -> dict[str, tuple[str, str]]:
    """{code: (name_zh, name_en)} for the city, districts and streets (one read for a whole panel)."""
    with _conn() as conn:
        rows = conn.execute(select(Area.code, Area.name_zh, Area.name_en).where(Area.level != "grid")).all()
    return {c: (zh, en) for c, zh, en in rows}


@cached_query("areas")
def lineage(code: str) -> list[dict]:
    """The area and its ancestors, city first (for breadcrumbs); [] for an unknown code."""
    out = []
    current = area(code)
    while current is not None:
        out.append(current)
        current = area(current["parent_code"]) if current["parent_code"] else None
    return out[::-1]


@cached_query("areas")
def children(code: str) -> pd.DataFrame:
    """Child areas of code: code, name_zh, name_en, level, lon, lat, area_km2, approximate."""
    with _conn() as conn:
        rows = conn.execute(select(Area.code, Area.name_zh, Area.name_en, Area.level, Area.lon, Area.lat, Area.area_km2,
                                   Area.approximate).where(Area.parent_code == code).order_by(Area.code)).all()
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "level", "lon", "lat", "area_km2", "approximate"])


@cached_query("areas")
def outlines(code: str) -> dict:
    """GeoJSON FeatureCollection of code's children, coordinates rounded to ~1 m (static: serve it
    once from a route, recolour by id)."""

    with _conn() as conn:
        rows = conn.execute(select(Area.code, Area.name_zh, Area.name_en, Area.approximate, Area.geometry)
                            .where(Area.parent_code == code).order_by(Area.code)).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": c, "geometry": round_geometry(geom),
         "properties": {"code": c, "name_zh": zh, "name_en": en, "approximate": bool(approx)}}
        for c, zh, en, approx, geom in rows]}


# ---- incidents ------------------------------------------------------------------------


def _day_grain(scope: str, h0: int, h1: int):
    """The day rollup when [h0, h1) is whole Shanghai days of the city or a district, else None."""
    whole_days = (h0 + OFFSET) % DAY == 0 and (h1 - h0) % DAY == 0
    return RollupIncidentDay if whole_days and level_of(scope) in ("city", "district") else None


@cached_query("history")
def _reported_hours(scope: str, h0: int, h1: int) -> list[tuple[str, str, int]]:
    """(source, category, n) reported in the whole past hours [h0, h1) (see _is_past)."""
    day = _day_grain(scope, h0, h1)
    r = day or RollupIncidentHour
    t = r.day if day else r.hour
    q = (select(r.source, r.category, func.sum(r.reported))
         .where(scope_filter(r, scope), t >= h0, t < h1).group_by(r.source, r.category))
    with _conn() as conn:
        return [(src, cat, int(n or 0)) for src, cat, n in conn.execute(q)]


@cached_query("history")
def _closed_hours(scope: str, h0: int, h1: int) -> int:
    """Incidents closed in the whole past hours [h0, h1)."""
    day = _day_grain(scope, h0, h1)
    r = day or RollupIncidentHour
    t = r.day if day else r.hour
    with _conn() as conn:
        n = conn.execute(select(func.sum(r.closed)).where(scope_filter(r, scope), t >= h0, t < h1)).scalar()
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


def _is_past(h1: int) -> bool:
    """Hours before the current one only change with the "history" version (late writes, re-seeds),
    so their aggregates stay cached while live incidents trickle into the current hour."""
    return h1 <= hour_of(now_ts())


def _reported_exact(conn, scope: str, start: int, end: int) -> dict[tuple[str, str], int]:
    """Reported counts per (source, category) in [start, end): whole hours from the rollup,
    the ragged edges (and grid scopes, below the rollup's grain) from the raw rows' indexes."""
    h0 = start + (-start) % HOUR
    h1 = end - end % HOUR
    if level_of(scope) == "grid":
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
        q = (select(i.source, i.category, func.count()).where(scope_filter(i, scope), i.reported_at >= a, i.reported_at < b)
             .group_by(i.source, i.category))
        for src, cat, n in conn.execute(q):
            totals[(src, cat)] = totals.get((src, cat), 0) + int(n)
    return totals


@cached_query("incidents")
def incident_counts(scope: str, start: int, end: int) -> dict:
    """Incidents reported in [start, end): {'total', 'by_source': {...}, 'by_category': {...}}."""
    with _conn() as conn:
        pairs = _reported_exact(conn, scope, start, end)
    by_source: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for (src, cat), n in pairs.items():
        by_source[src] = by_source.get(src, 0) + n
        by_category[cat] = by_category.get(cat, 0) + n
    return {"total": sum(pairs.values()), "by_source": by_source, "by_category": by_category}


@cached_query("incidents")
def closed_count(scope: str, start: int, end: int) -> int:
    """Incidents closed in the whole hours of [start, end] (the current hour included)."""
    h0, h_end = start - start % HOUR, end - end % HOUR
    if level_of(scope) == "grid":  # below the rollup's grain: a grid holds few enough rows to count
        i = Incident
        with _conn() as conn:
            # closed_at is set exactly while an incident is closed; no status test, so the grid index is used
            return int(conn.execute(select(func.count()).where(
                i.grid_code == scope, i.closed_at >= h0, i.closed_at < h_end + HOUR)).scalar() or 0)
    hours = _closed_hours if _is_past(h_end) else _closed_hours.uncached
    past = sum(hours(scope, a, b) for a, b in aligned_blocks(h0, h_end))
    r = RollupIncidentHour
    with _conn() as conn:
        n = conn.execute(select(func.sum(r.closed)).where(scope_filter(r, scope), r.hour == h_end)).scalar()
    return past + int(n or 0)


@cached_query("incidents")
def loop_status(scope: str, now: int) -> dict:
    """The closed loop now: open incidents per status, overdue total, and overdue per child area."""
    level = level_of(scope)
    child = CHILD_LEVEL[level] or "grid"
    with _conn() as conn:
        per_status = metrics.open_counts(conn, scope, None)
        overdue_by_child = metrics.overdue_counts(conn, scope, now, child)
    return {"open": {s: per_status.get(s, 0) for s in OPEN_STATUSES}, "open_total": sum(per_status.values()),
            "overdue": sum(overdue_by_child.values()), "overdue_by_child": overdue_by_child}


@cached_query("incidents")
def open_reported_since(scope: str, since: int) -> int:
    """Incidents reported since `since` that are still open (a covering-index range per status)."""
    i = Incident
    with _conn() as conn:
        return int(conn.execute(select(func.count()).where(i.status.in_(OPEN_STATUSES), i.reported_at >= since,
                                                           scope_filter(i, scope))).scalar() or 0)


@cached_query("incidents")
def open_by_child(scope: str) -> dict[str, int]:
    child = CHILD_LEVEL[level_of(scope)] or "grid"
    with _conn() as conn:
        return metrics.open_counts(conn, scope, child)


@cached_query("incidents")
def heat(scope: str, start_day: int, end_day: int) -> dict[str, int]:
    """Incidents per grid cell reported on Shanghai days [start_day, end_day] (day-start seconds)."""
    level = level_of(scope)
    q = select(RollupGridDay.grid_code, func.sum(RollupGridDay.reported)).where(
        RollupGridDay.day >= start_day, RollupGridDay.day <= end_day)
    if level != "city":
        q = q.where(RollupGridDay.grid_code.startswith(scope, autoescape=True))
    with _conn() as conn:
        return {g: int(n) for g, n in conn.execute(q.group_by(RollupGridDay.grid_code))}


@cached_query("incidents")
def latest_incidents(scope: str, limit: int = 20, min_priority: int = 3) -> pd.DataFrame:
    """The newest incidents in scope (no personal data): id, time, place, category, status, priority."""
    i = Incident
    q = (select(i.id, i.reported_at, i.source, i.category, i.subcategory, i.title, i.street_code, i.grid_code, i.lon,
                i.lat, i.status, i.priority).where(scope_filter(i, scope), i.priority <= min_priority)
         .order_by(i.reported_at.desc()).limit(limit))
    with _conn() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=["id", "reported_at", "source", "category", "subcategory", "title", "street_code",
                                       "grid_code", "lon", "lat", "status", "priority"])


# ---- indicators -----------------------------------------------------------------------


@cached_query("readings")
def indicator_catalogue() -> pd.DataFrame:
    with _conn() as conn:
        rows = conn.execute(select(Indicator.__table__)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows])


@cached_query("readings")
def latest_readings(area_code: str, now: int) -> pd.DataFrame:
    """Latest value per indicator for an area (district-level indicators fall back to the city's
    value when asked for a street): code, value, ts, age_s, stale, level.

    `stale` here is for display: later than 1.5 expected intervals (shown grey, "数据延迟").
    The rules engine uses a looser limit (STALE_FACTOR intervals) before it ignores a reading."""
    cat = indicator_catalogue()
    with _conn() as conn:
        rows = conn.execute(select(LatestReading.indicator_code, LatestReading.area_code, LatestReading.ts,
                                   LatestReading.value).where(LatestReading.area_code.in_({area_code, area_code[:6], CITY_CODE}))).all()
    best: dict[str, tuple] = {}
    rank = {area_code: 0, area_code[:6]: 1, CITY_CODE: 2}
    for code, area_c, ts, value in rows:
        if code not in best or rank[area_c] < rank[best[code][0]]:
            best[code] = (area_c, ts, value)
    out = []
    for ind in cat.itertuples():
        if ind.code not in best:
            continue
        area_c, ts, value = best[ind.code]
        level = level_for(value, ind.bands, ind.direction == "up") if ind.bands else 5
        out.append({"code": ind.code, "area_code": area_c, "value": value, "ts": ts, "age_s": now - ts,
                    "stale": now - ts > ind.interval_s * 1.5, "level": level})
    return pd.DataFrame(out)


@cached_query("readings")
def indicator_series(code: str, area_code: str, start: int, end: int) -> pd.DataFrame:
    """Readings of one indicator in one area in [start, end]: ts, value."""
    r = Reading
    with _conn() as conn:
        rows = conn.execute(select(r.ts, r.value).where(r.indicator_code == code, r.area_code == area_code,
                                                        r.ts >= start, r.ts <= end).order_by(r.ts)).all()
    return pd.DataFrame(rows, columns=["ts", "value"])


@cached_query("readings")
def indicator_series_many(pairs: tuple[tuple[str, str], ...], start: int, end: int) -> dict[str, list]:
    """Readings in [start, end] for several (indicator, area) pairs in one round trip:
    {"indicator@area": [[ts, value], ...]} in time order (the wall's sparklines)."""
    r = Reading
    out: dict[str, list] = {f"{c}@{a}": [] for c, a in pairs}
    if not pairs:
        return out
    cond = or_(*[and_(r.indicator_code == c, r.area_code == a) for c, a in pairs])
    with _conn() as conn:
        for code, area_c, ts, value in conn.execute(select(r.indicator_code, r.area_code, r.ts, r.value)
                                                    .where(cond, r.ts >= start, r.ts <= end).order_by(r.ts)):
            out[f"{code}@{area_c}"].append([ts, value])
    return out


# ---- warnings -------------------------------------------------------------------------


def _in_scope(col, scope: str):
    return True if scope == CITY_CODE else col.startswith(scope, autoescape=True)


@cached_query("warnings")
def active_warnings(scope: str) -> pd.DataFrame:
    """Active warnings inside scope, most severe and newest first."""
    w = Warning
    q = (select(w.id, w.level, w.area_code, w.kind, w.subject, w.rule_id, w.value, w.cause_zh, w.cause_en,
                w.started_at, w.acknowledged_at).where(w.ended_at.is_(None), _in_scope(w.area_code, scope))
         .order_by(w.level, w.started_at.desc()))
    with _conn() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=["id", "level", "area_code", "kind", "subject", "rule_id", "value", "cause_zh",
                                       "cause_en", "started_at", "acknowledged_at"])


@cached_query("warnings")
def area_colours(scope: str) -> dict[str, int]:
    """Worst active warning level (1 red .. 4 blue, 5 green) of scope and each of its children."""
    child = CHILD_LEVEL[level_of(scope)]
    codes = list(children(scope)["code"]) if child else []
    out = {c: 5 for c in [scope, *codes]}
    w = Warning
    with _conn() as conn:
        for area_code, level in conn.execute(select(w.area_code, func.min(w.level)).where(
                w.ended_at.is_(None), _in_scope(w.area_code, scope)).group_by(w.area_code)):
            out[scope] = min(out[scope], level)
            if child:
                key = area_code[: {"district": 6, "street": 9, "grid": 12}[child]]
                if key in out:
                    out[key] = min(out[key], level)
    return out


# ---- projects -------------------------------------------------------------------------


@cached_query("projects")
def projects(scope: str, now: int) -> pd.DataFrame:
    """Projects in scope with derived KPIs: spi, planned, budget_execution, status (on_track/at_risk/late)."""
    p = Project
    q = select(p.id, p.name_zh, p.name_en, p.department, p.district_code, p.category, p.phase, p.budget, p.spend,
               p.planned_start, p.planned_end, p.actual_end, p.progress)
    if level_of(scope) != "city":
        q = q.where(p.district_code == scope[:6])
    with _conn() as conn:
        df = pd.DataFrame(conn.execute(q).all(), columns=["id", "name_zh", "name_en", "department", "district_code",
                                                           "category", "phase", "budget", "spend", "planned_start",
                                                           "planned_end", "actual_end", "progress"])
    if df.empty:
        return df.assign(spi=[], planned=[], budget_execution=[], status=[])
    kpi = [schedule_performance(pr, ps, pe, now) for pr, ps, pe in zip(df.progress, df.planned_start, df.planned_end)]
    df["spi"] = [round(k[0], 3) for k in kpi]
    df["planned"] = [round(k[1], 3) for k in kpi]
    df["budget_execution"] = (df.spend / df.budget).round(3)
    # too young to judge: a few days of slippage on a plan measured in months is noise (as in the rules)
    young = (now - df.planned_start) < PROJECT_GRACE_DAYS * DAY
    df["status"] = ["on_track" if s >= 0.95 or ph == "operation" or y else "at_risk" if s >= 0.85 else "late"
                    for s, ph, y in zip(df.spi, df.phase, young)]
    return df.sort_values(["spi", "id"]).reset_index(drop=True)


# ---- freshness ------------------------------------------------------------------------


def freshness(now: int) -> dict:
    """When each data domain last changed and its age in seconds (never cached: it is the check)."""
    with _conn() as conn:
        rows = conn.execute(select(DataVersion.domain, DataVersion.version, DataVersion.updated_at)).all()
        newest_incident = conn.execute(select(func.max(Incident.reported_at))).scalar()
        newest_reading = conn.execute(select(func.max(LatestReading.ts))).scalar()
    out = {d: {"version": v, "updated_at": u, "age_s": now - u if u else None} for d, v, u in rows}
    out["newest_incident_age_s"] = now - newest_incident if newest_incident else None
    out["newest_reading_age_s"] = now - newest_reading if newest_reading else None
    return out


def stale_indicators(now: int) -> list[str]:
    """Indicators whose newest reading anywhere is older than STALE_FACTOR x their interval."""
    cat = indicator_catalogue()
    with _conn() as conn:
        newest = dict(conn.execute(select(LatestReading.indicator_code, func.max(LatestReading.ts))
                                   .group_by(LatestReading.indicator_code)).all())
    return [c for c, iv in zip(cat.code, cat.interval_s) if now - newest.get(c, 0) > STALE_FACTOR * iv]

