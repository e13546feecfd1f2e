"""The app starts in a real headless Chromium, renders with data, and asks nothing of the internet."""

import pytest

from tests.conftest import ARTIFACTS, make_app

pytestmark = pytest.mark.browser

OUTSIDE_REQUESTS = """
return performance.getEntriesByType('resource').map(e => e.name)
  .filter(u => !u.startsWith(window.location.origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
"""


def _shot(dash_duo, name, width, height):
    dash_duo.driver.set_window_size(width, height)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / f"{name}-{width}x{height}.png"))


def test_overview_renders_seeded_data_offline_without_console_errors(dash_duo, small_city):
    app = make_app(small_city)
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("h1", "城市运行概览")
    dash_duo.wait_for_element(".kpi-value")
    dash_duo.wait_for_contains_text("#home-updated", "数据更新")
    values = [e.text for e in dash_duo.find_elements(".kpi-value")]
    assert len(values) == 5 and all(v.replace(",", "").isdigit() for v in values)
    assert int(values[1].replace(",", "")) > 0  # open incidents exist in the seeded city
    assert len(dash_duo.find_elements(".chip")) == 4  # each warning colour labelled in text
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    for width, height in ((1920, 1080), (3840, 2160)):
        _shot(dash_duo, "overview", width, height)
        assert dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )  # no horizontal scrollbar
    assert dash_duo.get_logs() == []


def test_english_and_not_found_pages(dash_duo, small_city):
    app = make_app(small_city)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?lang=en")
    dash_duo.wait_for_text_to_equal("h1", "City operations overview")
    dash_duo.wait_for_contains_text("#home-updated", "Data updated")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/no/such/page")
    dash_duo.wait_for_text_to_equal("h1", "页面不存在")
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    assert _besides_the_pages_own_404(dash_duo, "/no/such/page") == []


def _besides_the_pages_own_404(dash_duo, path: str) -> list:
    """The console's errors, less the one that says the page itself answered 404 (as it must)."""
    own = f"{dash_duo.server_url}{path.split('?')[0]}"
    return [
        e
        for e in dash_duo.get_logs()
        if not (e["source"] == "network" and e["message"].startswith(own) and "404" in e["message"])
    ]


# every page that takes an id or a code from the URL: a sentence in the user's language naming it, no error
BAD_IDS = [
    ("/area/999", "页面不存在", "区域代码“999”不存在"),
    ("/area/..%2F..%2Fx?lang=en", "Page not found", "There is no area with code"),
    ("/area/31011500500", "页面不存在", "不存在"),
    ("/indicators/no_such_thing", "页面不存在", "指标“no_such_thing”不存在"),
    ("/indicators/..%2F..%2Fx", "页面不存在", "不存在"),
    ("/projects/abc", "页面不存在", "项目"),
    ("/projects/999999", "页面不存在", "项目"),
    ("/projects/1%3B%20drop", "页面不存在", "项目"),
    ("/incidents/abc", "页面不存在", "事件"),
    ("/incidents/999999999", "页面不存在", "事件"),
    ("/incidents/1%27--", "页面不存在", "事件"),
]


def test_bad_ids_and_codes_get_a_not_found_page_in_the_users_language(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city))
    for path, title, text in BAD_IDS:
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_text_to_equal("h1", title)
        dash_duo.wait_for_contains_text(".not-found", text)
        assert _besides_the_pages_own_404(dash_duo, path) == [], path
