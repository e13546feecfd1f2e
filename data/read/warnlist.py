"""Warnings in a Scope: the active ones (the wall, the map's five colours), and the warnings page's
filtered, sorted, paged list in SQL."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data.domain.areas import CODE_LEN
from data.domain.filters import WARNING_SORTS
from data.domain.scope import Scope
from data.domain.vocab import WARNING_KINDS
from data.read import areas
from data.read.users import user_names
from data.store.cache import cached_query, current_engine
from data.store.models import Warning

KINDS = WARNING_KINDS
SORTS = {
    "newest": (Warning.started_at.desc(), Warning.id.desc()),
    "oldest": (Warning.started_at.asc(), Warning.id.asc()),
    "severity": (Warning.level.asc(), Warning.started_at.desc(), Warning.id.desc()),
}
assert tuple(SORTS) == WARNING_SORTS  # the page offers exactly the orders the SQL knows
PAGE_SIZE = 25


def _where(status: str, scope: Scope, level: int | None, kind: str | None) -> list:
    w = Warning
    cond = [w.ended_at.is_(None) if status == "active" else w.ended_at.is_not(None)]
    cond.append(scope.prefix(w.area_code))
    if level:
        cond.append(w.level == level)
    if kind:
        cond.append(w.kind == kind)
    return cond


def _columns() -> tuple:
    """What every warning read returns (the page adds when it ended and who acknowledged it)."""
    w = Warning
    return (
        w.id,
        w.level,
        w.area_code,
        w.kind,
        w.subject,
        w.rule_id,
        w.value,
        w.cause_zh,
        w.cause_en,
        w.started_at,
        w.acknowledged_at,
        w.colours_area,
    )


@cached_query("warnings")
def warning_page(scope: Scope, status: str, level: int | None, kind: str | None, sort: str, page: int) -> dict:
    """{'total', 'rows'}: one page of warnings (PAGE_SIZE rows) matching the filters, in SQL."""
    w = Warning
    cond = _where(status, scope, level, kind)
    q = (
        select(*_columns(), w.ended_at, w.acknowledged_by)
        .where(*cond)
        .order_by(*SORTS[sort])
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    with current_engine().connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(w).where(*cond)).scalar() or 0)
        rows = [dict(r) for r in conn.execute(q).mappings()]
    names = user_names()
    for r in rows:  # who acknowledged it, in both languages (the column holds a user id)
        r["acknowledged_by_name"] = names.get(r["acknowledged_by"] or "") if r["acknowledged_by"] else None
    return {"total": total, "rows": rows}


@cached_query("warnings")
def active_counts(scope: Scope) -> dict[str, int]:
    """Active warnings per level ('1'..'4') inside scope."""
    w = Warning
    cond = _where("active", scope, None, None)
    with current_engine().connect() as conn:
        return {str(lv): int(n) for lv, n in conn.execute(select(w.level, func.count()).where(*cond).group_by(w.level))}


def _conn():
    return current_engine().connect()


@cached_query("warnings")
def active_warnings(scope: Scope) -> pd.DataFrame:
    """Active warnings inside scope, most severe and newest first."""
    w = Warning
    q = (
        select(*_columns())
        .where(w.ended_at.is_(None), scope.prefix(w.area_code))
        .order_by(w.level, w.started_at.desc(), w.id.desc())
    )
    with _conn() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=[c.name for c in _columns()])


@cached_query("warnings")
def area_colours(scope: Scope) -> dict[str, int]:
    """Worst active warning level (1 red .. 4 blue, 5 green) of scope and each of its children, among the
    warnings that colour areas (a late project is not a danger to the area)."""
    child = scope.child_level
    codes = list(areas.children(scope.code)["code"]) if child else []
    out = {c: 5 for c in [scope.code, *codes]}
    w = Warning
    with _conn() as conn:
        for area_code, level in conn.execute(
            select(w.area_code, func.min(w.level))
            .where(w.ended_at.is_(None), w.colours_area.is_(True), scope.prefix(w.area_code))
            .group_by(w.area_code)
        ):
            out[scope.code] = min(out[scope.code], level)
            if child:
                key = area_code[: CODE_LEN[child]]
                if key in out:
                    out[key] = min(out[key], level)
    return out
