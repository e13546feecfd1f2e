"""The desktop drill-down page for one area (/area/CODE): the wall's panels sized for a desk, the
child areas on a map and in a ranking table, this week against last week, and active warnings."""

from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from components.area_replay import create_replay_bar, replay_href
from components.citymap import SHANGHAI_BOUNDS, create_city_map
from components.grid_style import GRID_THEME, grid_locale
from components.i18n import t
from components.ids import AREA, AREA_REPLAY
from components.incident_list import list_href
from components.kpi import create_bars
from components.theme import level_label
from components.warnings_view import warning_table
from data.domain.names import lang_index, name
from data.domain.vocab import CATEGORIES
from data.read.incidentlist import IncidentFilters


def area_href(code: str, lang: str, at: int | None = None) -> str:
    """/area/CODE; with a replayed moment `at`, the same moment a level up or down (issue 16)."""
    return replay_href(code, lang, at)


def breadcrumbs(lineage: list[dict], lang: str, at: int | None = None) -> html.Nav:
    """市 > 区 > 街镇 > 网格, every level but the last a link (keeping a replayed moment)."""
    items = []
    for i, a in enumerate(lineage):
        label = name(a, lang)
        if i:
            items.append(html.Span("›", className="crumb-sep"))
        items.append(
            html.Span(label, className="crumb current")
            if i == len(lineage) - 1
            else dcc.Link(label, href=area_href(a["code"], lang, at), className="crumb")
        )
    return html.Nav(items, className="breadcrumbs", id="area-breadcrumbs")


def ranking_columns(lang: str) -> list[dict]:
    field = ("name_zh", "name_en")[lang_index(lang)]
    rules = {f"lvl-{lv}": f"params.data.level == {lv}" for lv in (1, 2, 3, 4, 5)}
    return [
        {"field": field, "headerName": t("col_area", lang), "flex": 2, "minWidth": 110, "cellClass": "link-cell"},
        {
            "field": "level",
            "headerName": t("col_level", lang),
            "flex": 1,
            "minWidth": 72,
            "cellClassRules": rules,
            "valueFormatter": {"function": "params.data.level_text"},
        },  # sorts by level: red first
        {
            "field": "overdue",
            "headerName": t("col_overdue", lang),
            "flex": 1,
            "minWidth": 64,
            "sort": "desc",
            "type": "numericColumn",
        },
        {"field": "open", "headerName": t("col_open", lang), "flex": 1, "minWidth": 64, "type": "numericColumn"},
        {
            "field": "per_day",
            "headerName": t("col_per_day", lang),
            "flex": 1.3,
            "minWidth": 80,
            "type": "numericColumn",
        },
    ]


def ranking_rows(rows: list[dict], lang: str) -> list[dict]:
    """The ranking grid's rows: each level's text, and the English name as name() gives it (the grid reads
    the field itself)."""
    return [dict(r, level_text=level_label(r["level"], lang), name_en=name(r, "en")) for r in rows]


def render_week(week: dict, lang: str) -> list:
    """Per category: this week's bar against last week's tick, with the change."""
    diff = week["this"] - week["last"]
    pct = f"{diff / week['last']:+.0%}" if week["last"] else "—"
    top = max([max(a, b) for _, a, b in week["by_category"]] + [1])  # the same scale with or without the tail
    rows = [(name(CATEGORIES[cat], lang), this, last) for cat, this, last in week["by_category"][:8]]
    return [
        html.Div(
            t("week_totals", lang, this=f"{week['this']:,}", last=f"{week['last']:,}", delta=pct),
            className="week-totals",
        ),
        html.Div(create_bars(rows, top, delta=True), className="wall-bars week-bars"),
    ]


def colours_area(w: dict) -> bool:
    """Whether a warning counts toward its area's colour: its own flag when the row carries it, else its
    kind (a project's schedule slip is management information, not a danger to the area)."""
    return bool(w["colours_area"]) if "colours_area" in w else w.get("kind") != "project"


def render_active(warnings: list[dict], now: int, lang: str) -> list:
    """The area's active warnings with colour and text, area, cause and how long they have been open; the
    projects' schedule warnings apart under their own title and without the five-colour badge, so that
    "red" on the desk means what it means on the wall and in the warning counts."""
    area = [w for w in warnings if colours_area(w)]
    slips = [w for w in warnings if not colours_area(w)]
    out = [warning_table(area, ("col_level", "col_area", "col_cause", "col_since"), lang, empty="no_active", now=now)]
    if slips:
        out += [
            html.H3(t("area_project_warnings", lang), className="sub-title project-warnings"),
            warning_table(slips, ("col_project_cause", "col_since"), lang, empty="no_active", now=now),
        ]
    return out


def ranking_class(replaying: bool) -> str:
    """The ranking panel's classes: in a replay its grid is hidden and a note says it shows the present only."""
    return "wall-panel desk-panel ranking" + (" replaying" if replaying else "")


