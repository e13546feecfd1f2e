"""Overview page callback: one query pass per tick, rendered by pure functions."""

from __future__ import annotations

import logging

from dash import Input, Output

from api.access import resolve_scope
from components.i18n import format_age, lang_from, t
from components.ids import HOME, SHELL
from components.kpi import create_bars, create_kpi, create_level_chips
from data.domain.names import lang_index
from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start, now_ts
from data.domain.vocab import OPEN_STATUSES, SOURCE_NAMES, STATUS_NAMES
from data.read import freshness, incidents, warnlist

log = logging.getLogger("cityops.callbacks.home")


def overview_data(scope: Scope, now: int) -> dict:
    """Everything the overview shows, from the memoized queries."""
    day0 = local_day_start(now)
    warnings = warnlist.active_warnings(scope)
    warnings = warnings[warnings.colours_area.astype(bool)] if len(warnings) else warnings  # as the wall counts
    return {
        "today": incidents.incident_counts(scope, day0, now),
        "yesterday": incidents.incident_counts(scope, day0 - DAY, now - DAY),
        "loop": incidents.loop_status(scope, now),
        "closed_today": incidents.closed_count(scope, day0, now),
        "warnings_by_level": warnings.groupby("level").size().to_dict() if len(warnings) else {},
        "freshness": freshness.freshness(scope, now),
    }


def overview_view(d: dict, lang: str) -> tuple:
    """(kpi tiles, source bars, loop bars, updated line) from overview_data's result."""
    today, yday = d["today"]["total"], d["yesterday"]["total"]
    delta = today - yday
    kpis = [
        create_kpi(t("incidents_today", lang), f"{today:,}", f"{t('vs_yesterday', lang)} {delta:+,}"),
        create_kpi(t("open_incidents", lang), f"{d['loop']['open_total']:,}"),
        create_kpi(t("overdue", lang), f"{d['loop']['overdue']:,}", alert=d["loop"]["overdue"] > 0),
        create_kpi(t("closed_today", lang), f"{d['closed_today']:,}"),
        create_kpi(
            t("active_warnings", lang),
            f"{sum(d['warnings_by_level'].values()):,}",
            extra=create_level_chips(d["warnings_by_level"], lang),
        ),
    ]
    lang_i = lang_index(lang)
    sources = [(SOURCE_NAMES[s][lang_i], d["today"]["by_source"].get(s, 0)) for s in SOURCE_NAMES]
    loop = [(STATUS_NAMES[s][lang_i], d["loop"]["open"].get(s, 0)) for s in OPEN_STATUSES]
    age = d["freshness"].get("newest_incident_age_s")
    if age is None:
        updated = t("no_data", lang)
    else:
        updated = f"{t('data_freshness', lang)}: {format_age(age, lang)}"
    return kpis, create_bars(sources), create_bars(loop), updated


def register(app) -> None:
    refresh = app.server.config.get("REFRESH_SECONDS", 10)
    default_lang = app.server.config.get("DEFAULT_LANG", "zh")

    @app.callback(
        Output(HOME["kpis"], "children"),
        Output(HOME["sources"], "children"),
        Output(HOME["loop"], "children"),
        Output(HOME["updated"], "children"),
        Input(SHELL["tick"], "n_intervals"),
        Input(SHELL["location"], "search"),
    )
    def _refresh(_n, search):
        lang = lang_from(search, default_lang)
        now = now_ts() // refresh * refresh  # every screen in the same tick shares one cache entry
        return overview_view(overview_data(resolve_scope(), now), lang)
