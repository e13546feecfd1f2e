"""Overview page (/): today's incidents, the closed loop, overdue and warnings at a glance."""

import dash
from dash import html

from components.i18n import lang_from, t
from components.ids import HOME

dash.register_page(__name__, path="/", name="运行概览", order=0, nav="nav_home")


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    return html.Div(
        className="page",
        children=[
            html.H1(t("home_title", lang)),
            html.Div(id=HOME["notice"]),
            html.Div(id=HOME["kpis"], className="kpis"),
            html.Div(
                className="panel",
                children=[html.H2(t("by_source", lang)), html.Div(id=HOME["sources"], className="bars")],
            ),
            html.Div(
                className="panel", children=[html.H2(t("loop", lang)), html.Div(id=HOME["loop"], className="bars")]
            ),
            html.Div(id=HOME["updated"], className="kpi-sub"),
        ],
    )