def _panel(title: str, body_id: str, css: str = "", extra=None) -> html.Section:
    return html.Section(
        className=f"wall-panel desk-panel {css}",
        children=[
            html.H2(title, className="panel-title"),
            *([extra] if extra is not None else []),
            html.Div(id=body_id, className="panel-body"),
        ],
    )


def map_note(approximate: str | None, lang: str) -> list:
    """Says on the map that the areas drawn are derived shapes (approximate: their level), or nothing."""
    return [html.Div(["≈ ", t(f"map_approx_{approximate}", lang)], className="map-note")] if approximate else []


def create_area_page(
    *,
    area: dict,
    lineage: list[dict],
    lang: str,
    bounds: list | None,
    tile_url: str | None,
    has_children: bool,
    map_code: str | None = None,
    approximate: str | None = None,
    at: int | None = None,
    now: int = 0,
    notice: str = "",
) -> html.Div:
    """The page of one area. map_code: whose map it shows (a grid's page: its street's, the grid outlined
    among its neighbours). approximate: the level of the areas drawn when their shapes are derived (the
    map says so), else None. at: the moment ?at= asks to replay (checked), else None; now: the slider's end; notice:
    why ?at= could not be replayed, or ""."""
    title = name(area, lang)
    map_code = map_code or area["code"]
    selected = area["code"] if map_code != area["code"] else None
    config = {"scope": area["code"], "lang": lang, **({"at": at} if at is not None else {})}
    ranking = dag.AgGrid(
        id=AREA["ranking"],
        columnDefs=ranking_columns(lang),
        rowData=[],
        getRowId="params.data.code",
        defaultColDef={"sortable": True, "resizable": True},
        className="desk-grid",
        dashGridOptions={"theme": GRID_THEME, "animateRows": False, "localeText": grid_locale(lang)},
        style={"height": "100%", "width": "100%"},
    )
    if not has_children:
        ranking = html.Div(
            [html.Div(t("no_children", lang), className="empty"), html.Div(ranking, style={"display": "none"})]
        )
    return html.Div(
        className="page desk area-page",
        lang="en" if lang == "en" else "zh-CN",
        children=[
            dcc.Store(id=AREA["config"], data=config),
            dcc.Store(id=AREA["meta"], data={}),
            dcc.Store(id=AREA["layers"]),  # a mirror of the map layers' hideouts (see assets/wall.js)
            dcc.Location(id=AREA["nav"], refresh="callback-nav"),
            *create_replay_bar(area["code"], at, now, lang, notice),
            html.Div(breadcrumbs(lineage, lang, at), id=AREA_REPLAY["crumbs"]),
            html.H1([title, html.Span(t(f"level_{area['level']}", lang), className="level-tag")]),
            html.Div(
                className="desk-row three",
                children=[
                    _panel(
                        t("wall_incidents", lang),
                        AREA["incidents"],
                        "incidents",
                        extra=html.Div(
                            className="panel-links",
                            children=[
                                dcc.Link(
                                    t("area_list_today", lang), href=list_href(IncidentFilters(area=area["code"]), lang)
                                ),
                                dcc.Link(
                                    t("area_list_overdue", lang),
                                    href=list_href(
                                        IncidentFilters(window="all", area=area["code"], overdue=True), lang
                                    ),
                                ),
                            ],
                        ),
                    ),
                    _panel(t("wall_warnings", lang), AREA["warnings"], "warnings"),
                    _panel(t("wall_projects", lang), AREA["projects"], "projects"),
                ],
            ),
            html.Div(
                className="desk-row two",
                children=[
                    html.Section(
                        className="wall-panel desk-panel wall-map mode-area",
                        children=[
                            html.H2(t("area_map_siblings" if selected else "area_map", lang), className="panel-title"),
                            *map_note(approximate, lang),
                            create_city_map(
                                AREA,
                                map_code,
                                lang,
                                bounds or SHANGHAI_BOUNDS,
                                tile_url,
                                clickable=True,
                                selected=selected,
                                named=True,
                            ),
                            html.Div(id=AREA["legend"], className="wall-legend"),
                        ],
                    ),
                    html.Section(
                        id=AREA_REPLAY["ranking"],
                        className=ranking_class(at is not None),
                        children=[
                            html.H2(t("area_ranking", lang), className="panel-title"),
                            html.Div(t("replay_ranking_today", lang), className="area-replay-note"),
                            html.Div(ranking, className="grid-box"),
                        ],
                    ),
                ],
            ),
            html.Div(
                className="desk-row two",
                children=[
                    _panel(t("area_week", lang), AREA["week"], "week"),
                    _panel(t("area_active", lang), AREA["active"], "active"),
                ],
            ),
        ],
    )
