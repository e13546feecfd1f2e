"""The phone view of the wall (/m): the wall's snapshot of one scope as one column a leader reads in five
seconds (the worst colour and the active warnings, today's incidents, the vital signs out of band, the key
projects behind) and the links that tap through to the desk pages, scope kept.

Pure functions of the snapshot (data/wall/snapshot.py) and the language: `phone_view` picks what the phone
shows, section by section (a refresh compares these to decide what to resend); `render_*` draw them."""

from __future__ import annotations

from dash import dcc, html

from components.i18n import t
from components.incident_list import list_href
from components.links import href
from components.theme import level_label
from components.wall_readings import clock_text, compact, day_delta, format_value
from components.warnings_view import WarnFilters
from data.domain.filters import IncidentFilters
from data.domain.names import name
from data.domain.vocab import CITY_CODE, OPEN_STATUSES, unit_text

# the page's component ids (kebab-case, page prefix), beside components/ids.py's
SECTIONS = ("status", "incidents", "vitals", "projects")
WARNING_ROWS = 5  # the most severe active warnings shown; a link leads to all of them
PROJECT_ROWS = 5
# the desk pages the phone links to (path templates, as data.domain.roles.may_open knows them)
DESK = frozenset(
    {"/area/<code>", "/incidents", "/warnings", "/indicators", "/indicators/<code>", "/projects", "/projects/<pid>"}
)
READING = ("code", "name_zh", "name_en", "value", "decimals", "unit", "level", "area_code", "area")


def worst_level(snap: dict) -> int:
    """The scope's colour: the worst active warning inside it (5, green, when none)."""
    levels = [int(k) for k, n in snap["warnings"]["by_level"].items() if n]
    return min([int(snap["map"]["scope_level"]), *levels])


def out_of_band(snap: dict) -> tuple[list[dict], int]:
    """The wall's readings (its tiles, then its weather line; each indicator once) outside their normal band,
    worst first and in the wall's order within a colour, and how many others have no current reading."""
    seen: set[str] = set()
    band, late = [], 0
    for r in [*snap["tiles"], *snap["weather"]]:
        if r["code"] in seen:
            continue
        seen.add(r["code"])
        if r["value"] is None or r["stale"]:
            late += 1
        elif r["level"] < 5:
            band.append({k: r.get(k) for k in READING})
    return sorted(band, key=lambda r: r["level"]), late


def behind(snap: dict) -> list[dict]:
    """The key projects behind schedule (late or at risk), the furthest behind (lowest SPI) first."""
    return sorted(snap["projects"]["delayed"], key=lambda p: (p["spi"], p["id"]))[:PROJECT_ROWS]


def phone_view(snap: dict) -> dict:
    """What the phone shows of a snapshot, by section (plain JSON)."""
    inc, warn = snap["incidents"], snap["warnings"]
    vitals, late = out_of_band(snap)
    return {
        "status": {
            "scope": snap["scope"],
            "level": worst_level(snap),
            "by_level": {str(lv): int(warn["by_level"].get(str(lv), 0)) for lv in (1, 2, 3, 4)},
            "total": warn["total"],
            "rows": warn["rows"][:WARNING_ROWS],  # red first, the newest first within a colour
        },
        "incidents": {
            "today": inc["today"],
            "yesterday": inc["yesterday"],
            "overdue": inc["overdue"],
            "supervised": inc.get("supervised", 0),
            "open_total": inc["open_total"],
            "funnel": [[s, inc["funnel"].get(s, 0)] for s in OPEN_STATUSES],
        },
        "vitals": {"scope": snap["scope"], "rows": vitals, "late": late},
        "projects": {"count": snap["projects"]["count"], "rows": behind(snap)},
    }


def _link(children, url: str, template: str, may: frozenset, css: str):
    """A row that taps through to a desk page, or the same row unlinked for a role that may not open it."""
    if template in may:
        return dcc.Link(children, href=url, className=f"{css} m-tap")
    return html.Div(children, className=css)


def level_chip(level: int, lang: str) -> html.Span:
    """A colour with its text label ('红色 I'), never the colour alone."""
    return html.Span(level_label(level, lang), className=f"m-chip lvl-{level}")


def _since(ts: int, lang: str, now: int) -> str:
    """When a warning began, as the wall says it, inside a sentence ('since yesterday 15:07')."""
    text = clock_text(ts, lang, now)
    return text[:1].lower() + text[1:] if lang == "en" else text


def render_status(v: dict, lang: str, now: int, may: frozenset = DESK) -> list:
    """The worst colour of the scope in a block of that colour, the active warnings per colour, and the most
    severe warnings (level, area, cause, since when), each tapping through to its area's page."""
    total = v["total"]
    head = html.Div(
        className=f"m-worst lvl-{v['level']}",
        children=[
            html.Div(t("m_worst", lang), className="m-worst-label"),
            html.Div(level_label(v["level"], lang), className="m-worst-level"),
            html.Div(
                t("no_area_warnings", lang)
                if not total
                else t("m_active_one", lang)
                if total == 1
                else t("m_active_n", lang, n=f"{total:,}"),
                className="m-worst-count",
            ),
        ],
    )
    counts = html.Div(
        className="m-counts",
        children=[
            html.Span(
                [html.Span(level_label(lv, lang)), html.B(f"{v['by_level'][str(lv)]:,}", className="num")],
                className=f"m-count lvl-{lv}" + ("" if v["by_level"][str(lv)] else " zero"),
            )
            for lv in (1, 2, 3, 4)
        ],
    )
    rows = [
        _link(
            [
                level_chip(r["level"], lang),
                html.Span(
                    [html.B(name(r["area"], lang), className="m-warn-area"), " ", name(r, lang, "cause")],
                    className="m-warn-text",
                ),
                html.Span(t("m_since", lang, time=_since(r["started_at"], lang, now)), className="m-warn-since"),
            ],
            href(f"/area/{r['area_code']}", lang),
            "/area/<code>",
            may,
            f"m-warn lvl-{r['level']}",
        )
        for r in v["rows"]
    ]
    if rows and total > len(v["rows"]) and "/warnings" in may:
        url = WarnFilters(area=v["scope"]).url(lang)
        rows.append(dcc.Link(t("m_more_warnings", lang, n=f"{total:,}"), href=url, className="m-more m-tap"))
    return [head, counts, *([html.Div(rows, className="m-warns")] if rows else [])]


