"""The area page's time slider and replay banner (/area/CODE?at=..., issue 16): a slider over the last 24 hours,
7 or 30 days moves the page to a past moment; the wall's amber "回放 · 非实时" band (assets/wall-replay.css) says
the page is not live, with a link back to the live page. The server shows or hides the band on every tick
(callbacks/area_replay.py), after checking the moment again: the slider and the Store only ask."""

from __future__ import annotations

from dash import dcc, html

from components.i18n import t
from components.ids import AREA_REPLAY
from components.links import href
from components.wall_replay import moment_param, replay_what
from data.domain.timeutil import DAY, HOUR, local_day_start, tick_of, to_dt

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# range key -> (span, slider step, spacing of the marks)
RANGES: dict[str, tuple[int, int, int]] = {
    "24h": (DAY, 600, 6 * HOUR),
    "7d": (7 * DAY, HOUR, DAY),
    "30d": (30 * DAY, 6 * HOUR, 5 * DAY),
}
DEFAULT_RANGE = "24h"
END_STEP = 600  # the slider's right end: "now" rounded down to ten minutes


def range_for(at: int | None, now: int) -> str:
    """The shortest range whose slider reaches back to `at` (the default one for a live page)."""
    if at is None:
        return DEFAULT_RANGE
    end = tick_of(now, END_STEP)
    return next((key for key, (span, _, _) in RANGES.items() if at >= end - span), "30d")


def _mark_label(ts: int, spacing: int, lang: str) -> str:
    dt = to_dt(ts)
    if spacing < DAY:
        return f"{dt:%H:%M}"
    return t("replay_day_mark", lang, m=dt.month, d=dt.day, mon=MONTHS_EN[dt.month - 1])


def slider_props(key: str, now: int, lang: str) -> dict:
    """The slider's min, max, step and marks for range `key` (an unknown key: the default) at `now`: the right
    end is now (rounded down to ten minutes) marked 现在/Now, the marks at whole hours or Shanghai midnights."""
    span, step, spacing = RANGES.get(key, RANGES[DEFAULT_RANGE])
    end = tick_of(now, END_STEP)
    start = end - span
    marks = {}
    mark = local_day_start(start) + ((start - local_day_start(start)) // spacing + 1) * spacing
    if spacing >= DAY:
        mark = local_day_start(start) + DAY
    while mark < end - spacing // 3:  # not so close to "now" that the labels overlap
        marks[mark] = _mark_label(mark, spacing, lang)
        mark += spacing
    marks[end] = t("replay_now", lang)
    return {"min": start, "max": end, "step": step, "marks": marks}


def replay_href(code: str, lang: str, at: int | None) -> str:
    """/area/CODE, keeping a replayed moment (drill-down follows the replay a level down)."""
    return href(f"/area/{code}", lang, at=moment_param(at) if at is not None else None)


def create_replay_bar(code: str, at: int | None, now: int, lang: str, notice: str = "") -> list:
    """The band (shown in a replay), the slider with its choice of range, and a line for the server's sentences."""
    key = range_for(at, now)
    props = slider_props(key, now, lang)
    value = props["max"] if at is None else min(max(at, props["min"]), props["max"])
    return [
        dcc.Store(id=AREA_REPLAY["url"]),  # a target for the clientside callback that keeps ?at= in the URL
        html.Div(
            id=AREA_REPLAY["banner"],
            className="replay-banner area-replay" + ("" if at is not None else " hidden"),
            role="status",
            children=[
                replay_what(at, lang, AREA_REPLAY["time"]),
                html.A(
                    t("replay_live", lang),
                    id=AREA_REPLAY["live"],
                    href=replay_href(code, lang, None),
                    className="replay-btn replay-live",
                ),
            ],
        ),
        html.Div(
            className="area-replay-bar",
            children=[
                html.Span(t("replay_slider", lang), className="area-replay-label"),
                dcc.RadioItems(
                    id=AREA_REPLAY["range"],
                    options=[{"label": t(f"replay_range_{k}", lang), "value": k} for k in RANGES],
                    value=key,
                    inline=True,
                    className="area-replay-range",
                ),
                html.Div(
                    dcc.Slider(
                        id=AREA_REPLAY["slider"],
                        value=value,
                        included=False,
                        updatemode="mouseup",
                        allow_direct_input=False,  # it would show Unix seconds
                        **props,
                    ),
                    className="area-replay-slider",
                ),
            ],
        ),
        html.Div(notice, id=AREA_REPLAY["msg"], className="area-replay-msg", role="status"),
    ]
