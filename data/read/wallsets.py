"""Set-based reads for the wall's tick: each aggregate once for the whole city, grouped by street or
grid, so every active scope's snapshot comes from one pass (data.wall.facts rolls them up).

The per-scope reads in data.read.incidents and friends answer the same questions for one scope;
tests/unit/test_wall_facts.py checks that both give the same snapshot. Whole past hours come from
the rollups in cached blocks aligned to Shanghai days (as there), only the ragged edges and the
current hour from the raw rows' indexes.

Rows are keyed by their place: the street (or grid) they lie in; an imported incident placed only by its
district's name has its district's code, and an unlocated one the empty string (the city counts it, no
district does)."""

from __future__ import annotations

import functools

from sqlalchemy import and_, func, literal, literal_column, select, union_all

from data.domain.areas import roll_up
from data.domain.scope import Scope
from data.domain.timeutil import HOUR
from data.domain.vocab import CITY_CODE, OPEN_STATUSES
from data.read.incidents import LATEST_COLUMNS, _is_past, aligned_blocks
from data.store.cache import cached_query, current_engine
from data.store.models import Area, Incident, LatestReading, RollupIncidentHour, RollupOpen

UNION_CHUNK = 200  # SQLite allows 500 terms in one compound SELECT


def _conn():
    return current_engine().connect()


@cached_query("history")
def _reported_hours(h0: int, h1: int) -> list[tuple[str, str, str, int]]:
    """(place, source, category, n) reported in the whole past hours [h0, h1)."""
    r = RollupIncidentHour
    q = (
        select(r.district_code, r.street_code, r.source, r.category, func.sum(r.reported))
        .where(r.hour >= h0, r.hour < h1)
        .group_by(r.district_code, r.street_code, r.source, r.category)
    )
    with _conn() as conn:
        return [(st or d, src, cat, int(n)) for d, st, src, cat, n in conn.execute(q) if n]


@cached_query("history", local=True)
def _reported_past_rolled(h0: int, h1: int) -> dict[str, dict]:
    """What was reported in the whole past hours [h0, h1), rolled up to every wall area: re-summing a
    week of street rows on every tick was the tick's largest Python cost, and this changes once an
    hour. Kept in each process (local): callers copy before adding to it."""
    return roll_up((st, (src, cat), n) for a, b in aligned_blocks(h0, h1) for st, src, cat, n in _reported_hours(a, b))


def _reported_raw(start: int, end: int) -> list[tuple[str, str, str, int]]:
    i = Incident
    q = (
        select(i.district_code, i.street_code, i.source, i.category, func.count())
        .where(i.reported_at >= start, i.reported_at < end)
        .group_by(i.district_code, i.street_code, i.source, i.category)
    )
    with _conn() as conn:
        return [(st or d, src, cat, int(n)) for d, st, src, cat, n in conn.execute(q)]


def reported_rolled(start: int, end: int) -> dict[str, dict]:
    """{area: {(source, category): n}} reported in [start, end) for the city, every district and street
    (and "" for the unlocated): whole past hours from the rolled rollup, the edges from the raw rows."""
    h0, h1 = start + (-start) % HOUR, end - end % HOUR
    out: dict[str, dict] = {}
    edges = [(start, min(h0, end)), (max(h1, start, h0), end)]
    if h1 > h0 and _is_past(h1):
        out = {area: dict(counts) for area, counts in _reported_past_rolled(h0, h1).items()}  # a copy: it is shared
    elif h1 > h0:
        edges.append((h0, h1))  # hours not yet past (a clock ahead of the data): straight from the rows
    edge_rows = [row for a, b in edges if b > a for row in _reported_raw(a, b)]
    for area, counts in roll_up((st, (src, cat), n) for st, src, cat, n in edge_rows).items():
        table = out.setdefault(area, {})
        for key, n in counts.items():
            table[key] = table.get(key, 0) + n
    return out


