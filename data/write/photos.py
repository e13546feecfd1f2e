"""Handling photos (处置前/处置后): an upload is decoded and re-encoded with Pillow (only JPEG, PNG and WebP
pass; EXIF, GPS and every other metadata stay behind), stored as a file with a server-made name in a folder
the caller names (the instance folder's photos/), and recorded in incident_photo; when the move it belongs
to is made, the phase's pending photos are attached to that move's history row. An upload may carry a client
key (its Idempotency-Key): the same uploader's same key stores one photo, and a repeat gets that photo back."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from data.domain.roles import may_move
from data.domain.scope import CITY, Scope
from data.domain.timeutil import now_ts
from data.store.db import write_session
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import IncidentPhoto
from data.write.errors import BadInput, NotFound, actor_scope

PHASES = ("before", "after")
PHASE_MOVE = {"before": "start", "after": "handled"}  # the move a phase's photos go with
MOVE_PHASE = {move: phase for phase, move in PHASE_MOVE.items()}
PHASE_STATUS = {"before": ("dispatched", "handling"), "after": ("handling",)}  # when a phase's photos may come
MAX_PER_PHASE = 3  # photos waiting for one phase's move (and so on each move)
MAX_SIDE = 2048  # the long side of a stored photo, in pixels
THUMB_SIDE = 320  # the long side of its thumbnail
MAX_PIXELS = 60_000_000  # a larger picture is refused before it is decoded (a decompression bomb)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
STORED_MIME = "image/jpeg"  # everything is stored re-encoded as JPEG
THUMB_SUFFIX = ".t.jpg"
CLIENT_KEY = re.compile(r"[\x21-\x7e]{1,128}")  # an Idempotency-Key: visible ASCII, as api/keyed.py takes one


def _refuse(reason: str, **details) -> BadInput:
    return BadInput(f"photo refused: {reason}", field="photo", reason=reason, **details)


def _encode(img: Image.Image, side: int) -> bytes:
    copy = img.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)  # no exif=, no icc_profile=: nothing but pixels
    return out.getvalue()


def clean_image(raw: bytes, max_side: int = MAX_SIDE) -> tuple[bytes, bytes, int, int]:
    """(photo, thumbnail, width, height) re-encoded from an uploaded picture: decoded by Pillow (JPEG, PNG or
    WebP, whatever the file is called), turned upright by its EXIF orientation, flattened onto white, the
    long side capped at max_side, written as a fresh JPEG that carries no metadata. BadInput (field photo,
    reason not_image) for anything Pillow does not decode as one of those formats."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as img:
                if img.format not in FORMATS:
                    raise _refuse("not_image")
                if img.width * img.height > MAX_PIXELS:
                    raise _refuse("not_image")
                upright = ImageOps.exif_transpose(img)
                rgba = upright.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise _refuse("not_image") from None
    pixels = Image.new("RGB", rgba.size, (255, 255, 255))  # a new image: none of the file's info rides along
    pixels.paste(rgba, mask=rgba.getchannel("A"))
    photo = _encode(pixels, max_side)
    with Image.open(io.BytesIO(photo)) as stored:
        width, height = stored.size
    return photo, _encode(pixels, THUMB_SIDE), width, height


def thumb_name(file_name: str) -> str:
    return file_name.removesuffix(".jpg") + THUMB_SUFFIX


def add_photo(
    engine: Engine,
    folder: Path,
    incident_id: int,
    phase: str,
    raw: bytes,
    *,
    actor: str,
    max_bytes: int,
    scope: Scope = CITY,
    now: int | None = None,
    key: str | None = None,
) -> dict:
    """Store one photo for an incident's phase ("before" while it is dispatched or being handled, "after"
    while it is being handled) and record it, waiting for the phase's move. Returns its row, with "replayed"
    True when `key` (the upload's Idempotency-Key) already stored this actor's photo: that photo comes back
    and nothing is stored, whatever the incident's step is now.

    Raises NotFound (an incident outside `scope`, or outside what the actor may act on), NotAllowed (the
    actor's role may not make the phase's move), BadInput with field "photo" and a reason: "key" (not 1-128
    visible ASCII), "key_reused" (the key stored a photo of another incident or phase), "phase", "empty",
    "too_large", "not_image", "status" (not the step for this phase) or "too_many" (MAX_PER_PHASE already
    wait). Nothing is stored on any error."""
    if key is not None and not (isinstance(key, str) and CLIENT_KEY.fullmatch(key)):
        raise _refuse("key")
    if phase not in PHASES:
        raise _refuse("phase")
    if key is not None:  # a repeat is answered before the picture is decoded again (checked again below)
        with engine.connect() as conn:
            kept = _kept(conn, actor, key)
        if kept is not None:
            return _replay(kept, incident_id, phase)
    if not raw:
        raise _refuse("empty")
    if len(raw) > max_bytes:
        raise _refuse("too_large", limit=max_bytes)
    photo, thumb, width, height = clean_image(raw)
    try:
        return _store(engine, folder, incident_id, phase, (photo, thumb, width, height), actor, scope, now, key)
    except IntegrityError:  # the same key's other upload committed first (PostgreSQL: no write lock up front)
        if key is None:
            raise
        with engine.connect() as conn:
            kept = _kept(conn, actor, key)
        if kept is None:
            raise
        return _replay(kept, incident_id, phase)


