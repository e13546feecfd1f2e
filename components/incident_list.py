"""The incident list: a GET form of filters (so the URL holds them), status counts, and the grid's rows."""

from __future__ import annotations

from typing import Annotated, ClassVar

import dash_ag_grid as dag
from dash import dcc, html

from components.grid_style import GRID_THEME, grid_locale
from components.i18n import dropdown_labels, t
from components.ids import INCIDENTS
from components.links import href
from components.params import AreaCode, Flag, PageQuery, checked, one_of
from data.domain.filters import INCIDENT_FLAGS, WINDOWS, IncidentFilters
from data.domain.names import lang_index, name
from data.domain.timeutil import to_dt
from data.domain.vocab import CATEGORIES, CITY_CODE, SOURCE_NAMES, STATUS_NAMES, STATUSES, UNITS, unit_name
from data.read.evaluation_sql import parse_behind


class IncidentQuery(PageQuery):
    """/incidents?window=&status=&source=&category=&area=&priority=&unit=&overdue=1&q=&flag=&ev="""

    PATH: ClassVar[str] = "/incidents"
    window: Annotated[str, one_of(WINDOWS)] = "today"
    status: Annotated[str, one_of(STATUSES)] | None = None
    source: Annotated[str, one_of(SOURCE_NAMES)] | None = None
    category: Annotated[str, one_of(CATEGORIES)] | None = None
    area: AreaCode = CITY_CODE
    priority: Annotated[int, one_of((1, 2, 3))] | None = None
    unit: Annotated[str, one_of(UNITS)] | None = None
    overdue: Flag = False
    q: Annotated[str, checked(lambda v: 0 < len(v) <= 40)] | None = None
    flag: Annotated[str, one_of(INCIDENT_FLAGS)] | None = None
    ev: Annotated[str, checked(lambda v: parse_behind(v) is not None)] | None = None


def parse_filters(params: dict) -> tuple[IncidentFilters, list[str]]:
    """Filters from the URL; every unknown value is dropped and named (the page says so)."""
    query, bad = IncidentQuery.parse(params)
    return IncidentFilters(**query.model_dump()), bad


def list_href(f: IncidentFilters, lang: str, **changes) -> str:
    """The list's URL for these filters (defaults left out)."""
    return IncidentQuery(**f._asdict()).url(lang, **changes)


FILTER_IDS = {
    k: f"incs-{k}"
    for k in (
        "window",
        "status",
        "source",
        "category",
        "priority",
        "unit",
        "flag",
        "area",
        "q",
        "overdue",
        "apply",
        "nav",
    )
}


def area_options(names: dict, current: str | None, lang: str, root: str = CITY_CODE) -> list[dict]:
    """Districts and their streets inside the user's root, searchable by name ("浦东 陆家嘴"); a grid
    in the URL is kept as its code."""
    li = lang_index(lang)
    opts = []
    inside = (lambda c: True) if root == CITY_CODE else (lambda c: c.startswith(root))
    for code in sorted(c for c in names if len(c) in (6, 9) and c != CITY_CODE and inside(c)):
        label = names[code][li] if len(code) == 6 else f"{names[code[:6]][li]} · {names[code][li]}"
        opts.append({"label": label, "value": code})
    if current and current != CITY_CODE and current not in names:  # a grid: named by its street and number
        street, district = names.get(current[:9]), names.get(current[:6])
        label = (
            f"{district[li]} · {street[li]} · {t('grid_no', lang, n=int(current[9:]))}"
            if street and district and len(current) == 12
            else current
        )
        opts.append({"label": label, "value": current})
    return opts


