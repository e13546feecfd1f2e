"""The incident list: filters, sort and paging in SQL over the incident table (never in Python),
plus counts per status for the same filters. No personal data leaves this module."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, or_, select

from data.domain.filters import SORTABLE, WINDOWS, IncidentFilters
from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start
from data.domain.vocab import OPEN_STATUSES, STATUSES
from data.read.evaluation_sql import behind_clause, parse_behind
from data.store import textsearch
from data.store.cache import cached_query, current_engine
from data.store.models import Incident
from data.store.models_loop import IncidentExtension, RollupListDay

NULLS_LAST = ("due_at", "assigned_unit")
COLUMNS = (
    "id",
    "reported_at",
    "title",
    "category",
    "subcategory",
    "source",
    "status",
    "priority",
    "district_code",
    "street_code",
    "grid_code",
    "assigned_unit",
    "due_at",
    "parked_at",
    "supervised_at",
)
MAX_PAGE = 500


def _start(f: IncidentFilters, now: int) -> int:
    """The earliest report time the window takes."""
    return local_day_start(now) if f.window == "today" else 0 if f.window == "all" else now - WINDOWS[f.window]


def _where(scope: Scope, f: IncidentFilters, now: int, with_status: bool = True, seek: bool = True) -> list:
    """The filters as WHERE clauses. seek=False hides the report time from the indexes (reported_at + 0): by
    deadline, only open incidents have one, and walking the deadline index in order beats a skip-scan of
    every deadline value for the window (70 ms at 1M)."""
    i = Incident
    cond = [
        (i.reported_at if seek else i.reported_at + 0) >= _start(f, now)
    ]  # "all": every report, e.g. every overdue one, as the wall counts them
    cond.append(scope.filter(i))  # the resolved scope, never the area string the filter carries
    if with_status and f.status:
        cond.append(i.status == f.status)
    if f.source:
        cond.append(i.source == f.source)
    if f.category:
        cond.append(i.category == f.category)
    if f.priority:
        cond.append(i.priority == f.priority)
    if f.unit:
        cond.append(i.assigned_unit == f.unit)
    if f.overdue:
        cond += [i.status.in_(OPEN_STATUSES), i.due_at < now]
    if f.flag == "parked":
        cond += [i.status.in_(OPEN_STATUSES), i.parked_at.is_not(None)]
    elif f.flag == "supervised":
        cond += [i.status.in_(OPEN_STATUSES), i.supervised_at.is_not(None)]
    elif f.flag == "extension":
        cond.append(i.id.in_(select(IncidentExtension.incident_id).where(IncidentExtension.approved.is_(None))))
    found = parse_behind(f.ev) if f.ev else None
    if found is not None:  # checked again here: the filter may come from anywhere
        cond.append(behind_clause(scope, found))
    if f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cond.append(or_(i.title.like(pattern, escape="\\"), i.description.like(pattern, escape="\\")))
        # the bigram index finds candidates; the LIKE decides
        narrowed = textsearch.candidates(f.q, current_engine().dialect.name)
        if narrowed is not None:
            cond.append(narrowed)
    return cond


@cached_query("incidents")
def page(scope: Scope, f: IncidentFilters, now: int, sort: str, descending: bool, start: int, end: int) -> dict:
    """Rows [start, end) of the filtered list in scope, sorted in SQL; {'rows', 'total'}.

    Ties are broken by report time (then id) in the same direction, so an index on (column,
    reported_at) serves the whole order. Sorted by deadline or unit, incidents without one (closed;
    not yet dispatched) come last either way, newest first: they are read after the others, the
    same on SQLite and PostgreSQL (which disagree on where NULLs sort)."""
    i = Incident
    sort = sort if sort in SORTABLE else "reported_at"
    limit, start = max(0, min(end - start, MAX_PAGE)), max(0, start)
    counts = status_counts(scope, f, now)
    total = counts[f.status] if f.status else sum(counts.values())
    cond = _where(scope, f, now, seek=sort != "due_at")
    with current_engine().connect() as conn:
        if sort not in NULLS_LAST:
            return {"rows": _rows(conn, cond, sort, descending, start, limit), "total": total}
        col = getattr(i, sort)
        if sort == "due_at":  # only closed incidents have no deadline: the status counts say how many do
            n_set = sum(n for s, n in counts.items() if s != "closed" and f.status in (None, s))
        else:  # the few without a unit (not yet dispatched) are counted, not the many with one
            n_set = total - int(conn.execute(select(func.count()).where(*cond, col.is_(None))).scalar_one())
        rows = _rows(conn, cond + [col.is_not(None)], sort, descending, start, limit) if start < n_set else []
        if len(rows) < limit:
            rows += _rows(conn, cond + [col.is_(None)], "reported_at", True, max(0, start - n_set), limit - len(rows))
    return {"rows": rows, "total": total}


def _rows(conn, cond: list, sort: str, descending: bool, offset: int, limit: int) -> list[dict]:
    i = Incident
    keys = [getattr(i, sort)] + ([i.reported_at] if sort != "reported_at" else []) + [i.id]
    q = (
        select(*[getattr(i, c) for c in COLUMNS])
        .where(*cond)
        .order_by(*[k.desc() if descending else k.asc() for k in keys])
        .limit(limit)
        .offset(offset)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


@cached_query("incidents")
def status_counts(scope: Scope, f: IncidentFilters, now: int) -> dict[str, int]:
    """Incidents per status for the filters (the status filter itself left out). The city's or a district's
    whole days come from the list rollup when only the window, category, source and priority filter: the
    rows of the window's first, partial day are counted from the incident table."""
    i = Incident
    cond = _where(scope, f, now, with_status=False)
    rolled = _rolled(scope, f, now)
    with current_engine().connect() as conn:
        if rolled is None:
            got = Counter(dict(conn.execute(select(i.status, func.count()).where(*cond).group_by(i.status)).all()))
        else:
            r, first_day = RollupListDay, rolled
            kept = [scope.filter(r), r.day >= first_day] + [
                getattr(r, k) == getattr(f, k) for k in ("category", "source", "priority") if getattr(f, k)
            ]
            got = Counter(dict(conn.execute(select(r.status, func.sum(r.count)).where(*kept).group_by(r.status)).all()))
            edge = cond + [i.reported_at < first_day]
            got.update(dict(conn.execute(select(i.status, func.count()).where(*edge).group_by(i.status)).all()))
    return {s: int(got.get(s, 0)) for s in STATUSES}


def _rolled(scope: Scope, f: IncidentFilters, now: int) -> int | None:
    """The first whole day the rollup may count for these filters, or None when it cannot serve them (a street,
    grid or unit scope; a filter the rollup does not keep)."""
    if scope.unit is not None or scope.level not in ("city", "district"):
        return None
    if f.unit or f.overdue or f.flag or f.ev or f.q:
        return None
    start = _start(f, now)
    day = local_day_start(start)
    return day if day == start else day + DAY
