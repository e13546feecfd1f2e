"""考核评价 against a hand-computed oracle: a dozen incidents written row by row, every rate worked out
by hand below; and against an independent pure-Python count over a seeded city's history."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import insert, select

from data.domain.scope import Scope
from data.domain.timeutil import parse_local
from data.read import evaluation as ev
from data.store.cache import bound
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory
from tests.unit.tiny_city import incident

S1, S2, OTHER = "310106013", "310106019", "310101002"  # two streets of 静安区, one of 黄浦区 (outside)
U1, U2 = "街镇环卫所", "城管执法中队"
OCT = ev.month_period("2026-10")
NOW = parse_local("2026-12-01 10:00")  # October is over: its figures are final
W = ev.parse_weights("30,20,20,20,10")


def t(text: str) -> int:
    return parse_local(f"2026-{text}")


# (id, street, [(action, from, to, when, unit, late, due)]): every row an incident's story has
STORIES = [
    (1, S1, [("register", "reported", "registered", "10-05 09:10", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-05 09:20", U1, 0, "10-05 13:20"),
             ("start", "dispatched", "handling", "10-05 10:00", U1, 0, "10-06 10:00"),
             ("handled", "handling", "verifying", "10-05 12:00", U1, 0, "10-06 12:00"),
             ("verify_pass", "verifying", "closed", "10-05 14:00", U1, 0, None)]),
    (2, S1, [("register", "reported", "registered", "10-06 11:00", None, 1, None),  # registered late
             ("dispatch", "registered", "dispatched", "10-06 11:10", U1, 0, "10-06 15:10"),
             ("start", "dispatched", "handling", "10-06 11:30", U1, 0, "10-07 11:30"),
             ("handled", "handling", "verifying", "10-09 09:00", U1, 1, "10-09 17:00"),  # handled late
             ("verify_fail", "verifying", "handling", "10-09 10:00", U1, 0, "10-10 10:00"),  # 返工
             ("handled", "handling", "verifying", "10-09 12:00", U1, 0, "10-09 17:00"),
             ("verify_pass", "verifying", "closed", "10-10 09:00", U1, 1, None)]),  # closed late
    (3, S1, [("register", "reported", "registered", "10-07 09:05", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-07 09:10", U1, 0, "10-07 13:10"),  # wrong unit
             ("return", "dispatched", "registered", "10-07 09:30", None, 0, None),  # 回退
             ("dispatch", "registered", "dispatched", "10-07 09:40", U2, 0, "10-07 13:40"),
             ("start", "dispatched", "handling", "10-07 10:00", U2, 0, "10-08 10:00"),
             ("handled", "handling", "verifying", "10-07 11:00", U2, 0, "10-07 17:00"),
             ("verify_pass", "verifying", "closed", "10-07 12:00", U2, 0, None)]),
    (4, S1, [("self_handle", "reported", "closed", "10-08 09:05", None, 0, None)]),  # 自行处置
    (5, S1, [("register", "reported", "registered", "10-10 09:05", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-10 09:10", U2, 0, "10-10 13:10"),
             ("start", "dispatched", "handling", "10-10 10:00", U2, 0, "10-13 10:00")]),  # overdue, never handled
    (6, S2, [("register", "reported", "registered", "10-12 09:10", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-12 09:20", U1, 0, "10-12 13:20"),
             ("start", "dispatched", "handling", "10-12 10:00", U1, 0, "10-15 10:00"),
             ("request_extension", "handling", "handling", "10-14 09:00", U1, 0, "10-15 10:00"),
             ("approve_extension", "handling", "handling", "10-14 10:00", U1, 0, "10-20 10:00"),  # 延期
             ("handled", "handling", "verifying", "10-18 09:00", U1, 0, "10-18 17:00"),
             ("verify_pass", "verifying", "closed", "10-18 12:00", U1, 0, None)]),
    (7, S2, [("register", "reported", "registered", "10-15 09:10", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-15 09:20", U2, 0, "10-15 13:20"),
             ("start", "dispatched", "handling", "10-15 10:00", U2, 0, "10-16 10:00"),
             ("park", "handling", "handling", "10-16 09:00", U2, 0, None)]),  # 挂账: out of the overdue count
    (8, S2, [("register", "reported", "registered", "10-20 09:10", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-20 09:20", U2, 0, "10-20 13:20"),
             ("start", "dispatched", "handling", "10-20 10:00", U2, 0, "10-21 10:00"),
             ("handled", "handling", "verifying", "10-20 12:00", U2, 0, "10-20 17:00"),
             ("verify_pass", "verifying", "closed", "10-20 13:00", U2, 0, None),
             ("reopen", "closed", "handling", "10-22 09:00", U2, 0, "10-25 09:00"),  # 返工 too
             ("handled", "handling", "verifying", "10-23 09:00", U2, 0, "10-23 17:00"),
             ("verify_pass", "verifying", "closed", "10-23 10:00", U2, 0, None)]),
    (9, S2, [("register", "reported", "registered", "10-25 09:10", None, 0, None),
             ("dispatch", "registered", "dispatched", "10-25 09:20", U1, 0, "10-25 13:20"),
             ("close", "dispatched", "closed", "10-26 09:00", U1, 1, None)]),  # closed by the desk, late
    (10, S1, [("register", "reported", "registered", "09-28 09:10", None, 0, None),  # September...
              ("dispatch", "registered", "dispatched", "09-28 09:20", U1, 0, "09-28 13:20"),
              ("start", "dispatched", "handling", "09-28 10:00", U1, 0, "09-30 10:00"),  # overdue at 10-01
              ("handled", "handling", "verifying", "10-02 09:00", U1, 1, "10-02 17:00"),  # ...handled in October
              ("verify_pass", "verifying", "closed", "10-02 10:00", U1, 0, None)]),
    (11, OTHER, [("register", "reported", "registered", "10-05 09:10", None, 0, None)]),  # outside the district
    (12, S2, [("register", "reported", "registered", "10-28 09:10", None, 0, None),
              ("dispatch", "registered", "dispatched", "10-28 09:20", U1, 0, "10-28 13:20"),
              ("start", "dispatched", "handling", "10-28 10:00", U1, 0, "10-29 10:00"),  # overdue at 11-01
              ("handled", "handling", "verifying", "11-02 09:00", U1, 1, "11-02 17:00")]),  # after the period
    (13, S2, [("register", "reported", "registered", "10-31 20:10", None, 0, None),
              ("dispatch", "registered", "dispatched", "10-31 20:20", U2, 0, "11-02 10:00")]),  # not yet due
]  # fmt: skip
REPORTED = {1: "10-05 09:00", 2: "10-06 09:00", 3: "10-07 09:00", 4: "10-08 09:00", 5: "10-10 09:00"}
REPORTED |= {6: "10-12 09:00", 7: "10-15 09:00", 8: "10-20 09:00", 9: "10-25 09:00", 10: "09-28 09:00"}
REPORTED |= {11: "10-05 09:00", 12: "10-28 09:00", 13: "10-31 20:00"}


def _write_stories(engine):
    with engine.begin() as conn:
        for iid, street, story in STORIES:
            at = t(REPORTED[iid])
            conn.execute(insert(Incident), [incident(street + "001", at, id=iid, external_id=f"E{iid}")])
            rows = [
                dict(action="report", from_status=None, to_status="reported", at=at, unit=None, late=0, due_at=None)
            ]
            for action, a, b, when, unit, late, due in story:
                rows.append(
                    dict(
                        action=action,
                        from_status=a,
                        to_status=b,
                        at=t(when),
                        unit=unit,
                        late=late,
                        due_at=due and t(due),
                    )
                )
            conn.execute(insert(IncidentHistory), [{**r, "incident_id": iid, "actor": "test"} for r in rows])
    return engine


@pytest.fixture
def oracle_db(empty_db):
    return _write_stories(get_engine(empty_db))


def _figures(engine):
    with bound(engine):
        return ev.evaluate(Scope("310106"), OCT, W, NOW, [S1, S2])


def test_every_rate_of_the_hand_made_district_matches_the_hand_count(oracle_db):
    got = _figures(oracle_db)
    s1, s2 = got["areas"]
    total = got["total"]
    # reports in October: 1-5 in S1, 6-9, 12, 13 in S2 (10 was reported in September, 11 is in 黄浦区)
    assert (s1["counts"]["reports"], s2["counts"]["reports"], total["counts"]["reports"]) == (5, 6, 11)
    # 立案率 = 立案 / (上报 - 自行处置): S1 4 / (5 - 1), S2 6 / 6; 按时立案率: #2 registered late, 3/4
    assert (s1["rates"]["register_rate"], s2["rates"]["register_rate"]) == (1.0, 1.0)
    assert (s1["rates"]["register_ontime_rate"], total["rates"]["register_ontime_rate"]) == (0.75, 0.9)
    # 准确派遣率: S1 dispatched 5 times (#1, #2, #3 twice, #5), #3's first was sent back -> 4/5
    assert (s1["rates"]["dispatch_accuracy"], s2["rates"]["dispatch_accuracy"]) == (0.8, 1.0)
    assert total["rates"]["dispatch_accuracy"] == 10 / 11
    # 处置: S1 handled #1, #2 twice (late, then on time), #3, #10 (late) = 5, on time 3; overdue pending #5
    # -> 应处置 6. S2 handled #6, #8 twice = 3, all on time; overdue #12 (#7 parked, #13 not yet due) -> 4
    assert s1["counts"]["due_handle"] == 6 and s2["counts"]["due_handle"] == 4
    assert (s1["rates"]["handle_rate"], s1["rates"]["handle_ontime_rate"], s1["rates"]["overdue_rate"]) == (
        5 / 6,
        0.5,
        1 / 6,
    )
    assert (s2["rates"]["handle_rate"], s2["rates"]["handle_ontime_rate"], s2["rates"]["overdue_rate"]) == (
        0.75,
        0.75,
        0.25,
    )
    # 应结案 = 核查通过 + 核查不通过 + 结案: S1 #1, #2 twice, #3, #10 = 5; S2 #6, #8 twice, #9 (close) = 4
    # 返工 = 核查不通过 + 重新打开: S1 #2's fail, S2 #8's reopen; 延期: #6 in S2
    assert (s1["rates"]["rework_rate"], s2["rates"]["rework_rate"], total["rates"]["rework_rate"]) == (0.2, 0.25, 2 / 9)
    assert (s1["rates"]["extension_rate"], s2["rates"]["extension_rate"], total["rates"]["extension_rate"]) == (
        0.0,
        0.25,
        0.1,
    )
    # 结案 = 核查通过 + 结案: S1 4 of 5, late #2 -> 3 on time; S2 4 of 4, #9 closed late -> 3 on time
    assert (s1["rates"]["close_rate"], s1["rates"]["close_ontime_rate"]) == (0.8, 0.6)
    assert (s2["rates"]["close_rate"], s2["rates"]["close_ontime_rate"]) == (1.0, 0.75)
    # 综合指标值: S1 30·5/6 + 20·0.5 + 20·0.8 + 20·5/6 + 10·1 = 77.67; S2 every part 0.75 -> 75
    assert (s1["composite"], s2["composite"], total["composite"]) == (77.67, 75.0, 76.56)
    assert (s1["rank"], s2["rank"]) == (1, 2)
    # September: S1 had #10 dispatched and overdue at its end, nothing handled: 处置率 0, 按期 0, 超期 1,
    # 延期 0 and no 应结案 (返工率 "—", its weight left out): 10 / 80 -> 12.5; S2 had nothing
    assert (s1["prev_composite"], s1["change"], s1["prev_rank"]) == (12.5, 65.17, 1)
    assert (s2["prev_composite"], s2["change"]) == (None, None)


@pytest.mark.postgres
def test_postgresql_gives_the_same_figures(postgres_db):
    from data.store.schema import upgrade

    engine = get_engine(postgres_db)
    upgrade(engine)
    got = _figures(_write_stories(engine))
    assert [r["composite"] for r in got["areas"]] == [77.67, 75.0]
    assert [u["composite"] for u in got["units"]] == [75.83, 76.67]  # 城管执法中队, 街镇环卫所 by name
    assert got["areas"][1]["stages"]["handling"] == (514800 + 7200 + 86400) // 3
    assert ev.incidents_behind(engine, Scope("310106"), OCT, "dispatch_returned") == [3]


def test_units_are_judged_by_the_unit_of_each_row(oracle_db):
    units = {u["key"]: u for u in _figures(oracle_db)["units"]}
    assert set(units) == {U1, U2}  # reports, registrations and the return carry no unit
    u1, u2 = units[U1], units[U2]
    # U1: dispatched #1, #2, #3 (returned), #6, #9, #12 -> 5/6 accurate; handled #1, #2 x2, #6, #10 (3 on
    # time) + overdue #12 -> 应处置 6; 应结案 #1, #2 x2, #6, #9, #10 = 6 with one 返工; 延期 #6
    assert u1["rates"]["dispatch_accuracy"] == 5 / 6 and u1["rates"]["register_rate"] is None
    assert (u1["rates"]["handle_rate"], u1["rates"]["handle_ontime_rate"], u1["rates"]["rework_rate"]) == (
        5 / 6,
        0.5,
        1 / 6,
    )
    assert (u1["rates"]["extension_rate"], u1["rates"]["close_rate"], u1["rates"]["close_ontime_rate"]) == (
        1 / 6,
        5 / 6,
        0.5,
    )
    # U2: #3, #5, #7, #8, #13 dispatched, none returned; handled #3, #8 x2 + overdue #5 -> 4; reopen of #8
    assert (u2["rates"]["dispatch_accuracy"], u2["rates"]["handle_rate"], u2["rates"]["rework_rate"]) == (
        1.0,
        0.75,
        1 / 3,
    )
    assert (u1["composite"], u2["composite"], u1["rank"], u2["rank"]) == (76.67, 75.83, 1, 2)
    assert (u1["prev_composite"], u1["change"]) == (12.5, 64.17)


def test_average_time_per_stage_counts_from_the_status_change_that_began_it(oracle_db):
    s2 = _figures(oracle_db)["areas"][1]
    # leaving 已派遣 in S2: #6, #7, #8, #12 started 40 min after dispatch, #9 closed 23 h 40 min after it
    assert s2["stages"]["dispatched"] == (4 * 2400 + 85200) // 5
    # leaving 处置中: #6 after 5 d 23 h (its extension rows change no status), #8 after 2 h and, reopened,
    # after 24 h; #7's parking is no change of status
    assert s2["stages"]["handling"] == (514800 + 7200 + 86400) // 3


@pytest.mark.parametrize(
    ("measure", "group", "ids"),
    [
        ("overdue_pending", None, [5, 12]),
        ("handled_late", None, [2, 10]),
        ("dispatch_returned", None, [3]),
        ("self_handled", None, [4]),
        ("extensions", None, [6]),
        ("rework", ("unit", U2), [8]),
        ("due_handle", ("area", S1), [1, 2, 3, 5, 10]),
        ("closed_late", ("area", S2), [9]),
        ("registered_late", None, [2]),
    ],
)
def test_the_incidents_behind_a_number_are_the_ones_counted(oracle_db, measure, group, ids):
    assert ev.incidents_behind(oracle_db, Scope("310106"), OCT, measure, group) == ids


def test_periods_and_click_through_tokens_are_checked():
    assert ev.quarter_period("2026Q1").previous().key == "2025Q4"
    assert ev.range_period(date(2026, 10, 3), date(2026, 10, 20)).previous().key == "2026-09-15~2026-10-02"
    token = ev.behind("handled", OCT, U1).token()
    assert token == "handled~20261001~20261101~街镇环卫所" and ev.parse_behind(token) == ev.behind("handled", OCT, U1)
    for bad in ("handled~20261001", "drop~20261001~20261101", "handled~20261101~20261001", "handled~2026100~20261101"):
        assert ev.parse_behind(bad) is None, bad
    assert ev.parse_behind("handled~20261001~20261101~某单位") is None  # not a unit
    assert ev.parse_behind("handled~20200101~20261101") is None  # longer than MAX_DAYS
    with pytest.raises(ValueError):
        ev.parse_weights("30,20,20")
    assert ev.composite(dict.fromkeys(ev.RATES), W) is None  # nothing to judge: "—", not 0


def _independent(rows: list, inc_area: dict, a: int, b: int) -> dict[str, Counter]:
    """Counts per street by walking each incident's history in Python (no SQL)."""
    out: dict[str, Counter] = {}
    by_incident: dict[int, list] = {}
    for r in sorted(rows, key=lambda r: (r.at, r.id)):
        by_incident.setdefault(r.incident_id, []).append(r)
    for iid, story in by_incident.items():
        c = out.setdefault(inc_area[iid], Counter())
        for i, r in enumerate(story):
            if a <= r.at < b:
                c[r.action] += 1
                c[f"{r.action}_ontime"] += not r.late
                if r.action == "dispatch" and any(x.action == "return" and x.at < b for x in story[i + 1 :]):
                    c["returned"] += 1
        last = [r for r in story if r.at < b][-1:]
        if last and last[0].to_status in ("dispatched", "handling") and last[0].due_at and last[0].due_at < b:
            c["overdue"] += last[0].action != "park"
    return out


