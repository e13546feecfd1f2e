"""Indicator pages: the catalogue refreshes each tick (the detail page is built from its URL alone)."""

from __future__ import annotations

import logging

from dash import Input, Output, no_update

from api.access import resolve_scope
from components.i18n import lang_from
from components.ids import INDICATORS, SHELL
from components.indicator_views import render_catalogue
from data.domain.timeutil import now_ts, tick_of
from data.read import indicators

log = logging.getLogger("cityops.callbacks.indicators")


def register(app) -> None:
    default_lang = app.server.config.get("DEFAULT_LANG", "zh")
    refresh = app.server.config.get("REFRESH_SECONDS", 10)

    @app.callback(
        Output(INDICATORS["catalogue"], "children"),
        Input(SHELL["tick"], "n_intervals"),
        Input(SHELL["location"], "search"),
    )
    def _catalogue(_n, search):
        try:
            scope = resolve_scope()
            return render_catalogue(
                indicators.catalogue_status(scope, tick_of(now_ts(), refresh)),
                lang_from(search, default_lang),
                scope.code,
            )
        except Exception:  # keep the cards the page shows
            log.exception("indicator catalogue refresh failed")
            return no_update
