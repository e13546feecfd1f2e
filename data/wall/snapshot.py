"""The command wall's snapshot: everything one wall shows for one scope at one tick, as plain JSON.

`wall_snapshot(scope, tick)` composes the memoized queries; `shared_snapshot` computes it once
per scope per tick into the cache (one writer at a time, the others reuse the entry), so ten walls
on one scope cost one computation and ten cache reads."""

from __future__ import annotations

import logging
import threading
import time

from data.domain.scope import Scope
from data.domain.timeutil import DAY, HOUR, hour_of, local_day_start
from data.domain.vocab import CATEGORIES, OPEN_STATUSES
from data.read import areas, freshness, incidents, indicators, mapqueries, projectdata, warnlist
from data.rules.config import Catalog
from data.store.cache import backend

log = logging.getLogger("cityops.snapshot")

SPARK_POINTS = 48  # a 24 h sparkline at one point per half hour
TICKER = 14
MARKERS = 30
LOCK_SECONDS = 30
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


def _names(code: str, names: dict) -> dict:
    known = names.get(code)
    if known is None:  # a grid: not in the district/street table
        a = areas.area(code) or {}
        known = (a.get("name_zh", code), a.get("name_en", code))
    return {"zh": known[0], "en": known[1]}


def _reading(ind, latest: dict) -> dict:
    row = latest.get(ind.code)
    out = {
        "code": ind.code,
        "name_zh": ind.name_zh,
        "name_en": ind.name_en,
        "unit": ind.unit,
        "decimals": ind.decimals,
        "value": None,
        "level": 5,
        "stale": True,
        "age_s": None,
    }
    if row is not None:
        out.update(
            value=round(float(row["value"]), ind.decimals),
            level=int(row["level"]),
            stale=bool(row["stale"]),
            age_s=int(row["age_s"]),
            area_code=row["area_code"],
        )
    return out


def _downsample(values: list[float], points: int) -> list[float]:
    if len(values) <= points:
        return values
    step = len(values) / points
    return [values[int(i * step)] for i in range(points - 1)] + [values[-1]]


def _tiles(catalog: Catalog, scope: Scope, tick: int) -> tuple[list[dict], list[dict]]:
    latest_df = indicators.latest_readings(scope, tick)
    latest = {r["code"]: r for r in latest_df.to_dict("records")} if len(latest_df) else {}
    tiles = []
    since = hour_of(tick) - DAY
    for code in catalog.wall.tiles:
        ind = catalog.indicator(code)
        tile = _reading(ind, latest)
        tile.update(bands=list(ind.bands) if ind.bands else None, direction=ind.direction)
        tiles.append(tile)
    pairs = tuple((t["code"], t.get("area_code", scope.code)) for t in tiles)
    series = indicators.indicator_series_many(pairs, since, tick + HOUR)
    for tile, (code, area_c) in zip(tiles, pairs):
        values = [round(float(v), tile["decimals"]) for _, v in series[f"{code}@{area_c}"]]
        tile["series"] = _downsample(values, SPARK_POINTS)
    weather = [_reading(catalog.indicator(c), latest) for c in catalog.wall.weather]
    return tiles, weather


def _incidents(scope: Scope, tick: int, names: dict) -> dict:
    day0 = local_day_start(tick)
    today = incidents.incident_counts(scope, day0, tick)
    yday = incidents.incident_counts(scope, day0 - DAY, tick - DAY)
    week_start = day0 - 7 * DAY  # whole past days: cached until a late write
    week = incidents.incident_counts(scope, week_start, tick)["total"]
    still_open = incidents.open_reported_since(scope, week_start)
    loop = incidents.loop_status(scope, tick)
    cats = sorted(CATEGORIES, key=lambda c: -today["by_category"].get(c, 0))
    top_overdue = sorted(loop["overdue_by_child"].items(), key=lambda kv: -kv[1])[:5]
    return {
        "today": today["total"],
        "yesterday": yday["total"],
        "by_source": {
            s: [today["by_source"].get(s, 0), yday["by_source"].get(s, 0)]
            for s in sorted(set(today["by_source"]) | set(yday["by_source"]))
        },
        "by_category": [[c, today["by_category"].get(c, 0), yday["by_category"].get(c, 0)] for c in cats[:6]],
        "funnel": {s: loop["open"].get(s, 0) for s in OPEN_STATUSES},
        "closed_today": incidents.closed_count(scope, day0, tick),
        "open_total": loop["open_total"],
        # of the incidents reported in the last 7 days (and today), the share already closed
        "closure_rate_7d": round(max(0.0, 1 - still_open / week), 4) if week else None,
        "overdue": loop["overdue"],
        "overdue_top": [[code, _names(code, names), n] for code, n in top_overdue if n > 0],
    }


