"""The command wall's snapshot: everything one wall shows for one scope at one tick, as plain JSON.

`wall_snapshot(scope, tick)` composes the figures of one scope, `all_snapshots` those of many in one
pass; data.wall.shared shares them between screens and processes through the cache."""

from __future__ import annotations

import logging

from data.domain.names import UNLOCATED
from data.domain.scope import Scope
from data.domain.timeutil import DAY, HOUR, hour_of, local_day_start
from data.domain.vocab import CATEGORIES, OPEN_STATUSES
from data.read import mapqueries
from data.read.handover_record import duty_for, duty_officers
from data.rules.config import Catalog
from data.wall.facts import CityPass, ScopeReads

log = logging.getLogger("cityops.snapshot")

SPARK_POINTS = 48  # a 24 h sparkline at one point per half hour
TICKER = 14
MARKERS = 30
WARNING_ROWS = 12  # the warnings panel's rows, all levels


def _names(code: str, names: dict, facts=ScopeReads) -> dict:
    if not code:  # imported incidents that no area holds
        return {"zh": UNLOCATED[0], "en": UNLOCATED[1]}
    known = names.get(code)
    if known is None:  # a grid: not in the district/street table
        a = facts.area(code) or {}
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


def _tiles(catalog: Catalog, scope: Scope, tick: int, facts) -> tuple[list[dict], list[dict]]:
    latest = {r["code"]: r for r in facts.readings(scope, tick)}
    tiles = []
    since = hour_of(tick) - DAY
    for code in catalog.wall.tiles:
        ind = catalog.indicator(code)
        tile = _reading(ind, latest)
        tile.update(bands=list(ind.bands) if ind.bands else None, direction=ind.direction)
        tiles.append(tile)
    pairs = tuple((t["code"], t.get("area_code", scope.code)) for t in tiles)
    series = facts.series(pairs, since, tick + HOUR)
    for tile, (code, area_c) in zip(tiles, pairs):
        values = _downsample([v for _, v in series[f"{code}@{area_c}"]], SPARK_POINTS)  # then round: 48, not 1,440
        tile["series"] = [round(float(v), tile["decimals"]) for v in values]
    for tile in tiles:  # a value measured for a wider area says which one (黄浦区数据, 全市数据)
        if tile.get("area_code") not in (None, scope.code):
            tile["area"] = _names(tile["area_code"], facts.names(), facts)
    weather = [_reading(catalog.indicator(c), latest) for c in catalog.wall.weather]
    return tiles, weather


