"""The shift handover's arithmetic and reads: which shift a moment falls in, which shifts may be asked for, and
what a shift saw from a small hand-made history (each figure worked out by hand below)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from data.domain.scope import Scope
from data.domain.timeutil import parse_local
from data.read import handover
from data.read.handover_record import (
    BadShift,
    Shift,
    check_shift,
    default_shift,
    parse_shift,
    parse_starts,
    shift_at,
)
from data.store.cache import bound
from data.store.db import bump_versions, get_engine, write_session
from data.store.models import Area, Incident, IncidentHistory, Indicator, Warning
from data.write import accounts, writes
from tests.unit.tiny_city import AREAS, square

STARTS = parse_starts("08:00,20:00")
S, E = parse_local("2026-11-19 20:00"), parse_local("2026-11-20 08:00")
NOW = parse_local("2026-11-20 09:30")
STREET, GRID, OTHER_GRID = "310106013", "310106013001", "310101002001"


def at(text: str) -> int:
    return parse_local(f"2026-{text}")


@pytest.mark.parametrize(
    "now, start, end",
    [
        ("11-20 09:00", "11-19 20:00", "11-20 08:00"),  # the night shift that just ended
        ("11-20 21:00", "11-20 08:00", "11-20 20:00"),  # the day shift that just ended
        ("11-20 07:59", "11-19 08:00", "11-19 20:00"),  # still in the night shift: yesterday's day shift
        ("11-20 08:00", "11-19 20:00", "11-20 08:00"),  # a shift ends at the start of the next
    ],
)
def test_the_default_shift_is_the_one_that_just_ended_in_shanghai_time(now, start, end):
    assert default_shift(at(now), STARTS) == Shift(at(start), at(end))


def test_configured_starts_make_the_shifts_and_a_malformed_setting_falls_back():
    three = parse_starts("07:00, 15:00,23:00")
    assert three == (420, 900, 1380)
    assert shift_at(at("11-20 02:00"), three) == Shift(at("11-19 23:00"), at("11-20 07:00"))
    assert default_shift(at("11-20 16:00"), three) == Shift(at("11-20 07:00"), at("11-20 15:00"))
    assert shift_at(at("11-20 12:00"), parse_starts("00:00")) == Shift(at("11-20 00:00"), at("11-21 00:00"))
    for bad in ("8:00,20", "25:00", "08:00;20:00", "", "８:00"):
        assert parse_starts(bad) == STARTS


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2026-11-20T09:00", "not_a_start"),
        ("2026-10-20T20:00", "too_old"),  # 30 days and more before now
        ("2026-11-20T20:00", "future"),  # the next shift
        ("2026-11-20 08:00", "format"),
        ("20:00", "format"),
        ("2026-11-20T08:00:00", "format"),
        ("x" * 400, "format"),
        (None, "format"),
    ],
)
def test_a_bad_or_old_shift_is_refused_with_its_reason(text, reason):
    with pytest.raises(BadShift) as err:
        parse_shift(text, at("11-20 09:30"), STARTS)
    assert err.value.reason == reason


def test_any_shift_start_of_the_last_30_days_up_to_the_current_one_is_accepted():
    now = at("11-20 09:30")
    assert parse_shift("2026-11-20T08:00", now, STARTS) == Shift(at("11-20 08:00"), at("11-20 20:00"))  # running
    assert parse_shift("2026-10-21T20:00", now, STARTS).end == at("10-22 08:00")
    assert check_shift(at("11-19 20:00"), now, STARTS).key == "2026-11-19T20:00"


# ---- a hand-made history --------------------------------------------------------------------------------


def _incident(i: int, grid: str, reported: int, status: str, **kw) -> dict:
    row = {"id": i, "source": "hotline", "origin": "cityops", "external_id": f"HO{i}", "kind": "event"}
    row |= {"category": "sanitation", "subcategory": "garbage", "title": f"事件{i}", "description": "d"}
    row |= {"district_code": grid[:6], "street_code": grid[:9], "grid_code": grid, "h3_cell": 0, "lon": 121.4}
    row |= {"lat": 31.2, "reported_at": reported, "status": status, "status_at": reported, "priority": 3}
    row |= {"due_at": None, "closed_at": None, "assigned_unit": None, "version": 1} | kw
    return row


# (incident, at, from, to, action, deadline of the step it starts, unit, actor)
HISTORY = [
    # 1: reported before the shift, closed after its end: the next shift inherited it (registered, due 11-21 12:00)
    (1, "11-19 18:00", None, "reported", "report", "11-20 12:00", None, "platform-hotline"),
    (1, "11-19 19:00", "reported", "registered", "register", "11-21 12:00", None, "duty-officer"),
    (1, "11-20 09:00", "registered", "closed", "close", None, None, "duty-officer"),
    # 2: reported and closed inside the shift
    (2, "11-19 21:00", None, "reported", "report", "11-19 23:00", None, "platform-hotline"),
    (2, "11-19 22:00", "reported", "closed", "self_handle", None, None, "duty-officer"),
    # 3: its registered step's deadline (23:00) passed inside the shift; dispatched at 01:00, due 11-20 20:00
    (3, "11-19 10:00", None, "reported", "report", "11-19 11:30", None, "platform-hotline"),
    (3, "11-19 11:00", "reported", "registered", "register", "11-19 23:00", None, "duty-officer"),
    (3, "11-20 01:00", "registered", "dispatched", "dispatch", "11-20 20:00", "区绿化市容局", "duty-officer"),
    # 4: closed before the shift, reopened inside it (due 05:00) and still open: overdue at 05:00 and at the end
    (4, "11-18 10:00", None, "reported", "report", "11-18 12:00", None, "platform-hotline"),
    (4, "11-19 12:00", "reported", "closed", "self_handle", None, None, "duty-officer"),
    (4, "11-20 03:00", "closed", "handling", "reopen", "11-20 05:00", "街镇环卫所", "duty-officer"),
    # 5: parked before the shift: open, no deadline
    (5, "11-17 10:00", None, "reported", "report", "11-17 12:00", None, "platform-hotline"),
    (5, "11-17 11:00", "reported", "registered", "register", "11-18 11:00", None, "duty-officer"),
    (5, "11-19 15:00", "registered", "registered", "park", None, None, "duty-officer"),
    # 6: dispatched before the shift; a leader's 督办 at 02:00 keeps its deadline
    (6, "11-19 07:00", None, "reported", "report", "11-19 08:00", None, "platform-hotline"),
    (6, "11-19 08:00", "reported", "dispatched", "dispatch", "11-21 08:00", "城管执法中队", "duty-officer"),
    (6, "11-20 02:00", "dispatched", "dispatched", "supervise", "11-21 08:00", "城管执法中队", "ho-leader"),
    # 7: another district's, reported in the shift and overdue in it: only the city's handover has it
    (7, "11-19 22:00", None, "reported", "report", "11-19 23:00", None, "platform-hotline"),
    # 8: registered exactly at its deadline (21:00): on time, not overdue
    (8, "11-19 20:30", None, "reported", "report", "11-19 21:00", None, "platform-hotline"),
    (8, "11-19 21:00", "reported", "registered", "register", "11-21 09:00", None, "duty-officer"),
]
NOW_STATE = {  # the incident rows as they stand at NOW (after the history above)
    1: ("closed", None, None), 2: ("closed", None, None), 3: ("dispatched", "11-20 20:00", "区绿化市容局"),
    4: ("handling", "11-20 05:00", "街镇环卫所"), 5: ("registered", None, None), 6: ("dispatched", "11-21 08:00", "城管执法中队"),
    7: ("reported", "11-19 23:00", None), 8: ("registered", "11-21 09:00", None),
}  # fmt: skip


def build(url: str, base: int = S) -> None:
    """Areas, people, incidents 1-8 with their history, three warnings and two vital signs' readings, the night
    shift starting at `base` (the times above are those of a shift starting at S)."""

    def at(text: str) -> int:
        return base + parse_local(f"2026-{text}") - S

    engine = get_engine(url)
    with write_session(engine) as s:
        s.execute(insert(Area), [
            {"code": c, "level": lv, "parent_code": p, "name_zh": f"区{c}", "name_en": f"A{c}", "approximate": False,
             "lon": 121.4, "lat": 31.2, "area_km2": 1.0, "h3_cell": None, "geometry": square(121.4, 31.2)}
            for c, lv, p in AREAS
        ])  # fmt: skip
        s.execute(insert(Indicator), [
            {"code": "aqi", "name_zh": "空气质量指数", "name_en": "Air quality index", "category": "environment",
             "unit": "AQI", "direction": "up", "bands": [100, 150, 200, 300], "interval_s": 600,
             "area_level": "district", "decimals": 0},
            {"code": "power_load", "name_zh": "电网负荷率", "name_en": "Grid load factor", "category": "utilities",
             "unit": "%", "direction": "up", "bands": [80, 85, 90, 95], "interval_s": 600, "area_level": "city",
             "decimals": 1},
        ])  # fmt: skip
        rows = []
        for i in sorted({h[0] for h in HISTORY}):
            first = next(h for h in HISTORY if h[0] == i)
            status, due, unit = NOW_STATE[i]
            grid = OTHER_GRID if i == 7 else GRID
            closed = max(at(h[1]) for h in HISTORY if h[0] == i and h[3] == "closed") if status == "closed" else None
            rows.append(
                _incident(i, grid, at(first[1]), status, due_at=due and at(due), assigned_unit=unit, closed_at=closed)
            )
        s.execute(insert(Incident), rows)
        s.execute(insert(IncidentHistory), [
            {"incident_id": i, "at": at(when), "from_status": a, "to_status": b, "action": act,
             "due_at": due and at(due), "unit": unit, "actor": who}
            for i, when, a, b, act, due, unit, who in HISTORY
        ])  # fmt: skip
        s.execute(insert(Warning), [
            {"level": 2, "area_code": STREET, "kind": "overdue", "subject": "x", "rule_id": "r", "value": 1.0,
             "cause_zh": "超期", "cause_en": "Overdue", "started_at": at("11-19 21:00"), "ended_at": at("11-20 01:00"),
             "acknowledged_at": at("11-19 21:30"), "acknowledged_by": "ho-operator", "colours_area": True},
            {"level": 3, "area_code": "310106", "kind": "indicator", "subject": "aqi", "rule_id": "r", "value": 1.0,
             "cause_zh": "区里", "cause_en": "District", "started_at": at("11-19 21:00"), "ended_at": None,
             "acknowledged_at": None, "acknowledged_by": None, "colours_area": True},
            {"level": 1, "area_code": STREET, "kind": "overdue", "subject": "y", "rule_id": "r", "value": 1.0,
             "cause_zh": "早前", "cause_en": "Earlier", "started_at": at("11-19 09:00"), "ended_at": at("11-19 12:00"),
             "acknowledged_at": None, "acknowledged_by": None, "colours_area": True},
        ])  # fmt: skip
        bump_versions(s, "areas", "incidents", "warnings", now=NOW)
    readings = []
    for k in range(79):  # every 10 minutes from 19:00 to 08:00
        ts = at("11-19 19:00") + 600 * k
        aqi = 120 if at("11-19 23:00") <= ts < at("11-19 23:40") else 80  # out of band for 40 minutes
        load = 90.0 if ts >= at("11-20 07:00") else 70.0  # out from 07:00 to the end: still out
        readings += [{"indicator_code": "aqi", "area_code": "310106", "ts": ts, "value": aqi}]
        readings += [{"indicator_code": "power_load", "area_code": "310000", "ts": ts, "value": load}]
    readings.append({"indicator_code": "aqi", "area_code": "310101", "ts": at("11-19 22:00"), "value": 300})
    writes.add_readings(engine, readings, now=NOW)
    for user, role, area in (("ho-operator", "operator", STREET), ("ho-leader", "leader", "310000")):
        accounts.add_user(engine, user, role=role, area=area, password_hash="x", name_zh=f"{user}中", name_en=user)


@pytest.fixture
def city(empty_db):
    build(empty_db)
    with bound(get_engine(empty_db)):
        yield empty_db


def test_what_the_streets_night_shift_saw_comes_from_history(city):
    rep = handover.shift_report(Scope(STREET), Shift(S, E), NOW)
    counts = {
        k: rep["counts"][k] for k in ("opened", "closed", "overdue", "inherited", "inherited_overdue", "supervised")
    }
    assert counts == {"opened": 2, "closed": 1, "overdue": 2, "inherited": 6, "inherited_overdue": 1, "supervised": 1}
    assert [r["incident_id"] for r in rep["opened"]] == [2, 8]  # newest first
    assert [(r["incident_id"], r["action"]) for r in rep["closed"]] == [(2, "self_handle")]
    overdue = [(r["incident_id"], r["to_status"], r["due_at"]) for r in rep["overdue"]]
    assert overdue == [(3, "registered", at("11-19 23:00")), (4, "handling", at("11-20 05:00"))]
    inherited = [(r["incident_id"], r["to_status"], r["unit"], r["due_at"]) for r in rep["inherited"]]
    assert inherited == [  # by deadline, the parked one last
        (4, "handling", "街镇环卫所", at("11-20 05:00")),
        (3, "dispatched", "区绿化市容局", at("11-20 20:00")),
        (6, "dispatched", "城管执法中队", at("11-21 08:00")),
        (8, "registered", None, at("11-21 09:00")),
        (1, "registered", None, at("11-21 12:00")),  # closed at 09:00, after the end: still inherited
        (5, "registered", None, None),
    ]
    assert rep["inherited"][4]["inc"]["status"] == "closed"  # what it is now, beside what it was
    assert [(r["incident_id"], r["actor"]) for r in rep["supervised"]] == [(6, "ho-leader")]


def test_the_city_sees_the_other_districts_incident_and_both_ways_to_find_closures_agree(city):
    rep = handover.shift_report(Scope("310000"), Shift(S, E), NOW)
    assert rep["counts"]["opened"] == 3 and rep["counts"]["overdue"] == 3 and rep["counts"]["inherited"] == 7
    # closures since the end found from the history since (recent end) or from the incidents (long ago)
    recent, later = handover.open_at(Scope("310000"), E, E + 3600), handover.open_at(Scope("310000"), E, E + 86400)
    assert sorted(r.incident_id for r in recent) == sorted(r.incident_id for r in later) == [1, 3, 4, 5, 6, 7, 8]


def test_warnings_raised_acknowledged_and_ended_in_the_shift_with_who(city):
    rep = handover.shift_report(Scope(STREET), Shift(S, E), NOW)
    assert rep["counts"]["raised"] == rep["counts"]["acknowledged"] == rep["counts"]["cleared"] == 1
    assert [(w["cause_en"], w["acknowledged_by"]) for w in rep["warnings"]] == [("Overdue", "ho-operator")]
    district = handover.shift_report(Scope("310106"), Shift(S, E), NOW)
    assert [w["cause_en"] for w in district["warnings"]] == ["Overdue", "District"]


def test_vital_signs_out_of_band_and_for_how_long_from_readings(city):
    rep = handover.shift_report(Scope(STREET), Shift(S, E), NOW)
    seen = {(v["code"], v["area_code"]): v for v in rep["vitals"]}
    assert set(seen) == {("aqi", "310106"), ("power_load", "310000")}  # the street reads its district's, the city's
    aqi = seen["aqi", "310106"]
    assert (aqi["out_s"], aqi["since"], aqi["still"], aqi["peak"], aqi["level"]) == (
        2400,
        at("11-19 23:00"),
        False,
        120,
        4,
    )
    load = seen["power_load", "310000"]
    assert (load["out_s"], load["still"], load["level"]) == (3600, True, 2)
    other = handover.vitals_out(Scope("310101"), S, E)  # its own district: 300 at 22:00 until the end
    assert [(v["code"], v["out_s"], v["level"]) for v in other if v["code"] == "aqi"] == [
        ("aqi", E - at("11-19 22:00"), 1)
    ]


def test_a_shift_under_way_counts_up_to_now(city):
    rep = handover.shift_report(Scope(STREET), Shift(E, E + 12 * 3600), NOW)
    assert rep["running"] and rep["until"] == NOW
    assert [r["incident_id"] for r in rep["closed"]] == [1]  # closed at 09:00
    assert rep["counts"]["inherited"] == 5 and rep["counts"]["opened"] == 0
