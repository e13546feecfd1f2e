"""The shift handover's download: GET /handover.xlsx?shift=YYYY-MM-DDTHH:MM&area=&lang=, the same reads and scope
rules as /handover (pages/handover.py): roles that may open the page only (403), an area outside the user's
or unknown is 404, a bad shift 400, each with a sentence. The lists hold up to XLSX_CAP rows, with the
incidents' titles the page leaves out; the file name is made here from digits."""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, g, jsonify, request
from openpyxl import Workbook
from openpyxl.styles import Font

from api.access import ScopeError, current_user, resolve_scope
from api.auth import audit
from api.reports import safe_cell
from components.evaluation_views import area_label
from components.handover_views import people, shift_span, when
from components.i18n import format_duration, lang_from, t
from components.theme import level_label
from data.domain.actors import display_name
from data.domain.names import lang_index
from data.domain.roles import may_open
from data.domain.timeutil import now_ts, to_dt
from data.domain.vocab import STATUS_NAMES, category_name, unit_name, unit_text
from data.read import areas
from data.read.handover import shift_report
from data.read.handover_record import BadShift, configured_starts, default_shift, parse_shift, record
from data.read.users import user_names

bp = Blueprint("handover_export", __name__)
PAGE = "/handover"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CAP = 5000  # rows per list