def _kept(conn, actor: str, key: str) -> dict | None:
    """The photo this actor stored with this key, if any."""
    row = conn.execute(
        select(IncidentPhoto.__table__).where(IncidentPhoto.uploaded_by == actor, IncidentPhoto.client_key == key)
    ).mappings()
    found = row.first()
    return None if found is None else {k: v for k, v in found.items() if k != "client_key"}


def _replay(kept: dict, incident_id: int, phase: str) -> dict:
    if kept["incident_id"] != incident_id or kept["phase"] != phase:
        raise _refuse("key_reused")
    return dict(kept, replayed=True)


def _store(engine, folder: Path, incident_id: int, phase: str, image: tuple, actor: str, scope, now, key) -> dict:
    photo, thumb, width, height = image
    now = now if now is not None else now_ts()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.jpg"
    written: list[Path] = []
    try:
        with write_session(engine) as s:
            own = actor_scope(s, actor, lambda role: may_move(role, PHASE_MOVE[phase]), action=f"photo:{phase}")
            kept = _kept(s, actor, key) if key is not None else None
            if kept is not None:  # sent twice at once: the other one is stored by now
                return _replay(kept, incident_id, phase)
            status = s.execute(
                select(Incident.status).where(Incident.id == incident_id, scope.filter(Incident), own.filter(Incident))
            ).scalar()
            if status is None:
                raise NotFound(f"incident {incident_id} does not exist", incident_id=incident_id)
            if status not in PHASE_STATUS[phase]:
                raise _refuse("status", status=status)
            waiting = s.execute(
                select(func.count()).where(
                    IncidentPhoto.incident_id == incident_id,
                    IncidentPhoto.phase == phase,
                    IncidentPhoto.history_id.is_(None),
                )
            ).scalar_one()
            if waiting >= MAX_PER_PHASE:
                raise _refuse("too_many", limit=MAX_PER_PHASE)
            for data, path in ((photo, folder / name), (thumb, folder / thumb_name(name))):
                path.write_bytes(data)
                written.append(path)
            row = dict(
                incident_id=incident_id,
                history_id=None,
                phase=phase,
                file_name=name,
                mime=STORED_MIME,
                bytes=len(photo),
                width=width,
                height=height,
                uploaded_by=actor,
                uploaded_at=now,
            )
            values = dict(row, client_key=key)
            row["id"] = s.execute(insert(IncidentPhoto).values(**values).returning(IncidentPhoto.id)).scalar_one()
    except BaseException:
        for path in written:  # the row did not commit: no file without one
            path.unlink(missing_ok=True)
        raise
    return dict(row, replayed=False)


def attach_pending(engine: Engine, incident_id: int, action: str, *, actor: str) -> int:
    """After the move `action` ("start" or "handled") was made on the incident: attach that phase's waiting
    photos (at most MAX_PER_PHASE, oldest first) to the move's history row, the incident's latest row when it is
    that move by that actor. Returns how many were attached (0 for other moves)."""
    phase = MOVE_PHASE.get(action)
    if phase is None:
        return 0
    with write_session(engine) as s:
        last = s.execute(
            select(IncidentHistory.id, IncidentHistory.actor, IncidentHistory.action)
            .where(IncidentHistory.incident_id == incident_id)
            .order_by(IncidentHistory.id.desc())
            .limit(1)
        ).first()
        if last is None or last.actor != actor or last.action != action:  # not the move just made
            return 0
        ids = s.scalars(
            select(IncidentPhoto.id)
            .where(
                IncidentPhoto.incident_id == incident_id,
                IncidentPhoto.phase == phase,
                IncidentPhoto.history_id.is_(None),
            )
            .order_by(IncidentPhoto.id)
            .limit(MAX_PER_PHASE)
        ).all()
        if ids:
            s.execute(update(IncidentPhoto).where(IncidentPhoto.id.in_(ids)).values(history_id=last.id))
    return len(ids)
