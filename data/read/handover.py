"""What a scope's shift saw (交接班, issue 16), from history, not from today's rows: incidents opened, closed
and gone overdue in it, and those open at its end (an incident closed since still counts); warnings raised,
acknowledged and cleared; vital signs out of band and for how long; 督办 flags. Every read is a function of
(scope, start, end), so a replay can reuse it. A shift gone by is cached (its figures change only with a
late write or a warning's end); one under way is read whole each time.
Shifts themselves, the notes and the confirmation: data/read/handover_record.py."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import aliased

from data.domain.scope import Scope, scoped
from data.domain.timeutil import now_ts
from data.domain.vocab import ACTIONS, CITY_CODE, OPEN_STATUSES
from data.read.handover_record import Shift
from data.read.indicators import indicator_catalogue
from data.rules.config import level_for
from data.store.cache import cached_query, current_engine
from data.store.models import Incident, IncidentHistory, LatestReading, Reading, Warning

CLOSING = (*(a for a, m in ACTIONS.items() if m.to_status == "closed"), "import")  # the moves that may close
H, Inc, W, R = IncidentHistory, Incident, Warning, Reading
ROW = (H.id, H.incident_id, H.at, H.to_status, H.due_at, H.unit)


class Step(NamedTuple):
    """A history row as the handover reads it (a plain tuple: a shift's tens of thousands are walked in Python)."""

    id: int
    incident_id: int
    at: int
    to_status: str
    due_at: int | None
    unit: str | None
    from_status: str | None = None
    action: str | None = None
    actor: str | None = None


# ---- incidents, from history ----------------------------------------------------------------------------


def _row_before(at: int):
    """The history row an incident (correlated to Incident) stood on just before `at`."""
    h = aliased(H)
    q = select(h.id).where(h.incident_id == Inc.id, h.at < at).order_by(h.at.desc(), h.id.desc()).limit(1)
    return q.scalar_subquery()


def _from_history(conn, scope: Scope, at: int, now: int) -> bool:
    """Whether the incidents closed since `at` are found from the history written since (little when `at` is
    recent) rather than from the scope's closed incidents reported before `at` (little for a street, or
    when `at` is long ago): both give the same rows, at a cost that grows with each side's span."""
    if scope.level in ("street", "grid"):
        return False
    oldest = conn.execute(select(func.min(Inc.reported_at))).scalar() or at
    return 6 * max(0, now - at) < max(0, at - oldest)


def _rows_before(conn, scope: Scope, at: int, now: int):
    """The ids of the rows the scope's incidents that may have been open at `at` stood on then: those open now
    and those closed since, both reported before `at` (the caller keeps the rows that are not closed)."""
    open_now = select(_row_before(at)).where(Inc.status.in_(OPEN_STATUSES), Inc.reported_at < at, scope.filter(Inc))
    if _from_history(conn, scope, at, now):
        closed = select(H.incident_id).where(H.at >= at, or_(H.action.in_(CLOSING), H.action.is_(None)))
        since = select(_row_before(at)).where(Inc.id.in_(closed), Inc.reported_at < at, scope.filter(Inc))
    else:
        h = aliased(H)
        moved = select(h.id).where(h.incident_id == Inc.id, h.at >= at).exists()
        since = select(_row_before(at)).where(Inc.status == "closed", Inc.reported_at < at, scope.filter(Inc), moved)
    return union(open_now, since)


@scoped
def open_at(scope: Scope, at: int, now: int) -> list:
    """The incidents in scope that were open at `at`, whatever they are now: the history rows they stood on
    (named tuples: id, incident_id, at, to_status, due_at (None: parked), unit)."""
    with current_engine().connect() as conn:
        ids = _rows_before(conn, scope, at, now)
        return [Step(*r) for r in conn.execute(select(*ROW).where(H.id.in_(ids), H.to_status != "closed"))]


@scoped
def moves_in(scope: Scope, start: int, end: int) -> list:
    """The history rows of the scope's incidents in [start, end), in order (named tuples: id, incident_id, at,
    to_status, due_at, unit, from_status, action, actor)."""
    q = select(*ROW, H.from_status, H.action, H.actor).where(H.at >= start, H.at < end)
    if scope.filter(Inc) is not True:  # the city's rows need no look at their incidents
        q = q.join(Inc, Inc.id == H.incident_id).where(scope.filter(Inc))
    with current_engine().connect() as conn:
        return [Step(*r) for r in conn.execute(q.order_by(H.at, H.id))]


def steps(before: list, moves: list) -> dict[int, list]:
    """{incident: its rows in order}: the row it stood on at the window's start (open ones), then its moves."""
    out = {r.incident_id: [r] for r in before}
    for m in moves:
        out.setdefault(m.incident_id, []).append(m)
    return out


def overdue_of(walk: dict[int, list], start: int, end: int) -> list[dict]:
    """The incidents whose step deadline passed in [start, end) while the step was under way (its next move
    came later, or not yet), from each incident's rows (steps()); each once, with its first such step
    (incident_id, due_at, to_status, unit), by deadline."""
    out = []
    for rows in walk.values():
        for row, nxt in zip(rows, [*rows[1:], None]):
            due = row.due_at
            passed = row.to_status != "closed" and due is not None and start <= due < end and row.at <= due
            if passed and (nxt is None or nxt.at > due):
                out.append(
                    {"incident_id": row.incident_id, "due_at": due, "to_status": row.to_status, "unit": row.unit}
                )
                break
    return sorted(out, key=lambda r: (r["due_at"], r["incident_id"]))


def open_after(walk: dict[int, list]) -> list:
    """The incidents open at the window's end: each incident's last row (steps(): the open rows at its start,
    then the moves in it, a report or a reopen among them) when that row is not a close."""
    return [rows[-1] for rows in walk.values() if rows[-1].to_status != "closed"]


def closed_of(moves: list) -> list:
    """The incidents closed by the moves, each once with its last close (incident_id, at, action, actor), newest
    first."""
    out = {m.incident_id: m for m in moves if m.to_status == "closed" and m.from_status != "closed"}
    return sorted(out.values(), key=lambda m: (-m.at, -m.id))


def supervised_of(moves: list) -> list:
    """The 督办 flags the moves raised (incident_id, at, actor), oldest first."""
    return [m for m in moves if m.action == "supervise"]


@scoped
def went_overdue(scope: Scope, start: int, end: int, now: int) -> list[dict]:
    """overdue_of the scope's incidents in [start, end)."""
    return overdue_of(steps(open_at(scope, start, now), moves_in(scope, start, end)), start, end)


@scoped
def opened_in(scope: Scope, start: int, end: int, limit: int) -> tuple[int, list[int]]:
    """(how many incidents in scope were reported in [start, end), the ids of the newest `limit`)."""
    cond = (Inc.reported_at >= start, Inc.reported_at < end, scope.filter(Inc))
    with current_engine().connect() as conn:
        n = conn.execute(select(func.count()).select_from(Inc).where(*cond)).scalar() or 0
        ids = conn.execute(select(Inc.id).where(*cond).order_by(Inc.reported_at.desc(), Inc.id.desc()).limit(limit))
        return int(n), list(ids.scalars())


def details(ids) -> dict[int, dict]:
    """{id: title, category, street_code, grid_code, priority, reported_at, status (now)} of incidents the
    caller already found in its scope."""
    ids, out = sorted(set(ids)), {}
    cols = (Inc.id, Inc.title, Inc.category, Inc.street_code, Inc.grid_code, Inc.priority, Inc.reported_at, Inc.status)
    with current_engine().connect() as conn:
        for i in range(0, len(ids), 900):
            out.update(
                {r["id"]: dict(r) for r in conn.execute(select(*cols).where(Inc.id.in_(ids[i : i + 900]))).mappings()}
            )
    return out


# ---- warnings and vital signs ------------------------------------------------------------------------


@scoped
def warnings_in(scope: Scope, start: int, end: int) -> list[dict]:
    """Warnings in scope raised, acknowledged or ended in [start, end), oldest first (who acknowledged: a user
    id; the rules raise and end them)."""
    span = [and_(col >= start, col < end) for col in (W.started_at, W.acknowledged_at, W.ended_at)]
    cols = (W.id, W.level, W.area_code, W.kind, W.cause_zh, W.cause_en, W.started_at, W.ended_at)
    q = select(*cols, W.acknowledged_at, W.acknowledged_by).where(scope.prefix(W.area_code), or_(*span))
    with current_engine().connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(W.started_at, W.id)).mappings()]


