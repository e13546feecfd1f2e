"""Warnings page in a real browser: filter by colour through the URL, acknowledge one warning."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.conftest import make_app
from tests.integration.test_projects import _texts
from tests.integration.test_wall import _open, _shot

pytestmark = pytest.mark.browser


def test_filter_and_acknowledge_a_warning(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy), "/warnings")
    dash_duo.wait_for_element(".warn-table", timeout=20)
    next(a for a in dash_duo.find_elements(".range-link") if a.text == "蓝色 IV").click()
    until(lambda: "level=4" in dash_duo.driver.current_url, timeout=10)
    until(lambda: _texts(dash_duo, ".warn-table .warn-tag") == {"蓝色 IV"}, timeout=10)
    button = dash_duo.wait_for_element(".ack-button", timeout=10)
    button.click()
    dash_duo.wait_for_contains_text(".warn-table", "测试值班长 于", timeout=10)  # who, and when
    _shot(dash_duo, "warnings", 1920, 1080)
    dash_duo.driver.refresh()  # the acknowledgement was stored, not just shown
    dash_duo.wait_for_contains_text(".warn-table", "测试值班长 于", timeout=15)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/warnings?level=9&sort=x")
    dash_duo.wait_for_contains_text(".warn-page", "参数“level”无效", timeout=15)
    assert dash_duo.get_logs() == []
