"""Warnings (/warnings?status=active|history&level=&kind=&area=&sort=&page=): active warnings by
colour, area and kind with cause, duration and rule; history; acknowledge (who and when)."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from components.i18n import lang_from, t
from components.links import href
from components.page_title import titled
from components.theme import LEVELS, level_label
from components.warnings_view import parse_filters, render_warning_table
from data.domain.names import lang_index
from data.domain.timeutil import now_ts
from data.domain.vocab import CITY_CODE
from data.read import areas, warnlist
from data.rules.config import load_catalog

dash.register_page(
    __name__, path="/warnings", name="预警管理", order=4, nav="nav_warnings", title=titled("nav_warnings")
)
log = logging.getLogger("cityops.pages.warnings")


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    if not has_request_context():  # the validation layout at start-up
        return render_warning_table([], {}, {}, lang, 0)
    f, bad = parse_filters(params)
    try:
        try:
            scope = resolve_scope(f.area if "area" in params else None)  # no area asked: the user's whole root
        except ScopeError:
            scope, bad = resolve_scope(), [*bad, "area"]
        f = f.replace(area=scope.code)
        data = warnlist.warning_page(scope, f.status, f.level, f.kind, f.sort, f.page)
        counts = warnlist.active_counts(scope)
        names = areas.area_names()
        area_name = (names.get(f.area) or (f.area, f.area))[lang_index(lang)]
    except SQLAlchemyError:
        log.exception("warnings page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    rules = {r.id: (r.name_zh, r.name_en) for r in load_catalog(current_app.config["RULES_FILE"]).rules}
    pages = max(1, -(-data["total"] // warnlist.PAGE_SIZE))

    def chip(label, href, active, colour=None):
        return dcc.Link(
            label,
            href=href,
            className="range-link" + (" active" if active else ""),
            style={"borderColor": colour} if colour else None,
        )

    return html.Div(
        className="page desk warn-page",
        children=[
            html.H1(t("warn_title", lang)),
            dcc.Link(t("lv_link", lang), href=href("/levels", lang), className="levels-link"),
            *[html.Div(t("bad_param", lang, name=n), className="notice") for n in bad],
            html.Div(
                className="warn-chips desk-chips",
                children=[
                    html.Div(
                        className=f"warn-chip {LEVELS[lv][1]}",
                        children=[
                            html.Span(level_label(lv, lang)),
                            html.Span(f"{counts.get(str(lv), 0):,}", className="num"),
                        ],
                    )
                    for lv in (1, 2, 3, 4)
                ],
            ),
            html.Div(
                className="range-bar",
                children=[
                    chip(t("tab_active", lang), f.url(lang, status="active", page=1), f.status == "active"),
                    chip(t("tab_history", lang), f.url(lang, status="history", page=1), f.status == "history"),
                    html.Span("|", className="crumb-sep"),
                    chip(t("all", lang), f.url(lang, level=None, page=1), f.level is None),
                    *[
                        chip(level_label(lv, lang), f.url(lang, level=lv, page=1), f.level == lv, LEVELS[lv][0])
                        for lv in (1, 2, 3, 4)
                    ],
                    html.Span("|", className="crumb-sep"),
                    chip(t("all", lang), f.url(lang, kind=None, page=1), f.kind is None),
                    *[chip(t(f"kind_{k}", lang), f.url(lang, kind=k, page=1), f.kind == k) for k in warnlist.KINDS],
                    html.Span("|", className="crumb-sep"),
                    *[chip(t(f"sort_{s}", lang), f.url(lang, sort=s, page=1), f.sort == s) for s in warnlist.SORTS],
                    *(
                        [chip(t("filter_area", lang, name=area_name) + " ×", f.url(lang, area=CITY_CODE, page=1), True)]
                        if f.area != CITY_CODE
                        else []
                    ),
                ],
            ),
            render_warning_table(data["rows"], names, rules, lang, now_ts(), status=f.status),
            html.Div(
                className="pager",
                children=[
                    chip(t("prev", lang), f.url(lang, page=f.page - 1), False) if f.page > 1 else None,
                    html.Span(
                        t("page_of", lang, page=f.page, pages=pages, total=f"{data['total']:,}"), className="sub"
                    ),
                    chip(t("next", lang), f.url(lang, page=f.page + 1), False) if f.page < pages else None,
                ],
            ),
        ],
    )
