"""The administrator's forms: create a wall's display token (shown once) or revoke one.

The same writes as `cityops tokens add|revoke`; the gate lets only administrators reach these
callbacks (they serve /admin), and each checks the role again before writing."""

from __future__ import annotations

import logging

from dash import Input, Output, State, ctx, no_update
from flask import request

from api.access import current_user
from api.auth import new_token
from components.admin_views import active_tokens, token_shown, tokens_table
from components.i18n import lang_from, t
from components.ids import ADMIN, SHELL
from data.domain.areas import is_area_code
from data.domain.roles import USERNAME
from data.domain.timeutil import now_ts
from data.read import areas, users
from data.store.cache import current_engine
from data.write import accounts
from data.write.writes import BadInput, NotFound

log = logging.getLogger("cityops.callbacks.admin")


def _tables(lang: str) -> tuple:
    now = now_ts()
    tokens = users.tokens()
    return tokens_table(tokens, areas.area_names(), now, lang), active_tokens(tokens, now)


def create(name, area, days, lang: str):
    """(result, tokens table, revocable names) after creating a token, or a sentence and no change."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not USERNAME.match(name):
        return t("adm_bad_name", lang), no_update, no_update
    if not isinstance(area, str) or not is_area_code(area) or areas.area(area) is None:  # shape first: no cache entry
        return t("adm_bad_area", lang), no_update, no_update
    if days not in (None, "") and not (type(days) is int and 1 <= days <= 3650):  # 1.5 is not rounded, true is not 1
        return t("adm_bad_days", lang), no_update, no_update
    token, digest = new_token()
    expires = now_ts() + int(days) * 86400 if days else None
    try:
        accounts.add_token(
            current_engine(), name, token_hash=digest, area=area, created_by=current_user().id, expires_at=expires
        )
    except BadInput as exc:
        return t("adm_name_taken" if exc.details.get("field") == "name" else "adm_bad_area", lang), no_update, no_update
    return token_shown(token, request.host_url, lang), *_tables(lang)


def revoke(name, lang: str):
    if not isinstance(name, str) or not USERNAME.match(name):
        return t("adm_pick_token", lang), no_update, no_update
    try:
        accounts.revoke_token(current_engine(), name)
    except NotFound:
        return t("adm_pick_token", lang), no_update, no_update
    return t("adm_revoked", lang, name=name), *_tables(lang)


def register(app) -> None:
    default_lang = app.server.config.get("DEFAULT_LANG", "zh")

    @app.callback(
        Output(ADMIN["token_result"], "children"),
        Output(ADMIN["tokens_box"], "children"),
        Output(ADMIN["revoke_name"], "options"),
        Input(ADMIN["token_create"], "n_clicks"),
        Input(ADMIN["revoke"], "n_clicks"),
        State(ADMIN["token_name"], "value"),
        State(ADMIN["token_area"], "value"),
        State(ADMIN["token_days"], "value"),
        State(ADMIN["revoke_name"], "value"),
        State(SHELL["location"], "search"),
        prevent_initial_call=True,
    )
    def _tokens(n_create, n_revoke, name, area, days, revoke_name, search):
        lang = lang_from(search if isinstance(search, str) else None, default_lang)
        if current_user().role != "admin":  # the gate already refused others; the write is checked again here
            return t("forbidden_body", lang), no_update, no_update
        try:
            if ctx.triggered_id == ADMIN["revoke"]:
                return revoke(revoke_name, lang)
            if n_create:
                return create(name, area, days, lang)
            return no_update, no_update, no_update
        except Exception:  # the database is down: say so, change nothing
            log.exception("a token change failed")
            return t("adm_failed", lang), no_update, no_update
