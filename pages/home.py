"""Overview page (/): today's incidents, the closed loop, overdue and warnings at a glance."""

import dash
from dash import html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import resolve_scope
from components.i18n import lang_from, name, t
from components.ids import HOME
from components.page_title import titled
from data.read import areas

dash.register_page(__name__, path="/", name="运行概览", order=0, nav="nav_home", title=titled("nav_home"))


def _title(lang: str) -> str:
    """'城市运行概览', or for a district's or a street's user '南京东路街道 · 运行概览': whose figures these are."""
    if has_request_context():
        try:
            scope = resolve_scope()
            if not scope.is_city:
                return f"{name(areas.area(scope.code) or {}, lang)} · {t('nav_home', lang)}"
        except SQLAlchemyError:
            pass
    return t("home_title", lang)


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    return html.Div(
        className="page",
        children=[
            html.H1(_title(lang)),
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
