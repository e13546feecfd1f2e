"""The drill path in a real browser: wall -> district -> street -> grid, and back by breadcrumbs."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains

from tests.conftest import make_app
from tests.integration.test_smoke import OUTSIDE_REQUESTS
from tests.integration.test_wall import _open, _shot, _viewport

pytestmark = pytest.mark.browser


def _first_row(dash_duo):
    cell = dash_duo.wait_for_element(".ag-center-cols-container .ag-row[row-index='0'] .link-cell", timeout=20)
    return cell.text, cell


def test_drill_from_the_wall_down_to_a_grid_and_back(dash_duo, live_city):
    _open(dash_duo, make_app(live_city), "/wall")
    dash_duo.wait_for_element(".wall .area-label", timeout=20)
    # leaving a page while Leaflet zooms must not throw (assets/leaflet-guard.js)
    assert dash_duo.driver.execute_script("return !!(window.L && L.Map.prototype.__cityopsGuarded)")

    def click_district():  # labels are redrawn when colours change: find and click in one go, retry if stale
        try:
            label = next(e for e in dash_duo.find_elements(".wall .area-label") if e.text == "浦东新区")
            ActionChains(dash_duo.driver).move_to_element(label).click().perform()  # a click on the polygon below
            return True
        except (StaleElementReferenceException, StopIteration):
            return False

    until(click_district, timeout=10)
    until(lambda: dash_duo.driver.current_url.endswith("/area/310115"), timeout=10)
    dash_duo.wait_for_contains_text(".area-page h1", "浦东新区", timeout=15)

    street, cell = _first_row(dash_duo)  # the street with most overdue incidents comes first
    cell.click()
    dash_duo.wait_for_contains_text(".area-page h1", street, timeout=15)
    assert [c.text for c in dash_duo.find_elements(".breadcrumbs .crumb")][:2] == ["上海市", "浦东新区"]
    dash_duo.wait_for_contains_text("#area-week", "上周", timeout=15)  # how it compares with last week
    dash_duo.wait_for_element("#area-active", timeout=15)  # what is wrong, and since when
    _shot(dash_duo, "area-street", 1920, 1080)
    _shot(dash_duo, "area-street-full", 1920, 1800)  # the whole page: panels, map, ranking, week, warnings
    _viewport(dash_duo, 1920, 1080)

    grid, cell = _first_row(dash_duo)
    cell.click()
    dash_duo.wait_for_contains_text(".area-page h1", grid, timeout=15)
    dash_duo.wait_for_contains_text(".area-page", "网格是最小单元")
    dash_duo.wait_for_element("#area-incidents .big-number", timeout=15)  # a grid's panels fill in too
    assert len(dash_duo.find_elements(".breadcrumbs .crumb")) == 4  # 市 > 区 > 街镇 > 网格

    dash_duo.find_elements(".breadcrumbs a.crumb")[1].click()  # back up to the district
    dash_duo.wait_for_contains_text(".area-page h1", "浦东新区", timeout=15)
    dash_duo.driver.back()  # the browser's back button returns to the grid
    dash_duo.wait_for_contains_text(".area-page h1", grid, timeout=15)
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []

    # from the street's incidents panel to its overdue incidents in the list: the same count as the panel
    dash_duo.find_elements(".breadcrumbs a.crumb")[2].click()
    dash_duo.wait_for_contains_text(".area-page h1", street, timeout=15)
    dash_duo.wait_for_element("#area-incidents .inc-stat.overdue .mid-number", timeout=15)
    overdue = dash_duo.find_element("#area-incidents .inc-stat.overdue .mid-number").text
    next(a for a in dash_duo.find_elements(".panel-links a") if a.text.startswith("超期")).click()
    until(
        lambda: "overdue=1" in dash_duo.driver.current_url and "window=all" in dash_duo.driver.current_url, timeout=10
    )
    dash_duo.wait_for_contains_text(".status-chips .range-link.active", "全部 · ", timeout=15)
    listed = int(dash_duo.find_element(".status-chips .range-link.active").text.split("·")[1].replace(",", ""))
    assert int(overdue) <= listed <= int(overdue) + 2  # the same incidents (a deadline may pass in between)
    assert dash_duo.get_logs() == []
