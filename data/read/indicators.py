"""Indicator pages' data: the catalogue with current status, one indicator's history, its values
by district, and the warnings it raised."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func, or_, select

from data.domain.scope import Scope, scoped
from data.domain.timeutil import hour_of
from data.domain.vocab import CITY_CODE
from data.read.incidents import _is_past, current_hour
from data.rules.config import level_for
from data.rules.engine import STALE_FACTOR
from data.store.cache import cached_query, current_engine
from data.store.models import Area, Indicator, LatestReading, Reading, Warning

CATEGORY_ORDER = ("weather", "environment", "traffic", "safety", "utilities", "flood", "crowds", "service")
MAX_POINTS = 1500  # a chart line never needs more points than the screen has pixels


def _conn():
    return current_engine().connect()


@cached_query("readings")
def indicator_catalogue() -> pd.DataFrame:
    with _conn() as conn:
        rows = conn.execute(select(Indicator.__table__)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows])


@cached_query("readings")
def latest_readings(scope: Scope, now: int) -> pd.DataFrame:
    """Latest value per indicator for an area (district-level indicators fall back to the city's
    value when asked for a street): code, value, ts, age_s, stale, level.

    `stale` here is for display: later than 1.5 expected intervals (shown grey, "数据延迟").
    The rules engine uses a looser limit (STALE_FACTOR intervals) before it ignores a reading."""
    area_code = scope.code
    with _conn() as conn:
        rows = conn.execute(
            select(LatestReading.indicator_code, LatestReading.area_code, LatestReading.ts, LatestReading.value).where(
                LatestReading.area_code.in_({area_code, area_code[:6], CITY_CODE})
            )
        ).all()
    return pick_latest(rows, area_code, now)


def pick_latest(rows, area_code: str, now: int) -> pd.DataFrame:
    """latest_readings' answer from (indicator, area, ts, value) rows of the area, its district and the
    city (more rows are ignored): the nearest area's value per indicator, with its level and age."""
    return pd.DataFrame(pick_latest_records(rows, area_code, now))


def catalogue_rows() -> list[tuple]:
    """The indicator catalogue as (code, bands, direction, interval_s) tuples, in catalogue order."""
    return [(i.code, i.bands, i.direction, i.interval_s) for i in indicator_catalogue().itertuples()]


def pick_latest_records(rows, area_code: str, now: int, catalogue: list[tuple] | None = None) -> list[dict]:
    """pick_latest as plain records (the wall's tick asks for them 33 times a tick: no DataFrame);
    `catalogue` is catalogue_rows(), when the caller holds it already."""
    best: dict[str, tuple] = {}
    rank = {CITY_CODE: 2, area_code[:6]: 1, area_code: 0}
    for code, area_c, ts, value in rows:
        if area_c in rank and (code not in best or rank[area_c] < rank[best[code][0]]):
            best[code] = (area_c, ts, value)
    out = []
    for code, bands, direction, interval_s in catalogue_rows() if catalogue is None else catalogue:
        if code not in best:
            continue
        area_c, ts, value = best[code]
        out.append(
            {
                "code": code,
                "area_code": area_c,
                "value": value,
                "ts": ts,
                "age_s": now - ts,
                "stale": now - ts > interval_s * 1.5,
                "level": level_for(value, bands, direction == "up") if bands else 5,
            }
        )
    return out


@cached_query("readings")
def indicator_series(code: str, scope: Scope, start: int, end: int) -> pd.DataFrame:
    """Readings of one indicator in one area in [start, end]: ts, value."""
    r = Reading
    with _conn() as conn:
        rows = conn.execute(
            select(r.ts, r.value)
            .where(r.indicator_code == code, r.area_code == scope.code, r.ts >= start, r.ts <= end)
            .order_by(r.ts)
        ).all()
    return pd.DataFrame(rows, columns=["ts", "value"])


def indicator_series_many(pairs: tuple[tuple[str, str], ...], start: int, end: int) -> dict[str, list]:
    """Readings in [start, end] for several (indicator, area) pairs: {"indicator@area": [[ts, value], ...]}
    in time order (the wall's sparklines). The whole hours before the current one are read once and kept
    on the "history" version (readings arrive every minute: re-reading a day of them for every scope
    on every tick was a third of the wall's tick at 1M); the current hour on the "readings" version."""
    split = min(max(start, min(hour_of(end), current_hour())), end + 1)
    out: dict[str, list] = {f"{c}@{a}": [] for c, a in pairs}
    if split > start:
        past = _series_block if _is_past(split) else _series_block.uncached
        for key, rows in past(pairs, start, split).items():
            out[key] += rows
    if end + 1 > split:
        for key, rows in _series_recent(pairs, split, end + 1).items():
            out[key] += rows
    return out


