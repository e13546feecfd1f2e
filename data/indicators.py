"""Indicator pages' data: the catalogue with current status, one indicator's history, its values
by district, and the warnings it raised."""
from __future__ import annotations

from sqlalchemy import select

from data import queries
from data.cache import cached_query, current_engine
from data.models import CITY_CODE, Area, LatestReading, Warning
from data.ruleconfig import level_for

CATEGORY_ORDER = ("weather", "environment", "traffic", "safety", "utilities", "flood", "crowds", "service")
MAX_POINTS = 1500  # a chart line never needs more points than the screen has pixels


def indicator(code: str) -> dict | None:
    """One catalogue entry as a dict, or None for an unknown code."""
    cat = queries.indicator_catalogue()
    rows = cat[cat.code == code]
    return rows.iloc[0].to_dict() if len(rows) else None


def catalogue_status(now: int) -> list[dict]:
    """Every indicator with its city-wide (or city fallback) value, level and freshness, by category."""
    cat = queries.indicator_catalogue()
    latest = {r["code"]: r for r in queries.latest_readings(CITY_CODE, now).to_dict("records")}
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    out = []
    for ind in cat.to_dict("records"):
        r = latest.get(ind["code"])
        out.append({**ind, "value": None if r is None else round(float(r["value"]), ind["decimals"]),
                    "level": 5 if r is None else int(r["level"]), "age_s": None if r is None else int(r["age_s"]),
                    "stale": True if r is None else bool(r["stale"])})
    return sorted(out, key=lambda d: (order.get(d["category"], 99), d["code"]))


def downsample(points: list[tuple[int, float]], limit: int = MAX_POINTS) -> list[tuple[int, float]]:
    """Keep at most `limit` points, always the first and the last (min/max per bucket would hide
    nothing more at this density; a readable line is the goal)."""
    if len(points) <= limit:
        return points
    step = len(points) / (limit - 1)
    return [points[int(i * step)] for i in range(limit - 1)] + [points[-1]]


def history(code: str, area_code: str, start: int, end: int) -> list[tuple[int, float]]:
    """(ts, value) of one indicator in one area in [start, end], at most MAX_POINTS."""
    df = queries.indicator_series(code, area_code, start, end)
    return downsample(list(zip(df.ts.astype(int).tolist(), df.value.astype(float).tolist())))


@cached_query("readings", "areas")
def by_district(code: str) -> list[dict]:
    """The newest value of a district-level indicator in each district, with its level."""
    ind = indicator(code)
    if ind is None or ind["area_level"] != "district":
        return []
    with current_engine().connect() as conn:
        rows = conn.execute(select(LatestReading.area_code, Area.name_zh, Area.name_en, LatestReading.ts,
                                   LatestReading.value)
                            .join(Area, Area.code == LatestReading.area_code)
                            .where(LatestReading.indicator_code == code, Area.level == "district")
                            .order_by(LatestReading.area_code)).all()
    bands = ind["bands"]
    return [{"code": c, "name_zh": zh, "name_en": en, "ts": int(ts), "value": round(float(v), ind["decimals"]),
             "level": level_for(v, bands, ind["direction"] == "up") if bands else 5} for c, zh, en, ts, v in rows]


@cached_query("warnings")
def raised(code: str, limit: int = 100) -> list[dict]:
    """Warnings this indicator raised (active and ended), newest first."""
    w = Warning
    with current_engine().connect() as conn:
        rows = conn.execute(select(w.id, w.level, w.area_code, w.value, w.cause_zh, w.cause_en, w.started_at,
                                   w.ended_at).where(w.kind == "indicator", w.subject == code)
                            .order_by(w.started_at.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]
