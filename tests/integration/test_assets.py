"""What a page downloads: the wall, which has no grid, leaves AG Grid's bundle (360 kB compressed) out, while
the pages with a grid still draw it, whether opened directly or reached from the wall."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.conftest import make_app
from tests.integration.test_smoke import OUTSIDE_REQUESTS

pytestmark = pytest.mark.browser

GRID_BUNDLE = "/_dash-component-suites/dash_ag_grid/dash_ag_grid"  # the main bundle (the async chunks load with a grid)
REQUESTED = "return performance.getEntriesByType('resource').map(e => e.name)"
PRIORITIES = """return [...document.querySelectorAll("#incs-grid .ag-center-cols-container .ag-row")]
  .sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))
  .map(r => r.querySelector("[col-id='priority']").textContent);"""


def _grid_bundles(dash_duo) -> list[str]:
    return [u for u in dash_duo.driver.execute_script(REQUESTED) if GRID_BUNDLE in u]


def test_the_wall_does_not_download_the_grid_but_the_incident_list_draws_one(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-dispatcher")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    dash_duo.wait_for_element(".wall .area-label", timeout=20)  # the wall has drawn its map
    assert _grid_bundles(dash_duo) == []

    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents")
    dash_duo.wait_for_element("#incs-grid .ag-row", timeout=20)
    assert len(_grid_bundles(dash_duo)) == 1
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    assert dash_duo.get_logs() == []


def test_a_grid_reached_from_the_wall_loads_the_grid_then_draws_and_sorts_its_rows(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-dispatcher")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    dash_duo.wait_for_element(".wall .area-label", timeout=20)
    assert _grid_bundles(dash_duo) == []
    # the wall moves on without reloading, as its map does when a district is clicked
    dash_duo.driver.execute_script("window.dash_clientside.set_props('wall-nav', {href: '/incidents'})")
    dash_duo.wait_for_element("#incs-grid .ag-row", timeout=20)
    assert len(_grid_bundles(dash_duo)) == 1  # loaded once, when the grid came

    dash_duo.find_element("#incs-grid .ag-header-cell[col-id='priority'] .ag-header-cell-label").click()
    dash_duo.wait_for_element("#incs-grid .ag-header-cell[col-id='priority'][aria-sort='ascending']", timeout=10)
    until(lambda: (p := dash_duo.driver.execute_script(PRIORITIES)) and all(p) and p == sorted(p), timeout=10)
    assert dash_duo.get_logs() == []
