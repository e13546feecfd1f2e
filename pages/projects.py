"""The project portfolio (/projects?department=&district=&phase=&status=): at risk first."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import resolve_scope
from components.chart import graph_config
from components.i18n import lang_from, t
from components.page_title import titled
from components.project_views import gantt_figure, parse_project_filters, portfolio_table
from data.domain.departments import department_name
from data.domain.filters import PROJECT_PHASES as PHASES
from data.domain.filters import PROJECT_STATUS_ORDER as STATUS_ORDER
from data.domain.names import lang_index
from data.domain.timeutil import now_ts
from data.read import areas, projectdata

dash.register_page(
    __name__, path="/projects", name="重点项目", order=5, nav="nav_projects", title=titled("nav_projects")
)
log = logging.getLogger("cityops.pages.projects")


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    if not has_request_context():
        return html.Div(className="page desk proj-page")
    now = now_ts()
    try:
        scope = resolve_scope()
        options = projectdata.filter_options(scope, now)
        f, bad = parse_project_filters(params, options)
        rows = projectdata.portfolio(scope, now, **f.model_dump())
        ms = projectdata.milestones(tuple(int(p["id"]) for p in rows))
        names = areas.area_names()
    except SQLAlchemyError:
        log.exception("projects page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    li = lang_index(lang)

    def chips(key, values, label):
        current = getattr(f, key)
        return html.Div(
            className="range-bar",
            children=[
                html.Span(t(f"filter_{key}", lang), className="sub filter-label"),
                dcc.Link(
                    t("all", lang),
                    href=f.url(lang, **{key: None}),
                    className="range-link" + (" active" if current is None else ""),
                ),
                *[
                    dcc.Link(
                        label(v),
                        href=f.url(lang, **{key: v}),
                        className="range-link" + (" active" if current == v else ""),
                    )
                    for v in values
                ],
            ],
        )

    budget = sum(p["budget"] for p in rows)
    spend = sum(p["spend"] for p in rows)
    counts = {s: sum(1 for p in rows if p["status"] == s) for s in STATUS_ORDER}
    return html.Div(
        className="page desk proj-page",
        children=[
            html.H1(t("proj_title", lang)),
            *[html.Div(t("bad_param", lang, name=n), className="notice") for n in bad],
            chips(
                "status",
                list(STATUS_ORDER),
                lambda v: f"{t(v, lang)} · {counts[v]}" if f.status in (None, v) else t(v, lang),
            ),
            chips("phase", PHASES, lambda v: t(f"phase_{v}", lang)),
            chips("district", options["district"], lambda v: (names.get(v) or (v, v))[li]),
            chips("department", options["department"], lambda v: department_name(v, lang)),
            html.Div(
                t(
                    "budget_vs_spend",
                    lang,
                    budget=f"{budget:,.0f}",
                    spend=f"{spend:,.0f}",
                    pct=f"{spend / budget:.0%}" if budget else "—",
                ),
                className="week-totals",
            ),
            html.Section(
                className="wall-panel desk-panel",
                children=[
                    dcc.Graph(
                        id="proj-gantt",
                        figure=gantt_figure(rows, ms, now, lang),
                        config=graph_config(lang, responsive=True),
                    )
                    if rows
                    else html.Div(t("no_projects_match", lang), className="empty")
                ],
            ),
            html.Section(className="wall-panel desk-panel", children=[portfolio_table(rows, names, lang)])
            if rows
            else None,
        ],
    )
