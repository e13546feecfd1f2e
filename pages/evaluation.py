"""考核评价 (/evaluation?area=&month=YYYY-MM | quarter=YYYYQn | start=&end=): the standard rates of a
period for the user's area, per child area and per handling unit, ranked by the 综合指标值 with the
change against the previous period; every count opens the incidents behind it."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Annotated, ClassVar

import dash
from dash import dcc, html
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from components import evaluation_views as views
from components.i18n import lang_from, t
from components.links import href
from components.page_title import titled
from components.params import AreaCode, PageQuery, checked
from data.domain.areas import contains
from data.domain.timeutil import now_ts, tick_of, to_dt
from data.read import areas, evaluation

dash.register_page(
    __name__, path="/evaluation", name="考核评价", order=7, nav="nav_evaluation", title=titled("nav_evaluation")
)
log = logging.getLogger("cityops.pages.evaluation")
MONTHS_SHOWN, QUARTERS_SHOWN = 6, 4


def _valid(make) -> object:
    def ok(v: str) -> bool:
        try:
            make(v)
        except (ValueError, TypeError):
            return False
        return True

    return checked(ok)


class EvalQuery(PageQuery):
    """/evaluation?area=&month=&quarter=&start=&end= (a range wins over a quarter, a quarter over a month)."""

    PATH: ClassVar[str] = "/evaluation"
    area: AreaCode | None = None
    month: Annotated[str, _valid(evaluation.month_period)] | None = None
    quarter: Annotated[str, _valid(evaluation.quarter_period)] | None = None
    start: Annotated[str, _valid(date.fromisoformat)] | None = None
    end: Annotated[str, _valid(date.fromisoformat)] | None = None


def period_of(q: EvalQuery, now: int, bad: list[str]) -> evaluation.Period:
    """The period the query asks for; the last full month when it asks for none (or a bad range)."""
    if q.start and q.end:
        try:
            return evaluation.range_period(date.fromisoformat(q.start), date.fromisoformat(q.end))
        except ValueError:
            bad.append("end")
    if q.quarter:
        return evaluation.quarter_period(q.quarter)
    if q.month:
        return evaluation.month_period(q.month)
    return evaluation.last_full_month(now)


def weights() -> tuple[float, ...]:
    try:
        return evaluation.parse_weights(current_app.config.get("EVAL_WEIGHTS"))
    except ValueError:
        log.warning("EVAL_WEIGHTS is not five non-negative numbers; using %s", evaluation.DEFAULT_WEIGHTS)
        return evaluation.parse_weights(None)


def children_of(scope) -> list[str]:
    """The rows of the area table: the scope's child areas, or the scope itself at grid level."""
    kids = areas.children(scope.code)
    return list(kids["code"]) if len(kids) else [scope.code]


def period_bar(q: EvalQuery, period: evaluation.Period, now: int, lang: str) -> html.Div:
    """Months and quarters as links, and a plain GET form for a range of days (the URL holds the choice)."""
    first = to_dt(now).date().replace(day=1)
    months = []
    for _ in range(MONTHS_SHOWN):
        months.append(evaluation.month_period(f"{first:%Y-%m}"))
        first = (first - timedelta(days=1)).replace(day=1)
    today = to_dt(now).date()
    quarters = [evaluation.quarter_period(f"{today.year}Q{(today.month + 2) // 3}")]
    while len(quarters) < QUARTERS_SHOWN:
        quarters.append(quarters[-1].previous())
    base = q.replace(month=None, quarter=None, start=None, end=None)

    def chip(p: evaluation.Period, **params) -> dcc.Link:
        active = p.key == period.key
        return dcc.Link(
            views.period_label(p, lang),
            href=base.url(lang, **params),
            className="range-link" + (" active" if active else ""),
        )

    hidden = [("area", q.area), ("lang", "en" if lang == "en" else None)]
    return html.Div(
        className="range-bar eval-periods",
        children=[
            html.Span(t("eval_months", lang), className="filter-label"),
            *[chip(p, month=p.key) for p in months],
            html.Span("|", className="crumb-sep"),
            html.Span(t("eval_quarters", lang), className="filter-label"),
            *[chip(p, quarter=p.key) for p in quarters],
            html.Form(
                action="/evaluation",
                method="GET",
                className="range-form",
                children=[
                    *[dcc.Input(type="hidden", name=k, value=v) for k, v in hidden if v],
                    *[
                        dcc.Input(
                            type="text",
                            name=name,
                            required=True,
                            pattern=r"\d{4}-\d{2}-\d{2}",
                            placeholder=t("eval_date_example", lang),
                            maxLength=10,
                            value=value if period.kind == "range" else None,
                            className="date-input",
                        )
                        for name, value in (
                            ("start", to_dt(period.a).date().isoformat()),
                            ("end", period.last_day.isoformat()),
                        )
                    ],
                    html.Button(
                        t("eval_custom", lang),
                        type="submit",
                        className="range-link" + (" active" if period.kind == "range" else ""),
                    ),
                ],
            ),
        ],
    )