def _series(pairs: tuple[tuple[str, str], ...], start: int, end: int) -> dict[str, list]:
    """Readings in [start, end) for the pairs, in one round trip."""
    r = Reading
    out: dict[str, list] = {f"{c}@{a}": [] for c, a in pairs}
    if not pairs:
        return out
    cond = or_(*[and_(r.indicator_code == c, r.area_code == a) for c, a in pairs])
    with _conn() as conn:
        for code, area_c, ts, value in conn.execute(
            select(r.indicator_code, r.area_code, r.ts, r.value).where(cond, r.ts >= start, r.ts < end).order_by(r.ts)
        ):
            out[f"{code}@{area_c}"].append([ts, value])
    return out


_series_block = cached_query("history")(_series)  # whole past hours: they change only with a late write
_series_recent = cached_query("readings")(_series)


def stale_indicators(now: int) -> list[str]:
    """Indicators whose newest reading anywhere is older than STALE_FACTOR x their interval."""
    cat = indicator_catalogue()
    with _conn() as conn:
        newest = dict(
            conn.execute(
                select(LatestReading.indicator_code, func.max(LatestReading.ts)).group_by(LatestReading.indicator_code)
            ).all()
        )
    return [c for c, iv in zip(cat.code, cat.interval_s) if now - newest.get(c, 0) > STALE_FACTOR * iv]


def indicator(code: str) -> dict | None:
    """One catalogue entry as a dict, or None for an unknown code."""
    cat = indicator_catalogue()
    rows = cat[cat.code == code]
    return rows.iloc[0].to_dict() if len(rows) else None


@scoped
def catalogue_status(scope: Scope, now: int) -> list[dict]:
    """Every indicator with its value in scope (or the district's or city's where it has none), level and freshness, by category."""
    cat = indicator_catalogue()
    latest = {r["code"]: r for r in latest_readings(scope, now).to_dict("records")}
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    out = []
    for ind in cat.to_dict("records"):
        r = latest.get(ind["code"])
        out.append(
            {
                **ind,
                "value": None if r is None else round(float(r["value"]), ind["decimals"]),
                "level": 5 if r is None else int(r["level"]),
                "age_s": None if r is None else int(r["age_s"]),
                "stale": True if r is None else bool(r["stale"]),
                "area_code": None if r is None else r["area_code"],  # whose value it is: the scope's or a wider area's
            }
        )
    return sorted(out, key=lambda d: (order.get(d["category"], 99), d["code"]))


def downsample(points: list[tuple[int, float]], limit: int = MAX_POINTS) -> list[tuple[int, float]]:
    """Keep at most `limit` points, always the first and the last (min/max per bucket would hide
    nothing more at this density; a readable line is the goal)."""
    if len(points) <= limit:
        return points
    step = len(points) / (limit - 1)
    return [points[int(i * step)] for i in range(limit - 1)] + [points[-1]]


@scoped
def history(code: str, scope: Scope, start: int, end: int) -> list[tuple[int, float]]:
    """(ts, value) of one indicator in one area in [start, end], at most MAX_POINTS."""
    df = indicator_series(code, scope, start, end)
    return downsample(list(zip(df.ts.astype(int).tolist(), df.value.astype(float).tolist())))


@cached_query("readings", "areas")
def by_district(code: str, scope: Scope) -> list[dict]:
    """The newest value of a district-level indicator in each district of scope, with its level."""
    ind = indicator(code)
    if ind is None or ind["area_level"] != "district":
        return []
    with current_engine().connect() as conn:
        rows = conn.execute(
            select(LatestReading.area_code, Area.name_zh, Area.name_en, LatestReading.ts, LatestReading.value)
            .join(Area, Area.code == LatestReading.area_code)
            .where(
                LatestReading.indicator_code == code,
                Area.level == "district",
                Scope(scope.district).prefix(Area.code) if scope.district else True,
            )
            .order_by(LatestReading.area_code)
        ).all()
    bands = ind["bands"]
    return [
        {
            "code": c,
            "name_zh": zh,
            "name_en": en,
            "ts": int(ts),
            "value": round(float(v), ind["decimals"]),
            "level": level_for(v, bands, ind["direction"] == "up") if bands else 5,
        }
        for c, zh, en, ts, v in rows
    ]


@cached_query("warnings")
def raised(code: str, scope: Scope, limit: int = 100) -> list[dict]:
    """Warnings this indicator raised in scope (active and ended), newest first."""
    w = Warning
    with current_engine().connect() as conn:
        rows = (
            conn.execute(
                select(w.id, w.level, w.area_code, w.value, w.cause_zh, w.cause_en, w.started_at, w.ended_at)
                .where(w.kind == "indicator", w.subject == code, scope.prefix(w.area_code))
                .order_by(w.started_at.desc())
                .limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]
