"""Desk pages on a 390 px phone: one column, nothing wider than the screen, the grid scrolls inside itself."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.integration.test_wall import _open, _shot

pytestmark = pytest.mark.browser

FITS_WIDTH = "return document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_desk_pages_fit_a_phone(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy), "/incidents", 390, 844)
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    assert dash_duo.driver.execute_script(FITS_WIDTH)  # the page never scrolls sideways
    assert dash_duo.find_element(".shell-brand").size["height"] < 40  # the brand stays on one line
    title = dash_duo.find_element(".incidents-grid .ag-header-cell[col-id='title']")
    assert title.size["width"] >= 200  # the grid scrolls instead of squeezing every column
    _shot(dash_duo, "incidents-phone", 390, 844)

    row = dash_duo.find_element(".incidents-grid .ag-row a")
    dash_duo.wait_for_page(url=row.get_attribute("href"))
    dash_duo.wait_for_element(".incident-side", timeout=20)
    main, side = dash_duo.find_element(".incident-main"), dash_duo.find_element(".incident-side")
    assert side.location["y"] > main.location["y"] and abs(side.location["x"] - main.location["x"]) < 2  # one column
    assert dash_duo.driver.execute_script(FITS_WIDTH)
    _shot(dash_duo, "incident-phone", 390, 844)

    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/warnings")
    dash_duo.wait_for_element(".warn-table", timeout=20)
    assert dash_duo.driver.execute_script(FITS_WIDTH)  # the table scrolls inside its own box
    _shot(dash_duo, "warnings-phone", 390, 844)
    assert dash_duo.get_logs() == []
