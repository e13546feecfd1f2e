"""Acknowledging a warning: one click, one write, a sentence in the user's language either way."""

from __future__ import annotations

import logging

from dash import MATCH, Input, Output, State, ctx, no_update

from api import plain_id
from api.access import current_user, resolve_scope
from api.auth import audit
from components.i18n import lang_from, t
from components.ids import SHELL
from components.warnings_view import ACK, ACK_CELL, ack_text
from data.domain.actors import display_name
from data.read.users import user_names
from data.store.cache import current_engine
from data.write.writes import Busy, NotAllowed, NotFound, WriteError, acknowledge_warning

log = logging.getLogger("cityops.callbacks.warnings")


def ack_message(warning_id: int, lang: str) -> str:
    """Acknowledge as the current user; the cell's new text (success or why not)."""
    user = current_user()
    try:
        row = acknowledge_warning(current_engine(), warning_id, actor=user.id, scope=resolve_scope())
        return ack_text(dict(row, acknowledged_by_name=user_names().get(row["acknowledged_by"])), lang)
    except Busy as exc:  # a long write lock or the database away: nothing was written
        log.warning("acknowledging warning %s not saved: %s", warning_id, exc)
        return t("write_busy", lang)
    except NotFound:
        return t("ack_missing", lang)
    except NotAllowed as exc:
        if exc.details.get("reason") == "ended":
            return t("ack_ended", lang)
        if exc.details.get("reason") == "role":
            audit("denied", user_id=user.id, target="acknowledge")
            return t("act_not_allowed", lang)
        return t("ack_taken", lang, who=display_name(user_names(), exc.details.get("by"), lang))
    except WriteError:
        log.exception("acknowledging warning %s failed", warning_id)
        return t("ack_failed", lang)


def register(app) -> None:
    default_lang = app.server.config.get("DEFAULT_LANG", "zh")

    @app.callback(
        Output({"type": ACK_CELL, "id": MATCH}, "children"),
        Input({"type": ACK, "id": MATCH}, "n_clicks"),
        State(SHELL["location"], "search"),
        prevent_initial_call=True,
    )
    def _ack(n_clicks, search):
        if not n_clicks:
            return no_update
        lang = lang_from(search if isinstance(search, str) else None, default_lang)
        try:
            warning_id = plain_id(ctx.triggered_id.get("id"))
            if warning_id is None:  # a forged id ('１２', '²', 12.5, true): nothing to acknowledge
                return t("ack_missing", lang)
            return ack_message(warning_id, lang)
        except Exception:  # the database is down or locked: say so, change nothing
            log.exception("acknowledging a warning failed")
            return t("ack_failed", lang)
