"""The admin imports page's pieces: the upload box, the mapping editor, the preview of the first rows, a dry
run's or an import's progress and report, and the list of past imports. Pure: data in, components out."""

from __future__ import annotations

import re

from dash import dcc, html

from components.i18n import dropdown_labels, t
from components.strings import STRINGS
from components.strings_ingest import PROBLEMS
from data.domain.names import lang_index
from data.domain.timeutil import to_dt
from data.domain.vocab import STATUS_NAMES, category_name

IMPORTS = {  # this page's component ids (kebab-case, page prefix)
    "upload": "admin-imports-upload",
    "uploaded": "admin-imports-uploaded",
    "upload_note": "admin-imports-upload-note",
    "mapping_pick": "admin-imports-mapping-pick",
    "mapping_text": "admin-imports-mapping-text",
    "note": "admin-imports-note",
    "preview_btn": "admin-imports-preview-btn",
    "run_btn": "admin-imports-run-btn",
    "preview": "admin-imports-preview",
    "job": "admin-imports-job",
    "poll": "admin-imports-poll",
    "report": "admin-imports-report",
    "download_btn": "admin-imports-download-btn",
    "download": "admin-imports-download",
    "runs": "admin-imports-runs",
}
POLL_MS = 1000
NAME_SHOWN = 48  # a file name longer than this is shown cut in the middle (its start and its extension)
RUNS_SHOWN = 50  # as data.read.imports.RECENT: the page says how many it lists
DROP_STYLE = {  # desk.css has no drop zone: the admin forms' border and colours, dashed
    "border": "0.1rem dashed var(--border)",
    "borderRadius": "0.25rem",
    "padding": "1.2rem",
    "textAlign": "center",
    "color": "var(--muted)",
    "cursor": "pointer",
}
EDITOR_STYLE = {
    "width": "100%",
    "minHeight": "16rem",
    "boxSizing": "border-box",
    "fontFamily": "var(--mono, monospace)",
    "fontSize": "0.9rem",
    "background": "var(--bg)",
    "color": "var(--text)",
    "border": "0.06rem solid var(--border)",
    "borderRadius": "0.2rem",
    "padding": "0.5rem",
}


def short_name(name: str) -> str:
    """A file name cut to NAME_SHOWN characters, keeping its end (the extension and any date in it)."""
    return name if len(name) <= NAME_SHOWN else f"{name[: NAME_SHOWN - 13]}…{name[-12:]}"


def size_text(n: int) -> str:
    return f"{n / 1048576:.1f}".removesuffix(".0") + " MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def reason_text(code: str, lang: str) -> str:
    return t(f"rej_{code}", lang) if f"rej_{code}" in STRINGS else code


def explain(message: str | None, lang: str) -> str:
    """Why a mapping or a file cannot be used, in the reader's language: the importer's sentence matched
    to ours (English keeps the importer's own sentence), else that sentence after a lead-in."""
    if not message:
        return t("imp_err_failed", lang)
    if lang == "en":
        return message
    for pattern, key in PROBLEMS:
        found = re.search(pattern, message)
        if found:
            fields = {k: v or "" for k, v in found.groupdict().items()}
            if key == "imp_err_yaml":
                fields = {"where": t("imp_err_yaml_line", lang, n=fields["n"]) if fields["n"] else ""}
            return t(key, lang, **fields)
    return t("imp_err_other", lang, msg=message)


def table(headers: list[str], rows: list[list], table_id: str | None, empty: str) -> html.Div:
    """A table in the admin page's look (its .admin-table), or a quiet line when there are no rows."""
    kw = {"id": table_id} if table_id else {}
    if not rows:
        return html.Div(empty, className="empty", **kw)
    return html.Div(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h) for h in headers])),
                html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows]),
            ],
            className="admin-table",
        ),
        className="admin-table-wrap",
        **kw,
    )


def _when(ts: int | None) -> str:
    return f"{to_dt(ts):%Y-%m-%d %H:%M}" if ts else "—"


def _place(district: str, street: str, names: dict, lang: str):
    if not district:
        return html.Span(t("unlocated", lang), className="unlocated")
    li = lang_index(lang)
    return " · ".join((names.get(c) or (c, c))[li] for c in (district, street) if c)


