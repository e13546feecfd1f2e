"""One incident (/incidents/ID): its story with the reporter masked, the deadline counting down, the
timeline, where it is with its repeats, and the actions its status allows."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api import photos as photo_api
from api import plain_id
from api.access import current_user, resolve_scope
from components.i18n import lang_from, t
from components.ids import INCIDENT
from components.incident_moves import FIELD_OF, needs_reason, render_actions
from components.incident_views import deadline_clock, deadline_text, render_head, render_place, render_story
from components.notfound import create_not_found
from components.page_title import titled
from data.domain.timeutil import now_ts
from data.domain.vocab import CATEGORIES
from data.read import areas, incident_loop, incidentdesk

dash.register_page(__name__, path_template="/incidents/<iid>", name="事件详情", title=titled("title_incident"))
log = logging.getLogger("cityops.pages.incident")

PLACEHOLDER = {"id": 0, "status": "reported", "category": "sanitation", "version": 1, "title": ""}


def layout(iid: str | None = None, lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if iid is None or not has_request_context():
        # Dash builds its validation layout by calling every page's layout without path variables
        # (at start-up and again on the first request): give it every id the callbacks use
        return _page(None, PLACEHOLDER, lang)
    shown, number = str(iid or "")[:40], plain_id(iid)
    if number is None:  # '12.5', '１２', '²', '1e3': not an id, never a rounded or widened one
        return create_not_found(lang, t("inc_not_found", lang, id=shown))
    try:
        now = now_ts()
        scope = resolve_scope()
        story = incident_loop.desk_story(scope, number, now)
        if story is None:
            return create_not_found(lang, t("inc_not_found", lang, id=shown))
        inc = story["incident"]
        parts = {
            "story": render_story(story, areas.area_names(), lang, current_user().role),
            "loop": story["loop"],
            "form": {
                "proposals": story["proposals"],
                "units": CATEGORIES[inc["category"]]["units"],
                "pending": story["loop"]["pending"],
                "now": now,
                "photo_limit": int(current_app.config.get("PHOTO_MAX_BYTES", photo_api.PHOTO_MAX_BYTES)),
            },
            "clock": deadline_clock(story, lang),
            "place": render_place(
                inc, incidentdesk.similar(scope, inc, now), lang, current_app.config.get("TILE_URL") or None
            ),
        }
    except SQLAlchemyError:
        log.exception("incident page %s: the database is unavailable", shown)
        return html.Div(t("data_unavailable", lang), className="notice")
    return _page(parts, inc, lang)


def _page(parts: dict | None, inc: dict, lang: str) -> html.Div:
    parts = parts or {"story": [], "place": [], "clock": {"key": "", "due_in_s": None, "closed": True, "done": ""}}
    text, cls = deadline_text(parts["clock"], lang)
    return html.Div(
        className="page desk incident-page",
        children=[
            dcc.Store(
                id=INCIDENT["state"],
                data={
                    "id": inc["id"],
                    "version": inc["version"],
                    "lang": lang,
                    "needs_reason": needs_reason(),
                    "fields": FIELD_OF,
                    "reason": t("inc_reason", lang),
                    "note": t("mv_note", lang),
                    "comment": t("inc_comment", lang),
                },
            ),
            dcc.Store(id=INCIDENT["clock"], data=parts["clock"]),
            dcc.Interval(id=INCIDENT["tick"], interval=1000, disabled=parts["clock"]["due_in_s"] is None),
            html.Div(
                className="incident-layout",
                children=[
                    html.Div(
                        className="incident-main",
                        children=[
                            html.Div(
                                render_head(inc, lang, parts.get("loop")) if parts["story"] else [],
                                id=INCIDENT["head"],
                            ),
                            html.Div(text, id=INCIDENT["deadline"], className=cls),
                            html.Div(parts["story"], id=INCIDENT["body"]),
                            html.Div(
                                render_actions(inc, lang, current_user().role, **parts.get("form", {})),
                                id=INCIDENT["actions"],
                            ),
                            html.Div(id=INCIDENT["result"], className="action-result", role="status"),
                        ],
                    ),
                    html.Div(parts["place"], className="incident-side"),
                ],
            ),
        ],
    )
