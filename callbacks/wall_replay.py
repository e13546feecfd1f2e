"""The wall's replay on the server (推演/回放, issue 16): which moment a tick replays, the header's freshness line
of a replayed frame, and the jump to the next red warning.

The moment rides in the wall's config Store (the page's ?at=) and the play clock's Store: both only ask.
Every request checks it again with data.wall.replay.check_at (the last 30 days, never the future), the scope
comes from the server as on a live wall, and frames are cached on the moment rounded to the refresh step, so
nothing a browser sends widens what it reads or grows a cache."""

from __future__ import annotations

import logging

from dash import ClientsideFunction, Input, Output, State, no_update

from api.access import ScopeError, scope_or_root
from components.i18n import lang_from, t
from components.ids import REPLAY, SHELL, WALL
from data.domain.timeutil import local_day_start, now_ts, to_dt
from data.wall.replay import BadMoment, check_at, next_red_at, replay_bounds

log = logging.getLogger("cityops.callbacks.wall_replay")


def asked_moment(config):
    """The moment a screen asks to replay (its config Store's `at`: the page's ?at=, moved on by the play
    controls), or None for a live wall."""
    return config.get("at") if isinstance(config, dict) else None


def checked_moment(value, now: int) -> int:
    """`value` as a moment the replay may show at `now`; BadMoment ("format", "future", "too_old") otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadMoment("format")
    return check_at(value, now)


def bad_sentence(reason: str, lang: str) -> str:
    """The sentence for a moment the replay cannot show (BadMoment.reason), in the user's language."""
    return t(f"replay_bad_{reason}" if reason in ("format", "future", "too_old") else "replay_failed", lang)


def _clock(ts: int, day: int) -> str:
    return f"{to_dt(ts):%H:%M}" if local_day_start(ts) == day else f"{to_dt(ts):%m-%d %H:%M}"


def replay_freshness(frame: dict, at: int, lang: str) -> str:
    """The header's freshness line of a replayed frame: the moment and the newest incident and reading it had,
    as clock times (never "N seconds ago": the wall is not live)."""
    fresh, tick, day = frame["freshness"], frame["tick"], local_day_start(at)
    inc, ind = (
        _clock(tick - age, day) if age is not None else "—" for age in (fresh["incident_age_s"], fresh["reading_age_s"])
    )
    return t("replay_freshness", lang, at=f"{to_dt(at):%H:%M:%S}", inc=inc, ind=ind)


def replayed(out: dict, frame: dict, at: int, lang: str, now: int) -> dict:
    """A tick's updates (callbacks.wall.wall_updates of a replayed frame) made a replay's: its freshness line,
    and in the meta Store the moment served and the bounds the play clock keeps within (assets/wall-replay.js)."""
    out["freshness"] = replay_freshness(frame, at, lang)
    out["meta"] = {**out["meta"], "replay": {"at": at, "tick": frame["tick"], "bounds": list(replay_bounds(now))}}
    return out


def refused(out: dict, sentence: str) -> dict:
    """A live tick's updates (shared between screens: copied, never changed) with the replay's refusal."""
    out = dict(out)
    out["meta"] = {**out["meta"], "replay_error": sentence}
    return out


def next_red(config, state, now: int) -> tuple:
    """(config, play Store) after "next red warning": the moment the next red warning started in the screen's
    scope (the server's), paused there; the same moment with a sentence when there is none."""
    lang = lang_from(config.get("lang") if isinstance(config, dict) else None)
    state = {**state, "playing": False} if isinstance(state, dict) else {"playing": False}
    asked = asked_moment(config)
    if asked is None:
        return no_update, no_update
    try:
        at = checked_moment(asked, now)
        found = next_red_at(scope_or_root(config.get("scope")), at, now)
    except BadMoment as bad:
        return no_update, {**state, "msg": bad_sentence(bad.reason, lang)}
    except ScopeError:
        return no_update, {**state, "msg": t("replay_failed", lang)}
    if found is None:
        return no_update, {**state, "msg": t("replay_no_red", lang)}
    return {**config, "at": int(found)}, {**state, "msg": ""}


def register(app) -> None:
    @app.callback(
        Output(WALL["config"], "data", allow_duplicate=True),
        Output(REPLAY["state"], "data", allow_duplicate=True),
        Input(REPLAY["next_red"], "n_clicks"),
        State(WALL["config"], "data"),
        State(REPLAY["state"], "data"),
        prevent_initial_call=True,
    )
    def _next_red(n, config, state):
        if not n:
            return no_update, no_update
        return next_red(config, state, now_ts())

    app.clientside_callback(  # play, pause, step, speed; and the play clock's advance on each tick
        ClientsideFunction("cityops.replay", "control"),
        Output(WALL["config"], "data", allow_duplicate=True),
        Output(REPLAY["state"], "data"),
        Input(REPLAY["play"], "n_clicks"),
        Input(REPLAY["back"], "n_clicks"),
        Input(REPLAY["forward"], "n_clicks"),
        Input(REPLAY["speed"], "n_clicks"),
        Input(SHELL["tick"], "n_intervals"),
        State(REPLAY["state"], "data"),
        State(WALL["config"], "data"),
        State(WALL["meta"], "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # the banner: the moment, the buttons' words, a sentence from the server
        ClientsideFunction("cityops.replay", "view"),
        Output(REPLAY["time"], "children"),
        Output(REPLAY["play"], "children"),
        Output(REPLAY["speed"], "children"),
        Output(REPLAY["msg"], "children"),
        Input(REPLAY["state"], "data"),
        Input(WALL["meta"], "data"),
        Input(WALL["config"], "data"),
    )
