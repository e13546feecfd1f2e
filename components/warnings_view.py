"""Warnings on screen: the warnings page (URL filters, the table with acknowledge buttons, what an
acknowledgement says), the one warning table every desk uses, and the wall's warnings panel."""

from __future__ import annotations

from typing import Annotated, ClassVar

from dash import html

from components.i18n import format_duration, t
from components.kpi import level_tag
from components.params import AreaCode, PageQuery, checked, one_of
from components.theme import LEVELS, level_label
from components.wall_readings import clock_text, counted, rolling
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
    "col_cause": (lambda r, c: name(r, c["lang"], "cause"), "cause"),
    "col_project_cause": (lambda r, c: name(r, c["lang"], "cause"), "cause"),  # the project and its schedule
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
                    **{"data-label": t(col, lang)},  # a phone shows each warning as a card of labelled cells
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


def _chip(level: int, n: int, lang: str) -> html.Div:
    """The count of one colour's warnings with its label; a zero is muted, not the loudest red on the screen."""
    return html.Div(
        className=f"warn-chip {LEVELS[level][1]}" + ("" if n else " zero"),
        children=[
            html.Span(level_label(level, lang), className="warn-chip-label"),
            html.Span(f"{n:,}", className="num", **counted(f"warn-{level}")),
        ],
    )


def warning_rows(w: dict) -> list[dict]:
    """The rows the panel lists: the snapshot's `rows` (every level) when it carries them, else its `newest`
    (red and orange only); the most severe first, the newest first within a level."""
    rows = w["rows"] if w.get("rows") is not None else w.get("newest") or []
    return sorted(rows, key=lambda x: (x["level"], -x["started_at"]))


def _stacked(when: str) -> list:
    """'Yesterday 23:05' / '11-29 15:07' as the day over the time: an earlier day's warning keeps the time
    column as narrow as today's, so its cause does not wrap to a row taller than the panel shows."""
    day, _, time = when.rpartition(" ")
    return [html.Span(day, className="warn-day"), " ", html.Span(time)] if day else [time]  # " ": read as one


def render_warnings(w: dict, lang: str, now: int | None = None) -> list:
    """Active area warnings: a count per colour (a caption says these count warnings; the legend counts
    areas), then the most severe rows, each on one line where it fits: level, area, its whole cause
    (wrapped, never cut) and when it began (with its day when not today); they roll when more than fit."""
    counts = html.Div(
        [
            html.Div(t("warn_chips_caption", lang), className="warn-caption"),
            html.Div([_chip(lv, w["by_level"].get(str(lv), 0), lang) for lv in (1, 2, 3, 4)], className="warn-chips"),
        ],
        className="warn-counts",
    )
    rows = [
        html.Div(
            className="warn-row",
            children=[
                level_tag(x["level"], lang),
                html.Div(
                    className="warn-text",
                    children=[
                        html.Span(name(x["area"], lang), className="warn-area"),
                        " ",
                        html.Span(name(x, lang, "cause"), className="warn-cause"),
                    ],
                ),
                html.Span(_stacked(clock_text(x["started_at"], lang, now)), className="warn-time num"),
            ],
        )
        for x in warning_rows(w)
    ]
    empty = "no_severe_warnings" if w.get("rows") is None else "no_area_warnings"
    return [counts, rolling(rows or [html.Div(t(empty, lang), className="empty")], "warn-list")]
