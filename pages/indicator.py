"""One indicator (/indicators/CODE?range=24h|7d|30d|custom&start=&end=&area=): its history with the
warning bands behind it, the same period last week, the districts, and the warnings it raised."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import resolve_scope
from components.chart import graph_config
from components.citymap import SHANGHAI_BOUNDS, create_city_map
from components.i18n import lang_from, t
from components.ids import INDICATOR
from components.indicator_views import (
    history_figure,
    ind_href,
    parse_range,
    render_district_table,
    render_raised,
)
from components.links import href
from components.notfound import create_not_found
from components.page_title import titled
from data.domain.names import name
from data.domain.scope import Scope
from data.domain.timeutil import now_ts, to_dt
from data.domain.vocab import CITY_CODE, unit_text
from data.read import areas, indicators

dash.register_page(__name__, path_template="/indicators/<code>", name="指标详情", title=titled("title_indicator"))
log = logging.getLogger("cityops.pages.indicator")


def layout(
    code: str | None = None,
    lang: str | None = None,
    range: str | None = None,
    start: str | None = None,
    end: str | None = None,
    area: str | None = None,
    **_ignored,
):
    lang = lang_from(lang)
    if code is None or not has_request_context():  # Dash's validation layout (no path variables): the ids
        return _page(
            {"code": "", "name_zh": "", "name_en": "", "unit": "", "area_level": "city"},
            lang,
            "24h",
            0,
            0,
            CITY_CODE,
            [],
            [],
            [],
            [],
            [],
            {},
        )
    try:
        ind = indicators.indicator(str(code or ""))
        if ind is None:
            log.info("indicator page: an unknown code")
            return create_not_found(lang, t("ind_not_found", lang, code=str(code)[:40]))
        now = now_ts()
        key, a, b, ok = parse_range(range, start, end, now)
        notices = [] if ok else [t("bad_param", lang, name="range")]
        scope = CITY_CODE
        user = resolve_scope()
        districts = indicators.by_district(ind["code"], user)
        if not area and not user.is_city and ind["area_level"] == "district":
            area = user.district  # a district's or a street's user opens on its own district's series
        if area and area != CITY_CODE:
            if ind["area_level"] == "district" and area in {d["code"] for d in districts}:
                scope = area
            else:
                notices.append(t("bad_param", lang, name="area"))
        shown = Scope(scope)  # the city's series, or one of the districts listed above
        points = indicators.history(ind["code"], shown, a, b)
        last_week = indicators.history(ind["code"], shown, a - 7 * 86400, b - 7 * 86400)
        raised = indicators.raised(ind["code"], user)
        return _page(ind, lang, key, a, b, scope, points, last_week, districts, raised, notices, areas.area_names())
    except SQLAlchemyError:
        log.exception("indicator page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")


def _page(ind, lang, key, a, b, scope, points, last_week, districts, raised, notices, names):
    title = name(ind, lang)

    def link(k):
        return dcc.Link(
            t(f"range_{k}", lang),
            href=ind_href(ind["code"], lang, range=k, area=scope if scope != CITY_CODE else None),
            className="range-link" + (" active" if k == key else ""),
        )

    area_links = [
        dcc.Link(
            t("whole_city", lang),
            href=ind_href(ind["code"], lang, range=key),
            className="range-link" + (" active" if scope == CITY_CODE else ""),
        )
    ]
    area_links += [
        dcc.Link(
            name(d, lang),
            href=ind_href(ind["code"], lang, range=key, area=d["code"]),
            className="range-link" + (" active" if scope == d["code"] else ""),
        )
        for d in districts
    ]
    day = (lambda ts: to_dt(ts).date().isoformat()) if a else (lambda ts: None)
    return html.Div(
        className="page desk ind-detail",
        children=[
            html.Nav(
                [
                    dcc.Link(t("ind_title", lang), href=href("/indicators", lang), className="crumb"),
                    html.Span("›", className="crumb-sep"),
                    html.Span(title, className="crumb current"),
                ],
                className="breadcrumbs",
            ),
            html.H1(
                [title, *([html.Span(unit_text(ind["unit"], lang), className="level-tag")] if ind["unit"] else [])]
            ),
            *[html.Div(n, className="notice") for n in notices],
            html.Div(
                className="range-bar",
                children=[
                    *[link(k) for k in ("24h", "7d", "30d")],
                    # a plain GET form: the custom range goes into the URL without a callback, and back works
                    html.Form(
                        action=f"/indicators/{ind['code']}",
                        method="GET",
                        className="range-form",
                        children=[
                            dcc.Input(type="hidden", name="range", value="custom"),
                            *([dcc.Input(type="hidden", name="area", value=scope)] if scope != CITY_CODE else []),
                            *([dcc.Input(type="hidden", name="lang", value="en")] if lang == "en" else []),
                            dcc.Input(
                                type="text",
                                name="start",
                                id=INDICATOR["start"],
                                required=True,
                                pattern=r"\d{4}-\d{2}-\d{2}",
                                placeholder=t("date_example", lang),
                                maxLength=10,
                                value=day(a) if key == "custom" else None,
                                className="date-input",
                            ),
                            html.Span("→"),
                            dcc.Input(
                                type="text",
                                name="end",
                                id=INDICATOR["end"],
                                required=True,
                                pattern=r"\d{4}-\d{2}-\d{2}",
                                placeholder=t("date_example", lang),
                                maxLength=10,
                                value=day(b - 1) if key == "custom" else None,
                                className="date-input",
                            ),
                            html.Button(
                                t("range_custom", lang),
                                type="submit",
                                className="range-link" + (" active" if key == "custom" else ""),
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(area_links, className="range-bar areas") if len(area_links) > 1 else None,
            html.Section(
                className="wall-panel desk-panel",
                children=[
                    dcc.Graph(
                        id=INDICATOR["chart"],
                        figure=history_figure(ind, points, last_week, lang, a, b) if a else {},
                        config=graph_config(lang, responsive=True),
                    ),
                ],
            ),
            html.Div(
                className="desk-row two",
                children=[
                    html.Section(
                        className="wall-panel desk-panel",
                        children=[
                            html.H2(t("by_district", lang), className="panel-title"),
                            *(
                                [
                                    html.Div(
                                        className="wall-map mode-warnings ind-map",
                                        children=create_city_map(
                                            INDICATOR,
                                            CITY_CODE,
                                            lang,
                                            SHANGHAI_BOUNDS,
                                            None,
                                            levels={d["code"]: d["level"] for d in districts},
                                            areas_only=True,
                                        ),
                                    ),
                                    render_district_table(districts, ind, lang),
                                ]
                                if districts
                                else [html.Div(t("city_only", lang), className="empty")]
                            ),
                        ],
                    ),
                    html.Section(
                        className="wall-panel desk-panel",
                        children=[
                            html.H2(t("ind_warnings", lang), className="panel-title"),
                            html.Div(render_raised(raised, names, lang), className="scroll-body"),
                        ],
                    ),
                ],
            ),
        ],
    )
