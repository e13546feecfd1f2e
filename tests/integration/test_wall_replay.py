"""The wall's replay (/wall?at=..., issue 16) in a real headless Chromium: the banner and the replayed moment,
today's figure from the replayed frame, a step of the play clock, back to live; and its screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash.testing.wait import until

from components.wall_replay import moment_text
from data.domain.scope import Scope
from data.domain.timeutil import HOUR, now_ts, to_dt
from data.wall.replay import replay_frame
from tests.conftest import SMALL_END, make_app
from tests.integration.test_wall import _big_number, _open, _shot, _viewport, _wall_ready

pytestmark = pytest.mark.browser

AT = SMALL_END - 2 * HOUR + 15  # 2026-11-20 14:30:15, in the small city's last day
SHOTS = Path("/tmp/shots")


def _at_param(ts: int) -> str:
    return f"{to_dt(ts):%Y-%m-%dT%H:%M:%S}"


def _clock(dash_duo) -> str:
    return dash_duo.find_element("#wall-clock").text


@pytest.fixture
def replay_app(small_city):
    if now_ts() - AT > 29 * 24 * HOUR:  # the seeded city's moments age out of the 30 days a replay may show
        pytest.skip("the small city's day is older than a replay may show")
    return make_app(small_city, REFRESH_SECONDS=2)


def test_a_replayed_wall_says_so_shows_that_moment_steps_and_goes_back_to_live(dash_duo, replay_app):
    app = replay_app
    with app.server.app_context():
        frame = replay_frame(app.server.config["RULES_FILE"], Scope("310000"), AT, 2, now_ts())
    assert frame["incidents"]["today"] > 0  # the small city ended days ago: its live "today" is empty
    _open(dash_duo, app, f"/wall?at={_at_param(AT)}")
    _wall_ready(dash_duo)
    dash_duo.wait_for_contains_text("#wall-replay-banner", "非实时")
    assert dash_duo.find_element("#wall-replay-time").text == moment_text(AT)  # 2026-11-20 14:30:15
    assert "wall replay" in dash_duo.find_element("#wall-root").get_attribute("class")
    until(lambda: _clock(dash_duo) == f"{to_dt(AT):%H:%M:%S}", timeout=5)
    until(lambda: _big_number(dash_duo) == frame["incidents"]["today"], timeout=20)  # the frame's, not today's
    fresh = dash_duo.find_element("#wall-freshness").text
    assert fresh.startswith("截至 14:30:15") and "秒前" not in fresh and "分钟前" not in fresh
    dash_duo.find_element("#wall-replay-forward").click()  # + 10 minutes
    until(lambda: _clock(dash_duo) == f"{to_dt(AT + 600):%H:%M:%S}", timeout=5)
    # the band's time is its own callback's output: on a loaded machine it lands a moment after the clock
    until(lambda: dash_duo.find_element("#wall-replay-time").text == moment_text(AT + 600), timeout=10)
    with app.server.app_context():
        later = replay_frame(app.server.config["RULES_FILE"], Scope("310000"), AT + 600, 2, now_ts())
    until(lambda: _big_number(dash_duo) == later["incidents"]["today"], timeout=20)
    dash_duo.find_element("#wall-replay-play").click()  # play at 60×: 2 s ticks move the clock 2 minutes each
    dash_duo.wait_for_text_to_equal("#wall-replay-play", "‖ 暂停")
    until(lambda: dash_duo.find_element("#wall-replay-time").text >= moment_text(AT + 600 + 240), timeout=15)
    dash_duo.find_element("#wall-replay-play").click()
    dash_duo.wait_for_text_to_equal("#wall-replay-play", "▶ 播放")
    paused = dash_duo.find_element("#wall-replay-time").text
    dash_duo.find_element("#wall-replay-speed").click()
    dash_duo.wait_for_text_to_equal("#wall-replay-speed", "600×")
    assert dash_duo.find_element("#wall-replay-time").text == paused  # paused: the clock stays
    until(lambda: _clock(dash_duo) == paused[-8:], timeout=3)  # the header's clock follows within its second
    dash_duo.find_element("#wall-replay-live").click()  # back to the live wall: no banner, today's clock
    until(lambda: "?at=" not in dash_duo.driver.current_url, timeout=10)
    _wall_ready(dash_duo)
    assert "hidden" in dash_duo.find_element("#wall-replay-banner").get_attribute("class")
    assert "replay" not in dash_duo.find_element("#wall-root").get_attribute("class").split()
    assert not dash_duo.find_element("#wall-freshness").text.startswith("截至")
    assert dash_duo.get_logs() == []


def test_a_moment_the_replay_cannot_show_leaves_the_wall_live_with_a_sentence(dash_duo, replay_app):
    _open(dash_duo, replay_app, "/wall?at=2020-01-01T08:00&lang=en")
    _wall_ready(dash_duo)
    dash_duo.wait_for_contains_text("#wall-notice", "Only the last 30 days can be replayed")
    assert "hidden" in dash_duo.find_element("#wall-replay-banner").get_attribute("class")
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(
    ("lang", "sizes"), [("zh", ((1920, 1080), (3840, 2160), (5760, 1080))), ("en", ((1920, 1080),))]
)
def test_replayed_wall_screenshots(dash_duo, replay_app, lang, sizes):
    SHOTS.mkdir(exist_ok=True)
    _open(dash_duo, replay_app, f"/wall?at={_at_param(AT)}" + ("&lang=en" if lang == "en" else ""))
    _wall_ready(dash_duo)
    dash_duo.wait_for_contains_text("#wall-replay-banner", "not live" if lang == "en" else "非实时")
    for width, height in sizes:
        _shot(dash_duo, f"16r-{lang}", width, height)
        fits = "return [document.documentElement.scrollWidth <= innerWidth, document.documentElement.scrollHeight <= innerHeight]"
        assert dash_duo.driver.execute_script(fits) == [True, True]
        banner = dash_duo.find_element("#wall-replay-banner").rect
        live = dash_duo.find_element("#wall-replay-live").rect
        assert live["x"] + live["width"] <= banner["x"] + banner["width"] + 1  # every control inside the band
        dash_duo.driver.save_screenshot(str(SHOTS / f"16r_{lang}_{width}x{height}.png"))
    _viewport(dash_duo, 1920, 1080)
    assert dash_duo.get_logs() == []
