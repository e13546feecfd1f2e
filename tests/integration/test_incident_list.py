"""The incident list in a real browser: filters go into the URL, the grid pages from the server,
a row opens the incident, and no personal data reaches the page."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.conftest import make_app
from tests.integration.test_incident import CANARY_NAME, CANARY_PHONE, _canary
from tests.integration.test_wall import _open, _shot

pytestmark = pytest.mark.browser


def test_filter_the_list_and_open_an_incident(dash_duo, live_copy):
    inc_id, _category = _canary(live_copy)
    _open(dash_duo, make_app(live_copy), "/incidents")
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    next(a for a in dash_duo.find_elements(".status-chips .range-link") if a.text.startswith("立案")).click()
    until(lambda: "status=registered" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_contains_text(".incidents-grid", "金丝雀路测试井盖缺失", timeout=15)  # the canary is registered
    dash_duo.find_element("#incs-q").send_keys("金丝雀")
    dash_duo.find_element("#incs-apply").click()
    until(lambda: "q=" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_contains_text(".incidents-grid", "金丝雀路测试井盖缺失", timeout=15)
    _shot(dash_duo, "incidents-list", 1920, 1080)
    grid_warnings = [e["message"] for e in dash_duo.driver.get_log("browser") if "AG Grid" in e["message"]]
    assert grid_warnings == []  # e.g. #25, a row id that is not a string (warnings are not in get_logs)
    page = dash_duo.driver.page_source
    assert CANARY_NAME not in page and CANARY_PHONE not in page
    next(a for a in dash_duo.find_elements(".incidents-grid a") if "金丝雀" in a.text).click()
    dash_duo.wait_for_contains_text(".incident-page h1", "金丝雀路测试井盖缺失", timeout=15)
    dash_duo.driver.back()
    until(lambda: "q=" in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.get_logs() == []


def test_bad_list_parameters_fall_back_with_a_notice(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city))
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents?status=lost&window=forever")
    dash_duo.wait_for_contains_text(".incidents-page", "参数“status”无效", timeout=15)
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    assert dash_duo.get_logs() == []
