"""A user's open work by deadline (/tasks): the open incidents that wait on a unit (dispatched, or being
handled) in the reader's Scope, the most overdue first, then the nearest deadline. For a unit's reader the
Scope itself holds only the incidents dispatched to its unit. No personal data leaves this module.

Each status's rows are read walking the (status, due_at) index in deadline order (by_deadline), so the first
page does not sort every open incident. At 1M incidents (SQLite, warm): the cards 0.5-1 ms per status for the city
or a district, 2-18 ms for a unit (the walk skips other units' rows), ~6 ms for a street (its own index, sorted);
the counts 6 ms (city) to 35 ms (a unit, city-wide). Memoized per minute and data version."""

from __future__ import annotations

from sqlalchemy import case, func, select

from data.domain.scope import Scope
from data.store.cache import cached_query, current_engine
from data.store.models import Incident

TASK_STATUSES = ("dispatched", "handling")  # waiting on a unit: to start, and in hand
MAX_TASKS = 50  # cards on the page; the rest are behind the incident list's links
COLUMNS = (
    "id",
    "title",
    "kind",
    "category",
    "subcategory",
    "std_code",
    "status",
    "stage",
    "priority",
    "district_code",
    "street_code",
    "grid_code",
    "address",
    "assigned_unit",
    "due_at",
    "parked_at",
    "supervised_at",
)


def _select(scope: Scope, *where):
    i = Incident
    return select(*[getattr(i, c) for c in COLUMNS]).where(scope.filter(i), *where)


def by_deadline(scope: Scope, status: str, limit: int):
    """One status's first `limit` incidents with a deadline, nearest first (the SELECT open_tasks runs)."""
    i = Incident
    return _select(scope, i.status == status, i.due_at.is_not(None)).order_by(i.due_at, i.id).limit(limit)


@cached_query("incidents")
def open_tasks(scope: Scope, now: int, limit: int = MAX_TASKS) -> dict:
    """{'rows': at most `limit` incidents by deadline (due_at ascending: the overdue come first, the most
    overdue on top; those without a deadline, i.e. parked, last), 'total': how many wait in all, 'by_status':
    {status: n}, 'overdue': how many are past their deadline at `now`}. `now` should be aligned to the
    refresh tick, so screens share the entry."""
    i = Incident
    limit = max(0, min(int(limit), MAX_TASKS))
    with current_engine().connect() as conn:
        counts = conn.execute(
            select(i.status, func.count(), func.coalesce(func.sum(case((i.due_at < now, 1), else_=0)), 0))
            .where(i.status.in_(TASK_STATUSES), scope.filter(i))
            .group_by(i.status)
        ).all()
        rows: list[dict] = []
        for status in TASK_STATUSES:  # one walk of the index per status, merged below
            rows += [dict(r) for r in conn.execute(by_deadline(scope, status, limit)).mappings()]
        rows.sort(key=lambda r: (r["due_at"], r["id"]))
        rows = rows[:limit]
        if len(rows) < limit:  # no deadline: parked (挂账), after every dated one
            q = _select(scope, i.status.in_(TASK_STATUSES), i.due_at.is_(None)).order_by(i.id).limit(limit - len(rows))
            rows += [dict(r) for r in conn.execute(q).mappings()]
    by_status = {s: 0 for s in TASK_STATUSES}
    overdue = 0
    for status, n, late in counts:
        by_status[status] = int(n)
        overdue += int(late)
    return {"rows": rows, "total": sum(by_status.values()), "by_status": by_status, "overdue": overdue}