def _incidents(scope: Scope, tick: int, names: dict, facts) -> dict:
    day0 = local_day_start(tick)
    today = facts.counts(scope, day0, tick)
    yday = facts.counts(scope, day0 - DAY, tick - DAY)
    week_start = day0 - 7 * DAY  # whole past days: cached until a late write
    week = facts.counts(scope, week_start, tick)["total"]
    still_open = facts.open_since(scope, week_start)
    loop = facts.loop(scope, tick)
    cats = sorted(CATEGORIES, key=lambda c: -today["by_category"].get(c, 0))
    top_overdue = sorted(loop["overdue_by_child"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]  # ties: by code
    return {
        "today": today["total"],
        "unlocated_today": facts.unlocated(scope, day0, tick),  # among today's: the city's only, else 0
        "yesterday": yday["total"],
        "by_source": {
            s: [today["by_source"].get(s, 0), yday["by_source"].get(s, 0)]
            for s in sorted(set(today["by_source"]) | set(yday["by_source"]))
        },
        "by_category": [[c, today["by_category"].get(c, 0), yday["by_category"].get(c, 0)] for c in cats[:6]],
        "funnel": {s: loop["open"].get(s, 0) for s in OPEN_STATUSES},
        "closed_today": facts.closed(scope, day0, tick),
        "open_total": loop["open_total"],
        # of the incidents reported in the last 7 days (and today), the share already closed
        "closure_rate_7d": round(max(0.0, 1 - still_open / week), 4) if week else None,
        "overdue": loop["overdue"],
        "supervised": facts.supervised(scope),  # 督办: open incidents a leader flagged
        "scores": facts.scores(scope, tick),  # a street's 按期处置率 and 综合指标值 (30 days), else None
        "overdue_top": [[code, _names(code, names, facts), n] for code, n in top_overdue if n > 0],
    }


def _warnings(scope: Scope, names: dict, facts) -> dict:
    active = [w for w in facts.warnings(scope) if w.colours_area]  # safety, not project delays
    by_level: dict[str, int] = {}
    for level in sorted(int(w.level) for w in active):  # string keys: the snapshot survives a JSON round trip
        by_level[str(level)] = by_level.get(str(level), 0) + 1
    severe = sorted((w for w in active if w.level <= 2), key=lambda w: -w.started_at)  # stable: ties keep SQL order

    def row(w) -> dict:
        return {
            "id": int(w.id),
            "level": int(w.level),
            "area_code": w.area_code,
            "area": _names(w.area_code, names, facts),
            "kind": w.kind,
            "cause_zh": w.cause_zh,
            "cause_en": w.cause_en,
            "started_at": int(w.started_at),
        }

    newest = [row(w) for w in severe[:5]]
    # every level, most severe first and newest first within a level (the panel rolls what does not fit)
    rows = [row(w) for w in sorted(active, key=lambda w: (w.level, -w.started_at))[:WARNING_ROWS]]
    red = next((w for w in severe if w.level == 1), None)
    newest_red = None
    if red is not None:
        a = facts.area(red.area_code) or {}
        newest_red = {
            "id": int(red.id),
            "area_code": red.area_code,
            "area": _names(red.area_code, names, facts),
            "lat": a.get("lat"),
            "lon": a.get("lon"),
            "cause_zh": red.cause_zh,
            "cause_en": red.cause_en,
        }
    return {"by_level": by_level, "total": len(active), "newest": newest, "rows": rows, "newest_red": newest_red}


def _projects(scope: Scope, tick: int, names: dict, facts) -> dict:
    df = facts.projects(scope, local_day_start(tick))
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
        a = facts.area(code) or {}
        by_district.append(
            {
                "code": code,
                "name": _names(code, names, facts),
                "lat": a.get("lat"),
                "lon": a.get("lon"),
                "counts": counts,
            }
        )
    return {
        "count": int(len(df)),
        "by_status": by_status,
        "budget": round(float(df.budget.sum()), 1),
        "spend": round(float(df.spend.sum()), 1),
        "delayed": delayed,
        "by_district": by_district,
    }


def _ticker(scope: Scope, names: dict, facts) -> list[dict]:
    return [
        {
            "id": int(r.id),
            "at": int(r.reported_at),
            "street": _names(r.street_code, names, facts),
            "category": r.category,
            "subcategory": r.subcategory,
            "title": r.title,
            "status": r.status,
            "priority": int(r.priority),
        }
        for r in facts.latest(scope, TICKER, 3)
    ]


FRESH_MARKER_S = 1800  # a marker pulses for its first half hour


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


def _map(scope: Scope, tick: int, facts) -> dict:
    colours = facts.colours(scope)
    counts = facts.heat(scope, *mapqueries.heat_window(tick))  # rolling: not empty at 00:05
    hot = facts.recent(scope, MARKERS, 1, tick - DAY)
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
                    "fresh": tick - r.reported_at < FRESH_MARKER_S,  # pulses; not the age: it changes every tick
                },
            }
            for r in hot
            if r.lon is not None  # placed by an area's name only, or unlocated: no point to mark
        ],
    }
    return {
        "levels": {c: int(v) for c, v in colours.items() if c != scope.code},
        "scope_level": int(colours.get(scope.code, 5)),
        "heat": counts,
        "heat_breaks": heat_breaks(counts),
        "markers": markers,
    }


def wall_snapshot(catalog: Catalog, scope: Scope, tick: int, facts=None, duty: dict | None = None) -> dict:
    """Everything the wall shows for scope at tick (Unix seconds, already rounded to the refresh).

    `facts` says where the figures come from: the scope's own reads (the default) or a CityPass
    shared by every scope of the tick (see all_snapshots); the snapshot is the same either way. `duty` is
    the tick's duty officers of every area (read here when not given)."""
    facts = facts or ScopeReads
    tiles, weather = facts.part(("tiles", facts.reading_key(scope)), lambda: _tiles(catalog, scope, tick, facts))
    incident_age, reading_age = facts.ages(scope, tick)
    names = facts.names()  # one cache read for every name on the screen
    return {
        "tick": tick,
        "scope": scope.code,
        "level": scope.level,
        "area": _names(scope.code, names, facts),
        "tiles": tiles,
        "weather": weather,
        "incidents": _incidents(scope, tick, names, facts),
        "warnings": _warnings(scope, names, facts),
        "projects": facts.part(("projects", scope.district), lambda: _projects(scope, tick, names, facts)),
        "ticker": _ticker(scope, names, facts),
        "map": _map(scope, tick, facts),
        "freshness": {"incident_age_s": incident_age, "reading_age_s": reading_age},
        "duty": duty_for(scope.code, duty_officers(tick) if duty is None else duty),  # the header's 值班 (issue 16)
    }


def all_snapshots(catalog: Catalog, scopes, tick: int, city_pass: CityPass | None = None) -> dict[Scope, dict]:
    """The snapshots of many scopes at one tick: city, district and street scopes from one CityPass
    (each aggregate read once for the whole city; `city_pass`, the tick's, when the worker kept it),
    any other scope from its own reads."""
    city_pass = city_pass or CityPass(scopes, tick)
    duty = city_pass.part("duty", lambda: duty_officers(tick))  # one small read a tick for every scope's header
    return {s: wall_snapshot(catalog, s, tick, city_pass if city_pass.covers(s) else None, duty) for s in scopes}
