"""The area page's replay on the server (/area/CODE?at=..., issue 16): which moment a tick shows, that moment's
frames, warnings and week, and the time slider's range, moves, URL and breadcrumbs.

The moment rides in the page's config Store (the page's ?at=, moved by the slider): it only asks. Every tick
checks it again (callbacks.wall_replay.checked_moment: the last 30 days, never the future) and rounds it down to
the refresh step before any read, so frames and reads are cached on rounded moments only; the scope is the
server's (scope_or_root), as on a live tick."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from api.access import scope_or_root
from callbacks.wall_replay import asked_moment, bad_sentence, checked_moment
from components.area_layout import breadcrumbs
from components.area_replay import slider_props
from components.i18n import lang_from
from components.ids import AREA, AREA_REPLAY
from components.wall_replay import moment_text
from data.domain.areas import contains
from data.domain.scope import Scope, ScopeError
from data.domain.timeutil import now_ts, tick_of
from data.read import areas, rankings
from data.wall.replay import AsOf, BadMoment, replay_frame

# keeps ?at= in the address bar as the slider moves (without a page load: Dash's router listens to pushes only),
# so a reload or a copied link shows the same moment; the moment as the page writes it, Shanghai time
SYNC_URL = """function (config) {
  const params = new URLSearchParams(window.location.search);
  if (config && config.at != null) {
    const when = new Date(config.at * 1000).toLocaleString("sv-SE", {timeZone: "Asia/Shanghai"});
    params.set("at", when.replace(" ", "T"));
  } else { params.delete("at"); }
  const query = params.toString();
  const url = window.location.pathname + (query ? "?" + query : "");
  if (url !== window.location.pathname + window.location.search) { window.history.replaceState(window.history.state, "", url); }
  return window.dash_clientside.no_update;
}"""


def replay_moment(config, now: int, refresh: int) -> tuple[int | None, str | None]:
    """(the moment a tick replays, rounded down to the refresh step, or None for a live tick; the sentence's
    BadMoment reason when the Store asks for a moment the replay cannot show, else None)."""
    asked = asked_moment(config)
    if asked is None:
        return None, None
    try:
        return tick_of(checked_moment(asked, now), refresh), None
    except BadMoment as bad:
        return None, bad.reason


def area_frame(rules_file: str, scope: Scope, shown: Scope, at: int, refresh: int, now: int) -> dict:
    """The area's wall panels at `at` (replay_frame), with the map of `shown` (a grid's page: its street's) at
    the same moment. ScopeError for a unit's scope (a replay shows areas only)."""
    frame = replay_frame(rules_file, scope, at, refresh, now)
    if shown.code == frame["scope"]:
        return frame
    around = replay_frame(rules_file, shown, at, refresh, now)
    return {**frame, "map": {**around["map"], "scope_level": frame["map"]["scope_level"]}}


def active_then(scope: Scope, at: int) -> list:
    """The warnings active in scope at `at` (rows as warnlist.active_warnings'), worst and newest first."""
    return AsOf(at).warnings(scope)[:50]


def week_then(scope: Scope, at: int) -> dict:
    """This week against last, the weeks ending at `at`'s day (whole days: reported counts never change)."""
    return rankings.week_compare(scope, at)


def banner_outputs(at: int | None, refusal: str | None, lang: str) -> tuple:
    """(the band's classes, its moment, the sentence line) of a tick: the band only for a moment checked here;
    a live tick leaves the line alone (it may hold the page's sentence about its ?at=), a replay clears it."""
    shown = "replay-banner area-replay" + ("" if at is not None else " hidden")
    line = bad_sentence(refusal, lang) if refusal else "" if at is not None else no_update
    return shown, moment_text(at) if at is not None else "", line


def crumbs(config, now: int):
    """The breadcrumbs of the Store's area (the server's scope), keeping the moment only if it is replayable."""
    lang = lang_from(config.get("lang") if isinstance(config, dict) else None)
    scope = scope_or_root(config.get("scope") if isinstance(config, dict) else None)
    at, _ = replay_moment(config, now, 1)
    lineage = [a for a in areas.lineage(scope.code) if contains(scope.root, a["code"])]
    return breadcrumbs(lineage, lang, at if scope.unit is None else None)


def register(app) -> None:
    @app.callback(
        Output(AREA_REPLAY["slider"], "min"),
        Output(AREA_REPLAY["slider"], "max"),
        Output(AREA_REPLAY["slider"], "step"),
        Output(AREA_REPLAY["slider"], "marks"),
        Input(AREA_REPLAY["range"], "value"),
        State(AREA["config"], "data"),
        prevent_initial_call=True,
    )
    def _range(key, config):
        lang = lang_from(config.get("lang") if isinstance(config, dict) else None)
        props = slider_props(key if isinstance(key, str) else "", now_ts(), lang)  # an unknown key: the default
        return props["min"], props["max"], props["step"], props["marks"]

    @app.callback(
        Output(AREA["config"], "data", allow_duplicate=True),
        Input(AREA_REPLAY["slider"], "value"),
        State(AREA["config"], "data"),
        prevent_initial_call=True,
    )
    def _moved(value, config):
        if not isinstance(config, dict) or isinstance(value, bool) or not isinstance(value, (int, float)):
            return no_update
        at = int(value)  # asked only: the next tick checks it
        return no_update if config.get("at") == at else {**config, "at": at}

    @app.callback(
        Output(AREA_REPLAY["crumbs"], "children"),
        Input(AREA["config"], "data"),
        prevent_initial_call=True,
    )
    def _crumbs(config):
        try:
            return crumbs(config, now_ts())
        except ScopeError:
            return no_update

    app.clientside_callback(SYNC_URL, Output(AREA_REPLAY["url"], "data"), Input(AREA["config"], "data"))
