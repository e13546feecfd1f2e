"""Indicator pages in a real browser: catalogue, detail with a range change, bad codes."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.conftest import make_app
from tests.integration.test_smoke import OUTSIDE_REQUESTS
from tests.integration.test_wall import _open, _shot

pytestmark = pytest.mark.browser


def test_catalogue_to_detail_and_a_range_change(dash_duo, live_city):
    _open(dash_duo, make_app(live_city), "/indicators")
    dash_duo.wait_for_element(".ind-card", timeout=20)
    assert len(dash_duo.find_elements(".ind-card")) == 40
    assert "数据延迟" in dash_duo.find_element(".ind-catalogue").text  # late feeds say so
    next(c for c in dash_duo.find_elements(".ind-card") if "小时雨量" in c.text).click()
    dash_duo.wait_for_contains_text(".ind-detail h1", "小时雨量", timeout=15)
    dash_duo.wait_for_element("#ind-chart .main-svg", timeout=15)
    assert "24小时" in dash_duo.find_element(".range-link.active").text
    traces = "return document.querySelectorAll('#ind-chart .scatterlayer .trace').length"
    assert dash_duo.driver.execute_script(traces) == 2  # this period and last week
    next(a for a in dash_duo.find_elements(".range-link") if a.text == "7天").click()
    until(lambda: "range=7d" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_text_to_equal(".range-link.active", "7天", timeout=15)
    dash_duo.wait_for_element("#ind-chart .main-svg", timeout=15)
    _shot(dash_duo, "indicator-7d", 1920, 1080)
    dash_duo.find_element("#ind-start").send_keys("2026-11-12")
    dash_duo.find_element("#ind-end").send_keys("2026-11-14")
    dash_duo.find_element(".range-form button").click()  # the custom range goes into the URL
    until(
        lambda: "range=custom" in dash_duo.driver.current_url and "start=2026-11-12" in dash_duo.driver.current_url,
        timeout=10,
    )
    dash_duo.wait_for_text_to_equal(".range-link.active", "自定义", timeout=15)
    dash_duo.driver.back()
    until(lambda: "range=7d" in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    assert dash_duo.get_logs() == []


def test_a_bad_range_falls_back_to_24_hours_with_a_notice(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city))
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/indicators/aqi?range=forever&area=999&lang=en")
    dash_duo.wait_for_text_to_equal(".range-link.active", "24 h", timeout=15)
    notices = " ".join(e.text for e in dash_duo.find_elements(".notice"))
    assert "“range”" in notices and "“area”" in notices
    assert dash_duo.get_logs() == []
