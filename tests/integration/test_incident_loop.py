"""A duty officer's whole loop in a real browser: find today's overdue incidents in a street with the
list's filters, open one, move it through every step to closure, and see the wall open in another tab
count it on its next refresh."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import WebDriverException
from sqlalchemy import func, select

from data.domain.timeutil import local_day_start, now_ts
from data.store.db import get_engine
from data.store.models import Area, Incident, IncidentAudit, IncidentHistory
from data.write import writes
from tests.conftest import make_app
from tests.integration.test_incident import _choose, first_unit
from tests.integration.test_wall import REFRESH, _shot, _viewport

pytestmark = pytest.mark.browser
TITLE = "测试街道窨井盖移位"
CATEGORY = "public_facility"


def _overdue_incident(url: str) -> tuple[int, dict, str]:
    """A priority-1 report from 35 minutes ago, never registered: its 30-minute step is overdue."""
    engine = get_engine(url)
    with engine.connect() as conn:
        row = dict(
            conn.execute(select(Incident.__table__).where(Incident.category == CATEGORY).limit(1)).mappings().one()
        )
        names = dict(
            conn.execute(
                select(Area.code, Area.name_zh).where(Area.code.in_([row["district_code"], row["street_code"]]))
            ).all()
        )
    row.update(
        external_id="LOOP-1",
        title=TITLE,
        priority=1,
        reported_at=now_ts() - 35 * 60,
        reporter_name="欧阳测试",
        reporter_phone="13700001111",
    )
    (inc_id,) = writes.add_incidents(engine, [row])
    window = "today" if row["reported_at"] >= local_day_start(now_ts()) else "24h"  # just after midnight
    return (
        inc_id,
        {"street": row["street_code"], "label": f"{names[row['district_code']]} · {names[row['street_code']]}"},
        window,
    )


def _funnel(dash_duo) -> list[int] | None:
    """The wall's loop funnel: open counts per status, then closed today (None while it is being replaced)."""
    try:
        nums = [int(e.text.replace(",", "")) for e in dash_duo.find_elements("#wall-incidents .funnel-step .num")]
        overdue = int(dash_duo.find_element("#wall-incidents .inc-stat.overdue .mid-number").text.replace(",", ""))
    except (WebDriverException, ValueError):
        return None
    return nums + [overdue] if len(nums) == 6 else None


def _search_pick(dash_duo, selector: str, typed: str, label: str) -> None:
    """Open a searchable dropdown, type part of a name, click the option (long lists render lazily)."""
    dash_duo.find_element(selector).click()
    dash_duo.wait_for_element(".dash-dropdown-search", timeout=5).send_keys(typed)
    until(lambda: any(o.text == label for o in dash_duo.find_elements(".dash-dropdown-option")), timeout=5)
    next(o for o in dash_duo.find_elements(".dash-dropdown-option") if o.text == label).click()
    dash_duo.wait_for_contains_text(selector, label, timeout=5)


def _deadline(dash_duo) -> tuple[str, str]:
    e = dash_duo.find_element("#inc-deadline")
    return e.text, e.get_attribute("class")


def _act(dash_duo, label: str, done: str, steps: int, unit: str | None = None, comment: str | None = None) -> None:
    _choose(dash_duo, label)
    # the unit picker is there for dispatch only (shown by a callback: wait for it on a busy machine)
    until(lambda: dash_duo.find_element("#inc-unit-wrap").is_displayed() == (unit is not None), timeout=5)
    if unit:
        dash_duo.select_dcc_dropdown("#inc-unit", index=0)  # the responsible unit is offered first
    if comment:
        dash_duo.find_element("#inc-comment").send_keys(comment)
    dash_duo.find_element("#inc-submit").click()
    dash_duo.wait_for_contains_text("#inc-result", done, timeout=10)
    until(lambda: len(dash_duo.find_elements(".timeline li")) == steps, timeout=10)


