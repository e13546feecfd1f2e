"""The monthly evaluation report (/evaluation/report?area=&month=YYYY-MM): the figures, the rankings, the
categories and places that did worst and the overdue incidents, on a page that prints on A4
(assets/evaluation.css), with the same report as .xlsx and .csv (api/reports.py)."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import NotLoggedIn, ScopeError
from api.reports import BadMonth, report_for
from components import evaluation_views as views
from components.i18n import lang_from, t
from components.links import href
from components.page_title import titled
from data.domain.timeutil import now_ts, tick_of, to_dt
from data.domain.vocab import category_name, unit_name
from data.read import areas

dash.register_page(__name__, path="/evaluation/report", name="月度考核报告", title=titled("eval_report_title"))
log = logging.getLogger("cityops.pages.evaluation_report")
PRINT = "eval-print"  # the print button (callbacks/evaluation.py)


def _worst_table(rows: list[dict], label, first: str, lang: str) -> html.Table | html.P:
    if not rows:
        return html.P(t("rep_none", lang), className="sub")
    head = [first, t("cnt_due_handle", lang), t("rate_handle_ontime_rate", lang)]
    head += [t("rate_handle_rate", lang), t("cnt_overdue_pending", lang)]
    body = [
        html.Tr(
            [
                html.Td(label(r["key"])),
                html.Td(f"{r['counts']['due_handle']:,}", className="num"),
                html.Td(views.pct(r["rates"]["handle_ontime_rate"]), className="num"),
                html.Td(views.pct(r["rates"]["handle_rate"]), className="num"),
                html.Td(f"{r['counts']['overdue_pending']:,}", className="num" + (" overdue" if r["counts"]["overdue_pending"] else "")),
            ]
        )
        for r in rows
    ]  # fmt: skip
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)], className="desk-table")


def _overdue_table(rep: dict, names: dict, lang: str) -> html.Table | html.P:
    if not rep["overdue"]:
        return html.P(t("rep_none", lang), className="sub")
    head = [t("col_incident", lang), t("col_category", lang), t("col_place", lang), t("col_eval_unit", lang)]
    head += [t("col_due", lang), t("col_overdue_by", lang)]
    body = [
        html.Tr(
            [
                html.Td(dcc.Link(f"#{r['id']}", href=href(f"/incidents/{r['id']}", lang))),  # titles: in the .xlsx
                html.Td(category_name(r["category"], lang)),
                html.Td(views.area_label(r["grid_code"] or r["street_code"], names, lang)),
                html.Td(unit_name(r["unit"], lang)),
                html.Td(f"{to_dt(r['due_at']):%Y-%m-%d %H:%M}", className="num"),
                html.Td(views.duration(rep["overdue_at"] - r["due_at"], lang), className="num overdue"),
            ]
        )
        for r in rep["overdue"]
    ]  # fmt: skip
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)], className="desk-table")


def _toolbar(code: str, month: str, lang: str) -> html.Div:
    query = {"area": code, "month": month}
    return html.Div(
        className="eval-toolbar no-print",
        children=[
            dcc.Link(t("eval_back", lang), href=href("/evaluation", lang, **query), className="range-link"),
            html.Button(t("eval_print", lang), id=PRINT, className="range-link"),
            html.A(t("eval_xlsx", lang), href=href("/evaluation/report.xlsx", lang, **query), className="range-link"),
            html.A(t("eval_csv", lang), href=href("/evaluation/report.csv", lang, **query), className="range-link"),
        ],
    )


def _resolve(area: str | None, month: str | None, now: int, bad: list[str]):
    """report_for() with a refused parameter dropped (and named in `bad`), as every page treats a bad URL."""
    try:
        return report_for(area, month, now)
    except BadMonth:
        bad.append("month")
        return _resolve(area, None, now, bad)
    except NotLoggedIn:
        raise
    except ScopeError:
        bad.append("area")
        return _resolve(None, month, now, bad)


def layout(lang: str | None = None, area: str | None = None, month: str | None = None, **_):
    lang = lang_from(lang)
    if not has_request_context():  # the validation layout at start-up: ids and structure only
        return html.Div(html.Button(id=PRINT), className="page desk eval-report")
    now = tick_of(now_ts(), 60)
    bad: list[str] = []
    try:
        scope, rep = _resolve(
            area if isinstance(area, str) else None, month if isinstance(month, str) else None, now, bad
        )
        names = areas.area_names()
    except SQLAlchemyError:
        log.exception("evaluation report: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    period = rep["period"]
    place = t(f"rep_place_{rep['place_level']}", lang)
    level = scope.child_level or "area"
    return html.Div(
        className="page desk eval-report",
        children=[
            _toolbar(scope.code, period.key, lang),
            *[html.Div(t("bad_param", lang, name=n), className="notice no-print") for n in bad],
            html.Header(
                className="eval-report-head",
                children=[
                    html.H1(
                        f"{views.area_label(scope.code, names, lang)} · {views.period_label(period, lang)} · {t('eval_report_title', lang)}"
                    ),
                    html.Div(
                        t(
                            "eval_period_of",
                            lang,
                            period=views.period_label(period, lang),
                            previous=views.period_label(rep["previous"], lang),
                        ),
                        className="sub",
                    ),
                    html.Div(t("rep_generated", lang, at=f"{to_dt(now):%Y-%m-%d %H:%M}"), className="sub"),
                ],
            ),  # fmt: skip
            html.H2(t("rep_figures", lang), className="eval-h2"),
            views.summary(rep["total"], lang),
            html.H2(t("eval_areas", lang, level=t(f"eval_level_{level}", lang)), className="eval-h2"),
            views.ranking_table(
                rep["areas"],
                kind="area",
                period=period,
                scope_code=scope.code,
                names=names,
                lang=lang,
                total=rep["total"],
            ),
            html.H2(t("eval_units", lang), className="eval-h2"),
            views.ranking_table(rep["units"], kind="unit", period=period, scope_code=scope.code, names=names, lang=lang)
            if rep["units"]
            else html.P(t("eval_no_units", lang), className="notice"),
            html.Div(
                className="eval-worst",
                children=[
                    html.Section(
                        [
                            html.H2(t("rep_worst_categories", lang), className="eval-h2"),
                            _worst_table(
                                rep["categories"], lambda c: category_name(c, lang), t("col_category", lang), lang
                            ),
                        ]
                    ),
                    html.Section(
                        [
                            html.H2(t("rep_worst_places", lang, level=place), className="eval-h2"),
                            _worst_table(
                                rep["places"], lambda c: views.area_label(c, names, lang), t("col_place", lang), lang
                            ),
                        ]
                    ),
                ],
            ),  # fmt: skip
            html.H2(t("rep_overdue", lang, n=len(rep["overdue"])), className="eval-h2"),
            _overdue_table(rep, names, lang),
            views.legend(rep["weights"], lang),
        ],
    )
