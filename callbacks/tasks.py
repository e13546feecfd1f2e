"""My tasks' refresh (/tasks): on the shell's tick, the open incidents are read again in the Scope the server
resolves for the user (never one a Store names) and the cards are resent only when a word or a number on them
changed (a new incident, a move, a minute less on a clock: at most once a minute without a write)."""

from __future__ import annotations

import logging

from dash import Input, Output, State, no_update

from api.access import current_user, resolve_scope
from components.i18n import lang_from
from components.ids import SHELL, TASKS
from components.task_views import CLOCK_S, render_tasks, tasks_view, view_sig
from data.domain.timeutil import now_ts, tick_of
from data.read import areas, tasks

log = logging.getLogger("cityops.callbacks.tasks")


def tasks_update(lang: str, before: object) -> tuple:
    """(the body's children, the meta store) for one tick, no_update for both when the screen already shows
    the same view (`before`: the meta store the browser holds). Read as of the minute's start (CLOCK_S): the
    clocks on the cards say whole minutes."""
    user = current_user()
    now = tick_of(now_ts(), CLOCK_S)
    data = tasks.open_tasks(resolve_scope(), now)
    view = tasks_view(data, now, areas.area_names(), lang, user.unit if user.role == "unit" else None)
    sig = view_sig(view)
    if isinstance(before, dict) and before.get("sig") == sig:
        return no_update, no_update
    return render_tasks(view, lang), {"sig": sig}


def register(app) -> None:
    @app.callback(
        Output(TASKS["body"], "children"),
        Output(TASKS["meta"], "data"),
        Input(SHELL["tick"], "n_intervals"),
        State(TASKS["config"], "data"),
        State(TASKS["meta"], "data"),
        prevent_initial_call=True,
    )
    def _tick(_n, config, meta):
        config = config if isinstance(config, dict) else {}
        lang = lang_from(config["lang"] if isinstance(config.get("lang"), str) else None)
        try:
            return tasks_update(lang, meta)
        except Exception:  # the database is away: the cards stay as they are until a tick reads again
            log.exception("tasks refresh failed; the screen keeps its cards")
            return no_update, no_update
