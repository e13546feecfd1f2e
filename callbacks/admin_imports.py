"""The administrator's imports page: a file goes from the browser straight to the upload route (api/uploads.py,
posted by a clientside callback, so it never travels inside a callback's JSON), then the preview, the
dry run, the import and its report are driven from here.

The gate lets only administrators reach these callbacks (they serve /admin/imports) and each checks the
role again; an upload is found only by the administrator who sent it, so a forged or copied token in a
Store finds nothing."""

from __future__ import annotations

import logging
from pathlib import Path

from dash import Input, Output, State, ctx, dcc, no_update
from sqlalchemy.exc import SQLAlchemyError

from api import uploads
from api.access import current_user
from components.i18n import lang_from, t
from components.ids import SHELL
from components.import_views import IMPORTS, explain, job_view, preview_view, runs_table, short_name, size_text
from data.ingest import preview as previews
from data.ingest.files import FileError
from data.ingest.mapping import MappingError
from data.read import areas, imports, indicators, users
from data.store.cache import current_engine, primary_engine

log = logging.getLogger("cityops.callbacks.admin_imports")

# Posts the chosen file to the upload route and hands the route's answer to the server callbacks. The file
# is checked against the limit here too: a body the server refuses mid-way ends as a dropped connection,
# not a readable 413. The Upload's copy of the file is dropped once it is sent (as an output of this same
# callback: Dash does not run a callback again for its own output).
UPLOAD_JS = """
function (contents, name) {
    const dc = window.dash_clientside;
    if (!contents) { return [dc.no_update, dc.no_update]; }
    const answer = (body) => [body, null];  // null: the Upload lets go of its copy of the file
    let bin;
    try { bin = atob(contents.slice(contents.indexOf(',') + 1)); } catch (e) { return answer({reason: 'failed'}); }
    if (bin.length > %(limit)d) { return answer({status: 413, reason: 'too_large'}); }
    if (bin.length === 0) { return answer({status: 400, reason: 'empty'}); }
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    const form = new FormData();
    form.append('file', new Blob([bytes]), name || 'upload');
    return fetch('%(url)s', {method: 'POST', body: form, credentials: 'same-origin'})
        .then(r => r.json().catch(() => ({})).then(body => answer(Object.assign({}, body, {status: r.status}))))
        .catch(() => answer({reason: 'failed'}));
}
"""
UPLOAD_URL = "/admin/imports/upload"


def _is_admin() -> bool:
    return current_user().role == "admin"


def upload_said(data: object, lang: str, limit: int) -> str:
    """What the page says after an upload: the file (name cleaned and cut short, size) or why it failed.
    Name and size are the server's record of the upload, not what the browser says."""
    data = data if isinstance(data, dict) else {}
    found = uploads.find(data.get("token"), current_user().id) if data.get("status") == 201 else None
    if found:
        return t("imp_uploaded", lang, name=short_name(found["name"]), size=size_text(found["size"]))
    if data.get("reason") == "too_large" or data.get("status") == 413:
        return t("imp_up_too_large", lang, limit=size_text(limit))
    return t({"empty": "imp_up_empty", "forbidden": "forbidden_body"}.get(data.get("reason"), "imp_up_failed"), lang)


def _upload_and_mapping(uploaded: object, text: object, lang: str):
    """(upload, kind, mapping, None) ready to preview or import, or (None, None, None, what is wrong)."""
    token = uploaded.get("token") if isinstance(uploaded, dict) else None
    upload = uploads.find(token, current_user().id)
    if upload is None:
        return None, None, None, t("imp_no_upload", lang)
    if not upload["path"].is_file():
        return None, None, None, t("imp_upload_gone", lang)
    if not isinstance(text, str) or not text.strip():
        return None, None, None, t("imp_no_mapping", lang)
    try:
        kind, mapping = previews.mapping_from_text(text)
    except MappingError as exc:
        return None, None, None, explain(str(exc), lang)
    return upload, kind, mapping, None


def preview(upload: dict, kind: str, mapping, lang: str):
    """The first rows as the import would take them; a sentence when the file cannot be read."""
    path = upload["path"]
    try:
        if kind == "readings":
            shown = previews.first_readings(current_engine(), path, mapping)
        else:
            shown = previews.first_rows(current_engine(), path, mapping)
    except (MappingError, FileError) as exc:
        return None, explain(str(exc).replace(path.name, upload["name"]), lang)
    catalogue = indicators.indicator_catalogue() if kind == "readings" else None
    names = {} if catalogue is None else dict(zip(catalogue.code, zip(catalogue.name_zh, catalogue.name_en)))
    return preview_view(shown, areas.area_names(), names, lang), None


