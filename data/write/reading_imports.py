"""Imported readings through the one write path: an upsert keyed by (indicator, area, ts), one transaction per
call, with the latest values and data versions kept as every other write keeps them. Used by `cityops import
readings` and the ingest API.

Rows are applied in order: a key seen twice in one call counts as an insert then an update (or unchanged),
and the last value is the one stored."""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import Engine, and_, delete, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from data.domain.timeutil import hour_of, now_ts
from data.rules.config import Catalog
from data.rules.engine import STALE_FACTOR, indicator_runs
from data.store.db import bump_versions, read_session, write_session
from data.store.models import Reading, Warning
from data.write import rollups

Key = tuple[str, str, int]
KEYS = ("indicator_code", "area_code", "ts")


def _stored(session, rows: list[dict]) -> dict[Key, float]:
    """The stored values of the rows' keys: one query, a time range per (indicator, area) pair."""
    spans: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        span = spans.setdefault((r["indicator_code"], r["area_code"]), [r["ts"], r["ts"]])
        span[0], span[1] = min(span[0], r["ts"]), max(span[1], r["ts"])
    t = Reading
    cond = or_(
        *[and_(t.indicator_code == c, t.area_code == a, t.ts.between(lo, hi)) for (c, a), (lo, hi) in spans.items()]
    )
    return {
        (c, a, ts): v
        for c, a, ts, v in session.execute(select(t.indicator_code, t.area_code, t.ts, t.value).where(cond))
    }


def _classify(session, rows: list[dict]) -> tuple[dict[Key, dict], dict[str, int]]:
    """(the rows to write, last value per key; the counts), applying the rows in order over what is stored."""
    state = _stored(session, rows)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    changed: dict[Key, dict] = {}
    for r in rows:
        value = float(r["value"])
        if not math.isfinite(value):
            raise ValueError(
                f"reading {r['indicator_code']}@{r['area_code']} at {r['ts']} is not a number: a gap is no row"
            )
        key = (r["indicator_code"], r["area_code"], int(r["ts"]))
        before = state.get(key)
        if before is None:
            counts["inserted"] += 1
        elif before == value:
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        state[key] = value
        changed[key] = {"indicator_code": key[0], "area_code": key[1], "ts": key[2], "value": value}
    return changed, counts


def preview_readings(engine: Engine, rows: list[dict]) -> dict[str, int]:
    """What upsert_readings would do, read only (the dry run)."""
    if not rows:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    with read_session(engine) as s:
        return _classify(s, rows)[1]


def upsert_readings(engine: Engine, source: str, rows: list[dict], now: int | None = None) -> dict:
    """Write readings ({indicator_code, area_code, ts, value}; codes already checked by the caller) sent by
    `source` (the reading table keeps no origin); returns {"inserted", "updated", "unchanged"}. Raises Busy
    when the database does not take the write in time (nothing written: the same call may be retried)."""
    return write_readings(engine, rows, now)[0]


