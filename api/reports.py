"""The monthly evaluation report's downloads: GET /evaluation/report.xlsx and /evaluation/report.csv
?area=&month=YYYY-MM&lang=. Signed-in roles that may open /evaluation/report only; the area is resolved
by api.access like a page's (outside the user's area or unknown: 404); file names are made here."""

from __future__ import annotations

import csv
import io
import logging

from flask import Blueprint, Response, current_app, g, jsonify, request
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from api.access import ScopeError, current_user, resolve_scope
from api.auth import audit
from components.evaluation_views import area_label, period_label
from components.i18n import lang_from, t
from data.domain.roles import may_open
from data.domain.scope import Scope
from data.domain.timeutil import now_ts, tick_of, to_dt
from data.domain.vocab import category_name, unit_name
from data.read import areas, evaluation
from data.read.evaluation_report import monthly_report

reports = Blueprint("reports", __name__)
log = logging.getLogger("cityops.reports")
PAGE = "/evaluation/report"
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
COUNTS = ("reports", "registered", "dispatched", "handled", "overdue_pending", "due_handle", "due_close", "closed")
COUNTS += ("rework", "extensions")


class Pct(float):
    """A rate (0..1): a spreadsheet shows it as a percentage."""


def _rate(v: float | None):
    return "—" if v is None else Pct(v)


class BadMonth(ValueError):
    """The month parameter is not YYYY-MM."""


def weights() -> tuple[float, ...]:
    try:
        return evaluation.parse_weights(current_app.config.get("EVAL_WEIGHTS"))
    except ValueError:
        return evaluation.parse_weights(None)


def report_for(area: str | None, month: str | None, now: int) -> tuple[Scope, dict]:
    """The report of a month (the last full one when none is asked) for an area the user may see.
    Raises ScopeError (outside or unknown) or BadMonth."""
    scope = resolve_scope(area or None)
    try:
        period = evaluation.month_period(month) if month else evaluation.last_full_month(now)
    except (ValueError, TypeError):
        raise BadMonth("month") from None
    kids = areas.children(scope.code)
    children = list(kids["code"]) if len(kids) else [scope.code]
    return scope, monthly_report(scope, period, weights(), now, children)


