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
            "return document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scrollbar
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
    assert dash_duo.get_logs() == []
