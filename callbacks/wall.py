"""The wall's one server callback per tick, and its clientside clock, banner and carousel.

Each tick reads the scope's shared snapshot (data.snapshot) and sends only what changed since the
screen's last update: unchanged panels get no_update, tiles and map layers get Patches, colours go
in `hideout`, geometry never. On any failure the panels keep their last good content and the
clientside banner says since when the data is stale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict

from dash import ClientsideFunction, Input, Output, Patch, State, no_update

from api.access import ScopeError, scope_or_root
from callbacks.wall_replay import asked_moment, bad_sentence, checked_moment, refused, replayed
from callbacks.wall_replay import register as register_replay
from components.handover_views import duty_line
from components.i18n import format_age, lang_from, t
from components.ids import HANDOVER, SHELL, WALL
from components.wall_panels import render_incidents, render_legend, render_projects, render_ticker, render_warnings
from components.wall_readings import render_tile, render_weather
from data.domain.timeutil import local_day_start, now_ts
from data.rules.config import load_catalog
from data.wall.refresh import watch
from data.wall.replay import BadMoment, replay_frame
from data.wall.shared import shared_snapshot

log = logging.getLogger("cityops.callbacks.wall")

OUTPUTS = (
    "weather",
    "freshness",
    "tiles",
    "incidents",
    "warnings",
    "projects",
    "ticker",
    "legend",
    "areas",
    "heat",
    "markers",
    "project_layer",
    "duty",
    "meta",
)


def _sig(obj) -> str:
    return hashlib.md5(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:10]


def _shown(tile: dict) -> dict:
    """A tile as the screen shows it: its reading's age only in the minutes its late text says, and
    only when late (signed with the age in seconds, every tile and sparkline went again every tick)."""
    late_minutes = tile["age_s"] // 60 if tile["stale"] and tile["age_s"] is not None else None
    return {**tile, "age_s": late_minutes}


def _project_points(projects: dict) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [d["lon"], d["lat"]]},
                "properties": {"counts": d["counts"], "name": d["name"]},
            }
            for d in projects["by_district"]
            if d["lat"] is not None
        ],
    }


def level_meanings(catalog) -> dict[int, tuple[str, str]]:
    """{level: (zh, en)} of what each colour means, for the legend (the catalogue's `levels`)."""
    return {lv.level: (lv.meaning_zh, lv.meaning_en) for lv in catalog.levels}


def wall_updates(snap: dict, lang: str, before: dict | None, build: str, meanings: dict | None = None) -> dict:
    """What to send for one tick, by output name: new content, a Patch, or no_update.

    `before` is the signature map the screen got last time (from its meta store); the result's
    "meta" carries the new one. A screen that missed ticks or just loaded gets everything."""
    before = before or {}
    sig: dict = {}
    out: dict = {}
    parts = {
        "weather": ([_shown(w) for w in snap["weather"]], lambda _d: render_weather(snap["weather"], lang)),
        "incidents": (snap["incidents"], lambda d: render_incidents(d, lang)),
        "warnings": (snap["warnings"], lambda d: render_warnings(d, lang, snap["tick"])),
        "projects": (snap["projects"], lambda d: render_projects(d, lang)),
        "ticker": (snap["ticker"], lambda d: render_ticker(d, lang, snap["tick"])),
        "legend": (
            (snap["map"]["levels"], snap["map"]["heat_breaks"], snap["map"]["scope_level"]),
            lambda d: render_legend(d[0], d[1], lang, d[2], meanings),
        ),
        "markers": (snap["map"]["markers"], lambda d: d),
        "project_layer": (snap["projects"]["by_district"], lambda d: _project_points(snap["projects"])),
        "duty": (snap.get("duty"), lambda d: duty_line(d, lang)),  # 值班：李四 · 08:00–20:00 (issue 16)
    }
    day = local_day_start(snap["tick"])  # times of earlier days carry their day: re-render after midnight
    for name, (data, render) in parts.items():
        sig[name] = _sig([data, lang, day] if name in ("warnings", "ticker") else [data, lang])
        out[name] = no_update if before.get(name) == sig[name] else render(data)
    sig["levels"] = _sig(snap["map"]["levels"])
    if before.get("levels") != sig["levels"]:
        out["areas"] = Patch()
        out["areas"]["levels"] = snap["map"]["levels"]
        out["areas"]["rev"] = snap["tick"]  # newer than what a layer still loading its geometry holds
    else:
        out["areas"] = no_update
    sig["heat"] = _sig([snap["map"]["heat"], snap["map"]["heat_breaks"]])
    if before.get("heat") != sig["heat"]:
        out["heat"] = Patch()
        out["heat"]["v"] = snap["map"]["heat"]
        out["heat"]["breaks"] = snap["map"]["heat_breaks"]
        out["heat"]["rev"] = snap["tick"]
    else:
        out["heat"] = no_update
    tile_sigs = [_sig([_shown(tile), lang]) for tile in snap["tiles"]]
    old = before.get("tiles") or []
    if len(old) != len(tile_sigs):
        out["tiles"] = [render_tile(tile, lang, snap["scope"]) for tile in snap["tiles"]]
    elif old == tile_sigs:
        out["tiles"] = no_update
    else:
        out["tiles"] = Patch()
        for i, (a, b) in enumerate(zip(old, tile_sigs)):
            if a != b:
                out["tiles"][i] = render_tile(snap["tiles"][i], lang, snap["scope"])
    sig["tiles"] = tile_sigs
    fresh = snap["freshness"]
    # ages are measured from the tick, which may be a few seconds before the newest write
    ages = [
        format_age(max(0, a), lang) if a is not None else "—" for a in (fresh["incident_age_s"], fresh["reading_age_s"])
    ]
    out["freshness"] = t("freshness_line", lang, inc=ages[0], ind=ages[1])
    out["meta"] = {
        "ok": True,
        "tick": snap["tick"],
        "scope": snap["scope"],
        "build": build,
        "sig": sig,
        "newest_red": snap["warnings"]["newest_red"],
        "red_count": snap["warnings"]["by_level"].get("1", 0),
    }
    return out


RESPONSE_MEMO = 256  # (scope, tick, language, previous signatures) answers kept; a forged meta store cannot grow it
_responses: OrderedDict = OrderedDict()
_responses_lock = threading.Lock()


def shared_updates(server_id: int, snap: dict, lang: str, before: dict | None, build: str, meanings: dict) -> dict:
    """wall_updates, computed once per (scope, tick, language, what the screen had): every screen of a
    scope that got the previous tick asks the same question, so all but the first get the ready answer."""
    key = (server_id, snap["scope"], snap["tick"], lang, _sig(before or {}))
    with _responses_lock:
        hit = _responses.get(key)
        if hit is not None:
            _responses.move_to_end(key)
            return hit
    out = wall_updates(snap, lang, before, build, meanings)
    with _responses_lock:
        _responses[key] = out
        while len(_responses) > RESPONSE_MEMO:
            _responses.popitem(last=False)
    return out


def mirror_layer_hideouts(app, ids: dict) -> None:
    """Keep the newest hideout of the areas and heat layers where their style functions can read it.

    dash-leaflet's GeoJSON ignores a hideout change that arrives while its `url` is still loading and
    then draws with the hideout it had when the load began: the first tick's colours were lost on
    some page loads, and unchanged later ticks send nothing, so they stayed lost."""
    app.clientside_callback(
        ClientsideFunction("cityops.wall", "rememberHideouts"),
        Output(ids["layers"], "data"),
        Input(ids["areas"], "hideout"),
        Input(ids["heat"], "hideout"),
    )


def register(app) -> None:
    mirror_layer_hideouts(app, WALL)
    register_replay(app)
    cfg = app.server.config
    refresh = int(cfg.get("REFRESH_SECONDS", 10))
    build = cfg.get("BUILD_ID", "")

    @app.callback(
        *[
            Output(HANDOVER["wall_duty"] if name == "duty" else WALL[name], prop)
            for name, prop in (
                ("weather", "children"),
                ("freshness", "children"),
                ("tiles", "children"),
                ("incidents", "children"),
                ("warnings", "children"),
                ("projects", "children"),
                ("ticker", "children"),
                ("legend", "children"),
                ("areas", "hideout"),
                ("heat", "hideout"),
                ("markers", "data"),
                ("project_layer", "data"),
                ("duty", "children"),
                ("meta", "data"),
            )
        ],
        Input(SHELL["tick"], "n_intervals"),
        Input(WALL["config"], "data"),
        State(WALL["meta"], "data"),
    )
    def _tick(_n, config, meta):
        lang = lang_from((config or {}).get("lang"))
        now = now_ts()
        tick = now // refresh * refresh  # every screen in the same tick shares one snapshot
        asked, frame, refusal = asked_moment(config), None, None
        try:
            scope = scope_or_root((config or {}).get("scope"))  # the Store asks; the server decides
            catalog = load_catalog(cfg["RULES_FILE"])
            if asked is not None:  # a replay (issue 16): checked again on every request, whatever the Stores say
                try:
                    at = checked_moment(asked, now)
                    frame = replay_frame(cfg["RULES_FILE"], scope, at, refresh, now)
                except (BadMoment, ScopeError) as bad:  # a unit's scope: a replay shows areas only
                    refusal = bad_sentence(getattr(bad, "reason", ""), lang)
            if frame is None:
                watch(app.server, scope, tick, refresh)  # computed by the tick worker from the next tick on
                snap = shared_snapshot(catalog, scope, tick)
        except Exception:  # the database or a query failed: keep every panel, let the banner speak
            log.exception("wall snapshot at %s failed; screens keep their last data", tick)
            failed = Patch()
            failed["ok"] = False
            failed["failed_at"] = tick
            failed["build"] = build
            return (*[no_update] * (len(OUTPUTS) - 1), failed)
        before = (meta or {}).get("sig") if isinstance(meta, dict) else None
        before = before if isinstance(before, dict) else None  # the browser's store: anything else starts afresh
        if frame is not None:  # drawn by the same components as a live tick, marked as a replay
            updates = replayed(wall_updates(frame, lang, before, build, level_meanings(catalog)), frame, at, lang, now)
            return tuple(updates[name] for name in OUTPUTS)
        updates = shared_updates(id(app.server), snap, lang, before, build, level_meanings(catalog))
        if snap["tick"] < tick:  # the worker runs behind: the banner counts the data's age from its tick
            updates = {**updates, "meta": {**updates["meta"], "behind": tick - snap["tick"]}}
        if refusal is not None:  # a moment the replay cannot show: its sentence, and the live wall
            updates = refused(updates, refusal)
        return tuple(updates[name] for name in OUTPUTS)

    app.clientside_callback(
        ClientsideFunction("cityops.wall", "heartbeat"),
        Output(WALL["heartbeat"], "data"),
        Input(WALL["meta"], "data"),
        State(WALL["config"], "data"),
        State(WALL["heartbeat"], "data"),
    )
    app.clientside_callback(
        ClientsideFunction("cityops.wall", "clock"),
        Output(WALL["date"], "children"),
        Output(WALL["clock"], "children"),
        Output(WALL["banner"], "children"),
        Output(WALL["banner"], "className"),
        Input(WALL["clock_tick"], "n_intervals"),
        State(WALL["heartbeat"], "data"),
        State(WALL["config"], "data"),  # a replay's clock shows the replayed moment (config["at"])
    )
    app.clientside_callback(
        ClientsideFunction("cityops.wall", "refit"),
        Output(WALL["map"], "viewport", allow_duplicate=True),
        Input(WALL["resize"], "data"),
        State(WALL["config"], "data"),
        State(WALL["rotate_state"], "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("cityops.wall", "rotate"),
        Output(WALL["map_box"], "className"),
        Output(WALL["map_title"], "children"),
        Output(WALL["heat"], "filter"),
        Output(WALL["map"], "viewport"),
        Output(WALL["callout"], "children"),
        Output(WALL["callout"], "className"),
        Output(WALL["rotate_state"], "data"),
        Input(WALL["rotate_tick"], "n_intervals"),
        Input(WALL["meta"], "data"),
        State(WALL["config"], "data"),
        State(WALL["rotate_state"], "data"),
        prevent_initial_call=True,
    )
