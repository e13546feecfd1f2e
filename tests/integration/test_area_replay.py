"""The area page's time slider (/area/CODE?at=..., issue 16) in a real headless Chromium: the band and today's
figure from the replayed frame, a step of the slider and the figure following, ?at= kept in the address bar,
back to live; no sideways scroll on a phone; and its screenshots."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.keys import Keys

from components.wall_replay import moment_param, moment_text
from data.domain.scope import Scope
from data.domain.timeutil import HOUR, SHANGHAI, now_ts
from data.wall.replay import replay_frame
from tests.conftest import SMALL_END, make_app
from tests.integration.test_wall import _open, _shot, _viewport

pytestmark = pytest.mark.browser

AT = SMALL_END - 2 * HOUR + 14  # 2026-11-20 14:30:14: a whole refresh step of 2 s
DISTRICT = "310101"  # 黄浦区
SHOTS = Path("/tmp/shots")
NO_SIDEWAYS = "return document.documentElement.scrollWidth <= window.innerWidth"
# the slider's marks on screen: [text, left, right], left to right
MARKS_SHOWN = """
return [...document.querySelectorAll('#area-replay-slider .dash-slider-mark')]
  .map(e => [e.textContent, e.getBoundingClientRect()]).filter(([, r]) => r.width > 0)
  .map(([t, r]) => [t, r.left, r.right]).sort((a, b) => a[1] - b[1]);
"""


@pytest.fixture
def replay_app(small_city):
    if now_ts() - AT > 29 * 24 * HOUR:  # the seeded city's moments age out of the 30 days a replay may show
        pytest.skip("the small city's day is older than a replay may show")
    return make_app(small_city, REFRESH_SECONDS=2)


def _frame(app, at: int) -> dict:
    with app.server.app_context():
        return replay_frame(app.server.config["RULES_FILE"], Scope(DISTRICT), at, 2, now_ts())


def _today(dash_duo) -> int:
    """Today's count in the incidents panel (-1 while the panel is being replaced under the driver)."""
    try:
        return int(dash_duo.find_element("#area-incidents .big-number").text.replace(",", ""))
    except (WebDriverException, ValueError):
        return -1


def _ready(dash_duo) -> None:
    dash_duo.wait_for_element("#area-incidents .big-number", timeout=20)
    dash_duo.wait_for_element(".area-page .area-label", timeout=20)  # the map's outlines loaded and labelled


def _shown_at(dash_duo) -> int:
    text = dash_duo.find_element("#area-replay-time").text
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI).timestamp())


def test_the_area_replays_a_moment_follows_the_slider_and_goes_back_to_live(dash_duo, replay_app):
    app = replay_app
    frame = _frame(app, AT)
    assert frame["incidents"]["today"] > 0  # the small city ended days ago: its live "today" is empty
    _open(dash_duo, app, f"/area/{DISTRICT}?at={moment_param(AT)}")
    _ready(dash_duo)
    dash_duo.wait_for_contains_text("#area-replay-banner", "非实时")
    assert "hidden" not in dash_duo.find_element("#area-replay-banner").get_attribute("class")
    assert dash_duo.find_element("#area-replay-time").text == moment_text(AT)  # 2026-11-20 14:30:14
    until(lambda: _today(dash_duo) == frame["incidents"]["today"], timeout=20)  # the frame's, not today's
    assert dash_duo.find_element("#area-replay-range input[value='30d']").is_selected()  # 11+ days back
    dash_duo.wait_for_contains_text(".ranking .area-replay-note", "回放时不显示")
    assert not dash_duo.find_element(".ranking .grid-box").is_displayed()
    crumb = dash_duo.find_element("#area-breadcrumbs a.crumb").get_attribute("href")
    assert crumb.endswith(f"/area/310000?at={moment_param(AT).replace(':', '%3A')}")  # the city, same moment

    # one step of the slider (30 days: 6 hours): the moment, the figure and ?at= follow
    dash_duo.find_element("#area-replay-slider [role='slider']").send_keys(Keys.ARROW_RIGHT)
    until(lambda: dash_duo.find_element("#area-replay-time").text != moment_text(AT), timeout=10)
    moved = _shown_at(dash_duo)
    assert 0 < moved - AT <= 9 * HOUR  # a step on, snapped to the slider's 6-hour lattice
    later = _frame(app, moved)
    assert later["incidents"]["today"] != frame["incidents"]["today"]
    until(lambda: _today(dash_duo) == later["incidents"]["today"], timeout=20)
    until(lambda: f"at={moment_param(moved)}" in dash_duo.driver.current_url.replace("%3A", ":"), timeout=5)
    assert "hidden" not in dash_duo.find_element("#area-replay-banner").get_attribute("class")

    # back to live: no band, no ?at=, the ranking again
    dash_duo.find_element("#area-replay-live").click()
    until(lambda: "at=" not in dash_duo.driver.current_url, timeout=10)
    _ready(dash_duo)
    until(lambda: "hidden" in dash_duo.find_element("#area-replay-banner").get_attribute("class"), timeout=10)
    dash_duo.wait_for_element(".ranking .grid-box .ag-row", timeout=20)
    assert dash_duo.get_logs() == []