def _series(conn, scope: Scope, codes) -> list[tuple[str, str]]:
    """The (indicator, area) series a scope's vital signs are read from: its own areas' where it has them,
    else the nearest enclosing area's (a street reads its district's rainfall), as its wall does."""
    near = {a: i for i, a in enumerate(dict.fromkeys((scope.code, scope.code[:9], scope.code[:6], CITY_CODE)))}
    have: dict[str, list[str]] = {}
    for code, area in conn.execute(select(LatestReading.indicator_code, LatestReading.area_code)):
        if code in codes:
            have.setdefault(code, []).append(area)
    out = []
    for code, areas in sorted(have.items()):
        inside = sorted(a for a in areas if scope.contains(a))
        outside = sorted((a for a in areas if a in near), key=near.get)
        out += [(code, a) for a in inside or outside[:1]]
    return out


@scoped
def vitals_out(scope: Scope, start: int, end: int) -> list[dict]:
    """The vital signs of the scope out of band (past their blue threshold) in [start, end), from readings:
    code, area_code, name_zh, name_en, unit, decimals, out_s (seconds out in the window), since (first moment
    out), still (out at the end), peak (the worst value), level (its colour); the longest first."""
    cat = {r["code"]: r for r in indicator_catalogue().to_dict("records") if isinstance(r.get("bands"), list)}
    if not cat:
        return []
    every: dict[int, list[str]] = {}  # the reading standing at `start`: within two intervals before it
    for c, r in cat.items():
        every.setdefault(2 * int(r["interval_s"]), []).append(c)
    with current_engine().connect() as conn:
        pairs = _series(conn, scope, cat)
        if not pairs:
            return []
        up = {c: r["direction"] == "up" for c, r in cat.items()}
        over = or_(*(and_(R.indicator_code == c, R.value >= r["bands"][0] if up[c] else R.value <= r["bands"][0])
                     for c, r in cat.items()))  # fmt: skip
        base = (
            select(R.indicator_code, R.area_code, R.ts, R.value, case((over, 1), else_=0).label("out"))
            .where(R.indicator_code.in_(sorted({c for c, _ in pairs})), R.area_code.in_(sorted({a for _, a in pairs})))
            .where(R.ts >= start - max(every), R.ts < end)
            .where(or_(*(and_(R.indicator_code.in_(sorted(c)), R.ts >= start - back) for back, c in every.items())))
        ).subquery()
        prev = func.lag(base.c.out).over(partition_by=(base.c.indicator_code, base.c.area_code), order_by=base.c.ts)
        seq = select(base, prev.label("prev")).subquery()
        q = (
            select(seq)
            .where(or_(seq.c.out == 1, seq.c.prev == 1))
            .order_by(seq.c.indicator_code, seq.c.area_code, seq.c.ts)
        )
        rows = conn.execute(q).all()
    wanted, runs = set(pairs), {}
    for code, area, ts, value, out, _prev in rows:
        if (code, area) in wanted:
            runs.setdefault((code, area), []).append((ts, value, out))
    found = []
    for (code, area), points in runs.items():
        s = _spans(points, start, end, up[code])
        if s["out_s"] > 0:
            s["level"] = level_for(s["peak"], cat[code]["bands"], up[code])
            ind = {k: cat[code][k] for k in ("name_zh", "name_en", "unit", "decimals")}
            found.append({"code": code, "area_code": area, **ind, **s})
    return sorted(found, key=lambda v: (-v["out_s"], v["code"], v["area_code"]))