def crumbs(scope, q: EvalQuery, names: dict, lang: str) -> html.Div:
    """The area's lineage; the ancestors this user may open are links."""
    parts = []
    for i, a in enumerate(areas.lineage(scope.code)):
        label = views.area_label(a["code"], names, lang)
        if i:
            parts.append(html.Span("›", className="crumb-sep"))
        if a["code"] != scope.code and contains(scope.root, a["code"]):
            parts.append(dcc.Link(label, href=q.url(lang, area=a["code"]), className="crumb"))
        else:
            parts.append(html.Span(label, className="crumb" + (" current" if a["code"] == scope.code else "")))
    return html.Div(parts, className="breadcrumbs")


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    if not has_request_context():  # the validation layout at start-up: structure only
        return html.Div(className="page desk eval-page")
    q, bad = EvalQuery.parse(params)
    now = tick_of(now_ts(), 60)
    period = period_of(q, now, bad)
    try:
        try:
            scope = resolve_scope(q.area)
        except ScopeError:
            scope, bad = resolve_scope(), [*bad, "area"]
        q = q.replace(area=scope.code)
        w = weights()
        names = areas.area_names()
        got = evaluation.evaluate(scope, period, w, now, children_of(scope))
        trail = crumbs(scope, q, names, lang)
    except SQLAlchemyError:
        log.exception("evaluation page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    level = scope.child_level or "area"
    title = f"{t('eval_title', lang)} · {views.area_label(scope.code, names, lang)}"
    ongoing = [t("eval_ongoing", lang, at=f"{to_dt(now):%Y-%m-%d %H:%M}")] if got["ongoing"] else []
    report = (
        [dcc.Link(t("eval_report_link", lang), href=href("/evaluation/report", lang, area=scope.code, month=period.key), className="eval-report-link")]
        if period.kind == "month"
        else []
    )  # fmt: skip
    same_period = {"month": q.month, "quarter": q.quarter, "start": q.start, "end": q.end}
    return html.Div(
        className="page desk eval-page",
        children=[
            html.H1(title),
            trail,
            *[html.Div(t("bad_param", lang, name=n), className="notice") for n in bad],
            period_bar(q, period, now, lang),
            html.Div(
                className="eval-period-line",
                children=[
                    html.Span(
                        t(
                            "eval_period_of",
                            lang,
                            period=views.period_label(period, lang) + "".join(ongoing),
                            previous=views.period_label(got["previous"], lang),
                        )
                    ),
                    *report,
                ],
            ),
            views.summary(got["total"], lang),
            html.H2(t("eval_areas", lang, level=t(f"eval_level_{level}", lang)), className="eval-h2"),
            views.ranking_table(
                got["areas"],
                kind="area",
                period=period,
                scope_code=scope.code,
                names=names,
                lang=lang,
                total=got["total"],
                drill=(lambda code: EvalQuery(area=code, **same_period).url(lang)) if scope.child_level else None,
            ),
            html.H2(t("eval_units", lang), className="eval-h2"),
            views.ranking_table(got["units"], kind="unit", period=period, scope_code=scope.code, names=names, lang=lang)
            if got["units"]
            else html.P(t("eval_no_units", lang), className="notice"),
            html.H2(t("eval_stages", lang), className="eval-h2"),
            views.stage_table(got["areas"], got["total"], kind="area", names=names, lang=lang),
            views.legend(w, lang),
        ],
    )
