"""The wall's replay banner (推演/回放, issue 16): across the top of /wall?at=..., it says the wall is not live and
holds the play controls (assets/wall-replay.js drives them; callbacks/wall_replay.py jumps to the next red
warning). A live wall carries the same elements hidden, so every wall has the ids its callbacks name."""

from __future__ import annotations

from dash import dcc, html

from components.i18n import t
from components.ids import REPLAY
from components.links import href
from data.domain.timeutil import to_dt

STEP_MINUTES = 10  # the step buttons move the replay clock by this much
SPEEDS = (60, 600)  # play mode: replayed seconds per real second


def moment_text(at: int) -> str:
    """2026-11-22 21:30:15 (Shanghai), as the banner shows a replayed moment."""
    return f"{to_dt(at):%Y-%m-%d %H:%M:%S}"


def moment_param(at: int) -> str:
    """2026-11-22T21:30:15, as ?at= writes a moment (data.wall.replay.parse_at reads it back)."""
    return f"{to_dt(at):%Y-%m-%dT%H:%M:%S}"


def replay_config(at: int | None, lang: str) -> dict:
    """What assets/wall-replay.js needs, for the wall's config Store: the moment asked for (the server checks
    it again on every request) and the banner's words; {} for a live wall."""
    if at is None:
        return {}
    return {
        "at": at,
        "step": STEP_MINUTES * 60,
        "speeds": list(SPEEDS),
        "replay_text": {
            "play": t("replay_play", lang),
            "pause": t("replay_pause", lang),
            "speed": t("replay_speed", lang, n="{n}"),
            "at_now": t("replay_at_now", lang),
        },
    }


def _button(key: str, label: str, title: str | None = None) -> html.Button:
    return html.Button(label, id=REPLAY[key], n_clicks=0, className="replay-btn", title=title or label)


def create_replay_banner(at: int | None, lang: str, *, scope: str, kiosk: bool) -> list:
    """The replay's state Store and banner: shown with `at`, hidden (with the same ids) on a live wall."""
    live = href("/wall", lang, area=scope, kiosk="1" if kiosk else None)
    state = {"playing": False, "speed": SPEEDS[0], "msg": ""} if at is not None else {}  # the moment: config["at"]
    return [
        dcc.Store(id=REPLAY["state"], data=state),
        html.Div(
            id=REPLAY["banner"],
            className="replay-banner" if at is not None else "replay-banner hidden",
            role="status",
            children=[
                replay_what(at, lang, REPLAY["time"]),
                html.Span(id=REPLAY["msg"], className="replay-msg"),
                html.Span(
                    className="replay-controls",
                    children=[
                        _button("back", t("replay_back", lang, n=STEP_MINUTES)),
                        _button("play", t("replay_play", lang)),
                        _button("forward", t("replay_forward", lang, n=STEP_MINUTES)),
                        _button("speed", t("replay_speed", lang, n=SPEEDS[0])),
                        _button("next_red", t("replay_next_red", lang)),
                        html.A(
                            t("replay_live", lang), id=REPLAY["live"], href=live, className="replay-btn replay-live"
                        ),
                    ],
                ),
            ],
        ),
    ]


def replay_what(at: int | None, lang: str, time_id: str) -> html.Span:
    """The band's words, "回放 <moment> · 非实时": the wall's and the area page's."""
    before, _, after = t("replay_banner", lang).partition("{time}")
    return html.Span(
        className="replay-what",
        children=[
            html.Span(before.strip(), className="replay-tag"),
            html.Span(moment_text(at) if at is not None else "", id=time_id, className="num"),
            html.Span(after, className="replay-not-live"),
        ],
    )
