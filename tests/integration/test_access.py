"""Access in a real browser: the login page, every page under the Content-Security-Policy with no
violation, a street operator who sees only the street, and a wall whose display token is revoked."""

from __future__ import annotations

import dash
import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from api.auth import new_token
from data.store.db import get_engine
from data.write import accounts
from tests.conftest import make_app
from tests.integration.test_smoke import OUTSIDE_REQUESTS
from tests.integration.test_wall import REFRESH, _shot, _viewport
from tests.people import PASSWORD, street_and_district

pytestmark = pytest.mark.browser
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy")


def _csp_problems(dash_duo, caplog) -> list[str]:
    console = [e["message"] for e in dash_duo.driver.get_log("browser") if any(w in e["message"] for w in CSP_WORDS)]
    reported = [r.getMessage() for r in caplog.records if r.name == "cityops.csp"]
    return console + reported


def test_the_login_page_speaks_the_users_language_and_fits_a_phone(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user=None)
    for width, height in ((1920, 1080), (390, 844)):
        _viewport(dash_duo, width, height)
        dash_duo.driver.get(f"{dash_duo.server_url}/wall")  # asks for a login first, and comes back after
        dash_duo.wait_for_element("#login-username")
        assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        dash_duo.driver.save_screenshot(str(_artifact(f"login-{width}x{height}.png")))
    dash_duo.find_element("#login-username").send_keys("t-operator")
    dash_duo.find_element("#login-password").send_keys("not-the-password")
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_text_to_equal("#login-message", "用户名或密码不正确，请重新输入。")
    dash_duo.driver.find_element(By.ID, "login-lang").click()
    dash_duo.wait_for_text_to_equal("#login-submit", "Sign in")
    dash_duo.find_element("#login-username").send_keys("t-operator")
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    dash_duo.find_element("#login-submit").click()
    _street_wall_ready(dash_duo)  # back where the user was going
    assert dash_duo.driver.current_url.endswith("/wall")
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []


def _column(dash_duo, col_id: str) -> set[str] | None:
    """The texts of one grid column, or None while the grid is re-rendering under the driver."""
    try:
        return {e.text for e in dash_duo.find_elements(f".incidents-grid .ag-cell[col-id='{col_id}']")} or None
    except StaleElementReferenceException:
        return None


def _artifact(name: str):
    from tests.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def test_every_page_runs_under_the_content_security_policy(dash_duo, live_city, caplog):
    """Every registered page, opened by a role that may see it, renders with no CSP violation in the
    browser's console and none reported to the server."""
    caplog.set_level("WARNING", logger="cityops.csp")
    street, district = street_and_district(live_city)
    with get_engine(live_city).connect() as conn:
        from sqlalchemy import func, select

        from data.store.models import Incident, Project

        incident = conn.execute(select(func.min(Incident.id))).scalar()
        project = conn.execute(select(func.min(Project.id))).scalar()
    examples = {"<code>": district, "<iid>": str(incident), "<pid>": str(project)}
    dash_duo.start_server(make_app(live_city), user="t-admin")
    paths = []
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        for slot, value in examples.items():
            path = path.replace(slot, "aqi" if path.startswith("/indicators/") else value)
        paths.append(path)
    for path in sorted(paths):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element("#_pages_content > *", timeout=15)
        assert _csp_problems(dash_duo, caplog) == [], path
        if path == "/levels":  # what the colours mean, who responds how fast, which rules colour an area
            dash_duo.wait_for_contains_text("#level-1", "特别严重", timeout=15)
            assert "项目进度滞后" in dash_duo.find_element("#levels-not-colouring").text
            dash_duo.driver.save_screenshot(str(_artifact("levels-1920x1080.png")))
        if path == "/admin":  # the administrator's view of accounts, walls and the access log
            dash_duo.wait_for_element("#admin-access", timeout=15)
            for width, height in ((1920, 1080), (390, 844)):
                _viewport(dash_duo, width, height)
                dash_duo.driver.save_screenshot(str(_artifact(f"admin-{width}x{height}.png")))
            _viewport(dash_duo, 1920, 1080)
    assert len(paths) >= 12


def test_a_street_operator_sees_the_street_and_nothing_else(dash_duo, live_city):
    street, district = street_and_district(live_city)
    dash_duo.start_server(make_app(live_city), user="t-operator")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    _street_wall_ready(dash_duo)
    title = dash_duo.find_element(".wall-scope").text
    assert "南京东路" in title, title
    tags = {e.text for e in dash_duo.find_elements(".tile-scope")}
    assert tags and tags <= {"全市数据", "全区数据", "黄浦区数据"}  # readings of wider areas say whose
    for width, height in ((1920, 1080), (3840, 2160), (5760, 1080)):
        _shot(dash_duo, "wall-street-operator", width, height)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?area=310115")  # another district: refused, own street shown
    _street_wall_ready(dash_duo)
    assert "南京东路" in dash_duo.find_element(".wall-scope").text
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/")
    dash_duo.wait_for_text_to_equal("h1", "南京东路街道 · 运行概览")  # whose figures the overview shows
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents?window=30d")
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    streets = until(lambda: _column(dash_duo, "street_code"), timeout=10)
    assert streets == {"南京东路街道"}, streets
    assert "admin" not in dash_duo.find_element("#shell-links").text.lower()
    assert "测试街镇城运中心" in dash_duo.find_element("#shell-user").text
    _viewport(dash_duo, 1920, 1080)
    dash_duo.driver.save_screenshot(str(_artifact("incidents-street-operator-1920x1080.png")))
    _viewport(dash_duo, 390, 844)
    assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    dash_duo.driver.save_screenshot(str(_artifact("incidents-street-operator-390x844.png")))


def _street_wall_ready(dash_duo) -> None:
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    dash_duo.wait_for_element("#wall-incidents .big-number", timeout=20)
    dash_duo.wait_for_element("#wall-map .leaflet-pane", timeout=20)


def test_a_revoked_display_token_stops_the_wall_with_a_sentence(dash_duo, live_copy):
    street, _district = street_and_district(live_copy)
    token, digest = new_token()
    engine = get_engine(live_copy)
    accounts.add_token(engine, "hall-test", token_hash=digest, area=street, created_by="t-admin")
    dash_duo.start_server(make_app(live_copy, REFRESH_SECONDS=REFRESH), user=None)
    _viewport(dash_duo, 1920, 1080)
    dash_duo.driver.get(f"{dash_duo.server_url}/wall?token={token}&kiosk=1")
    _street_wall_ready(dash_duo)
    assert "token" not in dash_duo.driver.current_url and "kiosk=1" in dash_duo.driver.current_url
    accounts.revoke_token(engine, "hall-test")
    dash_duo.wait_for_contains_text("#session-ended", "显示令牌已失效", timeout=10)
    dash_duo.driver.save_screenshot(str(_artifact("wall-token-revoked-1920x1080.png")))
    dash_duo.driver.refresh()  # a reload says the same, not a login form nobody at the wall can fill in
    dash_duo.wait_for_contains_text("#wall-refused", "显示令牌已失效", timeout=10)
