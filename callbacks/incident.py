"""Acting on one incident: one action, one transaction, one sentence back; the page re-reads itself."""
from __future__ import annotations

import logging

from dash import Input, Output, State, no_update

from components.i18n import t
from components.ids import INCIDENT
from components.incident_views import render_actions, render_story
from data import incidentdesk, queries
from data.cache import current_engine
from data.timeutil import now_ts
from data.users import current_user
from data.writes import BadInput, NotAllowed, NotFound, StaleVersion, WriteError, apply_action

log = logging.getLogger("cityops.callbacks.incident")


def act(state: dict, action: str | None, unit: str | None, comment: str | None) -> tuple[bool, str]:
    """Apply the action as the current user; (done, the sentence to show)."""
    lang = state["lang"]
    if not action:
        return False, t("act_pick", lang)
    user = current_user()
    try:
        after = apply_action(current_engine(), int(state["id"]), action, actor=user["name_en" if lang == "en" else "name_zh"],
                             expected_version=int(state["version"]), comment=comment, unit=unit)
    except StaleVersion:
        return False, t("act_stale", lang)
    except NotAllowed:
        return False, t("act_not_allowed", lang)
    except BadInput as exc:
        return False, t("act_bad_unit" if "unit" in exc.details else "act_need_reason", lang)
    except NotFound:
        return False, t("inc_not_found", lang, id=state["id"])
    except WriteError:
        log.exception("action %s on incident %s failed", action, state["id"])
        return False, t("act_failed", lang)
    return True, t("act_done", lang, action=t(f"act_{action}", lang), version=after["version"])


def register(app) -> None:
    @app.callback(
        Output(INCIDENT["body"], "children"), Output(INCIDENT["actions"], "children"),
        Output(INCIDENT["state"], "data"), Output(INCIDENT["result"], "children"),
        Input(INCIDENT["submit"], "n_clicks"),
        State(INCIDENT["action"], "value"), State(INCIDENT["unit"], "value"), State(INCIDENT["comment"], "value"),
        State(INCIDENT["state"], "data"), prevent_initial_call=True,
    )
    def _act(n, action, unit, comment, state):
        if not n:
            return no_update, no_update, no_update, no_update
        try:
            done, message = act(state, action, unit, comment)
            if not done:
                return no_update, no_update, no_update, message  # nothing changed: the form keeps its input
            now = now_ts()
            story = incidentdesk.incident_story(int(state["id"]), now)
            body = render_story(story, incidentdesk.similar(story["incident"], now), queries.area_names(), state["lang"])
            new_state = dict(state, version=story["incident"]["version"])
            return body, render_actions(story["incident"], state["lang"]), new_state, message
        except Exception:  # the database is down or locked: say so, the page keeps what it shows
            log.exception("acting on incident %s failed", state.get("id"))
            return no_update, no_update, no_update, t("act_failed", state["lang"])