def _warnings(scope: Scope, names: dict) -> dict:
    active = warnlist.active_warnings(scope)
    active = active[active.colours_area.astype(bool)] if len(active) else active  # safety, not project delays
    # string keys: the snapshot must survive a JSON round trip unchanged
    by_level = {str(int(k)): int(v) for k, v in active.groupby("level").size().items()} if len(active) else {}
    severe = active[active.level <= 2].sort_values("started_at", ascending=False) if len(active) else active
    newest = [
        {
            "id": int(w.id),
            "level": int(w.level),
            "area_code": w.area_code,
            "area": _names(w.area_code, names),
            "kind": w.kind,
            "cause_zh": w.cause_zh,
            "cause_en": w.cause_en,
            "started_at": int(w.started_at),
        }
        for w in severe.head(5).itertuples()
    ]
    red = severe[severe.level == 1].head(1) if len(severe) else severe
    newest_red = None
    if len(red):
        w = red.iloc[0]
        a = areas.area(w.area_code) or {}
        newest_red = {
            "id": int(w.id),
            "area_code": w.area_code,
            "area": _names(w.area_code, names),
            "lat": a.get("lat"),
            "lon": a.get("lon"),
            "cause_zh": w.cause_zh,
            "cause_en": w.cause_en,
        }
    return {"by_level": by_level, "total": int(len(active)), "newest": newest, "newest_red": newest_red}


def _projects(scope: Scope, tick: int, names: dict) -> dict:
    df = projectdata.projects(scope, local_day_start(tick))
    if not len(df):
        return {"count": 0, "by_status": {}, "budget": 0, "spend": 0, "delayed": [], "by_district": []}
    rows = df.to_dict("records")
    by_status: dict[str, int] = {}
    per_district: dict[str, dict[str, int]] = {}
    for p in rows:
        by_status[p["status"]] = by_status.get(p["status"], 0) + 1
        counts = per_district.setdefault(p["district_code"], {})
        counts[p["status"]] = counts.get(p["status"], 0) + 1
    delayed = [
        {
            "id": int(p["id"]),
            "name_zh": p["name_zh"],
            "name_en": p["name_en"],
            "spi": float(p["spi"]),
            "progress": float(p["progress"]),
            "planned": float(p["planned"]),
            "status": p["status"],
        }
        for p in rows
        if p["status"] != "on_track"
    ][:4]  # rows come sorted by spi, worst first
    by_district = []
    for code, counts in sorted(per_district.items()):
        a = areas.area(code) or {}
        by_district.append(
            {"code": code, "name": _names(code, names), "lat": a.get("lat"), "lon": a.get("lon"), "counts": counts}
        )
    return {
        "count": int(len(df)),
        "by_status": by_status,
        "budget": round(float(df.budget.sum()), 1),
        "spend": round(float(df.spend.sum()), 1),
        "delayed": delayed,
        "by_district": by_district,
    }


def _ticker(scope: Scope, names: dict) -> list[dict]:
    df = incidents.latest_incidents(scope, limit=TICKER, min_priority=3)
    return [
        {
            "id": int(r.id),
            "at": int(r.reported_at),
            "street": _names(r.street_code, names),
            "category": r.category,
            "subcategory": r.subcategory,
            "title": r.title,
            "status": r.status,
            "priority": int(r.priority),
        }
        for r in df.itertuples()
    ]


