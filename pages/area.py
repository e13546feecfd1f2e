"""Drill-down page for one area (/area/CODE): city, district, street or grid."""

from __future__ import annotations

import logging

import dash
from dash import html
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from components.area_layout import create_area_page
from components.i18n import lang_from, t
from components.notfound import create_not_found
from components.page_title import titled
from data.domain.areas import contains
from data.domain.timeutil import now_ts, tick_of
from data.domain.vocab import CITY_CODE
from data.read import areas, mapqueries
from data.wall.refresh import opened
from data.wall.replay import BadMoment, parse_at

dash.register_page(
    __name__,
    path_template="/area/<code>",
    name="区域下钻",
    order=2,
    nav="nav_area",
    nav_path=f"/area/{CITY_CODE}",
    title=titled("nav_area"),
)
log = logging.getLogger("cityops.pages.area")


def replay_moment(raw, now: int) -> tuple[int | None, str | None]:
    """(the moment ?at= asks to replay, rounded down to the refresh step, or None for the live page; the
    BadMoment reason it cannot be, or None)."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    try:
        at = parse_at(raw, now)
    except BadMoment as bad:
        return None, bad.reason
    refresh = int(current_app.config.get("REFRESH_SECONDS", 10)) if has_request_context() else 10
    return tick_of(at, refresh), None  # the moment a tick shows: the banner, the slider and ?at= agree


def layout(code: str | None = None, lang: str | None = None, at=None, **_ignored):
    lang = lang_from(lang)
    now = now_ts()
    at, bad = replay_moment(at, now)
    if code is None or not has_request_context():  # Dash's validation layout (no path variables)
        area = {"code": CITY_CODE, "name_zh": "", "name_en": "", "level": "city"}
        return create_area_page(area=area, lineage=[], lang=lang, bounds=None, tile_url=None, has_children=True)
    try:
        scope = resolve_scope(code)
    except SQLAlchemyError:
        log.exception("area page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    except ScopeError:
        log.info("area page: an unknown or forbidden code")
        shown = (code or "")[:40]
        return create_not_found(lang, t("area_not_found", lang, code=shown))
    try:
        area = areas.area(scope.code)
        shown = areas.map_area(scope)  # a grid's map draws its street's grids
        if at is None or scope.unit is not None:  # live: the worker starts on both snapshots before the first tick
            opened(current_app._get_current_object(), scope, shown)
        drawn = areas.children(shown.code)
        return create_area_page(
            area=area,
            lineage=[a for a in areas.lineage(scope.code) if contains(scope.root, a["code"])],  # from the root
            lang=lang,
            bounds=mapqueries.bounds(shown),
            tile_url=current_app.config.get("TILE_URL") or None,
            has_children=area["level"] != "grid",
            map_code=shown.code,
            approximate=drawn.level.iloc[0] if len(drawn) and drawn.approximate.any() else None,
            at=at if scope.unit is None else None,  # a replay shows areas, not a unit's incidents
            now=now,
            notice=t(f"replay_bad_{bad}", lang) if bad else t("replay_failed", lang) if at and scope.unit else "",
        )
    except SQLAlchemyError:
        log.exception("area page %s: the database is unavailable", scope)
        return html.Div(t("data_unavailable", lang), className="notice")
