"""The area page's refresh (one callback per tick, reusing the wall's snapshot and partial updates)
and drill-down navigation from the map and the ranking table (also from the desktop wall's map)."""

from __future__ import annotations

import logging

from dash import Input, Output, State, ctx, no_update

from api.access import ScopeError, scope_or_root
from callbacks.area_replay import active_then, area_frame, banner_outputs, replay_moment, week_then
from callbacks.area_replay import register as register_replay
from callbacks.wall import level_meanings, mirror_layer_hideouts, wall_updates
from components.area_layout import area_href, ranking_class, ranking_rows, render_active, render_week
from components.i18n import lang_from
from components.ids import AREA, AREA_REPLAY, SHELL, WALL
from data.domain.timeutil import now_ts
from data.read import areas, rankings, warnlist
from data.rules.config import load_catalog
from data.wall.refresh import watch
from data.wall.shared import shared_snapshot

log = logging.getLogger("cityops.callbacks.area")
# a page's first ticks send the map layers' colours and counts again, changed or not: dash-leaflet drops a
# hideout that arrives while its layer still loads its geometry, and unchanged ticks would send nothing
# after it (about one page load in six drew no heat at all)
RESEND_TICKS = 3


def drill_target(click_feature: dict | None, cell: dict | None, triggered: str) -> str | None:
    """The area code a click asks for: a map feature's id or a ranking row's id."""
    if triggered.endswith("clickData") and click_feature:
        code = click_feature.get("id") or (click_feature.get("properties") or {}).get("code")
        return str(code) if code else None
    if triggered.endswith("cellClicked") and cell:
        return str(cell.get("rowId")) if cell.get("rowId") else None
    return None


def register(app) -> None:
    mirror_layer_hideouts(app, AREA)
    register_replay(app)  # the time slider (issue 16)
    cfg = app.server.config
    refresh = int(cfg.get("REFRESH_SECONDS", 10))
    build = cfg.get("BUILD_ID", "")

    @app.callback(
        Output(AREA["incidents"], "children"),
        Output(AREA["warnings"], "children"),
        Output(AREA["projects"], "children"),
        Output(AREA["areas"], "hideout"),
        Output(AREA["heat"], "hideout"),
        Output(AREA["markers"], "data"),
        Output(AREA["legend"], "children"),
        Output(AREA["ranking"], "rowData"),
        Output(AREA["week"], "children"),
        Output(AREA["active"], "children"),
        Output(AREA["meta"], "data"),
        Output(AREA_REPLAY["banner"], "className"),
        Output(AREA_REPLAY["time"], "children"),
        Output(AREA_REPLAY["msg"], "children"),
        Output(AREA_REPLAY["ranking"], "className"),
        Input(SHELL["tick"], "n_intervals"),
        Input(AREA["config"], "data"),
        State(AREA["meta"], "data"),
    )
    def _area_tick(_n, config, meta):
        lang = lang_from((config or {}).get("lang"))
        now = now_ts()
        tick = now // refresh * refresh
        at, refusal = replay_moment(config, now, refresh)  # the Store asks; checked and rounded here
        try:
            scope = scope_or_root((config or {}).get("scope"))  # the Store asks; the server decides
            catalog = load_catalog(cfg["RULES_FILE"])
            shown = areas.map_area(scope)
            if at is not None:
                try:
                    snap = area_frame(cfg["RULES_FILE"], scope, shown, at, refresh, now)
                except ScopeError:  # a unit's scope: a replay shows areas only
                    at, refusal = None, "failed"
            if at is not None:  # the area as it was then; the ranking (today's only) stays hidden
                ranking, week, active = no_update, week_then(scope, at), active_then(scope, at)
            else:
                for watched in {scope, shown}:  # the tick worker keeps both ready while the page is open
                    watch(app.server, watched, tick, refresh)
                snap = _with_map_of(shared_snapshot(catalog, scope, tick), catalog, shown, tick)
                ranking = ranking_rows(rankings.child_ranking(scope, tick), lang)
                week = rankings.week_compare(scope, tick)
                active = warnlist.active_warnings(scope).head(50).itertuples()
        except Exception:  # keep what the page shows; the next tick tries again
            log.exception("area page: refresh at %s failed", tick)
            return (no_update,) * 15
        before = (meta or {}).get("sig") if isinstance(meta, dict) else None
        if isinstance(meta, dict) and meta.get("replay") != at:  # live <-> replay, or another moment: all again
            before = None
        upd = wall_updates(snap, lang, before if isinstance(before, dict) else None, build, level_meanings(catalog))
        return (
            upd["incidents"],
            upd["warnings"],
            upd["projects"],
            upd["areas"],
            upd["heat"],
            upd["markers"],
            upd["legend"],
            ranking,
            render_week(week, lang),
            render_active(_all_active(active), at if at is not None else now, lang),
            dict(with_resend(upd["meta"], meta), replay=at),
            *banner_outputs(at, refusal, lang),
            ranking_class(at is not None),
        )

    @app.callback(
        Output(AREA["nav"], "href"),
        Input(AREA["areas"], "clickData"),
        Input(AREA["ranking"], "cellClicked"),
        State(AREA["config"], "data"),
        prevent_initial_call=True,
    )
    def _drill(feature, cell, config):
        code = drill_target(feature, cell, ctx.triggered_id and ctx.triggered[0]["prop_id"] or "")
        at, _ = replay_moment(config, now_ts(), 1)  # a replay drills down at the same moment, if still replayable
        return area_href(code, lang_from(config.get("lang")), at) if code else no_update

    @app.callback(
        Output(WALL["nav"], "href"),
        Input(WALL["areas"], "clickData"),
        State(WALL["config"], "data"),
        prevent_initial_call=True,
    )
    def _wall_drill(feature, config):
        code = drill_target(feature, None, "clickData")
        at, _ = replay_moment(config, now_ts(), 1)  # a replayed wall opens the area at the same moment
        return area_href(code, config["lang"], at) if code and not config.get("kiosk") else no_update