def heat_breaks(values: list[int], classes: int = 5) -> list[int]:
    """Class breaks for the heat layer: quantiles of the non-empty bins, strictly ascending."""
    nonzero = sorted(v for v in values if v > 0)
    if not nonzero:
        return []
    breaks = []
    for k in range(1, classes):
        b = nonzero[min(len(nonzero) - 1, int(len(nonzero) * k / classes))]
        if b > (breaks[-1] if breaks else 1):  # the first class starts at 1
            breaks.append(b)
    return breaks


def _map(scope: Scope, tick: int) -> dict:
    colours = warnlist.area_colours(scope)
    counts = mapqueries.heat_bins(scope, *mapqueries.heat_window(tick))  # rolling: not empty at 00:05
    hot = incidents.latest_incidents(scope, limit=MARKERS, min_priority=1)
    hot = hot[hot.reported_at >= tick - DAY]
    markers = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
                "properties": {
                    "id": int(r.id),
                    "title": r.title,
                    "status": r.status,
                    "age_s": int(tick - r.reported_at),
                },
            }
            for r in hot.itertuples()
        ],
    }
    return {
        "levels": {c: int(v) for c, v in colours.items() if c != scope.code},
        "scope_level": int(colours.get(scope.code, 5)),
        "heat": counts,
        "heat_breaks": heat_breaks(counts),
        "markers": markers,
    }


def wall_snapshot(catalog: Catalog, scope: Scope, tick: int) -> dict:
    """Everything the wall shows for scope at tick (Unix seconds, already rounded to the refresh)."""
    tiles, weather = _tiles(catalog, scope, tick)
    fresh = freshness.freshness(scope, tick)
    names = areas.area_names()  # one cache read for every name on the screen
    return {
        "tick": tick,
        "scope": scope.code,
        "level": scope.level,
        "area": _names(scope.code, names),
        "tiles": tiles,
        "weather": weather,
        "incidents": _incidents(scope, tick, names),
        "warnings": _warnings(scope, names),
        "projects": _projects(scope, tick, names),
        "ticker": _ticker(scope, names),
        "map": _map(scope, tick),
        "freshness": {
            "incident_age_s": fresh.get("newest_incident_age_s"),
            "reading_age_s": fresh.get("newest_reading_age_s"),
        },
    }


def _local_lock(key: str) -> threading.Lock:
    with _local_guard:
        return _local_locks.setdefault(key, threading.Lock())


def shared_snapshot(
    catalog: Catalog, scope: Scope, tick: int, wait: float = 2.0, compute_late: bool = True
) -> dict | None:
    """The scope's snapshot for this tick, computed by one writer and shared through the cache.

    Another process or thread already computing it: wait up to `wait` seconds for its result, then
    serve the previous tick's snapshot rather than pile on (or None with compute_late=False, for the
    refresh-ahead thread). Errors propagate (the caller keeps the screen's last good data and says so).
    """
    cache = backend()
    key, lock_key = f"wall-snapshot:{scope.code}", f"wall-snapshot-lock:{scope.code}"
    entry = cache.get(key)
    if entry is not None and entry["tick"] >= tick:
        return entry
    local = _local_lock(scope.code)
    deadline = time.monotonic() + wait
    if local.acquire(timeout=wait):
        try:
            entry = cache.get(key)  # a thread of this process may have just written it
            if entry is not None and entry["tick"] >= tick:
                return entry
            # one writer across processes; with the cache down there is nobody to share with
            if cache.add(lock_key, tick, timeout=LOCK_SECONDS) or not getattr(cache, "available", True):
                try:
                    fresh = wall_snapshot(catalog, scope, tick)
                    cache.set(key, fresh, timeout=max(600, LOCK_SECONDS * 4))
                    return fresh
                finally:
                    cache.delete(lock_key)
        finally:
            local.release()
    while time.monotonic() < deadline:  # another process is writing: wait for its entry
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None and entry["tick"] >= tick:
            return entry
    if entry is not None or not compute_late:
        return entry
    log.warning("wall snapshot for %s not ready after %.1f s; computing it here", scope, wait)
    return wall_snapshot(catalog, scope, tick)
