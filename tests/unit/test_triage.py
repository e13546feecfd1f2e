"""The loop's full set of moves on the tiny city, through the write path: triage at intake, moves in
flight, their own conditions, what history records for evaluation, dispatch by responsibility and the
rules' automatic dispatch. Every refused move writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from components.incident_list import shape_rows
from data.domain.filters import IncidentFilters
from data.domain.scope import Scope
from data.read import incidentlist, incidents
from data.read.responsibility import proposed_units
from data.rules.dispatch import auto_dispatch
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import IncidentExtension
from data.write import accounts, responsibility, writes
from data.write.errors import BadInput, NotAllowed, NotFound
from tests.unit import tiny_city
from tests.unit.tiny_city import NOW, incident

H = 3600


@pytest.fixture
def tiny(empty_db, app_for):
    ids = tiny_city.build(empty_db)
    engine = get_engine(empty_db)
    responsibility.replace_table(engine, responsibility.read_file(responsibility.DEFAULT))
    for name, role, area, unit in (
        ("d-city", "dispatcher", "310000", None),
        ("d-street", "dispatcher", "310106013", None),
        ("u-green", "unit", "310000", "区绿化市容局"),
        ("boss", "leader", "310000", None),
    ):
        accounts.add_user(engine, name, role=role, area=area, unit=unit, password_hash=None, name_zh=name, name_en=name)
    app_for(empty_db)
    return engine, ids


def _inc(engine, inc_id) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(Incident.__table__).where(Incident.id == inc_id)).mappings().one())


def _last(engine, inc_id) -> dict:
    with engine.connect() as conn:
        q = select(IncidentHistory.__table__).where(IncidentHistory.incident_id == inc_id)
        return dict(conn.execute(q.order_by(IncidentHistory.id.desc()).limit(1)).mappings().one())


def act(engine, inc_id, action, actor="d-city", now=NOW, **kw):
    return writes.apply_action(
        engine, inc_id, action, actor=actor, expected_version=_inc(engine, inc_id)["version"], now=now, **kw
    )


def test_intake_triage_reject_merge_and_self_handle(tiny):
    engine, ids = tiny
    with pytest.raises(BadInput):  # 不予受理 needs its reason
        act(engine, ids["b"], "reject")
    after = act(engine, ids["b"], "reject", comment="重复工单")
    assert (after["status"], after["disposition"]) == ("closed", "invalid")
    assert _last(engine, ids["b"])["action"] == "reject"
    # a street dispatcher cannot merge into an incident outside the street, nor into a closed one
    for target in (ids["f"], ids["b"], ids["c"], None, "12"):
        with pytest.raises(BadInput) as refused:
            act(engine, ids["c"], "merge", actor="d-street", target_id=target if target != ids["c"] else ids["c"])
        assert refused.value.details["field"] == "target_id"
    assert _inc(engine, ids["c"])["status"] == "reported"
    act(engine, ids["c"], "merge", actor="d-street", target_id=ids["a"])
    c = _inc(engine, ids["c"])
    assert (c["status"], c["disposition"], c["merged_into"]) == ("closed", "merged", ids["a"])
    with pytest.raises(NotAllowed):  # reopening is for a 结案, not a merged duplicate
        act(engine, ids["c"], "reopen", comment="x")
    act(engine, ids["d"], "self_handle", comment="网格员现场清理完毕")
    assert _inc(engine, ids["d"])["disposition"] == "self"


def test_the_duplicates_of_an_incident_are_found_through_their_index_not_a_scan(tiny):
    """The incident page lists what was merged into it on every visit: a scan of every incident took 150 ms
    at 300k (bench.pages); the partial index of merged incidents answers in well under a millisecond."""
    from sqlalchemy import text

    from data.read.incident_loop import merged_into

    engine, _ids = tiny
    for scope in (Scope("310000"), Scope("310101")):
        sql = merged_into(scope, 7).compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as conn:
            plan = " | ".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "USING INDEX ix_incident_merged" in plan or "USING COVERING INDEX ix_incident_merged" in plan, plan


def test_a_unit_returns_asks_for_time_and_a_dispatcher_decides(tiny):
    engine, ids = tiny
    a = _inc(engine, ids["a"])  # handling by 区绿化市容局 since 04:00
    with pytest.raises(BadInput) as bad:  # an extension needs a later deadline
        act(engine, ids["a"], "request_extension", actor="u-green", comment="需协调物业", new_due=a["due_at"] - 60)
    assert bad.value.details["field"] == "new_due"
    act(engine, ids["a"], "request_extension", actor="u-green", comment="需协调物业", new_due=a["due_at"] + 2 * 86400)
    with pytest.raises(NotAllowed):  # one request at a time
        act(engine, ids["a"], "request_extension", actor="u-green", comment="again", new_due=a["due_at"] + 3 * 86400)
    with pytest.raises(NotAllowed):  # a unit does not approve its own request
        act(engine, ids["a"], "approve_extension", actor="u-green")
    act(engine, ids["a"], "approve_extension", now=NOW + 60)
    assert _inc(engine, ids["a"])["due_at"] == a["due_at"] + 2 * 86400
    with engine.connect() as conn:
        ext = conn.execute(select(IncidentExtension.approved, IncidentExtension.decided_by)).one()
    assert tuple(ext) == (1, "d-city")
    after = act(engine, ids["a"], "return", actor="u-green", comment="不属于本单位职责", now=NOW + 120)
    assert (after["status"], after["assigned_unit"]) == ("registered", None)
    row = _last(engine, ids["a"])
    assert (row["action"], row["unit"], row["late"]) == ("return", None, 0)
    with pytest.raises(NotFound):  # the unit no longer sees it
        act(engine, ids["a"], "start", actor="u-green")


def test_parked_incidents_leave_the_overdue_count_and_wait(tiny):
    engine, ids = tiny
    act(engine, ids["f"], "register", now=NOW - 60)  # f: overdue since 10:00 -> registered late
    assert _last(engine, ids["f"])["late"] == 1
    g = Scope("310000")
    before = incidents.loop_status(g, NOW + 7 * H)["overdue"]
    act(engine, ids["f"], "park", comment="雨季后统一整治")
    assert _inc(engine, ids["f"])["due_at"] is None
    # f's new step was overdue by 17:30; parked, it is not (a minute later: a fresh read, not the cached answer)
    assert incidents.loop_status(g, NOW + 7 * H + 60)["overdue"] == before - 1
    listed = incidentlist.page(
        g, IncidentFilters(window="all", flag="parked"), NOW + 3 * 86400, "reported_at", True, 0, 50
    )
    assert [r["id"] for r in listed["rows"]] == [ids["f"]]  # listed, and aged on the list (parked_at)
    rows = shape_rows(listed["rows"], {}, NOW + 3 * 86400, "zh")
    assert "挂账3天" in rows[0]["status_text"] and rows[0]["due"] == "—"
    for move in ("dispatch", "register"):
        with pytest.raises(NotAllowed):
            act(engine, ids["f"], move, unit="交警支队")
    act(engine, ids["f"], "unpark", now=NOW + H)
    f = _inc(engine, ids["f"])
    assert f["parked_at"] is None and f["due_at"] > NOW + H


def test_supervision_is_a_leaders_flag_and_stages_follow_their_limits(tiny):
    engine, ids = tiny
    with pytest.raises(NotAllowed):
        act(engine, ids["b"], "register", actor="boss")
    act(engine, ids["b"], "supervise", actor="boss")
    assert _inc(engine, ids["b"])["supervised_by"] == "boss"
    with pytest.raises(NotAllowed):
        act(engine, ids["b"], "supervise", actor="boss")
    rec = incident("310106013001", NOW, category="illegal_building", subcategory="illegal_structure")
    new = writes.add_incidents(engine, [rec], now=NOW)[0]
    for move, kw in (("register", {}), ("dispatch", {"unit": "城管执法中队"}), ("start", {})):
        act(engine, new, move, **kw)
    dues = [_inc(engine, new)["due_at"]]
    for _ in range(2):
        act(engine, new, "stage_done")
        dues.append(_inc(engine, new)["due_at"])
    assert _inc(engine, new)["stage"] == 2 and dues[0] < dues[1] < dues[2]  # 4 工作时, 7 工作日, 20 工作日
    with pytest.raises(NotAllowed):
        act(engine, new, "stage_done")


def test_dispatch_proposes_the_responsible_unit_first_and_the_rules_dispatch_sensor_reports(tiny):
    engine, ids = tiny
    huangpu = incident("310101002001", NOW, category="street_order", subcategory="vending")
    xuhui = incident("310106013001", NOW, category="street_order", subcategory="vending")
    assert proposed_units(engine, huangpu)[0][:2] == ("街镇城运中心", 0)  # a district's own arrangement
    assert proposed_units(engine, xuhui)[0][:2] == ("城管执法中队", 0)
    parking = incident(
        "310106013002", NOW - 300, "video", "traffic_order", subcategory="illegal_parking", external_id="P"
    )
    vending = incident("310106013002", NOW - 300, "video", "street_order", subcategory="vending", external_id="V")
    p_id, v_id = writes.add_incidents(engine, [parking, vending], now=NOW - 300)
    # 机动车乱停放 is flagged for automatic dispatch, 占道经营 is not; the tiny city's own iot drainage report (d,
    # 雨水口堵塞) and video traffic report (f, 机动车乱停放) carry auto codes too
    assert auto_dispatch(engine, NOW) == 3
    p = _inc(engine, p_id)
    assert (p["status"], p["assigned_unit"], p["auto_dispatch"]) == ("dispatched", "交警支队", 1)
    assert _last(engine, p_id)["actor"] == "system" and _inc(engine, v_id)["status"] == "reported"
    load = dict((u, n) for u, _, n in proposed_units(engine, dict(parking, district_code="310106")))
    assert load["交警支队"] == 1
