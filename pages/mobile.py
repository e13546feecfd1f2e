"""The phone view of the wall (/m?area=CODE): the signed-in user's scope at a glance on a phone, one column."""

from __future__ import annotations

import logging
from typing import ClassVar

import dash
from dash import dcc, html
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, current_user, resolve_scope
from components.i18n import lang_from, name, t
from components.ids import MOBILE
from components.links import href
from components.mobile_views import DESK, mobile_links
from components.page_title import titled
from components.params import AreaCode, PageQuery
from data.domain.roles import may_open
from data.domain.vocab import CITY_CODE
from data.read import areas

dash.register_page(__name__, path="/m", name="手机版", order=8, nav="nav_mobile", title=titled("app_title"))
log = logging.getLogger("cityops.pages.mobile")


class MobileQuery(PageQuery):
    """/m?area=CODE (lang is the shell's)."""

    PATH: ClassVar[str] = "/m"
    area: AreaCode | None = None


def _section(title_key: str | None, body_id: str, lang: str, css: str) -> html.Section:
    """A section of the column: its title, and the body the refresh fills."""
    title = [html.H2(t(title_key, lang), className="m-h2")] if title_key else []
    body = html.Div(t("wall_loading", lang), id=body_id, className="m-body")
    return html.Section([*title, body], className=f"m-section {css}")


def create_mobile(
    *, scope: str, asked: str | None, scope_name: str, lang: str, refresh_s: int, notices: list[str], may: frozenset
) -> html.Div:
    """The page: the scope's name and how old its data is, a stale notice, then the worst colour and the
    warnings, today's incidents, the vital signs out of band, the projects behind, and the desk links.
    `asked` is the area the URL narrowed the scope to (kept by the language link), `may` the desk pages
    the user's role opens."""
    other = "zh" if lang == "en" else "en"
    ago = {"s": t("seconds_ago", lang), "min": t("minutes_ago", lang), "h": t("hours_ago", lang)}
    config = {
        "area": scope,
        "lang": lang,
        "refresh": refresh_s,
        "text": {
            **ago,
            "updated": t("m_updated", lang),
            "never": t("m_updated_never", lang),
            "stale": t("stale_banner", lang),
            "failed": t("data_unavailable", lang),
        },
    }
    return html.Div(
        id=MOBILE["root"],
        className="mobile",
        lang="en" if lang == "en" else "zh-CN",
        children=[
            dcc.Store(id=MOBILE["config"], data=config),
            dcc.Store(id=MOBILE["meta"], data={}),
            dcc.Store(id=MOBILE["beat"], data={}),  # when this browser last got data (callbacks/mobile.py)
            dcc.Interval(id=MOBILE["clock"], interval=1000),
            html.Header(
                className="m-head",
                children=[
                    html.Div(
                        [
                            html.H1(scope_name or t("app_short", lang), className="m-scope"),
                            html.Div(t("m_updated_never", lang), id=MOBILE["updated"], className="m-updated"),
                        ],
                        className="m-title",
                    ),
                    html.A(t("lang_switch", lang), href=href("/m", other, area=asked), className="m-lang lang-link"),
                ],
            ),
            html.Div(id=MOBILE["stale"], className="m-stale off", role="status"),
            *[html.Div(n, className="m-notice") for n in notices],
            _section(None, MOBILE["status"], lang, "m-status"),
            _section("wall_incidents", MOBILE["incidents"], lang, "m-incidents"),
            _section("m_vitals", MOBILE["vitals"], lang, "m-vitals"),
            _section("m_projects", MOBILE["projects"], lang, "m-projects"),
            html.Nav(
                [html.H2(t("m_links", lang), className="m-h2"), *mobile_links(scope, lang, may)],
                id=MOBILE["links"],
                className="m-section m-links",
            ),
        ],
    )


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    query, bad = MobileQuery.parse(params)
    cfg = current_app.config if has_request_context() else {}
    scope, asked, scope_name, may = CITY_CODE, None, "", DESK
    if has_request_context():  # not while Dash builds the validation layout at start-up
        user = current_user()
        may, scope = frozenset(p for p in DESK if may_open(user.role, p)), user.area
        try:
            try:
                resolved = resolve_scope(query.area)
                asked = query.area
            except ScopeError:  # unknown, or outside the user's area: their whole area, and a sentence
                log.info("mobile: ignoring an unknown or forbidden area")
                bad = [*bad, "area"]
                resolved = resolve_scope()
            scope = resolved.code
            scope_name = name(areas.area(scope) or {}, lang)
        except SQLAlchemyError:  # the database is down: draw the page; the refresh says the data is unavailable
            log.exception("mobile: cannot read its scope")
    return create_mobile(
        scope=scope,
        asked=asked,
        scope_name=scope_name,
        lang=lang,
        refresh_s=int(cfg.get("REFRESH_SECONDS", 10)),
        notices=[t("m_bad_area", lang)] if "area" in bad else [],
        may=may,
    )