def act(trigger: str, uploaded, text, lang: str, limit: int) -> tuple:
    """(upload note, note, preview, job, poll disabled, import disabled, report, download hidden)."""
    if trigger == IMPORTS["uploaded"]:  # a new file: what came before is about another one
        return upload_said(uploaded, lang, limit), "", None, None, True, True, None, True
    dry = trigger == IMPORTS["preview_btn"]
    keep = (no_update,) * 6
    refused = (None, no_update, no_update, True, no_update, no_update) if dry else keep  # no import unpreviewed
    upload, kind, mapping, wrong = _upload_and_mapping(uploaded, text, lang)
    shown = no_update
    if not wrong and dry:
        shown, wrong = preview(upload, kind, mapping, lang)
    if wrong:
        return no_update, wrong, *refused
    if not uploads.start(upload, primary_engine(), kind, mapping, dry_run=dry, actor=current_user().id):
        return no_update, t("imp_busy" if upload["path"].is_file() else "imp_upload_gone", lang), *keep
    job = {"token": upload["token"]}
    report, _ = job_view(uploads.job(upload), lang)
    return no_update, "", shown, job, False, not dry, report, True


def poll(job: object, lang: str) -> tuple:
    """(report, download hidden, poll disabled, past imports) while a dry run or an import runs."""
    upload = uploads.find(job.get("token") if isinstance(job, dict) else None, current_user().id)
    state = uploads.job(upload) if upload else None
    if state is None:
        return None, True, True, no_update
    report, rejected = job_view(state, lang)
    if state["state"] == "running":
        return report, True, False, no_update
    return report, not rejected, True, runs_table(imports.recent_runs(), users.user_names(), lang)


def register(app) -> None:
    app.server.register_blueprint(uploads.uploads)  # the upload route serves this page alone
    default_lang = app.server.config.get("DEFAULT_LANG", "zh")
    max_bytes = int(app.server.config.get("UPLOAD_MAX_BYTES", uploads.UPLOAD_MAX_BYTES))
    ids = IMPORTS

    def lang_of(search) -> str:
        return lang_from(search if isinstance(search, str) else None, default_lang)

    app.clientside_callback(
        UPLOAD_JS % {"limit": max_bytes, "url": UPLOAD_URL},
        Output(ids["uploaded"], "data"),
        Output(ids["upload"], "contents"),
        Input(ids["upload"], "contents"),
        State(ids["upload"], "filename"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids["mapping_text"], "value"), Input(ids["mapping_pick"], "value"), prevent_initial_call=True)
    def _pick(name):
        if not _is_admin():
            return no_update
        text = previews.shipped_text(name)
        return text if text is not None else no_update

    @app.callback(
        Output(ids["upload_note"], "children"),
        Output(ids["note"], "children"),
        Output(ids["preview"], "children"),
        Output(ids["job"], "data"),
        Output(ids["poll"], "disabled", allow_duplicate=True),
        Output(ids["run_btn"], "disabled"),
        Output(ids["report"], "children", allow_duplicate=True),
        Output(ids["download_btn"], "hidden", allow_duplicate=True),
        Output(ids["run_btn"], "className"),
        Input(ids["uploaded"], "data"),
        Input(ids["preview_btn"], "n_clicks"),
        Input(ids["run_btn"], "n_clicks"),
        State(ids["mapping_text"], "value"),
        State(SHELL["location"], "search"),
        prevent_initial_call=True,
    )
    def _act(uploaded, n_preview, n_run, text, search):
        lang = lang_of(search)
        if not _is_admin():  # the gate already refused others; checked again before any file is touched
            return no_update, t("forbidden_body", lang), *(no_update,) * 7
        try:
            out = act(ctx.triggered_id, uploaded, text, lang, max_bytes)
        except (OSError, SQLAlchemyError):  # the disk or the database failed: say so, start nothing
            log.exception("an import action failed")
            return no_update, t("imp_err_failed", lang), *(no_update,) * 7
        off = out[5]  # the import button looks as available as it is
        return *out, no_update if off is no_update else "range-link" if off else "range-link active"

    @app.callback(
        Output(ids["report"], "children", allow_duplicate=True),
        Output(ids["download_btn"], "hidden", allow_duplicate=True),
        Output(ids["poll"], "disabled", allow_duplicate=True),
        Output(ids["runs"], "children"),
        Input(ids["poll"], "n_intervals"),
        State(ids["job"], "data"),
        State(SHELL["location"], "search"),
        prevent_initial_call=True,
    )
    def _poll(_n, job, search):
        if not _is_admin():
            return no_update, True, True, no_update
        return poll(job, lang_of(search))

    @app.callback(
        Output(ids["download"], "data"),
        Input(ids["download_btn"], "n_clicks"),
        State(ids["job"], "data"),
        prevent_initial_call=True,
    )
    def _download(_n, job):
        if not _is_admin():
            return no_update
        upload = uploads.find(job.get("token") if isinstance(job, dict) else None, current_user().id)
        path = uploads.rejected(upload) if upload else None
        if path is None:
            return no_update
        return dcc.send_file(str(path), filename=f"{Path(upload['name']).stem}.rejected.csv")
