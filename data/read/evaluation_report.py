"""The monthly evaluation report's extra reads (月度考核报告): the page's figures plus the categories and
places that did worst and the incidents overdue at the period's end."""

from __future__ import annotations

from data.domain.scope import Scope, scoped
from data.domain.timeutil import hour_of
from data.read import evaluation_sql as sql
from data.read.evaluation import Period, evaluate, figures, grouped
from data.store.cache import cached_query, current_engine

WORST = 8  # categories and places listed
OVERDUE = 50  # incidents listed


def _worst(raw: dict, weights: tuple[float, ...]) -> list[dict]:
    """Groups with something due, most overdue first, then lowest 按期处置率, then most due."""
    rows = [{"key": key[0], **figures(part, weights)} for key, part in raw.items() if key[0]]
    rows = [r for r in rows if r["counts"]["due_handle"]]
    rows.sort(
        key=lambda r: (
            -r["counts"]["overdue_pending"],
            r["rates"]["handle_ontime_rate"],
            -r["counts"]["due_handle"],
            r["key"],
        )
    )
    return rows[:WORST]


def _overdue(scope: Scope, b: int) -> list[dict]:
    """The list from the overdue spans when they hold every history row (a unit's scope: the history)."""
    with current_engine().connect() as conn:
        spans = scope.unit is None and sql.rollups_cover(conn)
        stmt = sql.span_overdue_rows(scope, b, OVERDUE) if spans else sql.overdue_rows(scope, b, OVERDUE)
        return [dict(r) for r in conn.execute(stmt).mappings()]


@cached_query("history", "areas")
def _overdue_past(scope: Scope, b: int) -> list[dict]:
    return _overdue(scope, b)


@cached_query("incidents", "history", "areas")
def _overdue_live(scope: Scope, b: int) -> list[dict]:
    return _overdue(scope, b)


@scoped
def monthly_report(scope: Scope, period: Period, weights: tuple[float, ...], now: int, children: list[str]) -> dict:
    """evaluate()'s figures plus "categories" and "places" (the worst WORST: streets for a city or a
    district, grids for a street), "place_level", and "overdue" (the first OVERDUE incidents 超期待处置
    at the period's end: id, title, category, street_code, grid_code, unit, due_at, to_status)."""
    out = evaluate(scope, period, weights, now, children)
    place = "street" if scope.level in ("city", "district") else "grid"
    b = min(period.b, now)
    out["categories"] = _worst(grouped(scope, period.a, period.b, ("category",), now), weights)
    out["places"] = _worst(grouped(scope, period.a, period.b, (f"{place}_code",), now), weights)
    out["place_level"] = place
    out["overdue"] = (_overdue_past if b <= hour_of(now) else _overdue_live)(scope, b)
    out["overdue_at"] = b
    return out
