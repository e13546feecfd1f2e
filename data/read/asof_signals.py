"""Warnings and vital-sign readings as they stood at a past moment `at` (the wall's replay, data.wall.replay).

A warning was active at `at` when it had started by then and had not yet ended (a level change ends one
warning and opens another, so a warning's level never changes). Its value and sentence are the ones it
showed then: the rules engine replaces them in place as the value it cites moves, and keeps each replaced
pair in warning_value with the moment it stopped showing (migration 0019); a warning with no replaced pair
after `at` showed what it shows now. A reading stood at `at` when it was the newest of its indicator and
area at or before `at`."""

from __future__ import annotations

from collections import namedtuple

from sqlalchemy import (
    Connection,
    and_,
    case,
    func,
    or_,
    select,
)

from data.domain.scope import Scope
from data.store.models import LatestReading, Reading, Warning
from data.store.models_replay import WarningValue

warning_value = WarningValue.__table__  # the rules engine's replaced values (migration 0019)
COLUMNS = (  # as warnlist.active_warnings returns them
    "id",
    "level",
    "area_code",
    "kind",
    "subject",
    "rule_id",
    "value",
    "cause_zh",
    "cause_en",
    "started_at",
    "acknowledged_at",
    "colours_area",
)
WarningRow = namedtuple("WarningRow", COLUMNS)
CHUNK = 400  # ids per IN list


def active_warnings(conn: Connection, scope: Scope, at: int) -> list[WarningRow]:
    """The warnings active at `at` inside scope, most severe and newest first (as warnlist.active_warnings),
    each with the value and sentence it showed at `at` and its acknowledgement only if made by then."""
    w = Warning
    acknowledged = case((w.acknowledged_at <= at, w.acknowledged_at), else_=None)
    cols = [acknowledged.label("acknowledged_at") if c == "acknowledged_at" else getattr(w, c) for c in COLUMNS]
    q = (
        select(*cols)
        .where(w.started_at <= at, or_(w.ended_at.is_(None), w.ended_at > at), scope.prefix(w.area_code))
        .order_by(w.level, w.started_at.desc(), w.id.desc())
    )
    rows = [WarningRow(*r) for r in conn.execute(q)]
    shown = _shown_then(conn, [r.id for r in rows], at)
    return [r._replace(**shown[r.id]) if r.id in shown else r for r in rows]


def _shown_then(conn: Connection, ids: list[int], at: int) -> dict[int, dict]:
    """{warning id: {value, cause_zh, cause_en}} for the warnings whose pair shown at `at` was replaced
    since: the first replaced pair that was still showing after `at`."""
    v = warning_value
    out: dict[int, dict] = {}
    for k in range(0, len(ids), CHUNK):
        q = (
            select(v.c.warning_id, v.c.value, v.c.cause_zh, v.c.cause_en)
            .where(v.c.warning_id.in_(ids[k : k + CHUNK]), v.c.until > at)
            .order_by(v.c.warning_id, v.c.until.desc(), v.c.id.desc())
        )
        for wid, value, zh, en in conn.execute(q):  # the last of each warning's rows is its earliest
            out[wid] = {"value": value, "cause_zh": zh, "cause_en": en}
    return out


def readings_at(conn: Connection, areas: set[str], at: int) -> list[tuple[str, str, int, float]]:
    """(indicator, area, ts, value) of the newest reading at or before `at` of every indicator in `areas`
    (those without one yet are left out): the rows latest_reading held at `at`."""
    lr, r = LatestReading, Reading
    ts_then = (
        select(func.max(r.ts))
        .where(r.indicator_code == lr.indicator_code, r.area_code == lr.area_code, r.ts <= at)
        .scalar_subquery()
    )
    out, older = [], []
    for code, area, ts, value, then in conn.execute(
        select(lr.indicator_code, lr.area_code, lr.ts, lr.value, ts_then).where(lr.area_code.in_(sorted(areas)))
    ):
        if then is None:
            continue
        if then == ts:  # the newest reading now was already the newest then
            out.append((code, area, int(ts), float(value)))
        else:
            older.append((code, area, then))
    if older:
        cond = or_(*[and_(r.indicator_code == c, r.area_code == a, r.ts == t) for c, a, t in older])
        out += [
            (c, a, int(t), float(v))
            for c, a, t, v in conn.execute(select(r.indicator_code, r.area_code, r.ts, r.value).where(cond))
        ]
    return sorted(out)


def next_red(conn: Connection, scope: Scope, after: int, until: int) -> int | None:
    """When the next red warning that colours areas started in scope, after `after` and by `until` (the
    replay's "jump to the next red warning"); None when none did."""
    w = Warning
    q = select(func.min(w.started_at)).where(
        w.level == 1, w.colours_area.is_(True), w.started_at > after, w.started_at <= until, scope.prefix(w.area_code)
    )
    ts = conn.execute(q).scalar()
    return int(ts) if ts is not None else None
