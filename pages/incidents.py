"""The incident list (/incidents?window=&status=&source=&category=&area=&priority=&unit=&overdue=&q=):
filters in the URL, counts per status, a grid paged, sorted and filtered in SQL."""
from __future__ import annotations

import logging

import dash
from dash import dcc, html
from sqlalchemy.exc import SQLAlchemyError

from components.i18n import lang_from, t
from components.incident_list import filter_form, grid, parse_filters, status_chips
from data import incidentlist, queries
from data.timeutil import now_ts

dash.register_page(__name__, path="/incidents", name="事件处置", order=6, nav="nav_incidents")
log = logging.getLogger("cityops.pages.incidents")


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    f, bad = parse_filters(params)
    try:
        counts = incidentlist.status_counts(f, now_ts())
        names = queries.area_names()
    except (SQLAlchemyError, RuntimeError):  # RuntimeError: no app context while Dash builds its validation layout
        counts, names = {}, {}
    return html.Div(className="page desk incidents-page", children=[
        dcc.Store(id="incs-state", data={"filters": f._asdict(), "lang": lang}),
        html.H1(t("list_title", lang)),
        *[html.Div(t("bad_param", lang, name=n), className="notice") for n in bad],
        filter_form(f, names, lang),
        status_chips(counts, f, lang),
        grid(f, lang),
    ])
