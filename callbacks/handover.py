"""The shift handover's callbacks: an outgoing officer's note and the incoming officer's confirmation (one click,
one write through data/write/handover.py, a sentence in the user's language either way, the record read
again), and the print button (the print time, then the browser's print dialog on assets/handover.css).

The page's Store only asks for an area and a shift: the area is resolved again here (outside the user's: a
refusal, never their root instead), the shift checked again by the write, and the write reads the actor's
role and area in its own transaction."""

from __future__ import annotations

import logging

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from api.access import NotLoggedIn, ScopeError, current_user, resolve_scope
from api.auth import audit
from components import handover_views as views
from components.i18n import lang_from, t
from components.ids import HANDOVER
from data.domain.actors import display_name
from data.domain.timeutil import local_day_start
from data.read import handover_record
from data.read.users import user_names
from data.store.cache import primary_engine
from data.write import handover
from data.write.errors import BadInput, Busy, NotAllowed, NotFound, WriteError

log = logging.getLogger("cityops.callbacks.handover")

# the print time in Shanghai (sv-SE writes 2026-11-20 08:03), then the dialog once the page shows it
PRINT_JS = """
function (n, state) {
    if (!n) { return window.dash_clientside.no_update; }
    const f = new Intl.DateTimeFormat('sv-SE', {timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit'});
    setTimeout(function () { window.print(); }, 80);
    return ((state || {}).printed || '{time}').replace('{time}', f.format(new Date()));
}
"""


def refusal(exc: WriteError, lang: str) -> str:
    """The sentence for a refused write."""
    reason = exc.details.get("reason")
    if isinstance(exc, BadInput):
        if exc.details.get("field") == "note":
            return (
                t("ho_bad_note_long", lang, n=handover.MAX_NOTE)
                if reason == "too_long"
                else t("ho_bad_note_empty", lang)
            )
        return t("ho_refused_shift", lang)
    if isinstance(exc, NotFound):
        return t("ho_refused_area", lang)
    if isinstance(exc, NotAllowed) and reason == "confirmed":
        who = display_name(user_names(), exc.details.get("by"), lang)
        return t("ho_refused_confirmed", lang, name=who, time=views.when(exc.details.get("at")))
    if isinstance(exc, NotAllowed) and reason in ("no_notes", "self", "early"):
        return t(f"ho_refused_{reason}", lang)
    return t("ho_refused_role", lang)


def write(action: str, text: object, state: object, lang: str) -> tuple:
    """Make the write the click asks for as the current user; (record line, notes, form class, sentence, the
    note box's value) with the record read again (no_update where nothing is to change)."""
    state = state if isinstance(state, dict) else {}
    user = current_user()
    try:
        scope = resolve_scope(state.get("area"))
    except NotLoggedIn:
        raise
    except ScopeError:  # a forged or stale Store: refuse, do not write to the user's root instead
        return no_update, no_update, no_update, t("ho_refused_area", lang), no_update
    shift, starts, cleared = state.get("shift"), handover_record.configured_starts(), no_update
    try:
        if action == "save":
            handover.add_note(primary_engine(), scope, shift, text, actor=user.id, starts=starts)
            said, cleared = t("ho_note_saved", lang), ""
        else:
            handover.confirm(primary_engine(), scope, shift, actor=user.id, starts=starts)
            said = t("ho_confirmed", lang)
    except Busy:
        return no_update, no_update, no_update, t("ho_write_busy", lang), no_update
    except WriteError as exc:
        if exc.details.get("reason") == "role":
            audit("denied", user_id=user.id, target=f"handover:{action}")
        said = refusal(exc, lang)
    except SQLAlchemyError:
        log.exception("handover %s failed", action)
        return no_update, no_update, no_update, t("ho_write_failed", lang), no_update
    if not isinstance(shift, int) or isinstance(shift, bool):
        return no_update, no_update, no_update, said, cleared
    try:
        rec, names = handover_record.record(scope, shift), user_names()
    except SQLAlchemyError:
        log.exception("handover: reading the record again failed")
        return no_update, no_update, no_update, said, cleared
    form = "ho-form no-print" + (" hidden" if rec["confirm"] else "")
    day = local_day_start(handover_record.shift_at(shift, starts).end)
    return views.record_line(rec, names, lang, day), views.notes_list(rec, names, lang), form, said, cleared


def register(app) -> None:
    default_lang = app.server.config.get("DEFAULT_LANG", "zh")

    @app.callback(
        Output(HANDOVER["record"], "children"),
        Output(HANDOVER["notes"], "children"),
        Output(HANDOVER["form"], "className"),
        Output(HANDOVER["result"], "children"),
        Output(HANDOVER["note"], "value"),
        Input(HANDOVER["save"], "n_clicks"),
        Input(HANDOVER["confirm"], "n_clicks"),
        State(HANDOVER["note"], "value"),
        State(HANDOVER["state"], "data"),
        prevent_initial_call=True,
    )
    def _write(save, confirm, text, state):
        action = {HANDOVER["save"]: "save", HANDOVER["confirm"]: "confirm"}.get(ctx.triggered_id)
        if action is None or not (save if action == "save" else confirm):
            raise PreventUpdate
        lang = lang_from(state.get("lang") if isinstance(state, dict) else None, default_lang)
        return write(action, text, state, lang)

    app.clientside_callback(
        PRINT_JS,
        Output(HANDOVER["printed"], "children"),
        Input(HANDOVER["print"], "n_clicks"),
        State(HANDOVER["state"], "data"),
        prevent_initial_call=True,
    )