def test_a_moment_the_replay_cannot_show_leaves_the_page_live_with_a_sentence(dash_duo, replay_app):
    _open(dash_duo, replay_app, f"/area/{DISTRICT}?at=2020-01-01T08:00&lang=en")
    _ready(dash_duo)
    dash_duo.wait_for_contains_text("#area-replay-msg", "Only the last 30 days can be replayed")
    assert "hidden" in dash_duo.find_element("#area-replay-banner").get_attribute("class")
    assert dash_duo.find_element("#area-replay-range input[value='24h']").is_selected()
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_replayed_area_screenshots_and_no_sideways_scroll_on_a_phone(dash_duo, replay_app, lang):
    SHOTS.mkdir(exist_ok=True)
    _open(dash_duo, replay_app, f"/area/{DISTRICT}?at={moment_param(AT)}" + ("&lang=en" if lang == "en" else ""))
    _ready(dash_duo)
    dash_duo.wait_for_contains_text("#area-replay-banner", "not live" if lang == "en" else "非实时")
    marks = [e.text for e in dash_duo.find_elements("#area-replay-slider .dash-slider-mark")]
    assert marks[-1] == ("Now" if lang == "en" else "现在") and len(marks) >= 5
    day = re.compile(r"[A-Z][a-z]{2} \d{1,2}" if lang == "en" else r"\d{1,2}月\d{1,2}日")
    assert all(day.fullmatch(m) for m in marks[:-1]), marks  # 30 days: a mark every 5 days
    until(lambda: _today(dash_duo) == _frame(replay_app, AT)["incidents"]["today"], timeout=20)
    _shot(dash_duo, f"16s-area-{lang}", 1920, 1080)
    assert dash_duo.driver.execute_script(NO_SIDEWAYS)
    dash_duo.driver.save_screenshot(str(SHOTS / f"16s_area_{lang}_1920.png"))
    if lang == "zh":
        _viewport(dash_duo, 390, 844)
        until(lambda: dash_duo.driver.execute_script("return window.innerWidth") == 390, timeout=5)
        _shot(dash_duo, "16s-area-zh", 390, 844)
        assert dash_duo.driver.execute_script(NO_SIDEWAYS)
        banner, live = (dash_duo.find_element(s).rect for s in ("#area-replay-banner", "#area-replay-live"))
        assert live["x"] + live["width"] <= banner["x"] + banner["width"] + 1  # the band's link on screen
        shown = dash_duo.driver.execute_script(MARKS_SHOWN)
        assert shown[-1][0] == "现在" and len(shown) >= 3, shown  # every third mark, 现在 always
        assert all(a[2] <= b[1] for a, b in zip(shown, shown[1:])), shown  # no label runs into the next
        dash_duo.driver.save_screenshot(str(SHOTS / "16s_area_zh_390.png"))
        _viewport(dash_duo, 1920, 1080)
    assert dash_duo.get_logs() == []
