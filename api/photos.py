"""Handling photos over HTTP: a unit (or a dispatcher) uploads one photo at a time for an incident's
phase, and anyone whose scope holds the incident sees it.

`POST /incidents/<id>/photos?lang=` (multipart: `file`, `phase` before|after) behind the gate like every
other route (a session, and a same-origin POST), its body limit raised to PHOTO_MAX_BYTES for this route
alone; the picture is decoded and re-encoded by data.write.photos (no metadata survives) and kept under
the instance folder's photos/ with a server-made name. 201 and {id, phase}, else a status and {reason,
message}, the message in the page's language. An `Idempotency-Key` header (1-128 visible ASCII; the phone
makes a random UUID per photo) stores at most one photo per (uploader, key): sending it again answers 201
with the first photo's id (and `Idempotent-Replayed: true`) and stores nothing; a malformed key is a 400.

`GET /incident-photos/<id>` and `/incident-photos/<id>/thumb` send the file only when the photo's incident
lies in the reader's scope (a unit's reader: its own unit's incidents); anything else is 404, the same as
for a photo that does not exist. Browsers may keep a photo (its name never changes) but no shared cache."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_from_directory

from api import plain_id
from api.access import current_user, resolve_scope
from api.auth import audit
from components.i18n import lang_from, t
from data.domain.roles import may_open
from data.read import photos as photo_reads
from data.store.cache import primary_engine
from data.write import photos as photo_writes
from data.write.errors import BadInput, Busy, NotAllowed, NotFound

PHOTO_MAX_BYTES = 8 * 1024 * 1024  # the default; the app's PHOTO_MAX_BYTES setting overrides it
FORM_SLACK = 16 * 1024  # the multipart form's own bytes around the file
KEEP_S = 86_400  # how long a browser may keep a photo it was sent
INCIDENT_PAGE = "/incidents/<iid>"  # who may see an incident's photos: those who may open its page

bp = Blueprint("photos", __name__)
log = logging.getLogger("cityops.photos")


def max_bytes() -> int:
    return int(current_app.config.get("PHOTO_MAX_BYTES", PHOTO_MAX_BYTES))


def folder() -> Path:
    return Path(current_app.instance_path) / "photos"


def _lang() -> str:
    return lang_from(request.args.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))


def _refused(status: int, reason: str, **fmt):
    return jsonify(reason=reason, message=t(f"photo_err_{reason}", _lang(), **fmt)), status


@bp.post("/incidents/<raw_id>/photos")
def upload(raw_id: str):
    """Store one photo for the incident; 201 and {id, phase}, or a status and {reason, message}."""
    user = current_user()  # the gate let only a signed-in account with a same-origin POST this far
    incident_id = plain_id(raw_id)
    if incident_id is None or not may_open(user.role, INCIDENT_PAGE):
        return _refused(404, "not_found")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not photo_writes.CLIENT_KEY.fullmatch(key):  # before the body is read
        return _refused(400, "key")
    limit = max_bytes()
    request.max_content_length = limit + FORM_SLACK  # this route only; everything else keeps its limit
    sent = request.files.get("file")  # over the limit: 413 from here (the gate's handler)
    phase = request.form.get("phase", "")
    if sent is None:
        return _refused(400, "empty")
    raw = sent.stream.read(limit + 1)
    try:
        row = photo_writes.add_photo(
            primary_engine(),
            folder(),
            incident_id,
            phase if phase in photo_writes.PHASES else "",
            raw,
            actor=user.id,
            max_bytes=limit,
            scope=resolve_scope(),
            key=key,
        )
    except BadInput as exc:
        reason = exc.details.get("reason", "not_image")
        mb = round(limit / 1024 / 1024, 1)
        return _refused(413 if reason == "too_large" else 400, reason, mb=f"{mb:g}", n=photo_writes.MAX_PER_PHASE)
    except NotAllowed:
        audit("denied", user_id=user.id, target="photo")
        return _refused(403, "not_allowed")
    except NotFound:
        return _refused(404, "not_found")
    except Busy:
        return jsonify(reason="busy", message=t("write_busy", _lang())), 503
    replayed = {"Idempotent-Replayed": "true"} if row.get("replayed") else {}  # the first answer, again
    return jsonify(id=row["id"], phase=row["phase"]), 201, replayed  # 201: the gate marks a 200 on a non-page 404


def _send(raw_id: str, thumb: bool):
    user = current_user()
    photo_id = plain_id(raw_id)
    photo = None
    if photo_id is not None and may_open(user.role, INCIDENT_PAGE):
        photo = photo_reads.photo_in_scope(resolve_scope(), photo_id)
    if photo is None:  # not there, or not this reader's: the same answer
        return jsonify(reason="not_found"), 404
    name = photo_writes.thumb_name(photo["file_name"]) if thumb else photo["file_name"]
    response = send_from_directory(folder(), name, mimetype=photo["mime"], max_age=KEEP_S, conditional=True)
    response.cache_control.private = True  # the reader's browser only: never a proxy shared with others
    response.cache_control.public = False
    return response


@bp.get("/incident-photos/<raw_id>")
def photo(raw_id: str):
    return _send(raw_id, thumb=False)


@bp.get("/incident-photos/<raw_id>/thumb")
def thumbnail(raw_id: str):
    return _send(raw_id, thumb=True)