def test_find_an_overdue_incident_and_close_the_loop(dash_duo, live_copy):
    inc_id, street, window = _overdue_incident(live_copy)
    dash_duo.start_server(make_app(live_copy, REFRESH_SECONDS=REFRESH))
    _viewport(dash_duo, 1920, 1080)

    # the street's wall, open in its own tab
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?area={street['street']}")
    until(lambda: _funnel(dash_duo) is not None, timeout=20)
    before, t0 = _funnel(dash_duo), now_ts()
    wall_tab = dash_duo.driver.current_window_handle

    # the desk, in another tab: today's overdue incidents in that street
    dash_duo.driver.switch_to.new_window("tab")
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents" + ("?window=24h" if window == "24h" else ""))
    dash_duo.wait_for_element(".incidents-grid .ag-row", timeout=20)
    _search_pick(dash_duo, "#incs-area", street["label"].split(" · ")[1], street["label"])
    dash_duo.find_element("#incs-overdue input").click()
    dash_duo.find_element("#incs-apply").click()
    until(
        lambda: (
            f"area={street['street']}" in dash_duo.driver.current_url and "overdue=1" in dash_duo.driver.current_url
        ),
        timeout=10,
    )
    dash_duo.wait_for_contains_text(".incidents-grid", TITLE, timeout=15)
    next(a for a in dash_duo.find_elements(".incidents-grid a") if TITLE in a.text).click()

    # the incident: overdue, counting in the browser
    dash_duo.wait_for_contains_text(".incident-page h1", TITLE, timeout=15)
    assert "欧阳测试" not in dash_duo.driver.page_source and "13700001111" not in dash_duo.driver.page_source
    until(lambda: "overdue" in _deadline(dash_duo)[1], timeout=5)
    first = _deadline(dash_duo)[0]
    assert first.startswith("本环节已超期 00:0")
    until(lambda: _deadline(dash_duo)[0] != first, timeout=5)  # it ticks
    until(lambda: len(dash_duo.find_elements(".incident-map path")) > 3, timeout=10)  # its street, it, its repeats
    _shot(dash_duo, "incident-overdue", 1920, 1080)

    # every step of the loop, each recorded
    unit = first_unit(live_copy, inc_id)
    _act(dash_duo, "立案", "已立案", 2)
    until(lambda: "overdue" not in _deadline(dash_duo)[1], timeout=5)  # a new step, a new deadline
    assert _deadline(dash_duo)[0].startswith("本环节剩余 00:")
    _act(dash_duo, "派遣", "已派遣", 3, unit=unit, comment="请市政养护到场")
    _act(dash_duo, "开始处置", "已开始处置", 4)
    _act(dash_duo, "处置完毕", "已处置完毕", 5, comment="已复位并加固")
    _choose(dash_duo, "核查不通过")
    assert dash_duo.find_element("#inc-comment").get_attribute("placeholder") == "理由（必填）"
    dash_duo.find_element("#inc-submit").click()  # no reason given
    dash_duo.wait_for_contains_text("#inc-result", "请填写理由", timeout=10)
    _act(dash_duo, "核查不通过", "已核查不通过", 6, comment="井盖仍有松动")
    _act(dash_duo, "处置完毕", "已处置完毕", 7, comment="更换井盖")
    _act(dash_duo, "核查通过并结案", "已核查通过并结案", 8)
    dash_duo.wait_for_text_to_equal("#inc-deadline", "已结案", timeout=5)
    assert [e.text for e in dash_duo.find_elements("#inc-action label")] == ["重新处置"]
    timeline = dash_duo.find_element(".timeline").text
    for line in (
        "立案 · 测试值班长",
        f"派遣至{unit} · 测试值班长 · 请市政养护到场",  # to whom
        "核查不通过 · 测试值班长 · 井盖仍有松动",  # not a plain 处置
        "结案 · 测试值班长",
    ):
        assert line in timeline
    assert unit in dash_duo.find_element(".facts").text
    _shot(dash_duo, "incident-closed", 1920, 1080)

    engine = get_engine(live_copy)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.status).where(Incident.id == inc_id)).scalar_one() == "closed"
        assert conn.execute(select(func.count()).where(IncidentHistory.incident_id == inc_id)).scalar_one() == 8
        assert conn.execute(select(func.count()).where(IncidentAudit.incident_id == inc_id)).scalar_one() == 7
    assert dash_duo.get_logs() == []

    # back on the wall: the next refresh counts it (one fewer reported and overdue, one more closed today)
    dash_duo.driver.switch_to.window(wall_tab)
    expected = before[:6]
    expected[0] -= 1  # reported
    expected[5] += 1  # closed today
    until(lambda: (_funnel(dash_duo) or [])[:6] == expected, timeout=20)
    with engine.connect() as conn:  # others in the street may have passed their deadline meanwhile
        newly_due = conn.execute(
            select(func.count()).where(
                Incident.street_code == street["street"],
                Incident.status != "closed",
                Incident.due_at >= t0 - 5,
                Incident.due_at < now_ts(),
            )
        ).scalar_one()
    assert before[6] - 1 <= _funnel(dash_duo)[6] <= before[6] - 1 + newly_due  # ours is no longer overdue
    _shot(dash_duo, "incident-loop-wall", 1920, 1080)
    assert dash_duo.get_logs() == []
