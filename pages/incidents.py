"""The incident list (/incidents?window=&status=&source=&category=&area=&priority=&unit=&overdue=&q=):
filters in the URL, counts per status, a grid paged, sorted and filtered in SQL."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from components.i18n import lang_from, t
from components.incident_list import filter_form, grid, parse_filters, status_chips
from components.page_title import titled
from data.domain.timeutil import now_ts, tick_of
from data.domain.vocab import CITY_CODE
from data.read import areas, incidentlist

dash.register_page(
    __name__, path="/incidents", name="事件处置", order=6, nav="nav_incidents", title=titled("nav_incidents")
)
log = logging.getLogger("cityops.pages.incidents")


def _scope(f, bad: list, asked: bool) -> tuple:
    """The list's Scope and filters: the filter's area when the user may see it, else the user's whole
    root (with a notice only when an area was asked for)."""
    try:
        if asked:
            return resolve_scope(f.area), f, bad
    except ScopeError:
        bad = [*bad, "area"]
    root = resolve_scope()
    return root, f._replace(area=root.code), bad


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    f, bad = parse_filters(params)
    try:
        scope, f, bad = _scope(f, bad, "area" in params)
        counts = incidentlist.status_counts(scope, f, tick_of(now_ts(), current_app.config.get("REFRESH_SECONDS", 10)))
        root = resolve_scope().code
        names = areas.area_names()
    except (SQLAlchemyError, RuntimeError):  # RuntimeError: no app context while Dash builds its validation layout
        counts, names, root = {}, {}, CITY_CODE
    return html.Div(
        className="page desk incidents-page",
        children=[
            dcc.Store(id="incs-state", data={"filters": f._asdict(), "lang": lang}),
            html.H1(t("list_title", lang)),
            *[html.Div(t("bad_param", lang, name=n), className="notice") for n in bad],
            filter_form(f, names, lang, root),
            status_chips(counts, f, lang),
            grid(f, lang),
        ],
    )