def _spans(points: list[tuple], start: int, end: int, up: bool) -> dict:
    """Seconds out of band inside [start, end) from a series' out-of-band readings and the in-band readings
    that ended each run (ts order); a run still open ends at `end`. The peak is the worst value that stood
    inside the window (the one standing at `start` included)."""
    total, since, peak, began = 0, None, None, None
    for ts, value, out in [*points, (end, None, 0)]:
        if out and began is None:
            began = ts
        if ts < start:
            peak = value if out else None  # the value standing when the window opens
        elif out and ts < end:
            peak = value if peak is None or (value > peak if up else value < peak) else peak
        if not out and began is not None:
            a, b = max(began, start), min(ts, end)
            if b > a:
                total += b - a
                since = a if since is None else since
            began = None
    still = bool(points) and points[-1][2] == 1
    return {"out_s": total, "since": since, "still": still, "peak": peak}


# ---- the whole shift --------------------------------------------------------------------------------------

LIST_CAP = 50  # rows per list on the page (the counts are whole; the download takes more)
PAST_KEEP_S = 600  # the incidents' details (title, place) a past shift's lists show are at most this old


@scoped
def shift_report(scope: Scope, shift: Shift, now: int, limit: int = LIST_CAP) -> dict:
    """What the handover shows of a shift (up to `now` while it is under way): "counts", and lists of at most
    `limit` rows: "inherited" (open at the end, by deadline, parked last), "opened", "closed", "overdue",
    "supervised" (incident rows carry the incident's details under "inc"), "warnings" and "vitals"."""
    if shift.end <= now:  # the city's at 1M incidents costs a second of CPU: once per shift, not per reader
        return _past_report(scope, shift.start, shift.end, limit)
    return _report(scope, shift, now, limit)


