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


# the names the area map shows: labels not hidden for want of room, inside the map's box
MAP_NAMES = """
const box = document.getElementById('area-map').getBoundingClientRect();
return [...document.querySelectorAll('#area-map .area-label:not(.label-hidden)')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
}).map(e => e.textContent);
"""
# how many pixels the heat layer has drawn (its canvas), sampled on a 4-pixel lattice
HEAT_DRAWN = """
const c = document.querySelector('#area-map .leaflet-heat-pane canvas');
if (!c || !c.width) { return 0; }
const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 3; i < px.length; i += 16) { if (px[i] > 0) { n += 1; } }
return n;
"""
# the selected area's outline (SVG, above the heat) and whether it surrounds the selected area's name
OUTLINE = """
const rings = [...document.querySelectorAll('#area-map path.area-selected')];
const label = document.querySelector('#area-map .area-label.selected');
if (rings.length !== 1 || !label) { return [rings.length, !!label]; }
const o = rings[0].getBoundingClientRect(), l = label.getBoundingClientRect();
const x = (l.left + l.right) / 2, y = (l.top + l.bottom) / 2;
return [1, label.textContent, o.left < x && x < o.right && o.top < y && y < o.bottom,
        getComputedStyle(rings[0]).strokeWidth, rings[0].getAttribute('stroke')];
"""


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


def _children(url: str, code: str) -> dict[str, str]:
    """{code: Chinese name} of an area's children in the seeded city."""
    from sqlalchemy import select

    from data.store.db import get_engine
    from data.store.models import Area

    with get_engine(url).connect() as conn:
        rows = conn.execute(select(Area.code, Area.name_zh).where(Area.parent_code == code).order_by(Area.code))
        return dict(rows.all())


def _names_shown(dash_duo, at_least: int) -> list[str]:
    """Wait until the map names at least this many areas; the names (or, on timeout, what it showed)."""
    names: list[str] = []

    def enough():
        names[:] = dash_duo.driver.execute_script(MAP_NAMES)
        return len(names) >= at_least

    try:
        until(enough, timeout=20)
    except Exception as err:
        state = dash_duo.driver.execute_script(
            "return [...document.querySelectorAll('#area-map .area-label')].map(e => [e.textContent, e.className])"
        )
        raise AssertionError(f"names shown: {names}; labels: {state}") from err
    return names


def _map_in_view(dash_duo) -> None:
    dash_duo.driver.execute_script("document.getElementById('area-map').scrollIntoView({block: 'center'})")


def test_area_maps_name_their_areas_say_shapes_are_approximate_and_outline_the_grid(dash_duo, live_city):
    streets = _children(live_city, "310115")
    _open(dash_duo, make_app(live_city), "/area/310115")
    dash_duo.wait_for_contains_text(".area-page .map-note", "街道边界为示意", timeout=20)
    dash_duo.wait_for_contains_text("#area-legend", "近24小时", timeout=20)  # the heat's rolling window
    _map_in_view(dash_duo)
    _names_shown(dash_duo, 12)
    until(lambda: dash_duo.driver.execute_script(HEAT_DRAWN) > 0, timeout=30)  # the last 24 hours' heat
    _shot(dash_duo, "area-district", 1920, 1080)
    names = dash_duo.driver.execute_script(MAP_NAMES)
    assert len(names) >= 12 and set(names) <= set(streets.values()), names  # street names, where they fit

    # a grid's page: its street's grids, numbered, the grid outlined among them
    street = next(iter(streets))
    grids = list(_children(live_city, street))
    grid = grids[len(grids) // 2]
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/area/{grid}")
    dash_duo.wait_for_contains_text(".area-page .map-note", "网格边界为示意", timeout=20)
    dash_duo.wait_for_contains_text(".area-page .wall-map .panel-title", "所在街镇的网格", timeout=20)
    _map_in_view(dash_duo)
    until(lambda: dash_duo.driver.execute_script(OUTLINE)[0] == 1, timeout=20)
    _names_shown(dash_duo, 8)
    until(lambda: dash_duo.driver.execute_script(HEAT_DRAWN) > 0, timeout=30)  # the street's heat, not the grid's
    _shot(dash_duo, "area-street-grid", 1920, 1080)
    assert dash_duo.driver.execute_script(OUTLINE) == [1, str(int(grid[9:])), True, "4px", "#ffffff"]
    numbers = dash_duo.driver.execute_script(MAP_NAMES)
    assert str(int(grid[9:])) in numbers and {int(n) for n in numbers} <= {int(g[9:]) for g in grids}, numbers
    # the street's map: its outlines, and its heat and markers (the grid's own would be one cell)
    loaded = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
    )
    assert {f"/geo/outlines/{street}.json", f"/geo/heat/{street}.json"} <= set(loaded), loaded

    # a click on a neighbour selects it: its page, its outline
    other = next(e for e in dash_duo.find_elements("#area-map .area-label:not(.label-hidden):not(.selected)"))
    number = other.text
    ActionChains(dash_duo.driver).move_to_element(other).click().perform()  # the polygon under the name
    until(lambda: dash_duo.driver.current_url.endswith(f"/area/{street}{int(number):03d}"), timeout=10)
    until(lambda: dash_duo.driver.execute_script(OUTLINE)[:2] == [1, number], timeout=20)

    # the street's own page on a phone: its grids numbered, the note above them
    _viewport(dash_duo, 390, 844)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/area/{street}")
    dash_duo.wait_for_contains_text(".area-page .map-note", "网格边界为示意", timeout=20)
    _map_in_view(dash_duo)
    _names_shown(dash_duo, 3)
    until(lambda: dash_duo.driver.execute_script(HEAT_DRAWN) > 0, timeout=30)
    legend, box = (dash_duo.find_element(sel).rect for sel in ("#area-legend", "#area-map"))
    assert legend["y"] >= box["y"] + box["height"]  # on a phone the legend stands under the map
    _shot(dash_duo, "area-street", 390, 844)
    assert not dash_duo.find_elements("#area-map path.area-selected")  # nothing selected on the street's page
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    assert dash_duo.get_logs() == []
