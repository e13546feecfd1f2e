"""The phone view of the wall (/m) in a real headless Chromium at 390x844 and 360x740: the worst colour and
the warnings first, then today's incidents, the vital signs out of band, the projects behind and the desk
links; nothing wider than the screen, no text under 14 px, every target 44 px tall; links that land on the
desk page of the same scope; a sentence for a bad area; a new red warning on the next refresh; a stale
notice when the data stops; and the wall's link to it on a phone, never on the wall itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dash.testing.wait import until
from sqlalchemy import insert, select

from data.domain.timeutil import now_ts
from data.store.db import bump_versions, dispose_engine, get_engine, write_session
from data.store.models import Warning
from tests.conftest import ARTIFACTS, make_app
from tests.integration.test_phone import MIN_TARGET, MIN_TEXT, PHONE_PROBLEMS, PHONES
from tests.integration.test_wall import _viewport
from tests.people import street_and_district

pytestmark = pytest.mark.browser

REFRESH = 1  # s between refreshes under test: the stale notice speaks after three of them without data
SECTIONS = ["#m-status .m-worst", "#m-status .m-counts", "#m-incidents", "#m-vitals", "#m-projects", "#m-links"]
ORDER = "return arguments[0].map(s => document.querySelector(s).getBoundingClientRect().top)"
SHOWN = "return arguments[0].getClientRects().length > 0"
FRAME = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));"
# what a person reads first: the worst colour's block, whole, on the first screen
FIRST_SCREEN = "const r = document.querySelector('#m-status .m-worst').getBoundingClientRect(); return r.bottom"


def _ready(dash_duo) -> None:
    dash_duo.wait_for_element("#m-status .m-worst", timeout=30)
    dash_duo.wait_for_element("#m-incidents .m-big", timeout=30)
    dash_duo.wait_for_contains_text("#m-updated", "更新于" if _lang(dash_duo) == "zh" else "Updated", timeout=10)


def _name(url: str, code: str, lang: str) -> str:
    """An area's name as the page writes it (whitespace folded, as Selenium reads text)."""
    from data.domain.names import name
    from data.store.models import Area

    with get_engine(url).connect() as conn:
        row = conn.execute(select(Area.name_zh, Area.name_en).where(Area.code == code)).one()
    return " ".join(name(tuple(row), lang).split())


def _open_warning(url: str, level: int, area: str, cause_zh: str, cause_en: str) -> None:
    """A warning opens now (written as the rules engine writes it)."""
    with write_session(get_engine(url)) as s:
        s.execute(
            insert(Warning).values(
                level=level,
                area_code=area,
                kind="indicator",
                subject="rain_1h",
                rule_id="indicator-bands",
                value=77.0,
                cause_zh=cause_zh,
                cause_en=cause_en,
                started_at=now_ts(),
            )
        )
        bump_versions(s, "warnings")


def _lang(dash_duo) -> str:
    return "en" if "lang=en" in dash_duo.driver.current_url else "zh"


def _problems(dash_duo, width: int, height: int, name: str) -> list[str]:
    """What is wrong with the page at this size (tests/integration/test_phone.py's measure); a screenshot."""
    _viewport(dash_duo, width, height)
    dash_duo.driver.execute_async_script(FRAME)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / f"mobile-{name}-{width}x{height}.png"))
    return [f"{width}: {p}" for p in dash_duo.driver.execute_script(PHONE_PROBLEMS, MIN_TEXT, MIN_TARGET)]


def _full_shot(dash_duo, name: str) -> Path:
    """The whole page at 390 px wide, as tall as its content, saved; the phone's size again after."""
    _viewport(dash_duo, *PHONES[0])
    dash_duo.driver.execute_async_script(FRAME)
    height = dash_duo.driver.execute_script("return document.documentElement.scrollHeight")
    _viewport(dash_duo, PHONES[0][0], max(PHONES[0][1], height))
    dash_duo.driver.execute_async_script(FRAME)
    path = ARTIFACTS / f"mobile-{name}-390-full.png"
    dash_duo.driver.save_screenshot(str(path))
    _viewport(dash_duo, *PHONES[0])
    return path


@pytest.mark.parametrize("user", ["t-dispatcher", "t-operator"])
def test_the_phone_view_reads_top_down_and_fits_every_phone(dash_duo, live_city, user):
    """The city's duty officer and a street's centre, in Chinese and in English: the sections in their order,
    the worst colour on the first screen, and no problem at 390x844, 360x740 or on a 768 px tablet."""
    dash_duo.start_server(make_app(live_city), user=user)
    street, _district = street_and_district(live_city)
    problems = {}
    for lang in ("zh", "en"):
        _viewport(dash_duo, *PHONES[0])
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m" + ("?lang=en" if lang == "en" else ""))
        _ready(dash_duo)
        tops = dash_duo.driver.execute_script(ORDER, SECTIONS)
        assert tops == sorted(tops) and len(set(tops)) == len(tops), tops
        assert dash_duo.driver.execute_script(FIRST_SCREEN) <= PHONES[0][1]
        own = "310000" if user == "t-dispatcher" else street
        assert dash_duo.find_element("#m-root .m-scope").text == _name(live_city, own, lang)
        first = dash_duo.find_elements("#m-status .m-warn")
        if first:  # red first: no row is more severe than the one above it
            levels = [int(w.get_attribute("class").split("lvl-")[1][0]) for w in first]
            assert levels == sorted(levels), levels
        name = f"{'city' if user == 't-dispatcher' else 'street'}-{lang}"
        for size in (*PHONES, (768, 1024)):
            problems.update({p: True for p in _problems(dash_duo, *size, name)})
        _full_shot(dash_duo, name)
    assert sorted(problems) == []
    assert dash_duo.get_logs() == []