@cached_query("history")
def _closed_hours(h0: int, h1: int) -> list[tuple[str, int]]:
    r = RollupIncidentHour
    q = (
        select(r.district_code, r.street_code, func.sum(r.closed))
        .where(r.hour >= h0, r.hour < h1)
        .group_by(r.district_code, r.street_code)
    )
    with _conn() as conn:
        return [(st or d, int(n)) for d, st, n in conn.execute(q) if n]


def closed_by_street(start: int, end: int) -> list[tuple[str, int]]:
    """(street, n) closed in the whole hours of [start, end], the current hour included (as
    incidents.closed_count), with repeats to be summed."""
    h0, h_end = start - start % HOUR, end - end % HOUR
    hours = _closed_hours if _is_past(h_end) else _closed_hours.uncached
    out = [pair for a, b in aligned_blocks(h0, h_end) for pair in hours(a, b)]
    return out + _closed_hours.uncached(h_end, h_end + HOUR)


def open_by_street(now: int) -> list[tuple[str, str, int]]:
    """(place, status, n) of the open incidents; `now` only keys the tick."""
    r = RollupOpen
    q = select(r.district_code, r.street_code, r.status, func.sum(r.count)).group_by(
        r.district_code, r.street_code, r.status
    )
    with _conn() as conn:
        return [(st or d, s, int(n)) for d, st, s, n in conn.execute(q) if n]


def overdue_by_grid(now: int) -> list[tuple[str, int]]:
    """(place, n) of the open incidents past their step's deadline at `now`, with repeats: whole hours
    from rollup_open, the current hour from the incidents whose deadline falls inside it."""
    cur_hour = now - now % HOUR
    r, i = RollupOpen, Incident
    with _conn() as conn:
        past = conn.execute(
            select(r.district_code, r.street_code, r.grid_code, func.sum(r.count))
            .where(r.due_hour < cur_hour)
            .group_by(r.district_code, r.street_code, r.grid_code)
        )
        out = [(g or st or d, int(n)) for d, st, g, n in past if n]
        q = (
            select(i.district_code, i.street_code, i.grid_code, func.count())
            .where(i.status.in_(OPEN_STATUSES), and_(i.due_at >= cur_hour, i.due_at < now))
            .group_by(i.district_code, i.street_code, i.grid_code)
        )
        return out + [(g or st or d, int(n)) for d, st, g, n in conn.execute(q)]


def supervised_by_street() -> list[tuple[str, int]]:
    """(place, n) of the open incidents a leader flagged for supervision (督办)."""
    i = Incident
    q = (
        select(i.district_code, i.street_code, func.count())
        .where(i.status.in_(OPEN_STATUSES), i.supervised_at.is_not(None))
        .group_by(i.district_code, i.street_code)
    )
    with _conn() as conn:
        return [(st or d, int(n)) for d, st, n in conn.execute(q)]


def open_reported_by_street(since: int) -> list[tuple[str, int]]:
    """(place, n) of the incidents reported since `since` that are still open."""
    i = Incident
    q = (
        select(i.district_code, i.street_code, func.count())
        .where(i.status.in_(OPEN_STATUSES), i.reported_at >= since)
        .group_by(i.district_code, i.street_code)  # both: SQLite then reads the covering (status, reported_at) index
    )
    with _conn() as conn:
        return [(st or d, int(n)) for d, st, n in conn.execute(q)]


@functools.lru_cache(maxsize=64)
def _newest_statement(codes: tuple[str, ...], limit: int, max_priority: int):
    """newest_in's UNION for one chunk of areas, built once: building and compiling 200 SELECTs was
    half of newest_in's time, on every tick for the same active areas (bounded: active sets are few)."""
    i = Incident
    cols = [getattr(i, c) for c in LATEST_COLUMNS]
    parts = [
        select(literal(code).label("scope"), *cols)
        .where(Scope(code, CITY_CODE, "system").filter(i), i.priority <= max_priority)
        .order_by(i.reported_at.desc(), i.id.desc())
        .limit(limit)
        .subquery()
        .select()
        for code in codes
    ]
    return union_all(*parts) if len(parts) > 1 else parts[0]


