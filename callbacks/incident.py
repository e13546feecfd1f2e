"""Acting on one incident: one action, one transaction, one sentence back; the page re-reads itself.

The action is written on the primary; from then on this session reads from the primary until a read
replica has replayed it (data.store.cache), so the re-read here and the next page show the action."""

from __future__ import annotations

import logging

from dash import ClientsideFunction, Input, Output, State, html, no_update

from api import plain_id
from api.access import current_user, resolve_scope
from api.auth import audit
from components.i18n import lang_from, t
from components.ids import INCIDENT
from components.incident_views import deadline_clock, render_actions, render_head, render_story
from components.links import href
from data.domain.timeutil import now_ts
from data.domain.vocab import MAX_COMMENT
from data.read import areas, incidentdesk
from data.store.cache import primary_engine
from data.write.writes import BadInput, Busy, NotAllowed, NotFound, StaleVersion, WriteError, apply_action

log = logging.getLogger("cityops.callbacks.incident")


def _lang(state: dict) -> str:
    """The page's language from its Store (the browser's: anything but a known code is the default)."""
    return lang_from(state.get("lang") if isinstance(state.get("lang"), str) else None)


def act(state: dict, action: str | None, unit: str | None, comment: str | None) -> tuple[str, str]:
    """Apply the action as the current user: (outcome, the sentence to show), outcome one of
    "done", "stale" (someone else moved it first) or "refused" (nothing was written).

    The Store, the choice and the text are the browser's: an id or version that is not a plain
    integer names nothing (never a rounded float), and the write path bounds the comment."""
    lang = _lang(state)
    incident_id, version = plain_id(state.get("id")), plain_id(state.get("version"))
    if incident_id is None or version is None:
        return "refused", t("act_failed", lang)
    if not action or not isinstance(action, str):
        return "refused", t("act_pick", lang)
    user = current_user()
    try:
        apply_action(
            primary_engine(),
            incident_id,
            action,
            actor=user.id,
            expected_version=version,
            comment=comment,
            unit=unit,
            scope=resolve_scope(),
        )
    except Busy as exc:  # a long write lock or the database away: nothing was written, the form keeps its input
        log.warning("action on incident %s not saved: %s", incident_id, exc)
        return "refused", t("write_busy", lang)
    except StaleVersion:
        return "stale", t("act_stale", lang)
    except NotAllowed as exc:
        if exc.details.get("reason") == "role":  # the role may not make this move: a refusal on the record
            audit("denied", user_id=user.id, target=f"move:{action}"[:40])
        return "refused", t("act_not_allowed", lang)
    except BadInput as exc:
        if exc.details.get("field") == "comment":
            return "refused", t("act_comment_too_long", lang, limit=MAX_COMMENT)
        return "refused", t("act_bad_unit" if "unit" in exc.details else "act_need_reason", lang)
    except NotFound:
        return "refused", t("inc_not_found", lang, id=incident_id)
    except WriteError:
        log.exception("action on incident %s failed", incident_id)
        return "refused", t("act_failed", lang)
    return "done", t("act_done", lang, action=t(f"act_{action}", lang))


def register(app) -> None:
    @app.callback(
        Output(INCIDENT["head"], "children"),
        Output(INCIDENT["body"], "children"),
        Output(INCIDENT["actions"], "children"),
        Output(INCIDENT["state"], "data"),
        Output(INCIDENT["clock"], "data"),
        Output(INCIDENT["tick"], "disabled"),
        Output(INCIDENT["result"], "children"),
        Input(INCIDENT["submit"], "n_clicks"),
        State(INCIDENT["action"], "value"),
        State(INCIDENT["unit"], "value"),
        State(INCIDENT["comment"], "value"),
        State(INCIDENT["state"], "data"),
        prevent_initial_call=True,
    )
    def _act(n, action, unit, comment, state):
        keep = (no_update,) * 6
        if not n:
            return *keep, no_update
        state = state if isinstance(state, dict) else {}
        lang, incident_id = _lang(state), plain_id(state.get("id"))
        try:
            outcome, message = act(state, action, unit, comment)
            if outcome != "done":
                if outcome == "stale":  # offer the fresh page; the form keeps its input meanwhile
                    message = [
                        message,
                        " ",
                        html.A(t("inc_reload", lang), href=href(f"/incidents/{incident_id}", lang)),
                    ]
                return *keep, message  # nothing changed: the form keeps its input
            story = incidentdesk.incident_story(resolve_scope(), incident_id, now_ts())
            if story is None:  # moved out of the user's scope meanwhile
                return *keep, t("inc_not_found", lang, id=incident_id)
            inc = story["incident"]
            clock = deadline_clock(story, lang)
            return (
                render_head(inc, lang),
                render_story(story, areas.area_names(), lang),
                render_actions(inc, lang, current_user().role),
                dict(state, version=inc["version"]),
                clock,
                clock["due_in_s"] is None,
                message,
            )
        except Exception:  # the database is down or locked: say so, the page keeps what it shows
            log.exception("acting on incident %s failed", incident_id)
            return *keep, t("act_failed", lang)

    # the deadline ticks in the browser; the unit picker shows for dispatch only; a reason is asked for where needed
    app.clientside_callback(
        ClientsideFunction("cityops.desk", "countdown"),
        Output(INCIDENT["deadline"], "children"),
        Output(INCIDENT["deadline"], "className"),
        Input(INCIDENT["tick"], "n_intervals"),
        Input(INCIDENT["clock"], "data"),
    )
    app.clientside_callback(
        ClientsideFunction("cityops.desk", "actionForm"),
        Output(INCIDENT["unit_wrap"], "style"),
        Output(INCIDENT["comment"], "placeholder"),
        Input(INCIDENT["action"], "value"),
        State(INCIDENT["state"], "data"),
    )
