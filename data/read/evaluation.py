"""考核评价: the standard rates of a period and an area, per child area and per unit, with the weighted
综合指标值, ranking and change against the previous period (definitions: docs/EVALUATION.md).

Counts come from SQL over incident_history (data/read/evaluation_sql.py); a rate is a ratio of two of
them, None when its denominator is 0 (shown as "—"). A period's figures are those the history held at
its end: a move after b never changes them, so a past period is cached on the "history" version alone."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from data.domain.scope import Scope, scoped
from data.domain.timeutil import DAY, hour_of, local_day_start, parse_local, to_dt
from data.read import evaluation_sql as sql
from data.read.evaluation_sql import Behind, behind_clause, parse_behind  # noqa: F401 - the list's filter
from data.store.cache import bound, cached_query, current_engine
from data.store.models_loop import MOVE_COUNTS

# rate -> (numerator, denominator), in the order the tables show them
RATES = {
    "register_rate": ("registered", "register_base"),  # 立案率
    "register_ontime_rate": ("registered_ontime", "registered"),  # 按时立案率
    "dispatch_accuracy": ("dispatched_accurate", "dispatched"),  # 准确派遣率
    "handle_rate": ("handled", "due_handle"),  # 处置率
    "handle_ontime_rate": ("handled_ontime", "due_handle"),  # 按期处置率
    "overdue_rate": ("overdue_pending", "due_handle"),  # 超期待处置率
    "rework_rate": ("rework", "due_close"),  # 返工率
    "extension_rate": ("extensions", "due_handle"),  # 延期率
    "close_rate": ("closed", "due_close"),  # 结案率
    "close_ontime_rate": ("closed_ontime", "due_close"),  # 按期结案率
}
# 综合指标值: (rate, counts as 1 - rate), weighted by EVAL_WEIGHTS in this order
COMPOSITE = (
    ("handle_rate", False),
    ("handle_ontime_rate", False),
    ("rework_rate", True),
    ("overdue_rate", True),
    ("extension_rate", True),
)
DEFAULT_WEIGHTS = "30,20,20,20,10"
MAX_DAYS = 400  # the longest period a custom range or a click-through may ask for
OVERDUE_LISTED = 100


@dataclass(frozen=True)
class Period:
    """[a, b) in Unix seconds between Shanghai midnights; kind "month", "quarter" or "range"."""

    a: int
    b: int
    kind: str
    key: str  # 2026-10, 2026Q4, 2026-10-03~2026-10-20 (last day included)

    def previous(self) -> Period:
        first = to_dt(self.a).date()
        if self.kind == "month":
            return month_period(f"{(first - timedelta(days=1)):%Y-%m}")
        if self.kind == "quarter":
            y, q = (first.year, first.month // 3) if first.month > 3 else (first.year - 1, 4)
            return quarter_period(f"{y}Q{q}")
        days = (self.b - self.a) // DAY
        return range_period(first - timedelta(days=days), first - timedelta(days=1))

    @property
    def last_day(self) -> date:
        return to_dt(self.b - DAY).date()


def _midnight(d: date) -> int:
    return parse_local(d.isoformat())


def month_period(key: str) -> Period:
    """'2026-10' -> October 2026 (ValueError for anything else)."""
    y, m = (int(x) for x in key.split("-"))
    if not (2000 <= y <= 2100 and 1 <= m <= 12) or len(key) != 7:
        raise ValueError("not a month")
    first = date(y, m, 1)
    end = first + timedelta(days=calendar.monthrange(y, m)[1])
    return Period(_midnight(first), _midnight(end), "month", f"{y:04d}-{m:02d}")


def quarter_period(key: str) -> Period:
    """'2026Q4' -> October-December 2026."""
    y, q = key.upper().split("Q")
    year, quarter = int(y), int(q)
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4) or len(key) != 6:
        raise ValueError("not a quarter")
    first = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(_midnight(first), _midnight(end), "quarter", f"{year}Q{quarter}")


def range_period(first: date, last: date) -> Period:
    """Days first..last (both included); ValueError when reversed, longer than MAX_DAYS or out of range."""
    if last < first or (last - first).days + 1 > MAX_DAYS or not (first.year >= 2000 and last.year <= 2100):
        raise ValueError("not a range")
    return Period(_midnight(first), _midnight(last + timedelta(days=1)), "range", f"{first}~{last}")


def last_full_month(now: int) -> Period:
    """The calendar month before the one `now` is in (the page's default)."""
    first = to_dt(now).date().replace(day=1)
    return month_period(f"{(first - timedelta(days=1)):%Y-%m}")


def parse_weights(text: str | None) -> tuple[float, ...]:
    """EVAL_WEIGHTS '30,20,20,20,10' -> five non-negative weights with a positive sum (ValueError else)."""
    parts = [float(x) for x in (text or DEFAULT_WEIGHTS).split(",")]
    if len(parts) != len(COMPOSITE) or any(w < 0 for w in parts) or sum(parts) <= 0:
        raise ValueError("EVAL_WEIGHTS takes five non-negative numbers")
    return tuple(parts)


# ---- counts -> figures ----------------------------------------------------------------------------


def _tally(counts: dict, action: str, late: int, n: int) -> None:
    """Add n moves of one kind to a group's counts."""
    key = {"report": "reports", "self_handle": "self_handled", "register": "registered", "dispatch": "dispatched"}
    key |= {"handled": "handled", "reopen": "rework", "approve_extension": "extensions"}
    if action in key:
        counts[key[action]] += n
    if action in ("register", "handled") and not late:
        counts[f"{key[action]}_ontime"] += n
    if action in ("verify_pass", "verify_fail", "close"):
        counts["due_close"] += n
        if action == "verify_fail":
            counts["rework"] += n
        else:
            counts["closed"] += n
            counts["closed_ontime"] += 0 if late else n


COUNTS = (*MOVE_COUNTS, "dispatch_returned", "overdue_pending")  # what the SQL tallies; _derive makes the rest


def _derive(counts: dict) -> dict:
    """Every count a rate or a click-through names, from the tallied ones."""
    c = {k: int(counts.get(k, 0)) for k in COUNTS}
    c["register_base"] = c["reports"] - c["self_handled"]
    c["registered_late"] = c["registered"] - c["registered_ontime"]
    c["dispatched_accurate"] = c["dispatched"] - c["dispatch_returned"]
    c["handled_late"] = c["handled"] - c["handled_ontime"]
    c["due_handle"] = c["handled"] + c["overdue_pending"]
    c["closed_late"] = c["closed"] - c["closed_ontime"]
    return c


def rates_of(counts: dict) -> dict:
    """{rate: value in 0..1 or None when its denominator is 0}."""
    return {r: (counts[n] / counts[d] if counts[d] > 0 else None) for r, (n, d) in RATES.items()}


def composite(rates: dict, weights: tuple[float, ...]) -> float | None:
    """综合指标值 0-100 over the components that exist (a missing one's weight is left out; each
    component is held to 0..1); None when none exists."""
    got = [(w, rates[r], inv) for w, (r, inv) in zip(weights, COMPOSITE, strict=True) if rates[r] is not None]
    total = sum(w for w, _, _ in got)
    if total <= 0:
        return None
    score = sum(w * min(1.0, max(0.0, 1 - v if inv else v)) for w, v, inv in got)
    return round(100 * score / total, 2)


def _statements(conn, scope: Scope, a: int, b: int, by: tuple[str, ...], stages: bool) -> tuple:
    """(wide, moves, returned dispatches, overdue at b, stage times or None): from the rollups when they
    hold every history row and the scope and grouping have a grain (a period of whole days, or one ending
    now with no row after it; `wide`: one row of sums per group, stage times included), else from the
    history. Both give the same figures; the overdue spans serve any scope but a unit's."""
    fresh = sql.rollups_cover(conn)
    end = b if local_day_start(b) == b else local_day_start(b) + DAY
    plan = sql.rollup_plan(scope, by) if fresh and local_day_start(a) == a else None
    overdue = sql.span_overdue(scope, b, by) if fresh and scope.unit is None else sql.overdue_counts(scope, b, by)
    if plan and (end == b or conn.execute(sql.rows_from(b)).first() is None):
        return True, sql.rollup_moves(scope, plan, a, end), sql.rollup_returned(scope, plan, a, end), overdue, None
    times = sql.stage_times(scope, a, b, by) if stages else None
    return False, sql.move_counts(scope, a, b, by), sql.returned_counts(scope, a, b, by), overdue, times


def _read(scope: Scope, a: int, b: int, by: tuple[str, ...], stages: bool) -> dict:
    """{group tuple: {"counts": {...}, "stages": {stage: [seconds, n]}}} for the period, grouped by `by`."""
    groups: dict = defaultdict(lambda: {"counts": defaultdict(int), "stages": defaultdict(lambda: [0, 0])})
    width = len(by)
    with current_engine().connect() as conn:
        wide, moves, returned, overdue, times = _statements(conn, scope, a, b, by, stages)
        for row in conn.execute(moves):  # history: (*key, action, late, n); rollup: (*key, *counts, *stage sums)
            key, v = tuple(row[:width]), row[width:]
            if not wide:
                _tally(groups[key]["counts"], v[0], v[1], int(v[2]))
                continue
            counts, spent = {k: int(n) for k, n in zip(MOVE_COUNTS, v) if n}, v[len(MOVE_COUNTS) :]
            left = {
                st: [int(spent[2 * i]), int(spent[2 * i + 1])] for i, st in enumerate(sql.STAGES) if spent[2 * i + 1]
            }
            if counts or (left and stages):  # a rollup row can add up to 0
                groups[key]["counts"].update(counts)
                groups[key]["stages"].update(left if stages else {})
        for name, stmt in (("dispatch_returned", returned), ("overdue_pending", overdue)):
            for *key, n in conn.execute(stmt):
                if n:
                    groups[tuple(key)]["counts"][name] += int(n)
        for *key, stage, seconds, n in conn.execute(times) if times is not None else ():  # the page's own period
            if n:
                slot = groups[tuple(key)]["stages"][stage]
                slot[0], slot[1] = slot[0] + int(seconds or 0), slot[1] + int(n)
    return {k: {"counts": dict(v["counts"]), "stages": {s: list(x) for s, x in v["stages"].items()}} for k, v in groups.items()}  # fmt: skip


@cached_query("history", "areas")
def _read_past(scope: Scope, a: int, b: int, by: tuple[str, ...], stages: bool) -> dict:
    return _read(scope, a, b, by, stages)


@cached_query("incidents", "history", "areas")
def _read_live(scope: Scope, a: int, b: int, by: tuple[str, ...], stages: bool) -> dict:
    return _read(scope, a, b, by, stages)


def grouped(scope: Scope, a: int, b: int, by: tuple[str, ...], now: int, stages: bool = False) -> dict:
    """`_read` for [a, min(b, now)), cached on "history" when it ends before the current hour."""
    b = min(b, now)
    return (_read_past if b <= hour_of(now) else _read_live)(scope, a, b, by, stages)


def _merge(parts: list[dict]) -> dict:
    counts: dict = defaultdict(int)
    stages: dict = defaultdict(lambda: [0, 0])
    for p in parts:
        for k, n in p["counts"].items():
            counts[k] += n
        for s, (sec, n) in p["stages"].items():
            stages[s][0] += sec
            stages[s][1] += n
    return {"counts": counts, "stages": stages}


def figures(part: dict, weights: tuple[float, ...]) -> dict:
    """One group's counts, rates, 综合指标值 and mean seconds per stage."""
    counts = _derive(part["counts"])
    rates = rates_of(counts)
    stages = {s: round(sec / n) for s, (sec, n) in part["stages"].items() if n}
    return {"counts": counts, "rates": rates, "composite": composite(rates, weights), "stages": stages}


def merged_by(raw: dict, index: int) -> dict[str, dict]:
    """Merge (child, unit) groups into groups by one of the two."""
    out: dict[str, list] = defaultdict(list)
    for key, part in raw.items():
        out[key[index]].append(part)
    return {k: _merge(v) for k, v in out.items()}


def rank(rows: list[dict]) -> None:
    """Competition ranking by 综合指标值, highest first (1, 2, 2, 4); rows without one get None."""
    scored = sorted((r for r in rows if r["composite"] is not None), key=lambda r: -r["composite"])
    for r in rows:
        r["rank"] = None
    for i, r in enumerate(scored):
        r["rank"] = scored[i - 1]["rank"] if i and r["composite"] == scored[i - 1]["composite"] else i + 1


def _tables(scope: Scope, period: Period, weights, now: int, children: list[str], stages: bool = True) -> dict:
    raw = grouped(scope, period.a, period.b, ("child", "unit"), now, stages)
    by_child, by_unit = merged_by(raw, 0), merged_by(raw, 1)
    areas = [{"key": c, **figures(by_child.get(c, _merge([])), weights)} for c in children]
    units = [{"key": u, **figures(p, weights)} for u, p in sorted(by_unit.items(), key=lambda kv: kv[0] or "") if u]
    rank(areas)
    rank(units)
    return {"total": figures(_merge(list(raw.values())), weights), "areas": areas, "units": units}


@scoped
def evaluate(scope: Scope, period: Period, weights: tuple[float, ...], now: int, children: list[str]) -> dict:
    """The page's figures: {"period", "previous", "total", "areas", "units"}; each row has key, counts,
    rates, composite, stages, rank, and prev_composite, prev_rank, change (composite - previous)."""
    now_tables = _tables(scope, period, weights, now, children)
    prev = period.previous()
    before = _tables(scope, prev, weights, now, children, stages=False)  # its stage times are not shown
    for table in ("areas", "units"):
        old = {r["key"]: r for r in before[table]}
        for r in now_tables[table]:
            p = old.get(r["key"])
            r["prev_composite"] = p["composite"] if p else None
            r["prev_rank"] = p["rank"] if p else None
            r["change"] = (
                round(r["composite"] - p["composite"], 2)
                if p and None not in (r["composite"], p["composite"])
                else None
            )
    now_tables["total"]["prev_composite"] = before["total"]["composite"]
    return {"period": period, "previous": prev, "ongoing": period.b > now, "weights": weights, **now_tables}


# ---- the incidents behind a number ----------------------------------------------------------------


def behind(measure: str, period: Period, unit: str | None = None) -> Behind:
    """The click-through of one number of the tables (Behind.token() is the incident list's `ev`)."""
    return Behind(measure, period.a, period.b, unit)


def incidents_behind(engine: Engine, scope: Scope, period: Period, measure: str, group=None) -> list[int]:
    """The ids of the incidents counted in `measure` for the scope over the period; `group` narrows to
    ("area", code) (a child area inside scope) or ("unit", name)."""
    unit = None
    if group and group[0] == "area":
        scope = scope.narrow(group[1])
    elif group and group[0] == "unit":
        unit = group[1]
    with bound(engine), engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(sql.behind_select(scope, period.a, period.b, measure, unit)))