def render_incidents(v: dict, lang: str) -> list:
    """Today's count against the same time yesterday, overdue (red above zero), 督办 and open, and the open
    incidents by stage of the loop."""
    stats = [
        ("overdue_now", v["overdue"], "overdue"),
        ("m_supervised", v["supervised"], "supervised"),
        ("m_open", v["open_total"], "open"),
    ]
    return [
        html.Div(
            className="m-today",
            children=[
                html.Div(f"{v['today']:,}", className="m-big num"),
                html.Div(
                    [
                        html.Span(t("yesterday_same", lang, n=f"{v['yesterday']:,}"), className="m-nowrap"),
                        " ",
                        html.Span(day_delta(v["today"], v["yesterday"]), className="m-delta num m-nowrap"),
                    ],
                    className="m-muted",
                ),
            ],
        ),
        html.Div(
            className="m-stats",
            children=[
                html.Div(
                    [html.Div(t(key, lang), className="m-stat-label"), html.Div(f"{n:,}", className="m-stat-n num")],
                    className=f"m-stat {css}" + (" on" if n > 0 else ""),
                )
                for key, n, css in stats
            ],
        ),
        html.Div(t("loop_now", lang), className="m-subtitle"),
        html.Div(
            className="m-steps",
            children=[
                html.Div(
                    [html.Div(compact(n, lang), className="m-step-n num"), html.Div(t(f"step_{s}", lang))],
                    className="m-step",
                )
                for s, n in v["funnel"]
            ],
        ),
    ]


def _whose(r: dict, lang: str, scope: str) -> str:
    """' · 全市数据' / ' · 黄浦区数据' when the reading is a wider area's than the scope's."""
    if not r.get("area_code") or r["area_code"] == scope:
        return ""
    if r["area_code"] == CITY_CODE:
        return " · " + t("tile_data_city", lang)
    return " · " + (
        t("tile_data_of", lang, area=name(r["area"], lang)) if r.get("area") else t("tile_data_district", lang)
    )


def render_vitals(v: dict, lang: str, may: frozenset = DESK) -> list:
    """The readings out of band (name, value and unit, the band as colour and text), each tapping through to
    its indicator for its area; '全部正常' when none is; how many have no current reading."""
    rows = [
        _link(
            [
                level_chip(r["level"], lang),
                html.Span(
                    [name(r, lang), html.Span(_whose(r, lang, v["scope"]), className="m-muted")],
                    className="m-vital-name",
                ),
                html.Span(
                    [html.B(format_value(r["value"], r["decimals"]), className="num"), " ", unit_text(r["unit"], lang)],
                    className="m-vital-value",
                ),
            ],
            href(f"/indicators/{r['code']}", lang, area=r.get("area_code") or v["scope"]),
            "/indicators/<code>",
            may,
            f"m-vital lvl-{r['level']}",
        )
        for r in v["rows"]
    ]
    if not rows:
        rows = [html.Div([level_chip(5, lang), t("m_all_normal", lang)], className="m-normal")]
    late = [html.Div(t("m_vitals_late", lang, n=v["late"]), className="m-muted m-note")] if v["late"] else []
    return [*rows, *late]


def render_projects(v: dict, lang: str, may: frozenset = DESK) -> list:
    """The key projects behind schedule, the furthest behind first: status, name, done against planned."""
    if not v["count"]:
        return [html.Div(t("no_projects", lang), className="m-empty")]
    if not v["rows"]:
        return [html.Div(t("m_no_delayed", lang), className="m-empty")]
    return [
        html.Div(t("delayed_head", lang), className="m-muted m-note"),
        *[
            _link(
                [
                    html.Span(t(f"{p['status']}_short", lang), className=f"m-proj-tag {p['status']}"),
                    html.Span(name(p, lang), className="m-proj-name"),
                    html.Span(
                        t("spi_line", lang, done=round(p["progress"] * 100), plan=round(p["planned"] * 100)),
                        className="m-proj-spi num",
                    ),
                ],
                href(f"/projects/{p['id']}", lang),
                "/projects/<pid>",
                may,
                f"m-proj {p['status']}",
            )
            for p in v["rows"]
        ],
    ]


def mobile_links(scope: str, lang: str, may: frozenset = DESK) -> list:
    """The desk pages of the scope: its area page, incidents today, overdue incidents, warnings, vital signs
    and projects (a district's or a street's: their district's), each the role may open."""
    district = None if scope == CITY_CODE else scope[:6]
    links = [
        ("/area/<code>", "m_link_area", href(f"/area/{scope}", lang)),
        ("/incidents", "area_list_today", list_href(IncidentFilters(area=scope), lang)),
        ("/incidents", "area_list_overdue", list_href(IncidentFilters(window="all", area=scope, overdue=True), lang)),
        ("/warnings", "m_link_warnings", WarnFilters(area=scope).url(lang)),
        ("/indicators", "m_link_indicators", href("/indicators", lang)),
        ("/projects", "m_link_projects", href("/projects", lang, district=district)),
    ]
    return [dcc.Link(t(key, lang), href=url, className="m-link") for template, key, url in links if template in may]
