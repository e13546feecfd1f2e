"""My tasks (/tasks): the open incidents the signed-in user must act on, most overdue first, as cards that open
the incident: for a unit, those dispatched to it; for the other roles, those of their area waiting on a unit.
A unit's landing page; the shell's tick refreshes it (callbacks/tasks.py)."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import current_user, resolve_scope
from components.i18n import lang_from, t
from components.ids import TASKS
from components.page_title import titled
from components.task_views import CLOCK_S, render_tasks, tasks_view, view_sig
from data.domain.timeutil import now_ts, tick_of
from data.read import areas, tasks

dash.register_page(__name__, path="/tasks", name="我的待办", order=5.5, nav="nav_tasks", title=titled("nav_tasks"))
log = logging.getLogger("cityops.pages.tasks")


def read_view(lang: str) -> dict:
    """The page's content for the current user, read in the Scope the server resolves (a unit's: its unit's
    incidents), as of the current minute's start (as callbacks/tasks.py's refresh)."""
    user = current_user()
    now = tick_of(now_ts(), CLOCK_S)
    data = tasks.open_tasks(resolve_scope(), now)
    return tasks_view(data, now, areas.area_names(), lang, user.unit if user.role == "unit" else None)


def create_tasks(lang: str, body: list, sig: str) -> html.Div:
    """The page: its title, then what read_view found (counts, cards, links to the rest)."""
    return html.Div(
        className="page desk tasks-page",
        children=[
            dcc.Store(id=TASKS["config"], data={"lang": lang}),
            dcc.Store(id=TASKS["meta"], data={"sig": sig}),
            html.H1(t("tasks_title", lang)),
            html.Div(body, id=TASKS["body"], className="tasks-body", role="region", **{"aria-live": "polite"}),
        ],
    )


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if not has_request_context():  # Dash's validation layout at start-up: ids and structure only
        return create_tasks(lang, [], "")
    try:
        view = read_view(lang)
    except SQLAlchemyError:  # the database is away: say so; the next tick tries again
        log.exception("tasks: cannot read the open incidents")
        return create_tasks(lang, [html.Div(t("data_unavailable", lang), className="notice")], "")
    return create_tasks(lang, render_tasks(view, lang), view_sig(view))