def filter_form(f: IncidentFilters, names: dict, lang: str, root: str = CITY_CODE) -> html.Div:
    """Dropdowns and inputs; "筛选" turns them into the URL (callbacks.incidents), so back works.

    names: {code: (zh, en)} of districts and streets; the area picker offers those inside `root`."""
    li = lang_index(lang)

    def drop(name, options, value, clearable=True):
        return html.Label(
            [
                t(f"f_{name}", lang),
                dcc.Dropdown(
                    id=FILTER_IDS[name],
                    options=[{"label": lab, "value": v} for v, lab in options],
                    value=value,
                    clearable=clearable,
                    placeholder=t("all", lang),
                    labels=dropdown_labels(lang),
                    className="f-drop",
                ),
            ]
        )

    return html.Div(
        className="filter-form",
        children=[
            dcc.Location(id=FILTER_IDS["nav"], refresh="callback-nav"),
            drop("window", [(w, t(f"win_{w}", lang)) for w in WINDOWS], f.window, clearable=False),
            drop("status", [(s, STATUS_NAMES[s][li]) for s in STATUSES], f.status),
            drop("source", [(s, n[li]) for s, n in SOURCE_NAMES.items()], f.source),
            drop("category", [(c, name(d, lang)) for c, d in CATEGORIES.items()], f.category),
            drop("priority", [(p, p) for p in ("1", "2", "3")], str(f.priority) if f.priority else None),
            drop("unit", [(u, unit_name(u, lang)) for u in UNITS], f.unit),
            drop("flag", [(k, t(f"flag_{k}", lang)) for k in INCIDENT_FLAGS], f.flag),
            html.Label(
                [
                    t("f_area", lang),
                    dcc.Dropdown(
                        id=FILTER_IDS["area"],
                        options=area_options(names, f.area, lang, root),
                        value=f.area if f.area != root else None,
                        placeholder=t("all_city", lang) if root == CITY_CODE else names.get(root, (root, root))[li],
                        searchable=True,
                        labels=dropdown_labels(lang),
                        className="f-drop f-area",
                    ),
                ]
            ),
            html.Label(
                [
                    t("f_q", lang),
                    dcc.Input(id=FILTER_IDS["q"], type="text", value=f.q or "", maxLength=40, className="date-input"),
                ]
            ),
            dcc.Checklist(
                id=FILTER_IDS["overdue"],
                options=[{"label": t("f_overdue", lang), "value": "1"}],
                value=["1"] if f.overdue else [],
                inline=True,
                className="f-check",
            ),
            html.Button(t("f_apply", lang), id=FILTER_IDS["apply"], className="range-link active"),
            dcc.Link(t("f_reset", lang), href=list_href(IncidentFilters(), lang), className="range-link"),
        ],
    )


def status_chips(counts: dict[str, int], f: IncidentFilters, lang: str) -> html.Div:
    li = lang_index(lang)
    return html.Div(
        className="range-bar status-chips",
        children=[
            dcc.Link(
                f"{t('all', lang)} · {sum(counts.values()):,}",
                href=list_href(f, lang, status=None),
                className="range-link" + (" active" if f.status is None else ""),
            ),
            *[
                dcc.Link(
                    f"{STATUS_NAMES[s][li]} · {counts.get(s, 0):,}",
                    href=list_href(f, lang, status=s),
                    className="range-link" + (" active" if f.status == s else ""),
                )
                for s in STATUSES
            ],
        ],
    )


# the narrowest each column may get: on a phone the grid scrolls sideways instead of cutting every cell
MIN_WIDTH = {
    "reported_at": 108,
    "title": 200,
    "status": 84,
    "priority": 60,
    "category": 90,
    "source": 90,
    "street_code": 110,
    "assigned_unit": 120,
    "due_at": 108,
}


def columns(lang: str) -> list[dict]:
    """Relative widths (flex): a 4K desk gets wider columns for its larger text, not truncated ones; each
    has a minimum width (px) so a phone scrolls the grid rather than squeezing it."""
    return [dict(c, minWidth=MIN_WIDTH[c["field"]]) for c in _columns(lang)]