def write_readings(engine: Engine, rows: list[dict], now: int | None = None) -> tuple[dict, dict[tuple, list[int]]]:
    """upsert_readings' work; also the time span [first, last] of what changed per (indicator, area), which
    the importer hands to evaluate_history."""
    now = now if now is not None else now_ts()
    if not rows:
        return {"inserted": 0, "updated": 0, "unchanged": 0}, {}
    spans: dict[tuple, list[int]] = {}
    with write_session(engine) as s:
        changed, counts = _classify(s, rows)
        if changed:
            values = list(changed.values())
            ins = (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(Reading)
            s.execute(ins.on_conflict_do_update(index_elements=list(KEYS), set_={"value": ins.excluded.value}), values)
            rollups.readings_added(s, values)
            late = any(r["ts"] < hour_of(now) for r in values)  # past hours' charts and bands change too
            bump_versions(s, "readings", *(("history",) if late else ()), now=now)
    for c, a, ts in changed:
        span = spans.setdefault((c, a), [ts, ts])
        span[0], span[1] = min(span[0], ts), max(span[1], ts)
    return counts, spans


def evaluate_history(engine: Engine, catalog: Catalog, spans: dict[tuple, list[int]], now: int) -> int:
    """The indicator warnings imported history would have raised, as the live engine raises them: one per run
    of a band level (data.rules.engine.indicator_runs), ending one interval after its last reading or at a
    gap of more than STALE_FACTOR intervals. Ended warnings of the same indicator and area that overlap the
    changed span are recomputed (the span grows to cover them); active ones belong to the live engine and are
    kept, with the readings from their start on. One transaction per indicator and area (an officer's write
    never waits long behind it); running it again gives the same warnings. Returns how many were written."""
    rule = next(iter(catalog.rules_of("indicator")), None)
    written = 0
    for (code, area), (lo, hi) in sorted(spans.items()) if rule is not None else ():
        try:
            ind = catalog.indicator(code)
        except KeyError:
            continue
        if ind.bands is None:
            continue
        with write_session(engine) as s:
            removed, rows = _history(s, ind, area, lo, hi)
            for row in rows:
                row["colours_area"] = rule.colours_area
            if rows:
                s.execute(insert(Warning), rows)
            if rows or removed:
                bump_versions(s, "warnings", now=now)
        written += len(rows)
    return written


def _history(s, ind, area: str, lo: int, hi: int) -> tuple[int, list[dict]]:
    """(ended warnings removed, warning rows to write) for one indicator in one area over [lo, hi]."""
    w, r = Warning, Reading
    mine = and_(w.kind == "indicator", w.subject == ind.code, w.area_code == area)
    redo = s.execute(
        select(w.id, w.started_at, w.ended_at).where(mine, w.ended_at.is_not(None), w.started_at <= hi, w.ended_at > lo)
    ).all()
    lo = min([lo, *(x.started_at for x in redo)])
    hi = max([hi, *(x.ended_at - 1 for x in redo)])
    if redo:
        s.execute(delete(w).where(w.id.in_([x.id for x in redo])))
    kept = s.execute(select(w.started_at, w.ended_at).where(mine)).all()
    pts = s.execute(
        select(r.ts, r.value)
        .where(r.indicator_code == ind.code, r.area_code == area, r.ts.between(lo, hi))
        .order_by(r.ts)
    ).all()
    rows = []
    for ts, values, tail in _segments(pts, kept, ind.interval):
        rows += indicator_runs(ind, area, ts, values, tail_end=tail)
    return len(redo), rows


def _segments(points, kept, interval: int):
    """(ts, values, end) per stretch of readings without a gap of more than STALE_FACTOR intervals and
    outside the kept warnings; each stretch ends one interval after its last reading, or where a kept
    warning begins."""
    if not points:
        return []
    ts = np.array([p[0] for p in points], dtype=np.int64)
    values = np.array([p[1] for p in points], dtype=float)
    inside = np.zeros(len(ts), dtype=bool)
    for start, end in kept:
        inside |= (ts >= start) & (ts < (end if end is not None else np.iinfo(np.int64).max))
    cuts = np.array(sorted({start for start, _ in kept} | {end for _, end in kept if end is not None}), dtype=np.int64)
    part = np.searchsorted(cuts, ts, side="right")  # readings between the same two kept boundaries
    ts, values, part = ts[~inside], values[~inside], part[~inside]
    breaks = np.flatnonzero((np.diff(ts) > STALE_FACTOR * interval) | (np.diff(part) != 0)) + 1
    out = []
    for a, z in zip([0, *breaks.tolist()], [*breaks.tolist(), len(ts)]):
        if a == z:
            continue
        last = int(ts[z - 1])
        later = cuts[cuts > last]
        end = min(last + interval, int(later[0])) if len(later) else last + interval
        out.append((ts[a:z], values[a:z], end))
    return out
