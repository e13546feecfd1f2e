"""Projects pages in a real browser: filter the portfolio, open a project, bad ids."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException

from tests.conftest import make_app
from tests.integration.test_wall import _open, _shot

pytestmark = pytest.mark.browser


def _texts(dash_duo, selector: str) -> set | None:
    """The texts of the elements now on the page (None while the page is being replaced)."""
    try:
        return {e.text for e in dash_duo.find_elements(selector)}
    except StaleElementReferenceException:
        return None


def test_filter_the_portfolio_and_open_a_project(dash_duo, live_city):
    _open(dash_duo, make_app(live_city), "/projects")
    dash_duo.wait_for_element(".proj-table", timeout=20)
    next(a for a in dash_duo.find_elements(".range-link") if a.text.startswith("严重滞后")).click()
    until(lambda: "status=late" in dash_duo.driver.current_url, timeout=10)
    until(lambda: _texts(dash_duo, ".proj-table .proj-tag") == {"严重滞后"}, timeout=10)
    dash_duo.wait_for_element("#proj-gantt .main-svg", timeout=15)
    _shot(dash_duo, "projects-late", 1920, 1080)
    link = dash_duo.find_element(".proj-table a")
    name = link.text
    link.click()
    dash_duo.wait_for_contains_text(".proj-detail h1", name, timeout=15)
    dash_duo.wait_for_element("#proj-spend .main-svg", timeout=15)
    assert dash_duo.find_elements(".proj-detail .desk-table")  # milestones
    dash_duo.driver.back()
    until(lambda: "status=late" in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.get_logs() == []
