"""Drill-down data for one area: its child areas ranked, and this week against last week."""

from __future__ import annotations

from sqlalchemy import func, select

from data.domain.scope import Scope, scoped
from data.domain.timeutil import DAY, local_day_start
from data.read import areas, incidents, metrics, warnlist
from data.store.cache import cached_query, current_engine
from data.store.models import RollupGridDay, RollupIncidentDay

RATE_DAYS = 7


@cached_query("history", "areas")
def reported_by_child(scope: Scope, start_day: int, end_day: int) -> dict[str, int]:
    """Incidents reported per child area over whole past days [start_day, end_day) (day starts).

    Districts and streets come from the hourly rollup, grids from the grid-day rollup; past days
    only change with a late write, so this is keyed on the "history" version."""
    child = scope.child_level
    if child is None:
        return {}
    with current_engine().connect() as conn:
        if child == "district":  # the city's districts: whole days from the day rollup
            d = RollupIncidentDay
            q = (
                select(d.district_code, func.sum(d.reported))
                .where(d.day >= start_day, d.day < end_day)
                .group_by(d.district_code)
            )
            return {c: int(n) for c, n in conn.execute(q) if n}
        if child == "street":
            return metrics.reported_by_area_hour(conn, scope, start_day, end_day, child)
        q = (
            select(RollupGridDay.grid_code, func.sum(RollupGridDay.reported))
            .where(scope.prefix(RollupGridDay.grid_code), RollupGridDay.day >= start_day, RollupGridDay.day < end_day)
            .group_by(RollupGridDay.grid_code)
        )
        return {g: int(n) for g, n in conn.execute(q) if n}


@scoped
def child_ranking(scope: Scope, now: int) -> list[dict]:
    """One row per child area: open incidents, overdue now, incidents per day over the last 7 whole
    days, and worst active warning level (1 red .. 5 green); most overdue first."""
    kids = areas.children(scope.code)
    if not len(kids):
        return []
    day0 = local_day_start(now)
    reported = reported_by_child(scope, day0 - RATE_DAYS * DAY, day0)
    open_ = incidents.open_by_child(scope)
    overdue = incidents.loop_status(scope, now)["overdue_by_child"]
    colours = warnlist.area_colours(scope)
    rows = []
    for k in kids.itertuples():
        rows.append(
            {
                "code": k.code,
                "name_zh": k.name_zh,
                "name_en": k.name_en,
                "open": open_.get(k.code, 0),
                "overdue": overdue.get(k.code, 0),
                "per_day": round(reported.get(k.code, 0) / RATE_DAYS, 1),
                "level": colours.get(k.code, 5),
            }
        )
    rows.sort(key=lambda r: (-r["overdue"], r["level"], -r["open"], r["code"]))
    return rows


@scoped
def week_compare(scope: Scope, now: int) -> dict:
    """Incidents per category in the last 7 whole days against the 7 days before, and the totals.

    Whole days so that both weeks are complete and comparable (and come from the day rollup)."""
    day0 = local_day_start(now)
    this = incidents.incident_counts(scope, day0 - 7 * DAY, day0)
    last = incidents.incident_counts(scope, day0 - 14 * DAY, day0 - 7 * DAY)
    cats = sorted(set(this["by_category"]) | set(last["by_category"]), key=lambda c: -this["by_category"].get(c, 0))
    return {
        "this": this["total"],
        "last": last["total"],
        "by_category": [[c, this["by_category"].get(c, 0), last["by_category"].get(c, 0)] for c in cats],
    }