def safe_cell(value):
    """A text cell a spreadsheet will not run: people's words starting with = + - @ get a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def ranking_rows(rep: dict, names: dict, lang: str) -> tuple[list[str], list[list]]:
    """One table of the rankings: areas, the total, then units; rates as fractions, "—" when none."""
    head = [t("col_eval_area", lang) + " / " + t("col_eval_unit", lang), t("col_rank", lang)]
    head += [t("col_composite", lang), t("col_change", lang)]
    head += [t(f"rate_{r}", lang) for r in evaluation.RATES] + [t(f"cnt_{c}", lang) for c in COUNTS]

    def line(label: str, r: dict) -> list:
        rates = [_rate(r["rates"][x]) for x in evaluation.RATES]
        change = r.get("change") if "change" in r else None
        return [
            label,
            r.get("rank") or "",
            _none(r["composite"]),
            _none(change),
            *rates,
            *(r["counts"][c] for c in COUNTS),
        ]

    rows = [line(area_label(r["key"], names, lang), r) for r in rep["areas"]]
    rows.append(line(t("eval_total", lang), rep["total"]))
    rows += [line(unit_name(r["key"], lang), r) for r in rep["units"]]
    return head, rows


def _none(v):
    return "—" if v is None else v


def _sheet(wb: Workbook, title: str, head: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(float(v) if isinstance(v, Pct) else v) for v in row])
        for c, v in zip(ws[ws.max_row], row, strict=False):
            if isinstance(v, Pct):
                c.number_format = "0.0%"
    for i, _ in enumerate(head, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 16 if i > 1 else 28
    ws.freeze_panes = "B2"


def workbook(rep: dict, scope: Scope, names: dict, lang: str, now: int) -> bytes:
    """The report as an .xlsx: summary, rankings, worst categories and places, overdue incidents."""
    wb = Workbook()
    wb.remove(wb.active)
    head, rows = ranking_rows(rep, names, lang)
    summary = [[t("eval_report_title", lang), area_label(scope.code, names, lang)]]
    summary += [
        [
            t(
                "eval_period_of",
                lang,
                period=period_label(rep["period"], lang),
                previous=period_label(rep["previous"], lang),
            ),
            "",
        ]
    ]
    summary += [[t("col_composite", lang), _none(rep["total"]["composite"])]]
    summary += [[t(f"rate_{r}", lang), _rate(rep["total"]["rates"][r])] for r in evaluation.RATES]
    summary += [[t("rep_generated", lang, at=f"{to_dt(now):%Y-%m-%d %H:%M}"), ""]]
    _sheet(wb, t("rep_figures", lang), [t("eval_legend", lang), ""], summary)
    _sheet(wb, t("rep_rankings", lang), head, rows)
    worst_head = [t("col_category", lang), t("cnt_due_handle", lang), t("rate_handle_ontime_rate", lang)]
    worst_head += [t("rate_handle_rate", lang), t("cnt_overdue_pending", lang)]

    def worst(rows, label):
        return [
            [label(r["key"]), r["counts"]["due_handle"], _rate(r["rates"]["handle_ontime_rate"]),
             _rate(r["rates"]["handle_rate"]), r["counts"]["overdue_pending"]]
            for r in rows
        ]  # fmt: skip

    _sheet(wb, t("rep_worst_categories", lang), worst_head, worst(rep["categories"], lambda c: category_name(c, lang)))
    place_head = [t("col_place", lang), *worst_head[1:]]
    level = t(f"rep_place_{rep['place_level']}", lang)
    _sheet(
        wb,
        t("rep_worst_places", lang, level=level),
        place_head,
        worst(rep["places"], lambda c: area_label(c, names, lang)),
    )
    over_head = [
        t("col_incident", lang),
        t("col_incident", lang) + " · " + t("col_category", lang),
        t("col_place", lang),
    ]
    over_head += [t("col_eval_unit", lang), t("col_due", lang), t("col_overdue_by", lang)]
    over = [
        [r["id"], f"{r['title']} · {category_name(r['category'], lang)}", area_label(r["grid_code"] or r["street_code"], names, lang),
         unit_name(r["unit"], lang), f"{to_dt(r['due_at']):%Y-%m-%d %H:%M}",
         t("dur_hours", lang, n=f"{(rep['overdue_at'] - r['due_at']) / 3600:.1f}")]
        for r in rep["overdue"]
    ]  # fmt: skip
    _sheet(wb, t("csv_section_overdue", lang), over_head, over)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_text(rep: dict, names: dict, lang: str) -> bytes:
    """The rankings as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese right)."""
    head, rows = ranking_rows(rep, names, lang)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    for row in rows:
        writer.writerow([safe_cell(f"{v:.4f}" if isinstance(v, float) else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@reports.get("/evaluation/report.<fmt>")
def download(fmt: str):
    """The report of ?area=&month= as a spreadsheet or CSV; 403 for a role without the report, 404 for an
    area outside the user's, 400 for a bad month."""
    g.pop("page_status", None)  # the gate marks every path that is not a page 404; this route answers itself
    lang = lang_from(request.args.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))
    if fmt not in MIME:
        return jsonify(reason="not_found"), 404
    user = current_user()
    if not may_open(user.role, PAGE):
        audit("denied", user_id=user.id, target="report")
        return jsonify(reason="forbidden", message=t("forbidden_body", lang)), 403
    now = tick_of(now_ts(), 60)
    try:
        scope, rep = report_for(request.args.get("area"), request.args.get("month"), now)
    except BadMonth:
        return jsonify(reason="bad_request", message=t("bad_param", lang, name="month")), 400
    except ScopeError:
        return jsonify(reason="not_found", message=t("eval_area_refused", lang)), 404
    names = areas.area_names()
    body = workbook(rep, scope, names, lang, now) if fmt == "xlsx" else csv_text(rep, names, lang)
    name = f"evaluation-{scope.code}-{rep['period'].key}.{fmt}"  # digits and a month: nothing of the client's
    return Response(body, mimetype=MIME[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