def with_resend(sent: dict, before: dict | None) -> dict:
    """The meta a tick leaves on the page: while the page is young, without the map layers' signatures,
    so that the next tick sends them again (RESEND_TICKS)."""
    seen = (before or {}).get("ticks")
    ticks = seen + 1 if isinstance(seen, int) else 1  # the Store is the browser's: anything else starts again
    out = dict(sent, ticks=ticks)
    if ticks < RESEND_TICKS:
        out["sig"] = {k: v for k, v in sent["sig"].items() if k not in ("heat", "levels")}
    return out


def _with_map_of(snap: dict, catalog, shown, tick: int) -> dict:
    """The page's snapshot with the map of `shown`: a grid's page shows its street's map (areas.map_area),
    the grid outlined, from the street's shared snapshot; the legend still gives the grid's own level."""
    if shown.code == snap["scope"]:
        return snap
    around = shared_snapshot(catalog, shown, tick)
    return {**snap, "map": {**around["map"], "scope_level": snap["map"]["scope_level"]}}


def _all_active(rows) -> list[dict]:
    """Active warnings (warnlist.active_warnings' rows, or asof_signals' at a replayed moment), worst and newest
    first, for the page's list (the snapshot keeps only the newest red/orange ones, for the wall)."""
    names = areas.area_names()
    out = []
    for w in rows:
        zh, en = names.get(w.area_code, (w.area_code, w.area_code))
        out.append(
            {
                "level": int(w.level),
                "area": {"zh": zh, "en": en},
                "cause_zh": w.cause_zh,
                "cause_en": w.cause_en,
                "started_at": int(w.started_at),
                "kind": w.kind,
                "colours_area": bool(w.colours_area),  # a project's slip is listed apart, without a colour
            }
        )
    return out
