"""Projects pages: URL filters, the portfolio table and timeline, one project's spend and milestones."""

from __future__ import annotations

from typing import Annotated, ClassVar

import plotly.graph_objects as go
from dash import dcc, html

from components.chart import base_layout
from components.i18n import t
from components.links import href
from components.params import AreaCode, PageQuery, checked, one_of
from components.theme import ACCENT, BACKGROUND, MUTED, PROJECT_STATUS
from components.warnings_view import warning_table
from data.domain.departments import department_name
from data.domain.filters import PROJECT_PHASES as PHASES
from data.domain.filters import PROJECT_STATUS_ORDER as STATUS_ORDER
from data.domain.names import lang_index, name
from data.domain.timeutil import OFFSET, to_dt


class ProjFilters(PageQuery):
    """/projects?department=&district=&phase=&status="""

    PATH: ClassVar[str] = "/projects"
    department: Annotated[str, checked(lambda v: 0 < len(v) <= 40)] | None = None
    district: AreaCode | None = None
    phase: Annotated[str, one_of(PHASES)] | None = None
    status: Annotated[str, one_of(STATUS_ORDER)] | None = None


def parse_project_filters(params: dict, options: dict[str, list[str]]) -> tuple[ProjFilters, list[str]]:
    """Filters from the query string; values not among the known ones (departments and districts come
    from the data) fall back and are named."""
    f, bad = ProjFilters.parse(params)
    for key in ("department", "district"):
        if getattr(f, key) is not None and getattr(f, key) not in options[key]:
            f, bad = f.replace(**{key: None}), [*bad, key]
    return f, bad


def _dt(ts):
    return to_dt(int(ts)).replace(tzinfo=None)


def gantt_figure(rows: list[dict], milestones: dict[int, list[dict]], now: int, lang: str) -> go.Figure:
    """Planned span per project (faint), the share done (in its status colour), milestones and today."""
    names = [f"{name(p, lang)} #{p['id']}" for p in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            base=[_dt(p["planned_start"]) for p in rows],
            x=[(p["planned_end"] - p["planned_start"]) * 1000 for p in rows],
            orientation="h",
            name=t("planned_bar", lang),
            marker={"color": "rgba(143,166,200,0.25)"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Bar(
            y=names,
            base=[_dt(p["planned_start"]) for p in rows],
            x=[(p["planned_end"] - p["planned_start"]) * 1000 * p["progress"] for p in rows],
            orientation="h",
            name=t("done_bar", lang),
            marker={"color": [PROJECT_STATUS[p["status"]] for p in rows]},
            customdata=[[round(p["progress"] * 100), round(p["planned"] * 100)] for p in rows],
            hovertemplate="%{customdata[0]}% / %{customdata[1]}%<extra></extra>",
        )
    )
    ms_x, ms_y, ms_text = [], [], []
    for p, label in zip(rows, names):
        for m in milestones.get(int(p["id"]), []):
            ms_x.append(_dt(m["planned_date"]))
            ms_y.append(label)
            ms_text.append(name(m, lang))
    fig.add_trace(
        go.Scatter(
            x=ms_x,
            y=ms_y,
            mode="markers",
            name=t("milestone", lang),
            text=ms_text,
            marker={"symbol": "diamond", "size": 9, "color": "#f4ecff", "line": {"width": 1, "color": BACKGROUND}},
            hovertemplate="%{text} %{x|%Y-%m-%d}<extra></extra>",
        )
    )
    # the axis shows Shanghai wall time: epoch ms of that
    fig.add_vline(
        x=(now + OFFSET) * 1000,
        line={"color": ACCENT, "width": 2, "dash": "dot"},
        annotation_text=t("today", lang),
        annotation_font={"color": ACCENT},
    )
    fig.update_layout(
        base_layout(
            t("gantt_title", lang),
            max(320, 28 * len(rows) + 120),
            lang,
            left=10,
            top=60,
            barmode="overlay",
            yaxis={"autorange": "reversed", "automargin": True},
        )
    )
    return fig


def portfolio_table(rows: list[dict], names: dict, lang: str) -> html.Table:
    li = lang_index(lang)
    heads = (
        "col_project",
        "col_status",
        "col_spi",
        "col_progress",
        "col_phase",
        "col_department",
        "col_district",
        "col_budget",
        "col_spend",
        "col_planned_end",
    )
    return html.Table(
        className="desk-table proj-table",
        children=[
            html.Thead(html.Tr([html.Th(t(h, lang)) for h in heads])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(dcc.Link(name(p, lang), href=href(f"/projects/{p['id']}", lang))),
                            html.Td(html.Span(t(p["status"], lang), className=f"proj-tag {p['status']}")),
                            html.Td(f"{p['spi']:.2f}", className="num"),
                            html.Td(f"{p['progress']:.0%} / {p['planned']:.0%}", className="num"),
                            html.Td(t(f"phase_{p['phase']}", lang)),
                            html.Td(department_name(p["department"], lang)),
                            html.Td((names.get(p["district_code"]) or (p["district_code"],) * 2)[li]),
                            html.Td(f"{p['budget']:,.0f}", className="num"),
                            html.Td(f"{p['spend']:,.0f}", className="num"),
                            html.Td(to_dt(int(p["planned_end"])).strftime("%Y-%m-%d"), className="num"),
                        ]
                    )
                    for p in rows
                ]
            ),
        ],
    )


def spend_figure(p: dict, plan: list[tuple[int, float]], now: int, lang: str) -> go.Figure:
    """Planned cumulative spend (S-curve) with today's actual spend and earned value as points: there is
    no spending history, so nothing is drawn that was not measured."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[_dt(ts) for ts, _ in plan],
            y=[v for _, v in plan],
            name=t("spend_plan", lang),
            mode="lines",
            line={"color": MUTED, "width": 2, "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[_dt(now)],
            y=[p["spend"]],
            name=t("spend_actual", lang),
            mode="markers",
            marker={"size": 14, "color": PROJECT_STATUS[p["status"]]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[_dt(now)],
            y=[round(p["progress"] * p["budget"], 1)],
            name=t("earned", lang),
            mode="markers",
            marker={"size": 12, "symbol": "diamond", "color": ACCENT},
        )
    )
    fig.update_layout(
        base_layout(t("spend_title", lang), 360, lang, yaxis={"title": {"text": t("unit_10k_cny", lang)}})
    )
    return fig


def milestone_table(ms: list[dict], now: int, lang: str) -> html.Table:
    def day(ts):
        return to_dt(int(ts)).strftime("%Y-%m-%d") if ts else t("not_yet", lang)

    return html.Table(
        className="desk-table",
        children=[
            html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("milestone", "col_planned", "col_actual")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(name(m, lang)),
                            html.Td(day(m["planned_date"]), className="num"),
                            html.Td(
                                day(m["actual_date"]),
                                className="num"
                                + (" overdue" if not m["actual_date"] and m["planned_date"] < now else ""),
                            ),
                        ]
                    )
                    for m in ms
                ]
            ),
        ],
    )


def project_warning_table(ws: list[dict], lang: str):
    return warning_table(
        ws, ("col_level", "col_cause", "col_started", "col_ended"), lang, empty="no_proj_warnings", fmt="%Y-%m-%d %H:%M"
    )
