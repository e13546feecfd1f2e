"""Projects pages' data shaping: filters, at-risk-first ordering, the plan curve, the timeline."""

from __future__ import annotations

from components.project_views import ProjFilters, gantt_figure, parse_project_filters, spend_figure
from data.domain.scope import CITY
from data.read import projectdata
from tests.conftest import SMALL_END


def test_portfolio_puts_late_then_at_risk_first_and_filters(small_city, app_for):
    app_for(small_city)
    rows = projectdata.portfolio(CITY, SMALL_END)
    assert len(rows) == 64
    order = [projectdata.STATUS_ORDER[r["status"]] for r in rows]
    assert order == sorted(order) and order[0] == 0  # the seeded city has late projects
    late = projectdata.portfolio(CITY, SMALL_END, status="late")
    assert late and all(r["status"] == "late" for r in late)
    district = rows[0]["district_code"]
    assert all(r["district_code"] == district for r in projectdata.portfolio(CITY, SMALL_END, district=district))


def test_filters_come_from_the_url_and_unknown_values_are_named(small_city, app_for):
    app_for(small_city)
    options = projectdata.filter_options(CITY, SMALL_END)
    f, bad = parse_project_filters({"status": "late", "phase": "build", "district": options["district"][0]}, options)
    assert bad == [] and f.status == "late" and f.phase == "build"
    assert f.url("zh").startswith("/projects?district=")
    f, bad = parse_project_filters({"status": "doomed", "department": "不存在的局", "phase": "x"}, options)
    assert f == ProjFilters() and sorted(bad) == ["department", "phase", "status"]


def test_plan_curve_runs_from_zero_to_the_budget():
    plan = projectdata.planned_spend(1000.0, 0, 100 * 86400)
    assert plan[0] == (0, 0.0) and plan[-1][1] == 1000.0
    values = [v for _, v in plan]
    assert values == sorted(values)


def test_timeline_has_plan_progress_and_milestones(small_city, app_for):
    app_for(small_city)
    rows = projectdata.portfolio(CITY, SMALL_END)[:10]
    ms = projectdata.milestones(tuple(int(r["id"]) for r in rows))
    fig = gantt_figure(rows, ms, SMALL_END, "zh")
    assert [t.name for t in fig.data] == ["计划工期", "已完成", "里程碑"]
    assert len(fig.data[2].x) == sum(len(v) for v in ms.values()) > 0
    today = fig.layout.shapes[0]  # the "today" line keeps its own dotted cyan style
    assert (today.line.color, today.line.dash, today.line.width) == ("#22d3ee", "dot", 2)
    assert projectdata.project(CITY, 10**6, SMALL_END) is None


def test_project_charts_use_the_shared_layout(small_city, app_for):
    app_for(small_city)
    rows = projectdata.portfolio(CITY, SMALL_END)[:3]
    p = rows[0]
    spend = spend_figure(
        p, projectdata.planned_spend(p["budget"], p["planned_start"], p["planned_end"]), SMALL_END, "zh"
    )
    gantt = gantt_figure(rows, {}, SMALL_END, "en")
    for fig in (spend, gantt):
        assert fig.layout.plot_bgcolor == "rgba(0,0,0,0)" and fig.layout.legend.orientation == "h"
        assert fig.layout.xaxis.type == "date" and fig.layout.yaxis.gridcolor == fig.layout.xaxis.gridcolor
    assert spend.layout.xaxis.tickformatstops and not gantt.layout.xaxis.tickformatstops  # Chinese dates only in zh
    assert gantt.layout.yaxis.autorange == "reversed" and gantt.layout.margin.l == 10
