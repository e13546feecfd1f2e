"""The command wall (/wall): the whole city, or one district/street, at a glance from ten metres."""

from __future__ import annotations

import logging
from typing import Annotated, ClassVar

import dash
from dash import html
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from components.i18n import lang_from, name, t
from components.links import href
from components.page_title import titled
from components.params import AreaCode, Flag, PageQuery, checked
from components.wall_layout import create_wall
from data.domain.timeutil import now_ts
from data.domain.vocab import CITY_CODE
from data.read import areas, mapqueries
from data.wall.refresh import opened
from data.wall.replay import BadMoment, parse_at

dash.register_page(__name__, path="/wall", name="综合指挥屏", order=1, nav="nav_wall", title=titled("app_title"))
log = logging.getLogger("cityops.pages.wall")


class WallQuery(PageQuery):
    """/wall?area=CODE&kiosk=1&rotate=SECONDS (lang is the shell's; ?at= is read by replay_moment)."""

    PATH: ClassVar[str] = "/wall"
    area: AreaCode | None = None
    kiosk: Flag = False
    rotate: Annotated[int, checked(lambda v: v == 0 or 5 <= v <= 3600)] = 0  # seconds between map layers


def replay_moment(raw, lang: str, notices: list[str]) -> int | None:
    """The moment ?at= asks to replay (issue 16), or None for the live wall; a moment the replay cannot show
    adds its sentence to `notices` and leaves the wall live."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_at(raw, now_ts())
    except BadMoment as bad:
        notices.append(t(f"replay_bad_{bad.reason}", lang))
        return None


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    query, bad = WallQuery.parse(params)
    notices = [t("bad_param", lang, name=n) for n in bad]
    at = replay_moment(params.get("at"), lang, notices)
    cfg = current_app.config if has_request_context() else {}
    scope, scope_name, bounds, asked = CITY_CODE, "", None, None
    if has_request_context():  # not while Dash builds the validation layout at start-up
        try:
            try:
                resolved = resolve_scope(query.area)
                asked = query.area
            except ScopeError:
                log.info("wall: ignoring an unknown area")
                notices.append(t("bad_param", lang, name="area"))
                resolved = resolve_scope()
            scope = resolved.code
            if at is None:  # live: the worker starts on its snapshot now, before the first tick asks
                opened(current_app._get_current_object(), resolved)
            scope_name = name(areas.area(scope) or {}, lang)
            bounds = mapqueries.bounds(resolved)
        except SQLAlchemyError:  # the database is down: draw the wall; the callback shows the banner
            log.exception("wall: cannot read its scope")
    wall = create_wall(
        scope=scope,
        scope_name=scope_name,
        lang=lang,
        kiosk=query.kiosk,
        rotate=query.rotate,
        bounds=bounds,
        tile_url=cfg.get("TILE_URL") or None,
        refresh_s=int(cfg.get("REFRESH_SECONDS", 10)),
        build=cfg.get("BUILD_ID", ""),
        notices=notices,
        reload_hours=float(cfg.get("WALL_RELOAD_HOURS", 24)),
        replay_at=at,
    )
    if not query.kiosk:  # a phone that opened the wall: its phone view, same scope (shown below 600 px, wall.css)
        wall.children.append(
            html.A(t("m_phone_link", lang), href=href("/m", lang, area=asked), className="wall-phone-link")
        )
    return wall