def test_the_links_land_on_the_desk_page_of_the_same_scope(dash_duo, live_copy):
    street, district = street_and_district(live_copy)
    _open_warning(live_copy, 3, street, "积水点 2 处", "2 waterlogging points")
    dash_duo.start_server(make_app(live_copy), user="t-dispatcher")
    _viewport(dash_duo, *PHONES[1])
    expected = {  # link -> (where it lands, what shows the page is in)
        0: (f"/area/{street}", "#area-incidents .big-number"),
        1: (f"/incidents?area={street}", ".incidents-grid"),
        2: (f"/incidents?window=all&area={street}&overdue=1", ".incidents-grid"),
        3: (f"/warnings?area={street}", ".warn-table, .warn-page .empty"),
        4: ("/indicators", ".ind-card"),
        5: (f"/projects?district={district}", ".proj-page"),
    }
    for i, (target, ready) in expected.items():
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m?area={street}")
        _ready(dash_duo)
        link = dash_duo.find_elements("#m-links a.m-link")[i]
        assert link.size["height"] >= MIN_TARGET
        link.click()
        until(lambda: dash_duo.driver.current_url == f"{dash_duo.server_url}{target}", timeout=10)
        dash_duo.wait_for_element(ready, timeout=30)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m?area={street}&lang=en")  # a warning row: its area's page
    _ready(dash_duo)
    row = dash_duo.find_element("#m-status a.m-warn")
    assert "2 waterlogging points" in row.text and row.size["height"] >= MIN_TARGET
    row.click()
    until(lambda: dash_duo.driver.current_url == f"{dash_duo.server_url}/area/{street}?lang=en", timeout=10)
    dash_duo.wait_for_element("#area-incidents .big-number", timeout=30)
    assert dash_duo.get_logs() == []


def test_an_area_outside_the_users_own_gets_a_sentence_and_their_area(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-operator")  # one street's centre
    _viewport(dash_duo, *PHONES[0])
    for query, sentence in (("?area=310115", "超出您的查看范围"), ("?area=abc&lang=en", "outside what you may see")):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m{query}")
        dash_duo.wait_for_contains_text("#m-root .m-notice", sentence, timeout=10)
        _ready(dash_duo)
        street, _district = street_and_district(live_city)
        assert dash_duo.find_element("#m-root .m-scope").text == _name(live_city, street, _lang(dash_duo))
    assert dash_duo.get_logs() == []


def test_a_new_red_warning_shows_on_the_next_refresh_and_stale_data_says_so(dash_duo, live_copy):
    dash_duo.start_server(make_app(live_copy, REFRESH_SECONDS=REFRESH), user="t-dispatcher")
    _viewport(dash_duo, *PHONES[0])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m")
    _ready(dash_duo)
    # let the first refreshes pass: the first answer may come from the screen's own snapshot, the next ones
    # from the tick worker's pass, and a section may legitimately be redrawn once in between
    dash_duo.driver.execute_script(f"return new Promise(r => setTimeout(r, {3000 * REFRESH}))")
    big = dash_duo.find_element("#m-incidents .m-big")
    _open_warning(live_copy, 1, "310151", "小时雨量 77 mm", "Hourly rainfall 77 mm")  # a new red one in 崇明区
    dash_duo.wait_for_contains_text("#m-status .m-warn", "崇明区 小时雨量 77 mm", timeout=15)  # the first row
    assert "lvl-1" in dash_duo.find_element("#m-status .m-worst").get_attribute("class")
    assert dash_duo.driver.execute_script("return arguments[0].isConnected", big)  # the unchanged section stays
    assert "off" in dash_duo.find_element("#m-stale").get_attribute("class")

    path = Path(live_copy.removeprefix("sqlite:///"))
    aside = path.with_suffix(".away")
    os.rename(path, aside)
    path.mkdir()  # the database file is now a directory: every new connection fails
    dispose_engine(live_copy)
    try:
        dash_duo.wait_for_contains_text("#m-stale", "数据未按时更新，显示的是", timeout=15)
        assert dash_duo.driver.execute_script(SHOWN, dash_duo.find_element("#m-stale"))
        assert "崇明区" in dash_duo.find_element("#m-status").text  # the last good data stays
    finally:
        path.rmdir()
        os.rename(aside, path)
    dash_duo.wait_for_class_to_equal("#m-stale", "m-stale off", timeout=15)
    assert dash_duo.get_logs() == []


def test_the_wall_links_a_phone_to_its_phone_view_and_never_shows_it_on_a_wall(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-dispatcher")
    _viewport(dash_duo, *PHONES[0])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?area=310101&lang=en")
    link = dash_duo.wait_for_element(".wall-phone-link", timeout=20)
    assert dash_duo.driver.execute_script(SHOWN, link) and link.text == "Phone view →"
    assert link.size["height"] >= MIN_TARGET and float(link.value_of_css_property("font-size")[:-2]) >= MIN_TEXT
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / "mobile-wall-link-390x844.png"))
    link.click()
    until(lambda: dash_duo.driver.current_url == f"{dash_duo.server_url}/m?area=310101&lang=en", timeout=10)
    _ready(dash_duo)
    assert dash_duo.find_element("#m-root .m-scope").text == _name(live_city, "310101", "en")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?kiosk=1")  # a wall nobody touches: no link at all
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    assert dash_duo.find_elements(".wall-phone-link") == []
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    link = dash_duo.find_element(".wall-phone-link")
    assert link.get_attribute("href").endswith("/m") and not dash_duo.driver.execute_script(SHOWN, link)
    assert dash_duo.get_logs() == []
