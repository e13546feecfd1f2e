"""The five-colour rules engine: each colour, each kind, open/escalate/close, and the area roll-up."""

import pytest
from sqlalchemy import select

from data.domain.scope import Scope
from data.domain.timeutil import parse_local
from data.read import warnlist
from data.rules import engine as rules
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.store.models import Warning
from data.write import writes
from tests.unit import tiny_city
from tests.unit.tiny_city import NOW, incident

CAT = load_catalog("data/rules/catalog.yaml")


@pytest.mark.parametrize(
    "value, level", [(80, 5), (100, 4), (149, 4), (150, 3), (200, 2), (299, 2), (300, 1), (480, 1)]
)
def test_higher_is_worse_bands(value, level):
    assert CAT.indicator("aqi").level_of(value) == level


@pytest.mark.parametrize("value, level", [(5, 5), (1.0, 4), (0.5, 3), (0.2, 2), (0.05, 1), (0.01, 1)])
def test_lower_is_worse_bands(value, level):
    assert CAT.indicator("visibility").level_of(value) == level


def _active(engine):
    with engine.connect() as conn:
        return {
            (w.kind, w.area_code, w.subject): w for w in conn.execute(select(Warning).where(Warning.ended_at.is_(None)))
        }


@pytest.fixture
def tiny(empty_db, app_for):
    tiny_city.build(empty_db)
    app_for(empty_db)
    return get_engine(empty_db)


def test_indicator_warning_opens_escalates_and_closes(tiny):
    def reading(value, ts):
        writes.add_readings(tiny, [{"indicator_code": "aqi", "area_code": "310106", "ts": ts, "value": value}], now=ts)
        rules.evaluate(tiny, CAT, ts)
        return _active(tiny).get(("indicator", "310106", "aqi"))

    w = reading(160, NOW)
    assert w.level == 3 and "黄色" in w.cause_zh and "yellow" in w.cause_en
    w2 = reading(320, NOW + 600)
    assert w2.level == 1 and w2.id != w.id  # escalation: a new warning, the yellow one ended
    w3 = reading(40, NOW + 1200)
    assert w3 is None
    with tiny.connect() as conn:
        ended = conn.execute(
            select(Warning.level, Warning.ended_at).where(Warning.subject == "aqi").order_by(Warning.id)
        ).all()
    assert ended == [(3, NOW + 600), (1, NOW + 1200)]


def test_stale_reading_neither_opens_nor_closes(tiny):
    writes.add_readings(tiny, [{"indicator_code": "aqi", "area_code": "310106", "ts": NOW, "value": 210}], now=NOW)
    rules.evaluate(tiny, CAT, NOW)
    assert _active(tiny)[("indicator", "310106", "aqi")].level == 2
    later = NOW + 4 * 3600  # 4 intervals late: the feed is stale, the warning stands
    rules.evaluate(tiny, CAT, later)
    assert ("indicator", "310106", "aqi") in _active(tiny)


def test_overdue_backlog_and_project_delay_raise_warnings(tiny):
    old = NOW - 29 * 3600  # Thursday 05:30: due at 11:00 that day (2 working hours from 09:00)
    writes.add_incidents(tiny, [incident("310106019001", old, external_id=f"OD{k}") for k in range(11)], now=old)
    writes.add_incidents(tiny, [incident("310106019001", NOW - 60, external_id=f"OK{k}") for k in range(30)], now=NOW)
    rules.evaluate(tiny, CAT, NOW)
    active = _active(tiny)
    # street 310106019: 11 + the tiny city's own d = 12 overdue of 42 open = 29 % -> yellow (25 %..30 %)
    w = active[("overdue", "310106019", "incidents")]
    assert w.level == 3 and "12 件" in w.cause_zh and "29%" in w.cause_zh
    # street 310101002 has 1 overdue (f): below min_count, no warning
    assert ("overdue", "310101002", "incidents") not in active
    # project 1: SPI 0.6 -> red (<= 0.7)
    assert active[("project", "310106", "1")].level == 1


def test_incident_spike_against_the_baseline(tiny):
    hour_start = parse_local("2026-11-20 09:00")
    for day in range(1, 8):  # baseline: 2 incidents in that hour on each of the last 7 days
        t0 = hour_start - day * 86400
        writes.add_incidents(
            tiny, [incident("310101002001", t0 + 60 * k, external_id=f"B{day}-{k}") for k in range(2)], now=t0
        )
    writes.add_incidents(
        tiny, [incident("310101002001", hour_start + 60 * k, external_id=f"S{k}") for k in range(9)], now=NOW
    )
    rules.evaluate(tiny, CAT, NOW)
    w = _active(tiny)[("spike", "310101002", "incidents")]
    # 9 (+ f at 08:00 is outside 09-10) vs baseline 2/day -> ratio 4.5 -> orange (4 <= r < 6)
    assert w.level == 2 and "4.5" in w.cause_zh


def test_area_colour_is_the_worst_warning_inside_it(tiny):
    writes.add_readings(tiny, [{"indicator_code": "aqi", "area_code": "310106", "ts": NOW, "value": 120}], now=NOW)
    old = NOW - 29 * 3600  # Thursday 05:30: overdue since 11:00 that day
    writes.add_incidents(tiny, [incident("310101002001", old, external_id=f"X{k}") for k in range(45)], now=old)
    rules.evaluate(tiny, CAT, NOW)
    city = warnlist.area_colours(Scope("310000"))
    assert city["310101"] == 1  # 46 of 47 open incidents in its street overdue: red
    assert city["310106"] == 4  # the blue AQI: the red late project is management information, not a danger
    project = [w for key, w in _active(tiny).items() if key[0] == "project" and key[1] == "310106"]
    assert project and project[0].level == 1 and not project[0].colours_area  # still a warning, on its own list
    assert warnlist.active_counts(Scope("310106")).get("1") == 1  # the warnings page lists it
    assert city["310000"] == 1
    assert warnlist.area_colours(Scope("310101"))["310101002"] == 1
    assert warnlist.area_colours(Scope("310106"))["310106013"] == 5  # nothing inside that street: green
