"""考核评价's pieces, pure UI: the period bar, the ranking tables (each rate with its n / d, each count a
link to the incidents behind it), the stage times, the summary and the definitions. No data access: the
pages hand in figures from data.read.evaluation."""

from __future__ import annotations

from collections.abc import Callable

from dash import dcc, html

from components.i18n import t
from components.links import href
from data.domain.names import lang_index
from data.domain.timeutil import to_dt
from data.domain.vocab import STATUS_NAMES, unit_name
from data.read.evaluation import RATES, Period, behind
from data.read.evaluation_sql import BEHIND, STAGES

DASH = "—"


def pct(value: float | None) -> str:
    """87.5% (one decimal), or "—" when there is no rate (a zero denominator)."""
    return DASH if value is None else f"{value * 100:.1f}%"


def score(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def signed(value: float | None) -> str:
    return DASH if value is None else f"{value:+.2f}"


def period_label(period: Period, lang: str) -> str:
    """2026年10月 / 2026-10, 2026年第4季度 / 2026 Q4, or a range of days."""
    first = to_dt(period.a).date()
    if period.kind == "month":
        return t("eval_month", lang, y=first.year, m=first.month)
    if period.kind == "quarter":
        return t("eval_quarter", lang, y=first.year, q=(first.month + 2) // 3)
    return t("eval_range", lang, a=first.isoformat(), b=period.last_day.isoformat())


def area_label(code: str, names: dict, lang: str) -> str:
    """An area's name; a grid by its street's name and number."""
    if code in names:
        return names[code][lang_index(lang)]
    street = names.get(code[:9])
    if len(code) == 12 and street:
        return f"{street[lang_index(lang)]} · {t('grid_no', lang, n=int(code[9:]))}"
    return code


def incidents_href(measure: str, period: Period, area: str, unit: str | None, lang: str) -> str:
    """The incident list showing the incidents counted in `measure` (window=all: any report date)."""
    return href("/incidents", lang, window="all", area=area, ev=behind(measure, period, unit).token())


def _count(n: int, measure: str, link: Callable[[str], str]) -> html.Span | dcc.Link:
    if not n or measure not in BEHIND:
        return html.Span(f"{n:,}", className="eval-n")
    return dcc.Link(f"{n:,}", href=link(measure), className="eval-n")


def rate_cell(row: dict, rate: str, link: Callable[[str], str]) -> html.Td:
    """The rate, and under it numerator / denominator, each a link to its incidents."""
    num, den = RATES[rate]
    value = row["rates"][rate]
    return html.Td(
        className="eval-rate" + (" none" if value is None else ""),
        children=[
            html.Div(pct(value), className="eval-pct"),
            html.Div(
                className="eval-nd",
                children=[_count(row["counts"][num], num, link), " / ", _count(row["counts"][den], den, link)],
            ),
        ],
    )


def _head(lang: str, first: str) -> html.Thead:
    cells = [
        html.Th(t("col_rank", lang)),
        html.Th(t(first, lang)),
        html.Th(t("col_composite", lang), title=t("eval_legend_composite_short", lang)),
        html.Th(t("col_change", lang)),
        *[html.Th(t(f"rate_{r}", lang), title=t(f"def_{r}", lang)) for r in RATES],
    ]
    return html.Thead(html.Tr(cells))


def _change(row: dict, lang: str) -> html.Td:
    delta = row.get("change")
    cls = "eval-change" + ("" if delta is None else " up" if delta > 0 else " down" if delta < 0 else "")
    was = [html.Div(t("rank_was", lang, n=row["prev_rank"]), className="eval-was")] if row.get("prev_rank") else []
    return html.Td([html.Div(signed(delta)), *was], className=cls)


def ranking_table(
    rows: list[dict],
    *,
    kind: str,
    period: Period,
    scope_code: str,
    names: dict,
    lang: str,
    total: dict | None = None,
    drill: Callable[[str], str] | None = None,
) -> html.Div:
    """One row per child area (kind "area") or unit (kind "unit"), best 综合指标值 first, and a total row."""

    def link_for(key: str | None) -> Callable[[str], str]:
        area, unit = (key, None) if kind == "area" and key else (scope_code, key if kind == "unit" else None)
        return lambda measure: incidents_href(measure, period, area, unit, lang)

    def label(key: str):
        text = area_label(key, names, lang) if kind == "area" else unit_name(key, lang)
        return dcc.Link(text, href=drill(key)) if drill and kind == "area" and key != scope_code else text

    body = []
    ordered = sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["key"]))
    for r in ordered:
        body.append(
            html.Tr(
                className="eval-row",
                children=[
                    html.Td(str(r["rank"]) if r["rank"] else DASH, className="eval-rank"),
                    html.Td(label(r["key"]), className="eval-name"),
                    html.Td(score(r["composite"]), className="eval-score"),
                    _change(r, lang),
                    *[rate_cell(r, rate, link_for(r["key"])) for rate in RATES],
                ],
            )
        )
    if total is not None:
        body.append(
            html.Tr(
                className="eval-total",
                children=[
                    html.Td(""),
                    html.Td(t("eval_total", lang), className="eval-name"),
                    html.Td(score(total["composite"]), className="eval-score"),
                    html.Td(signed(_delta(total))),
                    *[rate_cell(total, rate, link_for(None)) for rate in RATES],
                ],
            )
        )
    first = "col_eval_area" if kind == "area" else "col_eval_unit"
    table = html.Table([_head(lang, first), html.Tbody(body)], className=f"desk-table eval-table eval-{kind}s")
    return html.Div(table, className="eval-scroll")


