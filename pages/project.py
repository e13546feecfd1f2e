"""One project (/projects/ID): KPIs, spend against plan, milestones, schedule warnings."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api import plain_id
from api.access import resolve_scope
from components.chart import graph_config
from components.i18n import lang_from, t
from components.kpi import create_kpi
from components.links import href
from components.notfound import create_not_found
from components.page_title import titled
from components.project_views import milestone_table, project_warning_table, spend_figure
from data.domain.departments import department_name
from data.domain.names import lang_index, name
from data.domain.timeutil import now_ts, to_dt
from data.read import areas, projectdata

dash.register_page(__name__, path_template="/projects/<pid>", name="项目详情", title=titled("title_project"))
log = logging.getLogger("cityops.pages.project")


def layout(pid: str | None = None, lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if pid is None or not has_request_context():  # Dash's validation layout (no path variables)
        return html.Div(className="page desk proj-detail")
    shown, number = str(pid)[:40], plain_id(pid)
    if number is None:  # '12.5', '１２', '²', '1e3': not an id, never a rounded or widened one
        log.info("project page: a malformed id")
        return create_not_found(lang, t("proj_not_found", lang, id=shown))
    now = now_ts()
    try:
        scope = resolve_scope()
        p = projectdata.project(scope, number, now)
        if p is None:
            return create_not_found(lang, t("proj_not_found", lang, id=shown))
        ms = projectdata.milestones((number,)).get(number, [])
        warnings = projectdata.project_warnings(scope, number)
        names = areas.area_names()
    except SQLAlchemyError:
        log.exception("project page %s: the database is unavailable", shown)
        return html.Div(t("data_unavailable", lang), className="notice")
    title = name(p, lang)
    district = (names.get(p["district_code"]) or (p["district_code"],) * 2)[lang_index(lang)]
    plan = projectdata.planned_spend(p["budget"], int(p["planned_start"]), int(p["planned_end"]))
    return html.Div(
        className="page desk proj-detail",
        children=[
            html.Nav(
                [
                    dcc.Link(t("proj_title", lang), href=href("/projects", lang), className="crumb"),
                    html.Span("›", className="crumb-sep"),
                    html.Span(title, className="crumb current"),
                ],
                className="breadcrumbs",
            ),
            html.H1([title, html.Span(t(p["status"], lang), className=f"proj-tag {p['status']}")]),
            html.Div(
                f"{department_name(p['department'], lang)} · {district} · {t('phase_' + p['phase'], lang)} · "
                f"{to_dt(int(p['planned_start'])).date()} → {to_dt(int(p['planned_end'])).date()}",
                className="sub",
            ),
            html.Div(
                className="kpis",
                children=[
                    create_kpi(t("col_spi", lang), f"{p['spi']:.2f}", alert=p["status"] == "late"),
                    create_kpi(t("col_progress", lang), f"{p['progress']:.0%} / {p['planned']:.0%}"),
                    create_kpi(
                        t("budget_execution", lang),
                        f"{p['budget_execution']:.0%}",
                        f"{p['spend']:,.0f} / {p['budget']:,.0f} " + t("unit_10k_cny", lang),
                    ),
                ],
            ),
            html.Section(
                className="wall-panel desk-panel",
                children=[
                    dcc.Graph(
                        id="proj-spend",
                        figure=spend_figure(p, plan, now, lang),
                        config=graph_config(lang, responsive=True),
                    )
                ],
            ),
            html.Div(
                className="desk-row two",
                children=[
                    html.Section(
                        className="wall-panel desk-panel",
                        children=[
                            html.H2(t("milestones", lang), className="panel-title"),
                            milestone_table(ms, now, lang),
                        ],
                    ),
                    html.Section(
                        className="wall-panel desk-panel",
                        children=[
                            html.H2(t("proj_history", lang), className="panel-title"),
                            html.Div(project_warning_table(warnings, lang), className="scroll-body"),
                        ],
                    ),
                ],
            ),
        ],
    )
