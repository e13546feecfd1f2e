"""The command wall (/wall): the whole city, or one district/street, at a glance from ten metres."""
from __future__ import annotations

import logging

import dash
from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from components.i18n import lang_from, name, t
from components.wall_layout import create_wall
from data.domain.vocab import CITY_CODE
from data.read import areas, mapqueries

dash.register_page(__name__, path="/wall", name="综合指挥屏", order=1, nav="nav_wall", title="上海市城市运行“一网统管”")
log = logging.getLogger("cityops.pages.wall")


def _rotate(value) -> int | None:
    """Seconds between map layers: 0 (off) or 5..3600; None when the value is not valid."""
    if value in (None, "", "0"):
        return 0
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if 5 <= seconds <= 3600 else None


def layout(area: str | None = None, kiosk: str | None = None, lang: str | None = None, rotate: str | None = None,
           **_ignored):
    lang = lang_from(lang)
    notices = []
    cfg = current_app.config if has_request_context() else {}
    scope, scope_name, bounds = CITY_CODE, "", None
    if has_request_context():  # not while Dash builds the validation layout at start-up
        try:
            try:
                resolved = resolve_scope(area)
            except ScopeError:
                log.info("wall: ignoring an unknown area")
                notices.append(t("bad_param", lang, name="area"))
                resolved = resolve_scope()
            scope = resolved.code
            scope_name = name(areas.area(scope) or {}, lang)
            bounds = mapqueries.bounds(resolved)
        except SQLAlchemyError:  # the database is down: draw the wall; the callback shows the banner
            log.exception("wall: cannot read the scope %r", area)
    seconds = _rotate(rotate)
    if seconds is None:
        notices.append(t("bad_param", lang, name="rotate"))
        seconds = 0
    return create_wall(scope=scope, scope_name=scope_name, lang=lang, kiosk=str(kiosk).lower() in ("1", "true", "yes"),
                       rotate=seconds, bounds=bounds, tile_url=cfg.get("TILE_URL") or None,
                       refresh_s=int(cfg.get("REFRESH_SECONDS", 10)), build=cfg.get("BUILD_ID", ""),
                       notices=notices, reload_hours=float(cfg.get("WALL_RELOAD_HOURS", 24)))
