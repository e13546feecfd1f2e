"""Incidents as the database stood at a past moment `at` (the wall's replay, data.wall.replay): which were open
then, in which step and whether past that step's deadline, what had closed that day, the newest reports and
their status then. From history, not today's rows: an incident closed since counts as open if it was then,
one reported after `at` does not exist yet.

An incident's state at `at` is its last history row at or before `at` (the later row of two at the same
second): its status and the deadline of the step that row began (moves.py writes it on every move, park and
extension included). Each read takes an open connection: one replayed frame reads one state of the database
(`frame_connection`), so a move committed between two of its reads cannot count twice or not at all.

The incidents open at `at` are found without scanning a month (migration 0019): those reported in the
LONG_OPEN seconds before `at` and not closed by then, from ix_incident_reported_closed, plus the few open
longer, from the partial index ix_incident_open_long; each one's state comes from ix_incident_history_state
alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, and_, case, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased

from data.domain.scope import Scope
from data.domain.timeutil import HOUR
from data.domain.vocab import ACTIONS, OPEN_STATUSES
from data.read.incidents import LATEST_COLUMNS
from data.store.cache import current_engine
from data.store.models import Incident, IncidentHistory, RollupIncidentHour

LONG_OPEN = 259200  # seconds (3 days): migration 0019's partial index holds what stays open longer
H, Inc = IncidentHistory, Incident
# state codes of an incident closed at `at` (an open one's are below: its status index * 3 + overdue)
CLOSED_BEFORE, CLOSED_IN = 15, 16


@contextmanager
def frame_connection() -> Iterator[Connection]:
    """One read transaction for a replayed frame: SQLite's reads in one transaction see one state (WAL);
    PostgreSQL is asked for a repeatable-read snapshot."""
    with current_engine().connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _child(scope: Scope):
    """The column of the areas one level below the scope (a grid's own cell below a grid), as loop_status."""
    return getattr(Inc, f"{scope.child_level or 'grid'}_code")


def _long_open():
    """ix_incident_open_long's predicate, word for word (a planner proves a partial index usable only so)."""
    return or_(Inc.closed_at.is_(None), Inc.closed_at - Inc.reported_at > literal_column(str(LONG_OPEN)))


def candidates(scope: Scope, at: int, *cols):
    """The incidents in scope reported by `at` and not closed by then (closed_at is the last closure, so one
    closed earlier and reopened since is among them, and its history says it was closed at `at`)."""
    edge, where = at - LONG_OPEN, scope.filter(Inc)
    not_yet = or_(Inc.closed_at.is_(None), Inc.closed_at > at)
    recent = select(*cols).where(where, Inc.reported_at > edge, Inc.reported_at <= at, not_yet)
    still_open = select(*cols).where(where, Inc.closed_at.is_(None), Inc.reported_at <= edge, _long_open())
    closed_later = select(*cols).where(where, Inc.closed_at > at, Inc.reported_at <= edge, _long_open())
    return union_all(recent, still_open, closed_later).subquery("open_then")


def _last_row(incident_id, at: int, value):
    """`value` of the incident's last history row at or before `at` (a scalar subquery)."""
    return (
        select(value)
        .where(H.incident_id == incident_id, H.at <= at)
        .order_by(H.at.desc(), H.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _state_code(at: int, c0: int, c1: int):
    """The last row's state as one number: an open status's index * 3, plus 1 when past its deadline at `at`
    since before `at`'s hour, 2 when since within it; CLOSED_IN when closed in [c0, c1), else CLOSED_BEFORE."""
    status = case(*[(H.to_status == s, k) for k, s in enumerate(OPEN_STATUSES)], else_=None)
    hour = at - at % HOUR
    overdue = case((H.due_at < hour, 1), (H.due_at < at, 2), else_=0)  # NULL (parked): not overdue
    closed = case((and_(H.at >= c0, H.at < c1), CLOSED_IN), else_=CLOSED_BEFORE)
    return case((H.to_status == "closed", closed), else_=status * 3 + overdue)


def open_state(conn: Connection, scope: Scope, at: int, since: int, c0: int) -> dict:
    """The loop at `at`: {"open": {status: n}, "overdue_by_child": {child area: n}, "since": open ones reported
    since `since`, "undone": closed at `at` in [c0, hour of `at`) but reopened since} (the last is what
    today's closure rollup lost to reopening after `at`; closed_count adds it back)."""
    c = candidates(scope, at, Inc.id, Inc.reported_at, _child(scope).label("child"))
    code = _last_row(c.c.id, at, _state_code(at, c0, at - at % HOUR)).label("code")
    recent = (c.c.reported_at >= since).label("recent")
    # materialized: each incident's state is read once, not once for the grouping and again for the output
    rows = select(c.c.child, recent, code).cte("state").prefix_with("MATERIALIZED")
    q = select(rows.c.child, rows.c.code, rows.c.recent, func.count()).group_by(
        rows.c.child, rows.c.code, rows.c.recent
    )
    out: dict = {"open": {}, "overdue_by_child": {}, "since": 0, "undone": 0}
    overdue: dict[tuple[int, str], int] = {}
    for child, code, recent, n in conn.execute(q):
        if code is None or code == CLOSED_BEFORE:
            continue
        if code == CLOSED_IN:
            out["undone"] += n
            continue
        status = OPEN_STATUSES[code // 3]
        out["open"][status] = out["open"].get(status, 0) + n
        if code % 3:
            overdue[(code % 3, child)] = overdue.get((code % 3, child), 0) + n
        if recent:
            out["since"] += n
    # in the order the live reads meet the areas (the panel keeps it among equal counts): those with an incident
    # overdue since an earlier hour (the open rollup's), then those overdue only within `at`'s hour
    by_child = out["overdue_by_child"]
    for (_, child), n in sorted(overdue.items()):
        by_child[child] = by_child.get(child, 0) + n
    return out


# the moves that close an incident, and an import's rows (which may close one, even at its report); rows
# older than migration 0013 name no move. The action is in ix_incident_history_at_action, so the hour's
# other moves are passed over in the index.
CLOSING = (*sorted(a for a, m in ACTIONS.items() if m.to_status == "closed"), "import", "report")


def _closing(h):
    """A history row that closed its incident (from any other status, or at its report: an import)."""
    closed = and_(h.to_status == "closed", or_(h.from_status.is_(None), h.from_status != "closed"))
    return and_(or_(h.action.in_(CLOSING), h.action.is_(None)), closed)


def closures(conn: Connection, scope: Scope, start: int, at: int) -> int:
    """Closures in [start, at] that no reopening at or before `at` undid, counted from history (the last
    hour's, or a grid's: the rollups hold no grid)."""
    h, r = aliased(H), aliased(H)
    undone = exists().where(
        r.incident_id == h.incident_id,
        r.at <= at,
        or_(r.at > h.at, and_(r.at == h.at, r.id > h.id)),
        r.from_status == "closed",
        r.to_status != "closed",
    )
    q = select(func.count()).select_from(h).where(h.at >= start, h.at <= at, _closing(h), ~undone)
    if not scope.is_city:
        q = q.join(Inc, Inc.id == h.incident_id).where(scope.filter(Inc))
    return int(conn.execute(q).scalar() or 0)


def closed_count(conn: Connection, scope: Scope, start: int, at: int, undone: int) -> int:
    """incidents.closed_count as it answered at `at` (closures in the whole hours from `start`'s to `at`'s,
    net of those reopened by then): the closure rollup's whole hours before `at`'s, which lost the closures
    reopened since (`undone`, from open_state), plus the closures of `at`'s own hour up to `at`."""
    h0, h1 = start - start % HOUR, at - at % HOUR
    if scope.level == "grid":
        return closures(conn, scope, h0, at)
    r = RollupIncidentHour
    whole = conn.execute(select(func.sum(r.closed)).where(scope.filter(r), r.hour >= h0, r.hour < h1)).scalar()
    return int(whole or 0) + undone + closures(conn, scope, max(h0, h1), at)


def supervised_open(conn: Connection, scope: Scope, at: int) -> int:
    """Incidents open at `at` that a leader had flagged (督办) by then (the flag is never taken back)."""
    code = _last_row(Inc.id, at, _state_code(at, 0, 0))
    # no report-time term: the few flagged incidents come from the partial index ix_incident_supervised
    q = select(func.count()).where(
        Inc.supervised_at.is_not(None), Inc.supervised_at <= at, scope.filter(Inc), code < CLOSED_BEFORE
    )
    return int(conn.execute(q).scalar() or 0)


def newest(conn: Connection, scope: Scope, at: int, limit: int, max_priority: int) -> list[tuple]:
    """The `limit` newest incidents of priority <= max_priority reported by `at` (LATEST_COLUMNS, newest
    first, ties to the higher id), each with its status at `at`."""
    status = func.coalesce(_last_row(Inc.id, at, H.to_status), "reported").label("status")
    cols = [status if c == "status" else getattr(Inc, c) for c in LATEST_COLUMNS]
    q = (
        select(*cols)
        .where(scope.filter(Inc), Inc.priority <= max_priority, Inc.reported_at <= at)
        .order_by(Inc.reported_at.desc(), Inc.id.desc())
        .limit(limit)
    )
    return [tuple(r) for r in conn.execute(q)]


def newest_reported(conn: Connection, scope: Scope, at: int) -> int | None:
    """The newest report time at or before `at` in scope (None when there was none yet)."""
    q = (
        select(Inc.reported_at)
        .where(scope.filter(Inc), Inc.reported_at <= at)
        .order_by(Inc.reported_at.desc())
        .limit(1)
    )
    ts = conn.execute(q).scalar()
    return int(ts) if ts is not None else None


def reported_by_grid(conn: Connection, scope: Scope, start: int, end: int) -> list[tuple[str, int]]:
    """(grid, n) reported in [start, end) in scope (the replayed heat layer's day, in one read): a range of
    ix_incident_reported_closed. Grouped by an expression, or SQLite skip-scans the grid index's thousands of
    grids instead (90 ms for an hour at 1M incidents, against 1 ms)."""
    grid = (Inc.grid_code + literal_column("''")).label("grid")
    q = (
        select(grid, func.count())
        .where(scope.filter(Inc), Inc.reported_at >= start, Inc.reported_at < end)
        .group_by(grid)
    )
    return [(g, int(n)) for g, n in conn.execute(q)]
