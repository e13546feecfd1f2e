"""One incident in a real browser: the reporter stays masked, a bad action says why and changes
nothing, a dispatch lands in the timeline, and a stale page is told to reload."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data.domain.limits import step_due
from data.domain.timeutil import local_day_start, now_ts
from data.domain.vocab import CATEGORIES
from data.store.db import get_engine
from data.store.models import Incident
from data.write import writes
from tests.conftest import make_app
from tests.integration.test_wall import _open, _shot

pytestmark = pytest.mark.browser
CANARY_NAME, CANARY_PHONE = "司马金丝雀", "13987654321"


def _canary(url: str) -> tuple[int, str]:
    engine = get_engine(url)
    with engine.connect() as conn:
        # any incident is a template (at 4 a.m. a live city may have none still waiting to be registered)
        row = dict(conn.execute(select(Incident.__table__).order_by(Incident.id).limit(1)).mappings().one())
    now = now_ts()
    reported_at = max(now - 60, local_day_start(now))  # today's, for lists that open on today
    row.update(
        external_id="CANARY-B",
        reporter_name=CANARY_NAME,
        reporter_phone=CANARY_PHONE,
        title="金丝雀路测试井盖缺失",
        reported_at=reported_at,
        status="reported",
        status_at=reported_at,
        due_at=step_due("reported", reported_at, row["priority"]),
        closed_at=None,
        assigned_unit=None,
        version=1,
    )
    (inc_id,) = writes.add_incidents(engine, [row])
    writes.apply_action(engine, inc_id, "register", actor="intake-clerk", expected_version=1)
    return inc_id, row["category"]


def first_unit(url: str, inc_id: int) -> str:
    """The unit dispatch offers first for this incident (the responsible one: data.read.responsibility)."""
    from data.read.responsibility import proposed_units

    engine = get_engine(url)
    with engine.connect() as conn:
        row = dict(conn.execute(select(Incident.__table__).where(Incident.id == inc_id)).mappings().one())
    return proposed_units(engine, row)[0][0]


def _choose(dash_duo, label: str) -> None:
    next(e for e in dash_duo.find_elements("#inc-action label") if e.text == label).click()


def test_dispatch_an_incident_and_see_it_in_the_timeline(dash_duo, live_copy):
    inc_id, category = _canary(live_copy)
    _open(dash_duo, make_app(live_copy), f"/incidents/{inc_id}")
    dash_duo.wait_for_contains_text(".incident-page h1", "金丝雀路测试井盖缺失", timeout=20)
    page = dash_duo.driver.page_source
    assert CANARY_NAME not in page and CANARY_PHONE not in page and "139****4321" in page  # masked on the server
    offered = {e.text for e in dash_duo.find_elements("#inc-action label")}
    assert offered == {"派遣", "直接结案", "合并", "挂账", "督办"}  # the moves a registered incident allows

    _choose(dash_duo, "派遣")
    dash_duo.find_element("#inc-submit").click()  # no unit chosen
    dash_duo.wait_for_contains_text("#inc-result", "请选择负责该类事件的处置单位", timeout=10)
    assert "立案" in dash_duo.find_element(".incident-page h1").text  # nothing changed

    unit = first_unit(live_copy, inc_id)
    assert unit in CATEGORIES[category]["units"]
    dash_duo.select_dcc_dropdown("#inc-unit", index=0)  # the responsible unit is offered first
    dash_duo.find_element("#inc-comment").send_keys("请尽快到场")
    dash_duo.find_element("#inc-submit").click()
    dash_duo.wait_for_contains_text("#inc-result", "已派遣", timeout=10)
    dash_duo.wait_for_contains_text(".timeline", f"派遣至{unit} · 测试值班长 · 请尽快到场", timeout=10)
    assert "派遣" in dash_duo.find_element(".incident-page h1").text
    assert unit in dash_duo.find_element(".facts").text
    _shot(dash_duo, "incident-dispatched", 1920, 1080)

    # another officer moves it meanwhile: this page's next action is refused, and nothing is written
    engine = get_engine(live_copy)
    with engine.connect() as conn:
        version = conn.execute(select(Incident.version).where(Incident.id == inc_id)).scalar_one()
    writes.apply_action(engine, inc_id, "start", actor="verifier", expected_version=version)
    _choose(dash_duo, "开始处置")
    dash_duo.find_element("#inc-submit").click()
    dash_duo.wait_for_contains_text("#inc-result", "已被他人处理，请刷新", timeout=10)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.version).where(Incident.id == inc_id)).scalar_one() == version + 1
    dash_duo.find_element("#inc-result a").click()  # reload: the other officer's step is what the page shows now
    dash_duo.wait_for_contains_text(".timeline", "处置 · 城运中心核查员", timeout=10)
    assert "处置" in dash_duo.find_element(".incident-page h1").text
    assert dash_duo.get_logs() == []
