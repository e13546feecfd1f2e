"""The move form's helpers on the incident page: which fields a chosen move shows (in the browser), the photos
a unit adds before or after handling (posted by the browser straight to api/photos.py, one file at a time,
never inside a callback's JSON), the photos waiting for the move, and the survivor a merge would go into.

The incident id in the page's Store only asks: every read here is made in the user's own scope, and the
upload route checks the incident against the uploader's account in its own transaction."""

from __future__ import annotations

import logging

from dash import Input, Output, State, ctx, no_update
from sqlalchemy.exc import SQLAlchemyError

from api import photos as photo_api
from api import plain_id
from api.access import resolve_scope
from components.i18n import lang_from, t
from components.ids import INCIDENT
from components.incident_moves import (
    MAX_PHOTOS,
    MOST_SENT,
    MOVES,
    PHASE_OF,
    PHOTO_MAX_EDGE,
    PHOTO_QUALITY,
    photo_list,
    survivor_line,
)
from data.read import incident_loop, photos

log = logging.getLogger("cityops.callbacks.incident_moves")

# Shows the chosen move's field and says whether the comment is a reason, a note or optional.
ACTION_FORM_JS = """
function (action, state) {
    const s = state || {};
    const field = (s.fields || {})[action];
    const show = name => ({display: field === name ? 'flex' : 'none'});
    const reason = action && (s.needs_reason || []).includes(action);
    const placeholder = action === 'self_handle' ? s.note : (reason ? s.reason : s.comment);
    return [{display: field === 'unit' ? 'block' : 'none'}, placeholder,
            show('target'), show('due'), show('stages'), show('photo')];
}
"""

# A desk's pick (the drop zone): each chosen picture (at most %(most)d) goes the way a phone's does,
# assets/photo-capture.js's window.cityopsPhotos.sendFiles: resized to %(edge)d px on its long side, re-encoded
# as JPEG and posted to the photo route for the chosen move's phase with an Idempotency-Key of its own. The
# route's answers (status, reason, id: nothing the browser wrote itself) go to the server callback. A file still
# over the limit is not sent: a body the server refuses mid-way ends as a dropped connection, not a sentence.
UPLOAD_JS = """
function (contents, _names, action, state) {
    const dc = window.dash_clientside;
    if (!contents || !contents.length) { return [dc.no_update, dc.no_update]; }
    const s = state || {};
    const phase = action === 'start' ? 'before' : (action === 'handled' ? 'after' : '');
    const blobs = [];
    for (const c of contents.slice(0, %(most)d)) {
        try {
            const bin = atob(c.slice(c.indexOf(',') + 1)), bytes = new Uint8Array(bin.length);
            for (let k = 0; k < bin.length; k++) { bytes[k] = bin.charCodeAt(k); }
            const type = (c.slice(5, c.indexOf(';')) || '').toLowerCase();
            blobs.push(new Blob([bytes], {type: type}));
        } catch (e) { blobs.push(null); }
    }
    const opts = {maxEdge: %(edge)d, quality: %(quality)s, limit: %(limit)d, most: %(most)d};
    const sent = blobs.filter(b => b !== null);
    const broken = blobs.filter(b => b === null).map(() => ({status: 0, reason: 'failed', id: null}));
    return window.cityopsPhotos.sendFiles(s.id, phase, sent, s.lang || 'zh', opts)
        .then(results => [{results: broken.concat(results), at: Date.now()}, null]);
}
"""
REASONS = ("empty", "too_large", "not_image", "too_many", "status", "phase", "not_allowed", "not_found", "failed")
REASONS += ("key", "key_reused", "busy")  # an Idempotency-Key refused, or the database away
REASONS += ("queued",)  # offline: kept on the phone and sent once the network returns (assets/pwa.js)


def _lang(state: dict) -> str:
    return lang_from(state.get("lang") if isinstance(state.get("lang"), str) else None)


def refusals(sent: object, lang: str, limit_bytes: int) -> list[str]:
    """The sentences for the uploads the route refused, from its answers' reason codes (a known code or
    'failed'; nothing the browser wrote is shown), one per distinct reason."""
    results = sent.get("results") if isinstance(sent, dict) else None
    if not isinstance(results, list):
        return []
    reasons = []
    for r in results[:MOST_SENT]:
        reason = r.get("reason") if isinstance(r, dict) else "failed"
        if reason is None:
            continue
        reason = reason if reason in REASONS else "failed"
        if reason not in reasons:
            reasons.append(reason)
    mb = f"{round(limit_bytes / 1024 / 1024, 1):g}"
    return [t(f"photo_err_{r}", lang, mb=mb, n=MAX_PHOTOS) for r in reasons]


def waiting_photos(state: dict, action: object, sent: object, limit_bytes: int) -> list:
    """The photos waiting for the chosen move's phase, read in the user's scope, and why any upload of the
    last pick was refused."""
    lang, incident_id = _lang(state), plain_id(state.get("id"))
    phase = PHASE_OF.get(action) if isinstance(action, str) else None
    if incident_id is None or phase is None:
        return []
    waiting = [p for p in photos.incident_photos(resolve_scope(), incident_id) if p["history_id"] is None]
    refused = refusals(sent, lang, limit_bytes) if ctx.triggered_id == MOVES["photo_sent"] else []
    return photo_list(waiting, phase, refused, lang)


def register(app) -> None:
    app.server.register_blueprint(photo_api.bp)  # the photo routes serve this page alone
    limit = int(app.server.config.get("PHOTO_MAX_BYTES", photo_api.PHOTO_MAX_BYTES))
    app.clientside_callback(
        ACTION_FORM_JS,
        Output(INCIDENT["unit_wrap"], "style"),
        Output(INCIDENT["comment"], "placeholder"),
        Output(MOVES["target_wrap"], "style"),
        Output(MOVES["due_wrap"], "style"),
        Output(MOVES["stages_wrap"], "style"),
        Output(MOVES["photo_wrap"], "style"),
        Input(INCIDENT["action"], "value"),
        State(INCIDENT["state"], "data"),
    )
    app.clientside_callback(
        UPLOAD_JS % {"limit": limit, "most": MOST_SENT, "edge": PHOTO_MAX_EDGE, "quality": PHOTO_QUALITY},
        Output(MOVES["photo_sent"], "data"),
        Output(MOVES["photo_upload"], "contents"),
        Input(MOVES["photo_upload"], "contents"),
        State(MOVES["photo_upload"], "filename"),
        State(INCIDENT["action"], "value"),
        State(INCIDENT["state"], "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(MOVES["photo_list"], "children"),
        Input(MOVES["photo_sent"], "data"),
        Input(INCIDENT["action"], "value"),
        State(INCIDENT["state"], "data"),
    )
    def _photos(sent, action, state):
        state = state if isinstance(state, dict) else {}
        try:
            return waiting_photos(state, action, sent, limit)
        except SQLAlchemyError:
            log.exception("reading the waiting photos failed")
            return no_update

    @app.callback(
        Output(MOVES["survivor"], "children"),
        Input(MOVES["target"], "value"),
        State(INCIDENT["state"], "data"),
        prevent_initial_call=True,
    )
    def _survivor(typed, state):
        state = state if isinstance(state, dict) else {}
        lang = _lang(state)
        text = typed.strip() if isinstance(typed, str) else ""
        if not text:
            return ""
        target = plain_id(text)
        if target is None or target == plain_id(state.get("id")):
            return t("why_target", lang)
        try:
            return survivor_line(incident_loop.survivor(resolve_scope(), target), str(target), lang)
        except SQLAlchemyError:
            log.exception("reading a merge's survivor failed")
            return no_update
