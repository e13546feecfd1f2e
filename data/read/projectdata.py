"""Projects in a Scope with their KPIs: the wall's panel, the filtered portfolio, one project with its
milestones, plan and warnings. A street sees its district's projects."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data.domain.filters import PROJECT_PHASES, PROJECT_STATUS_ORDER
from data.domain.scope import Scope, scoped
from data.domain.timeutil import DAY, hour_of
from data.rules.engine import schedule_performance
from data.store.cache import cached_query, current_engine
from data.store.models import Milestone, Project, Warning

STATUS_ORDER, PHASES = PROJECT_STATUS_ORDER, PROJECT_PHASES


PROJECT_GRACE_DAYS = 14


@scoped
def projects(scope: Scope, now: int) -> pd.DataFrame:
    """Projects in scope with derived KPIs: spi, planned, budget_execution, status (on_track/at_risk/late).

    Schedules are judged to the hour (a plan runs for months), so every screen in an hour shares one
    cache entry instead of missing it every second."""
    return _projects(scope, hour_of(now))


@cached_query("projects")
def _projects(scope: Scope, now: int) -> pd.DataFrame:
    p = Project
    q = select(
        p.id,
        p.name_zh,
        p.name_en,
        p.department,
        p.district_code,
        p.category,
        p.phase,
        p.budget,
        p.spend,
        p.planned_start,
        p.planned_end,
        p.actual_end,
        p.progress,
    )
    if scope.level != "city":
        q = q.where(p.district_code == scope.district)
    with current_engine().connect() as conn:
        df = pd.DataFrame(
            conn.execute(q).all(),
            columns=[
                "id",
                "name_zh",
                "name_en",
                "department",
                "district_code",
                "category",
                "phase",
                "budget",
                "spend",
                "planned_start",
                "planned_end",
                "actual_end",
                "progress",
            ],
        )
    if df.empty:
        return df.assign(spi=[], planned=[], budget_execution=[], status=[])
    kpi = [schedule_performance(pr, ps, pe, now) for pr, ps, pe in zip(df.progress, df.planned_start, df.planned_end)]
    df["spi"] = [round(k[0], 3) for k in kpi]
    df["planned"] = [round(k[1], 3) for k in kpi]
    df["budget_execution"] = (df.spend / df.budget).round(3)
    # too young to judge: a few days of slippage on a plan measured in months is noise (as in the rules)
    young = (now - df.planned_start) < PROJECT_GRACE_DAYS * DAY
    df["status"] = [
        "on_track" if s >= 0.95 or ph == "operation" or y else "at_risk" if s >= 0.85 else "late"
        for s, ph, y in zip(df.spi, df.phase, young)
    ]
    return df.sort_values(["spi", "id"]).reset_index(drop=True)


projects.uncached = lambda scope, now: _projects.uncached(scope, now)  # exact time, for tests and benches


@scoped
def portfolio(
    scope: Scope,
    now: int,
    department: str | None = None,
    district: str | None = None,
    phase: str | None = None,
    status: str | None = None,
) -> list[dict]:
    """Projects matching the filters, at risk first (late, then at risk, each by SPI)."""
    df = projects(scope, now)
    if department:
        df = df[df.department == department]
    if district:
        df = df[df.district_code == district]
    if phase:
        df = df[df.phase == phase]
    if status:
        df = df[df.status == status]
    rows = df.to_dict("records")
    rows.sort(key=lambda r: (STATUS_ORDER[r["status"]], r["spi"], r["id"]))
    return rows


@scoped
def filter_options(scope: Scope, now: int) -> dict[str, list[str]]:
    df = projects(scope, now)
    return {
        "department": sorted(df.department.unique().tolist()),
        "district": sorted(df.district_code.unique().tolist()),
    }


@cached_query("projects")
def milestones(project_ids: tuple[int, ...]) -> dict[int, list[dict]]:
    """Milestones per project, in planned order."""
    if not project_ids:
        return {}
    m = Milestone
    out: dict[int, list[dict]] = {pid: [] for pid in project_ids}
    with current_engine().connect() as conn:
        for r in conn.execute(
            select(m.project_id, m.name_zh, m.name_en, m.planned_date, m.actual_date)
            .where(m.project_id.in_(project_ids))
            .order_by(m.project_id, m.planned_date)
        ).mappings():
            out[r["project_id"]].append(dict(r))
    return out


@scoped
def project(scope: Scope, pid: int, now: int) -> dict | None:
    """One project in scope with its KPIs (as in the portfolio), or None for an unknown id or one outside."""
    df = projects(scope, now)
    rows = df[df.id == pid]
    return rows.iloc[0].to_dict() if len(rows) else None


@cached_query("warnings")
def project_warnings(scope: Scope, pid: int) -> list[dict]:
    """Warnings the schedule rule raised for this project, newest first (its history)."""
    w = Warning
    with current_engine().connect() as conn:
        rows = conn.execute(
            select(w.level, w.value, w.cause_zh, w.cause_en, w.started_at, w.ended_at)
            .where(w.kind == "project", w.subject == str(pid))
            .order_by(w.started_at.desc())
        ).mappings()
        return [dict(r) for r in rows]


def planned_spend(budget: float, start: int, end: int, points: int = 60) -> list[tuple[int, float]]:
    """The planned cumulative spend: an S-curve (smoothstep) from 0 at the start to the budget at the end,
    the usual shape of a build project's spending."""
    span = max(end - start, 1)
    out = []
    for i in range(points + 1):
        x = i / points
        out.append((start + int(span * x), round(budget * x * x * (3 - 2 * x), 1)))
    return out
