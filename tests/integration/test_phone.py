"""Every desk page on a phone (390x844 and 360x740): one column, nothing wider than the screen, no text under
14 px, every link, button, field and tab at least 44 px tall, the navigation folded into a menu that opens,
closes and leads where it says; and on a 1920 desk the navigation is the inline bar it always was."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys
from sqlalchemy import func, select

from data.store.db import get_engine
from data.store.models import Incident, Project
from tests.conftest import make_app
from tests.integration.test_wall import _shot, _viewport
from tests.people import street_and_district

pytestmark = pytest.mark.browser

PHONES = ((390, 844), (360, 740))
MIN_TEXT, MIN_TARGET = 14, 44  # px

# What a phone must not show, measured in the page: how far it scrolls sideways; each visible text smaller than
# 14 px (its element's computed size, Plotly's SVG text included; not Plotly's off-screen measuring copy); each
# visible link, button, field, select, tab or summary under 44 px tall (a checkbox or radio counts by the label
# around it, which is what a finger taps; a widget's invisible focus keeper, such as dcc.Dropdown's, is no
# target); each row of panels that is not one column.
PHONE_PROBLEMS = """
const [minText, minTarget] = arguments;
const W = window.innerWidth, out = [];
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
const shown = e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return s.visibility === 'visible' && r.width > 0 && r.height > 0 && !e.closest('#js-plotly-tester');
};
const over = document.documentElement.scrollWidth - W;
if (over > 1) { out.push('scrolls sideways by ' + over + ' px'); }
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), seen = new Set();
while (walker.nextNode()) {
  const e = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
  if (!text || !e || seen.has(e) || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(e.tagName)) { continue; }
  seen.add(e);
  const size = parseFloat(getComputedStyle(e).fontSize);
  if (size < minText && shown(e)) { out.push(`text ${size}px ${name(e)} "${text.slice(0, 12)}"`); }
}
const targets = 'a[href], button, select, textarea, summary, [role="tab"], [role="button"], input:not([type="hidden"])';
for (const e of document.querySelectorAll(targets)) {
  const box = ['checkbox', 'radio'].includes(e.type) ? (e.closest('label') || e) : e;
  const s = getComputedStyle(e);  // not a widget's own invisible focus keeper (opacity 0, no pointer events)
  if (!shown(e) || s.pointerEvents === 'none' || s.opacity === '0') { continue; }
  const h = box.getBoundingClientRect().height;
  if (h < minTarget - 0.5) { out.push(`target ${Math.round(h)}px ${name(box)} "${(box.innerText || '').trim().slice(0, 12)}"`); }
}
for (const row of document.querySelectorAll('.desk-row, .incident-layout')) {
  const xs = [...row.children].filter(shown).map(c => Math.round(c.getBoundingClientRect().left));
  if (new Set(xs).size > 1) { out.push('not one column: ' + name(row)); }
}
return out;
"""
READY = {  # page -> what shows that its data is in
    "/": "#home-kpis .kpi-value",
    "/area/": "#area-incidents .big-number",
    "/indicators": ".ind-card",
    "/indicators/aqi": "#ind-chart .main-svg",
    "/projects": "#proj-gantt .main-svg",
    "/projects/": "#proj-spend .main-svg",
    "/warnings": ".warn-table, .warn-page .empty",
    "/incidents": ".incidents-grid .ag-row",
    "/incidents/": ".incident-side",
    "/evaluation": ".eval-table",
    "/evaluation/report": ".eval-report .eval-table",
    "/admin": "#admin-access",
    "/admin/imports": "#admin-imports-upload",
    "/tasks": ".task-card, .tasks-empty",
    "/handover": ".ho-kpis .kpi",
}
MENU_OPEN = "return document.getElementById('shell-menu-button').getAttribute('aria-expanded')"
SHOWN = "return arguments[0].getClientRects().length > 0"


def _open_incident(url: str) -> str:
    with get_engine(url).connect() as conn:
        return f"/incidents/{conn.execute(select(func.max(Incident.id)).where(Incident.status != 'closed')).scalar()}"


def _pages(url: str) -> list[str]:
    """Every desk page of the city: an area of each level, one indicator, project and open incident."""
    street, district = street_and_district(url)
    with get_engine(url).connect() as conn:
        project = conn.execute(select(func.min(Project.id))).scalar()
    areas = [f"/area/{code}" for code in ("310000", district, street, f"{street}001")]
    return ["/", *areas, "/indicators", "/indicators/aqi", "/projects", f"/projects/{project}", "/warnings"] + [
        "/incidents",
        _open_incident(url),
        "/evaluation",
        "/evaluation/report",
        "/tasks",
        "/handover",
        "/admin",
        "/admin/imports",
    ]


def _ready(path: str) -> str:
    return READY.get(path) or READY["/" + path.strip("/").split("/")[0] + "/"]


def _problems(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(PHONE_PROBLEMS, MIN_TEXT, MIN_TARGET)


def _on_phones(dash_duo, name: str) -> dict:
    """The page's problems at each phone size (the page as it is: no reload between sizes)."""
    found = {}
    for width, height in PHONES:
        _shot(dash_duo, f"phone-{name}", width, height)  # sized and settled (maps refitted), then saved
        found.update({f"{width}: {p}": True for p in _problems(dash_duo)})
    return found


def _menu(dash_duo):
    return dash_duo.find_element("#shell-menu-button")