def _sheet(wb: Workbook, title: str, head: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, column in enumerate(ws.columns):
        ws.column_dimensions[column[0].column_letter].width = 40 if i == 1 else 18
    ws.freeze_panes = "A2"


def _at(ts: int | None) -> str:
    return "" if ts is None else f"{to_dt(ts):%Y-%m-%d %H:%M}"


def _incidents(kind: str, rep: dict, names: dict, lang: str) -> tuple[list[str], list[list]]:
    li = lang_index(lang)
    head = [t(k, lang) for k in ("ho_col_incident", "ho_col_incident", "ho_col_category", "ho_col_place")]
    head[1] = t("ho_x_title", lang)
    out = []
    for r in rep[kind]:
        inc = r.get("inc") or {}
        line = [r["incident_id"], inc.get("title", ""), category_name(inc.get("category", ""), lang)]
        line.append(area_label(inc.get("grid_code") or inc.get("street_code") or "", names, lang))
        if kind in ("inherited", "overdue"):
            step = STATUS_NAMES.get(r["to_status"], ("", ""))[li]
            due = _at(r["due_at"]) if r["due_at"] is not None else t("ho_parked", lang)
            line += [step, unit_name(r["unit"], lang), due]
        elif kind == "opened":
            line += [_at(inc.get("reported_at")), STATUS_NAMES.get(inc.get("status"), ("", ""))[li]]
        else:
            line += [_at(r["at"]), display_name(names, r["actor"], lang)]
        out.append(line)
    extra = {
        "inherited": ["ho_col_step", "ho_col_unit", "ho_col_due"],
        "overdue": ["ho_col_step", "ho_col_unit", "ho_col_due"],
        "opened": ["ho_col_at", "col_status"],
    }.get(kind, ["ho_col_at", "ho_col_by"])
    return head + [t(k, lang) for k in extra], out


def workbook(rep: dict, rec: dict, code: str, names: dict, lang: str, now: int) -> bytes:
    """The handover as an .xlsx: the summary with the record line and the counts, each list, the notes."""
    wb = Workbook()
    wb.remove(wb.active)
    confirm = rec["confirm"]
    outgoing = confirm["handed_by"] if confirm else rec["outgoing"]
    c = rep["counts"]
    summary = [
        [t("ho_col_area", lang), area_label(code, names, lang)],
        [t("ho_x_shift", lang), shift_span(rep["start"], rep["end"])],
        [t("ho_x_handed", lang), people(outgoing, names, lang) or "—"],
        [t("ho_x_taken", lang), display_name(names, confirm["confirmed_by"], lang) if confirm else "—"],
        [t("ho_x_taken_at", lang), _at(confirm["confirmed_at"]) if confirm else "—"],
        [t("ho_x_made", lang), _at(now)],
        [t("ho_c_inherited", lang), c["inherited"]],
        [t("ho_x_inherited_overdue", lang), c["inherited_overdue"]],
        [t("ho_c_opened", lang), c["opened"]],
        [t("ho_c_closed", lang), c["closed"]],
        [t("ho_c_overdue", lang), c["overdue"]],
        [t("ho_c_warnings", lang), f"{c['raised']} / {c['acknowledged']} / {c['cleared']}"],
        [t("ho_c_vitals", lang), c["vitals"]],
        [t("ho_c_supervised", lang), c["supervised"]],
        [t("ho_xlsx_capped", lang, n=XLSX_CAP), ""],
    ]  # fmt: skip
    _sheet(wb, t("ho_sheet_summary", lang), [t("ho_title", lang), ""], summary)
    for kind in ("inherited", "overdue", "opened", "closed", "supervised"):
        _sheet(wb, t(f"ho_sheet_{kind}", lang), *_incidents(kind, rep, names, lang))
    cause = "cause_en" if lang == "en" else "cause_zh"
    head = [t(k, lang) for k in ("ho_col_level", "ho_col_area", "ho_col_cause", "ho_col_raised", "ho_col_ack")]
    head += [t("ho_col_by", lang), t("ho_col_cleared", lang)]
    warn = [
        [level_label(w["level"], lang), area_label(w["area_code"], names, lang), w[cause], _at(w["started_at"]),
         _at(w["acknowledged_at"]), display_name(names, w["acknowledged_by"], lang) if w["acknowledged_by"] else "",
         _at(w["ended_at"])]
        for w in rep["warnings"]
    ]  # fmt: skip
    _sheet(wb, t("ho_sheet_warnings", lang), head, warn)
    head = [t(k, lang) for k in ("ho_col_indicator", "ho_col_area", "ho_col_out", "ho_col_since", "ho_col_peak")]
    vitals = [
        [v["name_en"] if lang == "en" else v["name_zh"], area_label(v["area_code"], names, lang),
         format_duration(v["out_s"], lang) + (f" · {t('ho_still', lang)}" if v["still"] else ""), _at(v["since"]),
         f"{float(v['peak']):.{int(v['decimals'])}f} {unit_text(v['unit'], lang)}".strip() if v["peak"] is not None else "",
         level_label(v["level"], lang)]
        for v in rep["vitals"]
    ]  # fmt: skip
    _sheet(wb, t("ho_sheet_vitals", lang), [*head, t("ho_col_level", lang)], vitals)
    notes = [[display_name(names, n["author"], lang), when(n["at"], -1), n["body"]] for n in rec["notes"]]
    _sheet(wb, t("ho_sheet_notes", lang), [t("ho_col_by", lang), t("ho_col_at", lang), t("ho_notes", lang)], notes)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@bp.get("/handover.xlsx")
def download():
    """The handover of ?shift= (default: the shift that just ended) for ?area= (default: the user's)."""
    g.pop("page_status", None)  # the gate marks every path that is not a page 404; this route answers itself
    lang = lang_from(request.args.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))
    user = current_user()
    if not may_open(user.role, PAGE):
        audit("denied", user_id=user.id, target="handover.xlsx")
        return jsonify(reason="forbidden", message=t("forbidden_body", lang)), 403
    now, starts = now_ts(), configured_starts()
    try:
        scope = resolve_scope(request.args.get("area") or None)
    except ScopeError:
        return jsonify(reason="not_found", message=t("ho_refused_download", lang)), 404
    try:
        asked = request.args.get("shift")
        shift = parse_shift(asked, now, starts) if asked else default_shift(now, starts)
    except BadShift:
        return jsonify(reason="bad_request", message=t("bad_param", lang, name="shift")), 400
    rep = shift_report(scope, shift, now, limit=XLSX_CAP)
    body = workbook(rep, record(scope, shift.start), scope.code, areas.area_names() | user_names(), lang, now)
    name = f"handover-{scope.code}-{to_dt(shift.start):%Y%m%d-%H%M}.xlsx"  # digits: nothing of the client's
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