@cached_query("history", "warnings", timeout=PAST_KEEP_S)
def _past_report(scope: Scope, start: int, end: int, limit: int) -> dict:
    return _report(scope, Shift(start, end), max(now_ts(), end), limit)  # `now` only picks the cheaper plan


def _report(scope: Scope, shift: Shift, now: int, limit: int) -> dict:
    end = min(shift.end, now)
    moves = moves_in(scope, shift.start, end)
    walk = steps(open_at(scope, shift.start, now), moves)
    inherited = open_after(walk)
    inherited.sort(key=lambda r: (r.due_at is None, r.due_at or 0, r.incident_id))
    n_opened, opened = opened_in(scope, shift.start, end, limit)
    lists = {
        "inherited": inherited,
        "closed": closed_of(moves),
        "overdue": overdue_of(walk, shift.start, end),
        "supervised": supervised_of(moves),
    }
    warnings, vitals = warnings_in(scope, shift.start, end), vitals_out(scope, shift.start, end)

    def within(col: str) -> int:
        return sum(1 for w in warnings if w[col] is not None and shift.start <= w[col] < end)

    counts = {k: len(v) for k, v in lists.items()} | {
        "opened": n_opened,
        "vitals": len(vitals),
        "warnings": len(warnings),
    }
    counts |= {"raised": within("started_at"), "acknowledged": within("acknowledged_at"), "cleared": within("ended_at")}
    counts["inherited_overdue"] = sum(1 for r in inherited if r.due_at is not None and r.due_at < end)
    shown = {k: [r if isinstance(r, dict) else r._asdict() for r in v[:limit]] for k, v in lists.items()}
    info = details([r["incident_id"] for rows in shown.values() for r in rows] + opened)
    for rows in shown.values():
        for r in rows:
            r["inc"] = info.get(r["incident_id"], {})
    shown["opened"] = [{"incident_id": i, "inc": info[i]} for i in opened if i in info]
    report = {"start": shift.start, "end": shift.end, "until": end, "running": shift.end > now, "counts": counts}
    return report | shown | {"warnings": warnings[-limit:], "vitals": vitals[:limit]}
