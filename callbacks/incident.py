"""Acting on one incident: one action, one transaction, one sentence back; the page re-reads itself.

The action is written on the primary; from then on this session reads from the primary until a read
replica has replayed it (data.store.cache), so the re-read here and the next page show the action."""

from __future__ import annotations

import logging
import re

from dash import ClientsideFunction, Input, Output, State, html, no_update
from flask import current_app

from api import photos as photo_api
from api import plain_id
from api.access import current_user, resolve_scope
from api.auth import audit
from callbacks.incident_moves import register as register_moves
from components.i18n import lang_from, t
from components.ids import INCIDENT
from components.incident_moves import MOVES, render_actions, stages_of
from components.incident_views import deadline_clock, render_head, render_story
from components.links import href
from data.domain.timeutil import now_ts, parse_local
from data.domain.vocab import CATEGORIES, MAX_COMMENT
from data.read import areas, incident_loop
from data.store.cache import primary_engine
from data.write.errors import BadInput, Busy, NotAllowed, NotFound, StaleVersion, WriteError
from data.write.moves import apply_action
from data.write.photos import attach_pending

log = logging.getLogger("cityops.callbacks.incident")


def _lang(state: dict) -> str:
    """The page's language from its Store (the browser's: anything but a known code is the default)."""
    return lang_from(state.get("lang") if isinstance(state.get("lang"), str) else None)


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"\d{2}:\d{2}")
NOT_ALLOWED = {  # why the write path refused a move (details["reason"]) -> the sentence
    "pending": "why_pending_request",
    "no_request": "why_no_request",
    "parked": "why_parked",
    "not_parked": "why_not_parked",
    "supervised": "why_supervised",
    "stage": "why_stage",
    "disposition": "why_disposition",
}
NEW_MOVES = ("reject", "self_handle", "return", "park", "unpark", "supervise")  # each with its own sentence
NEW_MOVES += ("request_extension", "approve_extension", "refuse_extension")


def new_due(date: object, time: object) -> int | None:
    """The deadline an extension asks for, from the page's date and time fields (Shanghai time); None when
    either is not a real date or time (the write path then names the field)."""
    if not (isinstance(date, str) and DATE.fullmatch(date) and isinstance(time, str) and TIME.fullmatch(time)):
        return None
    try:
        return parse_local(f"{date} {time}")
    except ValueError:  # 2026-02-30, 25:00
        return None


def _bad_input(exc: BadInput, action: str, comment: object, target: object, lang: str) -> str:
    field = exc.details.get("field") or ("unit" if "unit" in exc.details else "comment")
    if field == "comment":
        if isinstance(comment, str) and len(comment.strip()) > MAX_COMMENT:
            return t("act_comment_too_long", lang, limit=MAX_COMMENT)
        return t("why_note" if action == "self_handle" else "why_reason", lang)
    if field == "unit":
        return t("act_bad_unit", lang)
    if field == "target_id":
        return t("why_target_missing", lang, id=target) if target is not None else t("why_target", lang)
    if field == "new_due":
        return t("why_new_due", lang)
    return t("why_generic_field", lang, field=str(field)[:20])


def _done(action: str, after: dict, lang: str) -> str:
    if action == "merge":
        return t("done_merge", lang, id=after.get("merged_into"))
    if action == "stage_done":
        stages = stages_of(after, lang)
        return t("done_stage_done", lang, stage=stages[max(0, (after.get("stage") or 1) - 1)] if stages else "")
    if action in NEW_MOVES:
        return t(f"done_{action}", lang)
    return t("act_done", lang, action=t(f"act_{action}", lang))


