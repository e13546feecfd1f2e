"""One incident (/incidents/ID): its story with the reporter masked, the deadline, the timeline,
repeats nearby, and the actions its status allows."""
from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from components.i18n import lang_from, t
from components.ids import INCIDENT
from components.incident_views import render_actions, render_story
from components.notfound import create_not_found
from data import incidentdesk, queries
from data.timeutil import now_ts

dash.register_page(__name__, path_template="/incidents/<iid>", name="事件详情")
log = logging.getLogger("cityops.pages.incident")

PLACEHOLDER = {"id": 0, "status": "reported", "category": "sanitation", "version": 1}


def layout(iid: str | None = None, lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if iid is None or not has_request_context():
        # Dash builds its validation layout by calling every page's layout without path variables
        # (at start-up and again on the first request): give it every id the callbacks use
        return _page(None, PLACEHOLDER, lang)
    shown = str(iid or "")[:40]
    if not shown.isdigit() or len(shown) > 12:
        return create_not_found(lang, t("inc_not_found", lang, id=shown))
    try:
        story = incidentdesk.incident_story(int(shown), now_ts())
        if story is None:
            return create_not_found(lang, t("inc_not_found", lang, id=shown))
        similar = incidentdesk.similar(story["incident"], now_ts())
        body = render_story(story, similar, queries.area_names(), lang)
    except SQLAlchemyError:
        log.exception("incident page %s: the database is unavailable", iid)
        return html.Div(t("data_unavailable", lang), className="notice")
    return _page(body, story["incident"], lang)


def _page(body, inc: dict, lang: str) -> html.Div:
    return html.Div(className="page desk incident-page", children=[
        dcc.Store(id=INCIDENT["state"], data={"id": inc["id"], "version": inc["version"], "lang": lang}),
        html.Div(body or [], id=INCIDENT["body"]),
        html.Div(render_actions(inc, lang), id=INCIDENT["actions"]),
        html.Div(id=INCIDENT["result"], className="action-result"),
    ])
