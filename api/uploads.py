"""Files an administrator uploads on /admin/imports, and the imports run from them.

A file arrives at `POST /admin/imports/upload` (multipart, field `file`), not through a Dash callback:
callbacks carry JSON under the app's 1 MB MAX_CONTENT_LENGTH, which this route alone raises to
UPLOAD_MAX_BYTES (50 MB by default) plus the form's own bytes. It is kept under the instance folder as
`uploads/<token>.upload`, the token made here (the client's file name is only ever shown, cleaned and
cut short), with a small JSON beside it naming its owner. An import or dry run of it runs in a
background thread and writes its progress to `<token>.job.json`, which the page polls; a successful
import removes the upload, and everything in the folder goes a day after it was last touched. The
folder must be shared by every server process that serves the page (one host: it is)."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import secrets
import threading
import unicodedata
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from api.access import current_user
from api.auth import audit
from data.domain.timeutil import now_ts
from data.ingest.files import FileError
from data.ingest.mapping import MappingError
from data.ingest.run import import_incidents, rejected_path
from data.ingest.run_readings import import_readings
from data.rules.config import load_catalog

UPLOAD_MAX_BYTES = 50 * 1024 * 1024  # the default; the app's UPLOAD_MAX_BYTES setting overrides it
FORM_SLACK = 64 * 1024  # the multipart form's own bytes around the file
KEEP_S = 86_400  # uploads, job states and rejected rows are removed a day after they were last touched
STALL_S = 600  # a running job whose state has not moved for this long died with its process
NAME_MAX = 200
TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
UNMAPPED_SHOWN = 20

uploads = Blueprint("uploads", __name__)
log = logging.getLogger("cityops.uploads")


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES))


def folder() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def display_name(raw: object) -> str:
    """The client's file name as text to show: its last path part, without control or format characters
    (a right-to-left override cannot disguise it), at most NAME_MAX characters."""
    name = re.split(r"[/\\]", str(raw or ""))[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:NAME_MAX] or "upload"


def _write_json(path: Path, data: dict) -> None:
    """Replace the file at once: a reader sees the old state or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def sweep(where: Path, now: float | None = None) -> int:
    """Remove what was last touched more than KEEP_S ago; returns how many files went."""
    now = now if now is not None else now_ts()
    gone = 0
    for path in where.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > KEEP_S:
                path.unlink()
                gone += 1
        except OSError:  # another process removed it first
            continue
    return gone


def find(token: object, owner: str) -> dict | None:
    """The upload this token names, if it exists and `owner` sent it: {token, path, name, size, at}.
    Anything else (a forged token, another administrator's upload, one swept away) is None."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    where = folder()
    meta = _read_json(where / f"{token}.json")
    if meta is None or meta.get("owner") != owner:
        return None
    return {**meta, "token": token, "path": where / f"{token}.upload"}


def job(upload: dict) -> dict | None:
    """The state of the upload's latest dry run or import: state (running, done, failed, stalled), dry_run,
    read and total rows, and when done its report; None before the first."""
    state = _read_json(folder() / f"{upload['token']}.job.json")
    if state and state.get("state") == "running" and now_ts() - state.get("beat", 0) > STALL_S:
        state["state"] = "stalled"
    return state


def rejected(upload: dict) -> Path | None:
    path = rejected_path(upload["path"])
    return path if path.is_file() else None


def _claim(lock: Path, stalled: bool) -> bool:
    """One job per upload at a time, across the server's processes: the one that creates the lock file."""
    if stalled:  # its process died holding it
        lock.unlink(missing_ok=True)
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


def start(upload: dict, engine, kind: str, mapping, *, dry_run: bool, actor: str) -> bool:
    """Start a dry run or an import (kind incidents or readings) of the upload in a background thread;
    False when one is already running or the upload is gone (after a successful import)."""
    current = job(upload) or {}
    lock = folder() / f"{upload['token']}.lock"
    if not upload["path"].is_file() or not _claim(lock, current.get("state") == "stalled"):
        return False
    rejected_path(upload["path"]).unlink(missing_ok=True)  # an earlier run's rejected rows are not this one's
    state_path = folder() / f"{upload['token']}.job.json"
    with upload["path"].open("rb") as fh:
        total = max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)
    state = {"state": "running", "kind": kind, "dry_run": dry_run, "read": 0, "total": total, "beat": now_ts()}
    _write_json(state_path, state)
    run = import_incidents
    if kind == "readings":  # the bands the imported history is judged by: the app's own catalogue
        catalog = load_catalog(current_app.config["RULES_FILE"])
        run = functools.partial(import_readings, catalog=catalog)
    args = (upload, engine, run, mapping, dry_run, actor, state_path, state, lock)
    threading.Thread(target=_work, args=args, name=f"import-{upload['token'][:6]}", daemon=True).start()
    return True


def _work(upload: dict, engine, run, mapping, dry_run: bool, actor: str, state_path: Path, state: dict, lock) -> None:
    def progress(rows: int) -> None:
        state.update(read=state["read"] + rows, beat=now_ts())
        _write_json(state_path, state)

    path, name = upload["path"], upload["name"]
    try:
        report = run(engine, path, mapping, dry_run=dry_run, actor=actor, file_name=name, progress=progress)
        state.update(
            state="done",
            report=report.as_json(),
            unmapped=dict(report.unmapped.most_common(UNMAPPED_SHOWN)),
            default_category=getattr(mapping, "default_category", None),
        )
        if not dry_run:
            path.unlink(missing_ok=True)  # imported: the upload has done its work (rejected rows stay a day)
    except (MappingError, FileError) as exc:  # the file changed nothing: say why, naming the file as it was sent
        state.update(state="failed", error=str(exc).replace(path.name, name))
    except Exception:
        log.exception("the import of upload %s failed", upload["token"])
        state.update(state="failed", error=None)
    finally:
        state["beat"] = now_ts()
        try:
            _write_json(state_path, state)
        finally:
            lock.unlink(missing_ok=True)


@uploads.post("/admin/imports/upload")
def receive():
    """Store one uploaded file; 201 and {token, name, size}, or a status and {reason}."""
    user = current_user()  # the gate let only a signed-in account this far
    if user.role != "admin":
        audit("denied", user_id=user.id, target="upload")
        return jsonify(reason="forbidden"), 403
    limit = max_bytes()
    request.max_content_length = limit + FORM_SLACK  # this route only; everything else keeps 1 MB
    where = folder()
    sweep(where)
    sent = request.files.get("file")  # over the limit: 413 from here (the gate's handler)
    if sent is None:
        return jsonify(reason="no_file"), 400
    token = secrets.token_urlsafe(18)
    path = where / f"{token}.upload"
    sent.save(path)
    size = path.stat().st_size
    if size == 0 or size > limit:
        path.unlink(missing_ok=True)
        return jsonify(reason="empty" if size == 0 else "too_large"), 400 if size == 0 else 413
    name = display_name(sent.filename)
    _write_json(where / f"{token}.json", {"owner": user.id, "name": name, "size": size, "at": now_ts()})
    return jsonify(token=token, name=name, size=size), 201  # 201: the gate marks a 200 on a non-page path 404
