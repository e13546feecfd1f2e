"""The warnings page's data: active or past warnings, filtered, sorted and paged in SQL."""
from __future__ import annotations

from sqlalchemy import func, select

from data.cache import cached_query, current_engine
from data.models import CITY_CODE, Warning

KINDS = ("indicator", "spike", "overdue", "project")
SORTS = {"newest": (Warning.started_at.desc(), Warning.id.desc()),
         "oldest": (Warning.started_at.asc(), Warning.id.asc()),
         "severity": (Warning.level.asc(), Warning.started_at.desc(), Warning.id.desc())}
PAGE_SIZE = 25


def _where(status: str, scope: str, level: int | None, kind: str | None) -> list:
    w = Warning
    cond = [w.ended_at.is_(None) if status == "active" else w.ended_at.is_not(None)]
    if scope != CITY_CODE:
        cond.append(w.area_code.startswith(scope, autoescape=True))
    if level:
        cond.append(w.level == level)
    if kind:
        cond.append(w.kind == kind)
    return cond


@cached_query("warnings")
def warning_page(status: str, scope: str, level: int | None, kind: str | None, sort: str, page: int) -> dict:
    """{'total', 'rows'}: one page of warnings (PAGE_SIZE rows) matching the filters, in SQL."""
    w = Warning
    cond = _where(status, scope, level, kind)
    q = (select(w.id, w.level, w.area_code, w.kind, w.subject, w.rule_id, w.value, w.cause_zh, w.cause_en,
                w.started_at, w.ended_at, w.acknowledged_at, w.acknowledged_by)
         .where(*cond).order_by(*SORTS[sort]).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    with current_engine().connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(w).where(*cond)).scalar() or 0)
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return {"total": total, "rows": rows}


@cached_query("warnings")
def active_counts(scope: str) -> dict[str, int]:
    """Active warnings per level ('1'..'4') inside scope."""
    w = Warning
    cond = _where("active", scope, None, None)
    with current_engine().connect() as conn:
        return {str(lv): int(n) for lv, n in conn.execute(select(w.level, func.count()).where(*cond).group_by(w.level))}