def act(
    state: dict,
    action: str | None,
    unit: str | None,
    comment: str | None,
    target: object = None,
    due_date: object = None,
    due_time: object = None,
) -> tuple[str, str]:
    """Apply the action as the current user: (outcome, the sentence to show), outcome one of
    "done", "stale" (someone else moved it first) or "refused" (nothing was written).

    The Store, the choice and the fields are the browser's: an id, version or merge target that is not a
    plain integer names nothing (never a rounded float), a deadline is read only from a real date and
    time, and the write path bounds the comment and checks the target within the user's scope. A start
    or finish takes the photos waiting for its phase with it."""
    lang = _lang(state)
    incident_id, version = plain_id(state.get("id")), plain_id(state.get("version"))
    if incident_id is None or version is None:
        return "refused", t("act_failed", lang)
    if not action or not isinstance(action, str):
        return "refused", t("act_pick", lang)
    target_id = plain_id(target.strip() if isinstance(target, str) else target) if action == "merge" else None
    user = current_user()
    try:
        after = apply_action(
            primary_engine(),
            incident_id,
            action,
            actor=user.id,
            expected_version=version,
            comment=comment,
            unit=unit if action == "dispatch" else None,
            new_due=new_due(due_date, due_time) if action == "request_extension" else None,
            target_id=target_id,
            scope=resolve_scope(),
        )
    except Busy as exc:  # a long write lock or the database away: nothing was written, the form keeps its input
        log.warning("action on incident %s not saved: %s", incident_id, exc)
        return "refused", t("write_busy", lang)
    except StaleVersion:
        return "stale", t("act_stale", lang)
    except NotAllowed as exc:
        reason = exc.details.get("reason")
        if reason == "role":  # the role may not make this move: a refusal on the record
            audit("denied", user_id=user.id, target=f"move:{action}"[:40])
        return "refused", t(NOT_ALLOWED.get(reason, "act_not_allowed"), lang)
    except BadInput as exc:
        return "refused", _bad_input(exc, action, comment, target_id, lang)
    except NotFound:
        return "refused", t("inc_not_found", lang, id=incident_id)
    except WriteError:
        log.exception("action on incident %s failed", incident_id)
        return "refused", t("act_failed", lang)
    try:
        attach_pending(primary_engine(), incident_id, action, actor=user.id)
    except (Busy, WriteError):  # the move stands; its photos wait and are shown as waiting
        log.warning("photos of incident %s not attached to its %s", incident_id, action)
    return "done", _done(action, after, lang)


def page_parts(story: dict, lang: str, role: str) -> tuple:
    """The head, body and move form of an incident page from data.read.incident_loop.desk_story."""
    inc, loop = story["incident"], story["loop"]
    form = render_actions(
        inc,
        lang,
        role,
        proposals=story["proposals"],
        units=CATEGORIES[inc["category"]]["units"],
        pending=loop["pending"],
        now=story["now"],
        photo_limit=int(current_app.config.get("PHOTO_MAX_BYTES", photo_api.PHOTO_MAX_BYTES)),
    )
    return render_head(inc, lang, loop), render_story(story, areas.area_names(), lang, role), form


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
        State(MOVES["target"], "value"),  # the move's own fields after the four every move has
        State(MOVES["due_date"], "value"),
        State(MOVES["due_time"], "value"),
        prevent_initial_call=True,
    )
    def _act(n, action, unit, comment, state, target, due_date, due_time):
        keep = (no_update,) * 6
        if not n:
            return *keep, no_update
        state = state if isinstance(state, dict) else {}
        lang, incident_id = _lang(state), plain_id(state.get("id"))
        try:
            outcome, message = act(state, action, unit, comment, target, due_date, due_time)
            if outcome != "done":
                if outcome == "stale":  # offer the fresh page; the form keeps its input meanwhile
                    message = [
                        message,
                        " ",
                        html.A(t("inc_reload", lang), href=href(f"/incidents/{incident_id}", lang)),
                    ]
                return *keep, message  # nothing changed: the form keeps its input
            story = incident_loop.desk_story(resolve_scope(), incident_id, now_ts())
            if story is None:  # moved out of the user's scope meanwhile (a unit's 回退, a merge elsewhere)
                return *keep, message
            inc = story["incident"]
            clock = deadline_clock(story, lang)
            return (
                *page_parts(story, lang, current_user().role),
                dict(state, version=inc["version"]),
                clock,
                clock["due_in_s"] is None,
                message,
            )
        except Exception:  # the database is down or locked: say so, the page keeps what it shows
            log.exception("acting on incident %s failed", incident_id)
            return *keep, t("act_failed", lang)

    # the deadline ticks in the browser; the move's fields and photos are callbacks.incident_moves
    app.clientside_callback(
        ClientsideFunction("cityops.desk", "countdown"),
        Output(INCIDENT["deadline"], "children"),
        Output(INCIDENT["deadline"], "className"),
        Input(INCIDENT["tick"], "n_intervals"),
        Input(INCIDENT["clock"], "data"),
    )
    register_moves(app)
