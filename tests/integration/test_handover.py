"""A shift hands over in a real browser: a street officer opens /handover, writes a note; the city's duty
officer opens the same street's handover and confirms it; both names stand on the record; the street's wall
names its duty officer. Screenshots at 1920x1080 and 390 wide, and the printed record (PDF and print media)
in /tmp/shots/16h_*."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from dash.testing.wait import until

from components.handover_views import hours_span, shift_span
from data.domain.timeutil import now_ts
from data.read.handover_record import default_shift, parse_starts, shift_at
from tests.conftest import make_app
from tests.integration.test_phone import MIN_TARGET, MIN_TEXT, PHONE_PROBLEMS
from tests.integration.test_wall import _viewport
from tests.people import street_and_district

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
STARTS = parse_starts("08:00,20:00")
NOTE = "路口积水点已报区排水所，08:30 复查；3 件超期待跟进。"
FITS = "return [document.documentElement.scrollWidth, window.innerWidth]"
SHOWN = "return getComputedStyle(document.querySelector(arguments[0])).display"


def _shot(dash_duo, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    dash_duo.driver.save_screenshot(str(SHOTS / f"16h_{name}.png"))


def _a4_portrait(box: bytes) -> bool:
    x0, y0, x1, y1 = (float(v) for v in box.split())
    return abs(x1 - x0 - 595) < 2 and abs(y1 - y0 - 842) < 2


def _app(url: str):
    app = make_app(url)
    assert "handover_export" in app.server.blueprints  # app.py mounts /handover.xlsx
    return app


def test_a_shift_hands_over_with_both_names_and_the_wall_names_the_duty_officer(dash_duo, live_copy):
    street, _ = street_and_district(live_copy)
    shift = default_shift(now_ts(), STARTS)
    dash_duo.start_server(_app(live_copy), user="t-operator")  # the street's centre
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/handover")
    dash_duo.wait_for_contains_text(".ho-span", shift_span(shift.start, shift.end), timeout=15)
    dash_duo.wait_for_text_to_equal(".ho-handed", "交班：尚无交班记录")
    dash_duo.find_element("#ho-note").send_keys(NOTE)
    dash_duo.find_element("#ho-save").click()
    dash_duo.wait_for_text_to_equal("#ho-result", "交班记录已保存。")
    dash_duo.wait_for_text_to_equal(".ho-handed", "交班：测试街镇城运中心")
    assert dash_duo.find_element(".ho-note-body").text == NOTE and dash_duo.find_element("#ho-note").text == ""
    dash_duo.find_element("#ho-confirm").click()  # the outgoing officer cannot take over from themselves
    dash_duo.wait_for_contains_text("#ho-result", "不能自己确认接班")

    dash_duo.login_as("t-dispatcher")  # the city's duty officer takes the street over
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/handover?area={street}")
    dash_duo.wait_for_text_to_equal(".ho-handed", "交班：测试街镇城运中心", timeout=15)
    dash_duo.find_element("#ho-confirm").click()
    dash_duo.wait_for_text_to_equal("#ho-result", "已确认接班。")
    dash_duo.wait_for_contains_text(".ho-taken", "接班：测试值班长 ")
    record = dash_duo.find_element("#ho-record").text
    assert "交班：测试街镇城运中心" in record and "接班：测试值班长" in record
    assert dash_duo.driver.execute_script(SHOWN, "#ho-form") == "none"  # signed: no more notes
    assert dash_duo.driver.execute_script(FITS)[0] <= 1920
    _shot(dash_duo, "handover_1920x1080")

    # a phone, 390 wide: one column, nothing wider than the screen, text and targets a finger can use
    _viewport(dash_duo, 390, 844)
    until(lambda: dash_duo.driver.execute_script("return window.innerWidth") == 390, timeout=5)
    assert dash_duo.driver.execute_script(PHONE_PROBLEMS, MIN_TEXT, MIN_TARGET) == []
    _shot(dash_duo, "handover_390x844")

    # on paper: A4 portrait, no navigation or buttons, the header with the area, the shift and both names
    _viewport(dash_duo, 1920, 1080)
    pdf = dash_duo.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    paper = base64.b64decode(pdf["data"])
    (SHOTS / "16h_print.pdf").write_bytes(paper)
    sheets = re.findall(rb"/MediaBox\s*\[([^\]]+)\]", paper)
    assert sheets and all(_a4_portrait(s) for s in sheets), sheets  # every sheet A4 portrait, none blank landscape
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    _viewport(dash_duo, 794, 1123)  # A4 at 96 dpi
    for hidden in (".shell-nav", ".ho-toolbar", "#ho-form"):
        assert dash_duo.driver.execute_script(SHOWN, hidden) == "none", hidden
    assert dash_duo.driver.execute_script("return getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
    _shot(dash_duo, "handover_print")
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # the city's own handover, as its duty officer sees it: every list filled
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/handover")
    dash_duo.wait_for_element(".ho-table", timeout=20)
    assert len(dash_duo.find_elements(".ho-kpis .kpi")) == 7
    _shot(dash_duo, "handover_city_1920x1080")

    # the street's wall: the duty officer and the shift they took over
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?area={street}")
    took = shift_at(shift.end, STARTS)
    dash_duo.wait_for_text_to_equal("#wall-duty", f"值班：测试值班长 · {hours_span(took.start, took.end)}", timeout=20)
    header = dash_duo.driver.execute_script(
        "const h = document.querySelector('.wall-header'), d = document.getElementById('wall-duty');"
        "return [h.scrollWidth <= h.clientWidth + 1, d.scrollWidth <= d.clientWidth + 1]"
    )
    assert header == [True, True]  # nothing pushed out of the header, the line not cut
    _shot(dash_duo, "wall_1920x1080")
    assert dash_duo.get_logs() == []