def test_a_seeded_district_matches_an_independent_count(mini_copy):
    engine = get_engine(mini_copy)
    with engine.connect() as conn:
        district = conn.execute(select(Incident.district_code).limit(1)).scalar()
        inc_area = dict(
            conn.execute(select(Incident.id, Incident.street_code).where(Incident.district_code == district)).all()
        )
        rows = conn.execute(select(IncidentHistory).where(IncidentHistory.incident_id.in_(list(inc_area)))).all()
    assert sum(r.action is not None for r in rows) == len(rows)  # the loader writes every move
    period = ev.range_period(date(2026, 11, 18), date(2026, 11, 20))
    now = parse_local("2026-11-20 16:30")
    want = _independent(rows, inc_area, period.a, now)
    streets = sorted(want)
    with bound(engine):
        got = {r["key"]: r["counts"] for r in ev.evaluate(Scope(district), period, W, now, streets)["areas"]}
    checked = 0
    for street in streets:
        w, g = want[street], got[street]
        assert g["reports"] == w["report"] and g["registered"] == w["register"], street
        assert g["registered_ontime"] == w["register_ontime"] and g["dispatched"] == w["dispatch"]
        assert g["dispatch_returned"] == w["returned"] and g["overdue_pending"] == w["overdue"]
        assert g["handled"] == w["handled"] and g["handled_ontime"] == w["handled_ontime"]
        assert g["due_close"] == w["verify_pass"] + w["verify_fail"] + w["close"]
        assert g["closed_ontime"] == w["verify_pass_ontime"] + w["close_ontime"]
        assert g["rework"] == w["verify_fail"] + w["reopen"] and g["extensions"] == w["approve_extension"]
        checked += g["handled"] + g["reports"]
    assert checked > 100  # the city has enough moves for the comparison to mean something


def test_the_incident_lists_filter_selects_the_incidents_behind_the_number(oracle_db):
    found = ev.parse_behind(ev.behind("handled", OCT, U1).token())
    with oracle_db.connect() as conn:
        ids = conn.execute(select(Incident.id).where(ev.behind_clause(Scope("310106"), found))).scalars().all()
        inside = conn.execute(select(Incident.id).where(ev.behind_clause(Scope(S2), found))).scalars().all()
    assert sorted(ids) == [1, 2, 6, 10] and inside == [6]  # the list's own scope still applies
