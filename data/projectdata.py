"""Projects pages' data: the filtered portfolio, one project with milestones, plan and warnings."""
from __future__ import annotations

from sqlalchemy import select

from data import queries
from data.cache import cached_query, current_engine
from data.models import CITY_CODE, Milestone, Warning

STATUS_ORDER = {"late": 0, "at_risk": 1, "on_track": 2}
PHASES = ("approval", "tender", "build", "acceptance", "operation")


def portfolio(now: int, department: str | None = None, district: str | None = None, phase: str | None = None,
              status: str | None = None) -> list[dict]:
    """Projects matching the filters, at risk first (late, then at risk, each by SPI)."""
    df = queries.projects(CITY_CODE, now)
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


def filter_options(now: int) -> dict[str, list[str]]:
    df = queries.projects(CITY_CODE, now)
    return {"department": sorted(df.department.unique().tolist()), "district": sorted(df.district_code.unique().tolist())}


@cached_query("projects")
def milestones(project_ids: tuple[int, ...]) -> dict[int, list[dict]]:
    """Milestones per project, in planned order."""
    if not project_ids:
        return {}
    m = Milestone
    out: dict[int, list[dict]] = {pid: [] for pid in project_ids}
    with current_engine().connect() as conn:
        for r in conn.execute(select(m.project_id, m.name_zh, m.name_en, m.planned_date, m.actual_date)
                              .where(m.project_id.in_(project_ids)).order_by(m.project_id, m.planned_date)).mappings():
            out[r["project_id"]].append(dict(r))
    return out


def project(pid: int, now: int) -> dict | None:
    """One project with its KPIs (as in the portfolio), or None for an unknown id."""
    df = queries.projects(CITY_CODE, now)
    rows = df[df.id == pid]
    return rows.iloc[0].to_dict() if len(rows) else None


@cached_query("warnings")
def project_warnings(pid: int) -> list[dict]:
    """Warnings the schedule rule raised for this project, newest first (its history)."""
    w = Warning
    with current_engine().connect() as conn:
        rows = conn.execute(select(w.level, w.value, w.cause_zh, w.cause_en, w.started_at, w.ended_at)
                            .where(w.kind == "project", w.subject == str(pid)).order_by(w.started_at.desc())).mappings()
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
