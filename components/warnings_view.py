"""The warnings page: URL filters, the table with acknowledge buttons, and what an acknowledgement says."""

from __future__ import annotations

from typing import Annotated, ClassVar

from dash import html

from components.i18n import format_duration, t
from components.kpi import level_tag
from components.params import AreaCode, PageQuery, checked, one_of
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


def _area(r: dict, c: dict) -> str:
    if "area" in r:  # a snapshot row carries its area's names
        return name(r["area"], c["lang"])
    return (c["names"].get(r["area_code"]) or (r["area_code"],) * 2)[lang_index(c["lang"])]


def _ack(r: dict, c: dict):
    if r.get("acknowledged_at"):
        return ack_text(r, c["lang"])
    if r.get("ended_at") is None:
        return html.Button(
            t("ack_button", c["lang"]), id={"type": ACK, "id": r["id"]}, className="range-link ack-button"
        )
    return "—"


_CELLS = {  # column heading key -> (cell content, cell class)
    "col_level": (lambda r, c: level_tag(r["level"], c["lang"]), None),
    "col_area": (_area, None),
    "col_kind": (lambda r, c: t(f"kind_{r['kind']}", c["lang"]), None),
    "col_rule": (lambda r, c: (c["rules"].get(r["rule_id"]) or (r["rule_id"],) * 2)[lang_index(c["lang"])], None),
    "col_cause": (lambda r, c: name(r, c["lang"], "cause"), None),
    "col_started": (lambda r, c: to_dt(r["started_at"]).strftime(c["fmt"]), "num"),
    "col_ended": (
        lambda r, c: to_dt(r["ended_at"]).strftime(c["fmt"]) if r.get("ended_at") else t("still_active", c["lang"]),
        "num",
    ),
    "col_since": (
        lambda r, c: format_duration(max(0, (r.get("ended_at") or c["now"]) - r["started_at"]), c["lang"]),
        "num",
    ),
    "col_ack": (_ack, None),
}


def warning_table(
    rows: list[dict],
    columns: tuple[str, ...],
    lang: str,
    *,
    empty: str,
    names: dict | None = None,
    rules: dict | None = None,
    now: int | None = None,
    fmt: str = "%m-%d %H:%M",
    css: str = "desk-table",
):
    """The one warning table: the columns asked for (keys of _CELLS, also their headings), each level as
    colour and text; `empty` is the sentence shown when there are none."""
    if not rows:
        return html.Div(t(empty, lang), className="empty")
    ctx = {"lang": lang, "names": names or {}, "rules": rules or {}, "now": now, "fmt": fmt}
    body = [
        html.Tr(
            [
                html.Td(
                    _CELLS[col][0](r, ctx),
                    className=_CELLS[col][1],
                    **({"id": {"type": ACK_CELL, "id": r["id"]}} if col == "col_ack" else {}),
                )
                for col in columns
            ]
        )
        for r in rows
    ]
    return html.Table(
        className=css, children=[html.Thead(html.Tr([html.Th(t(col, lang)) for col in columns])), html.Tbody(body)]
    )


def render_warning_table(
    rows: list[dict], names: dict, rules: dict, lang: str, now: int, status: str = "active"
) -> html.Div:
    """The warnings page: level, area, kind, rule, cause, start, duration, acknowledgement."""
    return warning_table(
        rows,
        ("col_level", "col_area", "col_kind", "col_rule", "col_cause", "col_started", "col_since", "col_ack"),
        lang,
        empty="no_warnings",
        names=names,
        rules=rules,
        now=now,
        css="desk-table warn-table",
    )