def preview_view(preview, names: dict, indicators: dict, lang: str) -> html.Div:
    """The first rows as the import would take them (data.ingest.preview.Preview)."""
    kind = t(f"imp_kind_{preview.kind}", lang)
    caption = html.P(
        t("imp_preview_of", lang, kind=kind, encoding=preview.encoding, n=len(preview.rows)), className="hint"
    )
    if preview.kind == "readings":
        return html.Div([caption, _readings_table(preview.rows, names, indicators, lang)])
    li, dash_ = lang_index(lang), "—"
    rows = []
    for r in preview.rows:
        cat = dash_
        if r.category:
            cat = category_name(r.category, lang)
            if r.unmapped is not None:
                cat += f" ({t('imp_unmapped_cell', lang, raw=r.unmapped or t('imp_empty_value', lang))})"
        kept = r.reason is None
        rows.append(
            [
                r.line,
                r.source_id or dash_,
                _when(r.reported_at) if kept else (r.reported_text or dash_),
                STATUS_NAMES[r.status][li] if kept else dash_,
                cat,
                _place(r.district, r.street, names, lang) if kept else dash_,
                "" if kept else html.Span(reason_text(r.reason, lang), className="rejected"),
            ]
        )
    keys = ("line", "id", "reported", "status", "category", "place", "reason")
    return html.Div([caption, table([t(f"imp_col_{k}", lang) for k in keys], rows, "admin-imports-rows", "")])


def _readings_table(lines, names: dict, indicators: dict, lang: str) -> html.Div:
    li = lang_index(lang)
    rows = []
    for r in lines:
        values = "; ".join(
            f"{(indicators.get(i) or (i, i))[li]} · {(names.get(a) or (a, a))[li]} = {v:g}" for i, a, v in r.values
        )
        rejected = "; ".join(f"{label}: {reason_text(why, lang)}" for label, why in r.rejected)
        rows.append([r.line, _when(r.ts), values or "—", r.gaps or "", rejected])
    keys = ("line", "time", "values", "gaps", "reason")
    return table([t(f"imp_col_{k}", lang) for k in keys], rows, "admin-imports-rows", "")


def _counts(report: dict, lang: str) -> html.Div:
    keys = ["read", "inserted", "updated", "unchanged", "unlocated", "rejected"] + (
        ["gaps"] if "gaps" in report else []
    )
    if "gaps" in report:
        keys.remove("unlocated")  # a readings series always names its area
    values = {**report, "rejected": sum(report["rejected"].values())}
    heads = [t("unlocated" if k == "unlocated" else f"imp_n_{k}", lang) for k in keys]
    return table(heads, [[f"{values[k]:,}" for k in keys]], "admin-imports-counts", "")


def job_view(state: dict | None, lang: str) -> tuple[list, bool]:
    """(what the page says about the latest dry run or import, whether its rejected rows can be downloaded)."""
    if not state:
        return [], False
    dry = state.get("dry_run")
    if state["state"] == "running":
        read, total = state.get("read", 0), max(state.get("total", 0), state.get("read", 0), 1)
        return [
            html.P(t("imp_dry_running" if dry else "imp_run_running", lang), className="admin-result"),
            html.Progress(value=str(read), max=str(total), style={"width": "100%"}),
            html.P(t("imp_progress", lang, read=f"{read:,}", total=f"{total:,}"), className="hint"),
        ], False
    if state["state"] in ("failed", "stalled"):
        said = explain(state.get("error"), lang) if state["state"] == "failed" else t("imp_stalled", lang)
        extra = [] if dry or state["state"] == "stalled" else [html.P(t("imp_failed", lang), className="hint")]
        return [html.P(said, className="notice", role="alert"), *extra], False
    report = state["report"]
    out = [html.H3(t("imp_dry_done" if dry else "imp_run_done", lang)), _counts(report, lang)]
    sep = "，" if lang == "zh" else ", "
    if report["rejected"]:
        parts = [f"{reason_text(k, lang)} {n:,}" for k, n in sorted(report["rejected"].items(), key=lambda x: -x[1])]
        out.append(html.P(t("imp_rejected_by", lang) + sep.join(parts), id="admin-imports-rejected"))
    if state.get("unmapped"):
        default = category_name(state.get("default_category") or "other", lang)
        top = [f"{k or t('imp_empty_value', lang)} ×{n:,}" for k, n in state["unmapped"].items()]
        out.append(html.P(t("imp_unmapped", lang, default=default) + sep.join(top), id="admin-imports-unmapped"))
    return out, bool(report["rejected"])