def _columns(lang: str) -> list[dict]:
    return [
        {
            "field": "reported_at",
            "headerName": t("col_time", lang),
            "sortable": True,
            "flex": 1.3,
            "valueFormatter": {"function": "params.data ? params.data.time : ''"},
        },
        {
            "field": "title",
            "headerName": t("col_title", lang),
            "flex": 6.5,
            "cellRenderer": "markdown",
            "valueGetter": {"function": "params.data ? params.data.link : ''"},
        },
        {
            "field": "status",
            "headerName": t("col_status", lang),
            "sortable": True,
            "flex": 1.2,
            "valueFormatter": {"function": "params.data ? params.data.status_text : ''"},
        },
        {"field": "priority", "headerName": t("inc_priority", lang), "sortable": True, "flex": 0.9},
        {
            "field": "category",
            "headerName": t("inc_category", lang),
            "sortable": True,
            "flex": 1.3,
            "valueFormatter": {"function": "params.data ? params.data.category_text : ''"},
        },
        {
            "field": "source",
            "headerName": t("inc_source", lang),
            "sortable": True,
            "flex": 1.2,
            "valueFormatter": {"function": "params.data ? params.data.source_text : ''"},
        },
        {
            "field": "street_code",
            "headerName": t("col_street", lang),
            "sortable": True,
            "flex": 1.4,
            "valueFormatter": {"function": "params.data ? params.data.street : ''"},
        },
        {
            "field": "assigned_unit",
            "headerName": t("inc_unit", lang),
            "sortable": True,
            "flex": 1.5,
            "valueFormatter": {"function": "params.data ? params.data.unit : ''"},
        },
        {
            "field": "due_at",
            "headerName": t("col_due", lang),
            "sortable": True,
            "flex": 1.3,
            "valueFormatter": {"function": "params.data ? params.data.due : ''"},
            "cellClassRules": {"overdue-cell": "params.data && params.data.overdue"},
        },
    ]


def grid(f: IncidentFilters, lang: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=INCIDENTS["grid"],
        columnDefs=columns(lang),
        rowModelType="infinite",
        getRowId="params.data.rid",
        className="desk-grid incidents-grid",
        style={"height": "62vh"},
        dashGridOptions={
            "theme": GRID_THEME,
            "localeText": grid_locale(lang),
            "cacheBlockSize": 100,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 100,
            "rowBuffer": 10,
            "animateRows": False,
        },
    )


def _place(r: dict, names: dict, lang: str) -> str:
    """The row's street; an import placed only by its district says the district; unlocated says so."""
    code = r["street_code"] or r["district_code"]
    return (names.get(code) or (code,) * 2)[lang_index(lang)] if code else t("unlocated", lang)


def _flags(r: dict, now: int, lang: str) -> str:
    """挂账 with its age in days, 督办: what the status alone does not say."""
    out = ""
    if r.get("parked_at") is not None:
        out += " · " + t("list_parked_days", lang, days=max(0, (now - r["parked_at"]) // 86400))
    if r.get("supervised_at") is not None and r["status"] != "closed":
        out += " · " + t("flag_supervised", lang)
    return out


def shape_rows(rows: list[dict], names: dict, now: int, lang: str) -> list[dict]:
    """Grid rows with display text computed on the server (no personal data is in `rows`)."""
    li = lang_index(lang)
    out = []
    for r in rows:
        title = r["title"].replace("[", "(").replace("]", ")")
        due = r["due_at"]
        out.append(
            {
                **r,
                "rid": str(r["id"]),  # AG Grid wants string row ids
                "time": to_dt(r["reported_at"]).strftime("%m-%d %H:%M"),
                "link": f"[{title}]({href('/incidents/' + str(r['id']), lang)})",
                "status_text": STATUS_NAMES[r["status"]][li] + _flags(r, now, lang),
                "category_text": name(CATEGORIES[r["category"]], lang),
                "source_text": SOURCE_NAMES[r["source"]][li],
                "unit": unit_name(r["assigned_unit"], lang),
                "street": _place(r, names, lang),
                "due": "—" if due is None else to_dt(due).strftime("%m-%d %H:%M"),
                "overdue": due is not None and due < now,
            }
        )
    return out