def test_every_desk_page_fits_a_phone(dash_duo, live_city):
    """Each page at 390x844 and 360x740, the menu open on the last, and the login page before it all."""
    dash_duo.start_server(make_app(live_city), user=None)
    _viewport(dash_duo, *PHONES[0])
    dash_duo.driver.get(f"{dash_duo.server_url}/login")
    dash_duo.wait_for_element("#login-username")
    problems = {"/login": _on_phones(dash_duo, "login")}
    dash_duo.login_as("t-admin")
    for path in _pages(live_city):
        _viewport(dash_duo, *PHONES[0])
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element(_ready(path), timeout=30)
        problems[path] = _on_phones(dash_duo, path.strip("/").replace("/", "-") or "home")
        if path == "/incidents":  # the grid scrolls inside itself instead of squeezing every column
            assert dash_duo.find_element(".incidents-grid .ag-header-cell[col-id='title']").size["width"] >= 200
    _menu(dash_duo).click()  # the open menu: the links, the language, the user and the logout button
    until(lambda: dash_duo.driver.execute_script(MENU_OPEN) == "true", timeout=2)
    problems["menu"] = _on_phones(dash_duo, "menu")
    assert {path: sorted(found) for path, found in problems.items() if found} == {}
    assert dash_duo.get_logs() == []


def test_the_menu_opens_leads_and_closes_on_a_phone(dash_duo, live_city):
    """The menu is a real button: aria-expanded says what is shown, Enter and Escape work it, a link in it
    leads to its page and closes it, and the language switch and logout inside it still work."""
    _viewport(dash_duo, *PHONES[1])
    dash_duo.start_server(make_app(live_city), user="t-dispatcher")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}{_open_incident(live_city)}")  # its moves' form
    dash_duo.wait_for_element("#inc-action input[type='radio']", timeout=20)
    assert _on_phones(dash_duo, "incident-moves") == {}
    _viewport(dash_duo, *PHONES[1])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents")
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    driver, button, links = dash_duo.driver, _menu(dash_duo), dash_duo.find_element("#shell-links")
    assert button.tag_name == "button" and button.text == "菜单"
    assert driver.execute_script(MENU_OPEN) == "false" and not driver.execute_script(SHOWN, links)
    assert button.size["height"] >= MIN_TARGET and dash_duo.find_element(".shell-nav").size["height"] < 70
    assert dash_duo.find_element(".shell-brand").size["height"] < 40  # the name on one line beside the button

    button.send_keys(Keys.ENTER)  # by keyboard: opens, and Escape closes it with the focus back on the button
    until(lambda: driver.execute_script(MENU_OPEN) == "true", timeout=2)
    assert driver.execute_script(SHOWN, links)
    assert [a.text for a in links.find_elements("css selector", "a")][:2] == ["运行概览", "指挥大屏"]
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    until(lambda: driver.execute_script(MENU_OPEN) == "false", timeout=2)
    assert not driver.execute_script(SHOWN, links)
    assert driver.switch_to.active_element == button

    button.click()  # a link in it: its page, and the menu closed behind it
    until(lambda: driver.execute_script(SHOWN, links), timeout=2)
    warnings = next(a for a in links.find_elements("css selector", "a") if a.text == "预警管理")
    assert warnings.size["height"] >= MIN_TARGET
    warnings.click()
    dash_duo.wait_for_element(".warn-table, .warn-page .empty", timeout=20)
    assert driver.current_url.split("?")[0].endswith("/warnings")
    assert driver.execute_script(MENU_OPEN) == "false" and not driver.execute_script(SHOWN, links)
    assert "active" in dash_duo.find_element("#shell-links a[href^='/warnings']").get_attribute("class")

    button.click()  # a tap outside closes it
    until(lambda: driver.execute_script(SHOWN, links), timeout=2)
    dash_duo.find_element(".page h1").click()
    until(lambda: driver.execute_script(MENU_OPEN) == "false", timeout=2)

    button.click()  # the language switch inside it: the whole shell speaks English, the menu closed
    until(lambda: driver.execute_script(SHOWN, links), timeout=2)
    dash_duo.find_element("#shell-lang-link").click()
    dash_duo.wait_for_text_to_equal("#shell-menu-button", "Menu", timeout=10)
    assert driver.execute_script(MENU_OPEN) == "false"
    button.click()
    until(lambda: driver.execute_script(SHOWN, links), timeout=2)
    assert "Warnings" in links.text and "Test duty officer" in dash_duo.find_element("#shell-user").text
    assert _problems(dash_duo) == []  # the open menu in English fits as well
    _shot(dash_duo, "phone-menu-en", *PHONES[1])

    dash_duo.find_element("#shell-logout-button").click()  # and logout, from inside the menu
    until(lambda: "/login" in driver.current_url, timeout=10)
    dash_duo.wait_for_element("#login-username")
    assert dash_duo.get_logs() == []


def test_a_desk_keeps_the_inline_navigation_bar(dash_duo, live_city):
    """At 1920x1080 the links, the language, the user and logout stand in one bar; the menu button is hidden."""
    dash_duo.start_server(make_app(live_city), user="t-admin")
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents")
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    driver = dash_duo.driver
    assert not driver.execute_script(SHOWN, _menu(dash_duo))
    nav = dash_duo.find_element(".shell-nav")
    parts = [*dash_duo.find_elements("#shell-links a"), *(dash_duo.find_element(s) for s in ("#shell-lang-link",
             "#shell-user", "#shell-logout-button"))]  # fmt: skip
    assert len(parts) == 15 and all(p.is_displayed() for p in parts)
    middles = {round(p.location["y"] + p.size["height"] / 2) for p in parts}
    assert max(middles) - min(middles) <= 2 and nav.size["height"] < 60  # one row
    assert dash_duo.find_element("#shell-links a").size["height"] < 40  # desk sizes, not touch sizes
    _shot(dash_duo, "desk-nav", 1920, 1080)
    assert dash_duo.get_logs() == []