def _delta(total: dict) -> float | None:
    now, before = total.get("composite"), total.get("prev_composite")
    return None if now is None or before is None else round(now - before, 2)


def duration(seconds: int | None, lang: str) -> str:
    """'45 分钟' / '45 min', '3.2 小时' / '3.2 h' (under two days), '2.1 天' / '2.1 d'."""
    if seconds is None:
        return DASH
    if seconds < 3600:
        return t("dur_min", lang, n=f"{seconds / 60:.0f}")
    if seconds < 2 * 86400:
        return t("dur_hours", lang, n=f"{seconds / 3600:.1f}")
    return t("dur_days", lang, n=f"{seconds / 86400:.1f}")


def stage_table(rows: list[dict], total: dict, *, kind: str, names: dict, lang: str) -> html.Div:
    """Mean time spent in each stage before leaving it, per row and in total."""
    li = lang_index(lang)
    head = html.Tr(
        [html.Th(t("col_eval_area" if kind == "area" else "col_eval_unit", lang))]
        + [html.Th(STATUS_NAMES[s][li]) for s in STAGES]
    )

    def line(label: str, r: dict, cls: str = "") -> html.Tr:
        return html.Tr(
            [html.Td(label, className="eval-name")]
            + [html.Td(duration(r["stages"].get(s), lang), className="num") for s in STAGES],
            className=cls,
        )

    body = [line(area_label(r["key"], names, lang) if kind == "area" else unit_name(r["key"], lang), r) for r in rows]
    body.append(line(t("eval_total", lang), total, "eval-total"))
    return html.Div(
        html.Table([html.Thead(head), html.Tbody(body)], className="desk-table eval-stages"), className="eval-scroll"
    )


def summary(total: dict, lang: str) -> html.Div:
    """The area's 综合指标值 with its change, and the rates most read, as chips."""
    delta = _delta(total)
    change = t("eval_change", lang, delta=signed(delta)) if delta is not None else t("eval_no_change", lang)
    chips = [
        html.Div(
            className="eval-chip main",
            children=[html.Span(t("eval_composite_now", lang)), html.Span(score(total["composite"]), className="num"),
                      html.Span(change, className="sub")],
        )
    ]  # fmt: skip
    for rate in ("handle_rate", "handle_ontime_rate", "overdue_rate", "close_ontime_rate"):
        chips.append(
            html.Div(
                className="eval-chip",
                title=t(f"def_{rate}", lang),
                children=[html.Span(t(f"rate_{rate}", lang)), html.Span(pct(total["rates"][rate]), className="num")],
            )
        )
    return html.Div(chips, className="eval-chips")


def legend(weights: tuple[float, ...], lang: str) -> html.Section:
    """Every rate's definition, the weights of the 综合指标值, and what "—" means."""
    w = {f"w{i + 1}": f"{x:g}" for i, x in enumerate(weights)}
    return html.Section(
        className="eval-legend",
        children=[
            html.H2(t("eval_legend", lang)),
            html.Dl([item for r in RATES for item in (html.Dt(t(f"rate_{r}", lang)), html.Dd(t(f"def_{r}", lang)))]),
            html.P(t("eval_legend_composite", lang, **w)),
            html.P(t("eval_legend_stage", lang)),
            html.P(t("eval_legend_final", lang)),
            html.P(t("eval_legend_dash", lang)),
        ],
    )