def newest_in(codes: list[str], limit: int, max_priority: int) -> list[tuple]:
    """The `limit` newest incidents of priority <= max_priority in each area of `codes` (city, district
    or street), in one round trip per UNION_CHUNK areas: rows of (area code, *LATEST_COLUMNS), newest first."""
    rows: list = []
    with _conn() as conn:
        for k in range(0, len(codes), UNION_CHUNK):
            rows += conn.execute(_newest_statement(tuple(codes[k : k + UNION_CHUNK]), limit, max_priority)).all()
    return [tuple(r) for r in rows]


def urgent_since(since: int, max_priority: int) -> list[tuple]:
    """Every incident of priority <= max_priority reported since `since`, newest first (the map's markers):
    rows of LATEST_COLUMNS."""
    i = Incident
    q = (
        select(*[getattr(i, c) for c in LATEST_COLUMNS])
        .where(i.priority <= max_priority, i.reported_at >= since)
        .order_by(i.reported_at.desc(), i.id.desc())
    )
    with _conn() as conn:
        return [tuple(r) for r in conn.execute(q)]


def _reported_by_grid(start: int, end: int) -> list[tuple[str, int]]:
    i = Incident
    grid = i.grid_code.concat(literal_column("''"))  # grouped by the bare column, SQLite skip-scans the grid index
    q = select(grid, func.count()).where(i.reported_at >= start, i.reported_at < end).group_by(grid)  # 30 ms -> 1
    with _conn() as conn:
        return [(g, int(n)) for g, n in conn.execute(q)]


_grid_block = cached_query("history")(_reported_by_grid)  # whole past hours: fixed once over


def reported_by_grid(start: int, end: int) -> list[tuple[str, int]]:
    """(grid, n) reported in [start, end), with repeats: whole past hours in cached blocks."""
    h0, h1 = start + (-start) % HOUR, end - end % HOUR
    out: list[tuple[str, int]] = []
    if h1 > h0:
        block = _grid_block if _is_past(h1) else _grid_block.uncached
        for a, b in aligned_blocks(h0, h1):
            out += block(a, b)
    for a, b in ((start, min(h0, end)), (max(h1, h0, start), end)):
        if b > a:
            out += _reported_by_grid(a, b)
    return out


def newest_reported_by_street(since: int) -> dict[str, int]:
    """{place: newest reported_at} among the incidents reported since `since`."""
    i = Incident
    q = (
        select(i.district_code, i.street_code, func.max(i.reported_at))
        .where(i.reported_at >= since)
        .group_by(i.district_code, i.street_code)
    )
    out: dict[str, int] = {}
    with _conn() as conn:
        for d, st, ts in conn.execute(q):
            out[st or d] = max(out.get(st or d, 0), int(ts))
    return out


def newest_reported(code: str) -> int | None:
    """The newest reported_at in one area (a street with nothing in the recent window)."""
    i = Incident
    with _conn() as conn:
        ts = conn.execute(select(func.max(i.reported_at)).where(Scope(code, CITY_CODE, "system").filter(i))).scalar()
    return int(ts) if ts is not None else None


def latest_readings_all() -> list[tuple[str, str, int, float]]:
    """(indicator, area, ts, value) of every area's latest reading (a few hundred rows)."""
    r = LatestReading
    with _conn() as conn:
        return [tuple(row) for row in conn.execute(select(r.indicator_code, r.area_code, r.ts, r.value))]


@cached_query("areas")
def area_tree() -> dict[str, list[str]]:
    """{parent code: its children's codes in code order} for the whole tree, grids included."""
    out: dict[str, list[str]] = {}
    with _conn() as conn:
        for code, parent in conn.execute(select(Area.code, Area.parent_code).order_by(Area.code)):
            if parent:
                out.setdefault(parent, []).append(code)
    return out


@cached_query("areas")
def grid_names() -> dict[str, tuple[str, str]]:
    """{grid code: (name_zh, name_en)}: the names area_names leaves out, for one read per tick."""
    with _conn() as conn:
        rows = conn.execute(select(Area.code, Area.name_zh, Area.name_en).where(Area.level == "grid")).all()
    return {c: (zh, en) for c, zh, en in rows}
