"""The warnings page: URL filters, the table with acknowledge buttons, and what an acknowledgement says."""
from __future__ import annotations

from typing import Annotated, ClassVar

from dash import html

from components.i18n import format_duration, t
from components.params import AreaCode, PageQuery, checked, one_of
from components.theme import level_label
from data.domain.filters import WARNING_SORTS as SORTS
from data.domain.names import lang_index, name
from data.domain.timeutil import to_dt
from data.domain.vocab import CITY_CODE
from data.domain.vocab import WARNING_KINDS as KINDS

ACK = "warn-ack"  # pattern-matching id type of the acknowledge buttons
ACK_CELL = "warn-ack-cell"


class WarnFilters(PageQuery):
    """/warnings?status=active|history&level=&kind=&area=&sort=&page="""

    PATH: ClassVar[str] = "/warnings"
    status: Annotated[str, one_of(("active", "history"))] = "active"
    level: Annotated[int, one_of((1, 2, 3, 4))] | None = None
    kind: Annotated[str, one_of(KINDS)] | None = None
    area: AreaCode = CITY_CODE
    sort: Annotated[str, one_of(SORTS)] = "severity"
    page: Annotated[int, checked(lambda v: 1 <= v <= 100_000)] = 1


def parse_filters(params: dict) -> tuple[WarnFilters, list[str]]:
    """Filters from the query string; each invalid value falls back to its default and is named."""
    return WarnFilters.parse(params)


def ack_text(row: dict, lang: str) -> str:
    """'Acknowledged by WHO at WHEN': WHO from the user record when the read supplied it, else the stored id."""
    pair = row.get("acknowledged_by_name")
    who = pair[lang_index(lang)] if pair else row["acknowledged_by"]
    return t("ack_done", lang, who=who, at=to_dt(row["acknowledged_at"]).strftime("%m-%d %H:%M"))


def render_warning_table(rows: list[dict], names: dict, rules: dict, lang: str, now: int,
                         status: str = "active") -> html.Div:
    """Level (colour and text), area, kind, rule, cause, start, duration, acknowledgement."""
    if not rows:
        return html.Div(t("no_warnings", lang), className="empty")
    li = lang_index(lang)
    fmt = "%m-%d %H:%M"
    body = []
    for r in rows:
        end = r["ended_at"] or now
        if r["acknowledged_at"]:
            ack = ack_text(r, lang)
        elif r["ended_at"] is None:
            ack = html.Button(t("ack_button", lang), id={"type": ACK, "id": r["id"]}, className="range-link ack-button")
        else:
            ack = "—"
        body.append(html.Tr([
            html.Td(html.Span(level_label(r["level"], lang), className=f"warn-tag lvl-{r['level']}")),
            html.Td((names.get(r["area_code"]) or (r["area_code"], r["area_code"]))[li]),
            html.Td(t(f"kind_{r['kind']}", lang)),
            html.Td((rules.get(r["rule_id"]) or (r["rule_id"], r["rule_id"]))[li]),
            html.Td(name(r, lang, "cause")),
            html.Td(to_dt(r["started_at"]).strftime(fmt), className="num"),
            html.Td(format_duration(max(0, end - r["started_at"]), lang), className="num"),
            html.Td(ack, id={"type": ACK_CELL, "id": r["id"]}),
        ]))
    heads = ("col_level", "col_area", "col_kind", "col_rule", "col_cause", "col_started", "col_since", "col_ack")
    return html.Table(className="desk-table warn-table", children=[
        html.Thead(html.Tr([html.Th(t(k, lang)) for k in heads])), html.Tbody(body)])
