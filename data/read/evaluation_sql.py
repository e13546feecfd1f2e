"""The evaluation's SQL (考核评价, docs/EVALUATION.md): counts of the loop's moves in a period [a, b) from
incident_history joined to incident, grouped by any incident column and the row's unit. SQLAlchemy Core
only, the same statements on SQLite and PostgreSQL. data/read/evaluation.py turns the counts into rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from data.domain.scope import Scope
from data.domain.timeutil import DAY, parse_local, to_dt
from data.domain.vocab import UNITS
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import MOVE_COUNTS, STAGE_SUMS, OverdueSpan, RollupMove, RollupMoveReturn, RollupState

H, Inc = IncidentHistory, Incident
PENDING = ("dispatched", "handling")  # the steps a unit owes: overdue in them is 超期待处置
COUNTED = (  # the moves the period's counts read
    "report",
    "self_handle",
    "register",
    "dispatch",
    "handled",
    "verify_pass",
    "verify_fail",
    "close",
    "reopen",
    "approve_extension",
)
STAGES = ("reported", "registered", "dispatched", "handling", "verifying")  # closed is no stage of the work


def group_column(scope: Scope, by: str) -> ColumnElement:
    """What rows are grouped by: "child" (the scope's child areas, or the area itself at grid level),
    "unit" (the history row's unit), or an incident column ("category", "grid_code", "street_code")."""
    if by == "unit":
        return H.unit
    if by == "child":
        child = scope.child_level
        return getattr(Inc, f"{child}_code") if child else literal(scope.code)
    return getattr(Inc, by)


def _later(h2, h) -> ColumnElement:
    """h2 comes after h in the same incident's story (by time, then by row id)."""
    return and_(h2.incident_id == h.incident_id, or_(h2.at > h.at, and_(h2.at == h.at, h2.id > h.id)))


def _in_period(a: int, b: int) -> list:
    return [H.at >= a, H.at < b]


def returned_after(b: int) -> ColumnElement:
    """The current history row (a dispatch) was followed by a 回退 of the same incident before b."""
    h2 = aliased(H)
    return exists(select(h2.id).where(_later(h2, H), h2.action == "return", h2.at < b))


def last_before(b: int) -> ColumnElement:
    """The current history row is its incident's last row before b: the incident's state at b."""
    h2 = aliased(H)
    return ~exists(select(h2.id).where(_later(h2, H), h2.at < b))


def overdue_at(b: int) -> list:
    """Conditions on a history row that make its incident 超期待处置 at b: the last row before b leaves it
    dispatched or handling, not parked (a parked incident has no deadline), past the deadline by b."""
    return [
        H.at < b,
        H.to_status.in_(PENDING),
        H.due_at.is_not(None),
        H.due_at < b,
        func.coalesce(H.action, "") != "park",
        last_before(b),
    ]


def move_counts(scope: Scope, a: int, b: int, by: tuple[str, ...]) -> Select:
    """(*by, action, late, n): the period's counted moves."""
    cols = [group_column(scope, g) for g in by]
    late = case((H.late == 1, 1), else_=0)
    return (
        select(*cols, H.action, late, func.count())
        .select_from(H)
        .join(Inc, Inc.id == H.incident_id)
        .where(*_in_period(a, b), H.action.in_(COUNTED), scope.filter(Inc))
        .group_by(*cols, H.action, late)
    )


def returned_counts(scope: Scope, a: int, b: int, by: tuple[str, ...]) -> Select:
    """(*by, n): the period's dispatches that a 回退 (before b) showed to be wrong."""
    cols = [group_column(scope, g) for g in by]
    return (
        select(*cols, func.count())
        .select_from(H)
        .join(Inc, Inc.id == H.incident_id)
        .where(*_in_period(a, b), H.action == "dispatch", scope.filter(Inc), returned_after(b))
        .group_by(*cols)
    )


def overdue_counts(scope: Scope, b: int, by: tuple[str, ...]) -> Select:
    """(*by, n): incidents 超期待处置 at b (by unit: the unit the incident was with at b)."""
    cols = [group_column(scope, g) for g in by]
    return (
        select(*cols, func.count())
        .select_from(H)
        .join(Inc, Inc.id == H.incident_id)
        .where(*overdue_at(b), scope.filter(Inc))
        .group_by(*cols)
    )


def stage_times(scope: Scope, a: int, b: int, by: tuple[str, ...]) -> Select:
    """(*by, stage, seconds, n): for each status change in the period, the time since the incident entered
    the status it leaves (its previous status change), summed per stage left. One window (LAG) over the
    status changes before b of the scope's incidents; the incident table is joined after it."""
    inside = (
        [] if scope.is_city and scope.unit is None else [H.incident_id.in_(select(Inc.id).where(scope.filter(Inc)))]
    )
    changes = (
        select(
            H.incident_id,
            H.unit,
            H.at,
            H.from_status,
            func.lag(H.at).over(partition_by=H.incident_id, order_by=(H.at, H.id)).label("entered"),
        )
        .where(H.at < b, or_(H.from_status.is_(None), H.from_status != H.to_status), *inside)
        .subquery()
    )
    cols = [changes.c.unit if g == "unit" else group_column(scope, g) for g in by]
    return (
        select(*cols, changes.c.from_status, func.sum(changes.c.at - changes.c.entered), func.count(changes.c.entered))
        .select_from(changes)
        .join(Inc, Inc.id == changes.c.incident_id)
        .where(changes.c.at >= a, changes.c.from_status.in_(STAGES))
        .group_by(*cols, changes.c.from_status)
    )


# ---- the same counts from the rollups (data/write/rollups_eval.py) ---------------------------------


def rollup_plan(scope: Scope, by: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """The rollup grain that groups a city's or a district's rows by `by`; None elsewhere (a street, a
    grid or a unit's scope reads the history, which its size keeps quick)."""
    if scope.unit is not None or scope.level not in ("city", "district"):
        return None
    if by == ("child", "unit"):
        return ("du", ("district_code", "unit")) if scope.is_city else ("su", ("street_code", "unit"))
    return {("category",): ("dc", by), ("street_code",): ("s", by)}.get(by)


def _rolled(model, scope: Scope, plan, a: int, b: int):
    grain, names = plan
    cols = [func.nullif(model.unit, "") if c == "unit" else getattr(model, c) for c in names]
    where = [model.grain == grain, model.day >= a, model.day < b]
    return cols, where + ([] if scope.is_city else [model.district_code == scope.code])


def rollup_moves(scope: Scope, plan, a: int, b: int) -> Select:
    """(*by, *MOVE_COUNTS, *STAGE_SUMS) from rollup_move; a and b are Shanghai midnights."""
    cols, where = _rolled(RollupMove, scope, plan, a, b)
    sums = [func.sum(getattr(RollupMove, c)) for c in MOVE_COUNTS + STAGE_SUMS]
    return select(*cols, *sums).where(*where).group_by(*cols)


def rollup_returned(scope: Scope, plan, a: int, b: int) -> Select:
    """(*by, n): dispatches of [a, b) whose first 回退 came before b."""
    cols, where = _rolled(RollupMoveReturn, scope, plan, a, b)
    return select(*cols, func.sum(RollupMoveReturn.n)).where(*where, RollupMoveReturn.until < b).group_by(*cols)


def _at_b(scope: Scope, b: int) -> list:
    return [OverdueSpan.end_at >= b, OverdueSpan.start_at < b, scope.filter(OverdueSpan)]


def span_overdue(scope: Scope, b: int, by: tuple[str, ...]) -> Select:
    """(*by, n): incidents 超期待处置 at b, from their overdue spans (any scope but a unit's)."""
    child = f"{scope.child_level}_code" if scope.child_level else None
    cols = [
        getattr(OverdueSpan, child if g == "child" else g) if child or g != "child" else literal(scope.code) for g in by
    ]
    return select(*cols, func.count()).where(*_at_b(scope, b)).group_by(*cols)


def span_overdue_rows(scope: Scope, b: int, limit: int) -> Select:
    """overdue_rows() from the spans."""
    o = OverdueSpan
    return (
        select(Inc.id, Inc.title, Inc.category, Inc.street_code, Inc.grid_code, o.unit, o.due_at, o.to_status)
        .join(Inc, Inc.id == o.incident_id)
        .where(*_at_b(scope, b))
        .order_by(o.due_at, Inc.id)
        .limit(limit)
    )


def rollups_cover(conn) -> bool:
    """True when the evaluation rollups hold every history row (none was written past the write path)."""
    top = conn.scalar(select(RollupState.value).where(RollupState.name == "covered"))
    return top is not None and top >= (conn.scalar(select(func.max(H.id))) or 0)


def rows_from(b: int) -> Select:
    """Any history row at or after b (a period ending now while a later row exists reads the history)."""
    return select(H.id).where(H.at >= b).limit(1)


# the incidents behind each figure: measure -> (actions, late flag or None) for the simple ones
SIMPLE = {
    "reports": (("report",), None),
    "self_handled": (("self_handle",), None),
    "registered": (("register",), None),
    "registered_ontime": (("register",), 0),
    "registered_late": (("register",), 1),
    "dispatched": (("dispatch",), None),
    "handled": (("handled",), None),
    "handled_ontime": (("handled",), 0),
    "handled_late": (("handled",), 1),
    "due_close": (("verify_pass", "verify_fail", "close"), None),
    "rework": (("verify_fail", "reopen"), None),
    "extensions": (("approve_extension",), None),
    "closed": (("verify_pass", "close"), None),
    "closed_ontime": (("verify_pass", "close"), 0),
    "closed_late": (("verify_pass", "close"), 1),
}
BEHIND = (*SIMPLE, "dispatched_accurate", "dispatch_returned", "overdue_pending", "due_handle")


def behind_select(scope: Scope, a: int, b: int, measure: str, unit: str | None = None) -> Select:
    """SELECT DISTINCT incident ids counted in `measure` (one of BEHIND) for the scope in [a, b), and for
    one unit when given (the unit of the counted row, as the per-unit table groups)."""
    base = [scope.filter(Inc)] + ([H.unit == unit] if unit is not None else [])
    q = select(H.incident_id).select_from(H).join(Inc, Inc.id == H.incident_id).distinct()
    if measure in SIMPLE:
        actions, late = SIMPLE[measure]
        cond = [*_in_period(a, b), H.action.in_(actions)]
        if late is not None:
            cond.append(H.late == 1 if late else func.coalesce(H.late, 0) == 0)
        return q.where(*base, *cond)
    if measure in ("dispatched_accurate", "dispatch_returned"):
        returned = returned_after(b)
        return q.where(
            *base, *_in_period(a, b), H.action == "dispatch", returned if measure == "dispatch_returned" else ~returned
        )
    if measure == "overdue_pending":
        return q.where(*base, *overdue_at(b))
    if measure == "due_handle":
        return behind_select(scope, a, b, "handled", unit).union(behind_select(scope, a, b, "overdue_pending", unit))
    raise ValueError(f"unknown measure {measure!r}")


def overdue_rows(scope: Scope, b: int, limit: int) -> Select:
    """The incidents 超期待处置 at b, most overdue first: id, title, category, area codes, unit, deadline."""
    cols = (Inc.id, Inc.title, Inc.category, Inc.street_code, Inc.grid_code, H.unit, H.due_at, H.to_status)
    q = select(*cols).select_from(H).join(Inc, Inc.id == H.incident_id).where(*overdue_at(b), scope.filter(Inc))
    return q.order_by(H.due_at, Inc.id).limit(limit)


MAX_DAYS = 400  # the longest period a click-through may ask for


@dataclass(frozen=True)
class Behind:
    """A click-through: the incidents counted in `measure` over [a, b), for one unit or all."""

    measure: str
    a: int
    b: int
    unit: str | None = None

    def token(self) -> str:
        days = [f"{to_dt(t):%Y%m%d}" for t in (self.a, self.b)]
        return "~".join([self.measure, *days, *([self.unit] if self.unit else [])])


def parse_behind(token: object) -> Behind | None:
    """The incident list's `ev` parameter (measure~YYYYMMDD~YYYYMMDD[~unit], the second day excluded),
    checked: a known measure, two Shanghai midnights 1 to MAX_DAYS days apart, a known unit. None for
    anything else, so nothing of a bad token reaches SQL, a cache key or a log."""
    if not isinstance(token, str) or len(token) > 120:
        return None
    parts = token.split("~")
    if len(parts) not in (3, 4) or parts[0] not in BEHIND or (len(parts) == 4 and parts[3] not in UNITS):
        return None
    try:
        a, b = (parse_local(date(int(p[:4]), int(p[4:6]), int(p[6:])).isoformat()) for p in parts[1:3])
    except ValueError:
        return None
    if not all(len(p) == 8 and p.isascii() and p.isdigit() for p in parts[1:3]) or not 0 < b - a <= MAX_DAYS * DAY:
        return None
    if not all(2000 <= to_dt(t).year <= 2100 for t in (a, b)):
        return None
    return Behind(parts[0], a, b, parts[3] if len(parts) == 4 else None)


def behind_clause(scope: Scope, found: Behind):
    """WHERE clause on the incident table for the incident list: the ids behind the number."""
    return Inc.id.in_(behind_select(scope, found.a, found.b, found.measure, found.unit))