def runs_table(runs: list[dict], people: dict, lang: str) -> html.Div:
    """Past imports, newest first: when, who, which file, kind, dry run or not, status and counts."""
    li, rows = lang_index(lang), []
    for r in runs:
        counts = r["report"] or {}
        who = t("imp_actor_cli", lang) if r["actor"] == "cli" else (people.get(r["actor"]) or (r["actor"],) * 2)[li]
        status = html.Span(t(f"imp_status_{r['status']}", lang), className=f"import-{r['status']}")
        if r["status"] == "failed" and r["message"]:
            status.title = explain(r["message"], lang)
        rows.append(
            [
                _when(r["started_at"]),
                who,
                html.Span(short_name(r["file_name"]), title=r["file_name"]),
                t(f"imp_kind_{r['kind']}", lang),
                t("imp_mode_dry" if r["dry_run"] else "imp_mode_real", lang),
                status,
                *(f"{counts[k]:,}" if k in counts else "—" for k in ("read", "inserted", "updated", "unchanged")),
                f"{counts['unlocated']:,}" if "unlocated" in counts and r["kind"] == "incidents" else "—",
                f"{sum(counts['rejected'].values()):,}" if "rejected" in counts else "—",
            ]
        )
    heads = [t(f"imp_run_{k}", lang) for k in ("when", "who", "file", "kind", "mode")] + [t("imp_col_status", lang)]
    heads += [t(f"imp_n_{k}", lang) for k in ("read", "inserted", "updated", "unchanged")]
    heads += [t("unlocated", lang), t("imp_n_rejected", lang)]
    return table(heads, rows, "admin-imports-runs-table", t("imp_no_runs", lang))


def mapping_options(shipped: list[tuple[str, str]], lang: str) -> list[dict]:
    return [{"label": f"{name} · {t(f'imp_kind_{kind}', lang)}", "value": name} for name, kind in shipped]


def page_body(lang: str, options: list[dict], runs, max_bytes: int) -> html.Div:
    """The whole page around the data: every id the callbacks use, in the admin page's sections."""
    ids = IMPORTS
    section = "wall-panel desk-panel"
    return html.Div(
        className="page desk admin-page",
        children=[
            dcc.Link(t("imp_back", lang), href=f"/admin?lang={lang}", className="levels-link"),
            html.H1(t("imp_title", lang)),
            html.Section(
                [
                    html.H2(t("imp_step_file", lang)),
                    html.P(t("imp_file_how", lang, limit=size_text(max_bytes)), className="hint"),
                    dcc.Upload(html.Div(t("imp_drop", lang)), id=ids["upload"], style=DROP_STYLE, multiple=False),
                    dcc.Loading(
                        [dcc.Store(id=ids["uploaded"]), html.Div(id=ids["upload_note"], className="admin-result")],
                        type="dot",
                    ),
                ],
                className=section,
            ),
            html.Section(
                [
                    html.H2(t("imp_step_mapping", lang)),
                    html.P(t("imp_mapping_how", lang), className="hint"),
                    html.Div(
                        html.Label(
                            [
                                t("imp_mapping_pick", lang),
                                dcc.Dropdown(
                                    id=ids["mapping_pick"],
                                    options=options,
                                    searchable=False,
                                    labels=dropdown_labels(lang),
                                    className="f-drop",
                                ),
                            ]
                        ),
                        className="admin-form",
                    ),
                    html.Label(t("imp_mapping_text", lang), htmlFor=ids["mapping_text"], className="hint"),
                    dcc.Textarea(id=ids["mapping_text"], style=EDITOR_STYLE, spellCheck="false", maxLength=65536),
                ],
                className=section,
            ),
            html.Section(
                [
                    html.H2(t("imp_step_preview", lang)),
                    html.P(t("imp_preview_how", lang, n=20), className="hint"),
                    html.Div(
                        [
                            html.Button(t("imp_preview_btn", lang), id=ids["preview_btn"], className="range-link"),
                            html.Button(
                                t("imp_run_btn", lang), id=ids["run_btn"], className="range-link", disabled=True
                            ),
                        ],
                        className="admin-form",
                    ),
                    dcc.Loading(html.Div(id=ids["note"], className="admin-result", role="status"), type="dot"),
                    html.Div(id=ids["preview"]),
                    html.Div(id=ids["report"], role="status"),
                    html.Div(
                        html.Button(
                            t("imp_download", lang), id=ids["download_btn"], className="range-link", hidden=True
                        ),
                        className="admin-form",
                    ),
                    dcc.Download(id=ids["download"]),
                    dcc.Store(id=ids["job"]),
                    dcc.Interval(id=ids["poll"], interval=POLL_MS, disabled=True),
                ],
                className=section,
            ),
            html.Section(
                [
                    html.H2(t("imp_runs", lang)),
                    html.P(t("imp_runs_how", lang, n=RUNS_SHOWN), className="hint"),
                    html.Div(runs, id=ids["runs"]),
                ],
                className=section,
            ),
        ],
    )
