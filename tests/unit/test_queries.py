"""Each query against answers computed by hand on the tiny city (see tiny_city.py)."""

import pytest

from api.access import ScopeError, resolve_scope
from data.domain.scope import Scope
from data.domain.timeutil import parse_local
from data.read import areas, incidents, indicators, projectdata
from tests.unit import tiny_city
from tests.unit.tiny_city import NOW

TODAY = parse_local("2026-11-20 00:00")


@pytest.fixture
def tiny(empty_db, app_for):
    ids = tiny_city.build(empty_db)
    app_for(empty_db)
    return ids


def test_incident_counts_today_by_source_and_category(tiny):
    got = incidents.incident_counts(Scope("310000"), TODAY, NOW)
    assert got["total"] == 4  # a, b, c, f
    assert got["by_source"] == {"hotline": 1, "patrol": 2, "video": 1}
    assert got["by_category"] == {"sanitation": 2, "street_order": 1, "traffic_order": 1}


def test_counts_respect_scope_and_ragged_window_edges(tiny):
    assert incidents.incident_counts(Scope("310106"), TODAY, NOW)["total"] == 3
    assert incidents.incident_counts(Scope("310106013"), TODAY, NOW)["total"] == 3
    assert incidents.incident_counts(Scope("310106013002"), TODAY, NOW)["total"] == 1
    assert incidents.incident_counts(Scope("310101"), TODAY, NOW)["total"] == 1
    # 10:05 falls inside the current (partial) hour: a window ending 10:04 must not see it
    assert incidents.incident_counts(Scope("310000"), TODAY, TODAY + 10 * 3600 + 240)["total"] == 3
    # a window from 09:20:00 (mid-hour start) sees b (09:20) and c (10:05)
    assert incidents.incident_counts(Scope("310000"), TODAY + 9 * 3600 + 1200, NOW)["total"] == 2
    # same time yesterday: d (10:00) and e (04:00)
    assert incidents.incident_counts(Scope("310000"), TODAY - 86400, NOW - 86400)["total"] == 2


def test_loop_status_and_overdue(tiny):
    got = incidents.loop_status(Scope("310000"), NOW)
    # open: a handling; b, c, f reported; d reported (yesterday); e closed
    assert got["open"] == {"reported": 4, "registered": 0, "dispatched": 0, "handling": 1, "verifying": 0}
    # overdue at 10:30: d (due yesterday 12:00), f (priority 2 -> due 08:30), b (due 11:20: no),
    # c (priority 1, due 10:35: no). a's handling is due in 72 h.
    assert got["overdue"] == 2
    assert got["overdue_by_child"] == {"310106": 1, "310101": 1}
    # five minutes later c (due 10:35, inside the current hour) is overdue too: counted exactly
    assert incidents.loop_status(Scope("310000"), NOW + 360)["overdue"] == 3
    assert incidents.loop_status(Scope("310106013"), NOW + 360)["overdue_by_child"] == {"310106013002": 1}


def test_closed_count_and_open_by_child(tiny):
    assert incidents.closed_count(Scope("310000"), TODAY - 86400, TODAY - 1) == 1
    assert incidents.closed_count(Scope("310000"), TODAY, NOW) == 0
    assert incidents.open_by_child(Scope("310106")) == {"310106013": 3, "310106019": 1}


def test_heat_and_latest_incidents(tiny):
    assert incidents.heat(Scope("310106"), TODAY, TODAY) == {"310106013001": 2, "310106013002": 1}
    assert incidents.heat(Scope("310000"), TODAY - 86400, TODAY - 86400) == {"310106019001": 1, "310101002001": 1}
    latest = incidents.latest_incidents(Scope("310000"), limit=3)
    assert list(latest.reported_at) == sorted(latest.reported_at, reverse=True)
    assert len(latest) == 3 and "reporter_phone" not in latest.columns
    urgent = incidents.latest_incidents(Scope("310000"), limit=10, min_priority=1)
    assert list(urgent.id) == [tiny["c"]]


def test_projects_have_derived_kpis(tiny):
    df = projectdata.projects(Scope("310000"), NOW)
    row = df.iloc[0]
    assert row.planned == pytest.approx(0.5, abs=1e-3)
    assert row.spi == pytest.approx(0.6, abs=1e-3)  # 30 % done of the 50 % planned
    assert row.budget_execution == pytest.approx(0.6)
    assert row.status == "late"
    assert projectdata.projects(Scope("310101"), NOW).empty


def test_areas_children_outlines_and_scope_resolution(tiny):
    assert list(areas.children("310106").code) == ["310106013", "310106019"]
    fc = areas.outlines(Scope("310106013"))
    assert [f["id"] for f in fc["features"]] == ["310106013001", "310106013002"]
    assert resolve_scope(None).code == "310000"
    assert resolve_scope("310106013").code == "310106013"
    for bad in ("999", "310199", "abc", "../../x", "31010601300199"):
        with pytest.raises(ScopeError):
            resolve_scope(bad)


def test_stale_feeds_are_reported_and_shown_late(small_city, app_for):
    from tests.conftest import SMALL_END

    app_for(small_city)
    # the catalogue's three broken feeds stop 30 h, 2 h and 1 h before the end of the seeded history
    assert set(indicators.stale_indicators(SMALL_END)) == {"water_quality", "manhole_alarm", "crowd_disney"}
    latest = indicators.latest_readings(Scope("310000"), SMALL_END).set_index("code")
    assert latest.loc["crowd_disney", "stale"] and latest.loc["crowd_disney", "age_s"] >= 3600 - 600
    assert not latest.loc["aqi", "stale"]


def test_late_report_reaches_cached_past_hour_counts(city_copy, app_for):
    """Whole past hours are cached on the "history" version; a late report must still show up."""
    from data.domain.timeutil import HOUR
    from data.read import incidents
    from data.store.db import get_engine
    from data.write import writes
    from tests.conftest import SMALL_END

    app_for(city_copy)
    start, end = SMALL_END - 6 * HOUR - SMALL_END % HOUR, SMALL_END - SMALL_END % HOUR
    before = incidents.incident_counts(Scope("310000"), start, end)["total"]
    from sqlalchemy import select

    from data.store.models import Incident

    with get_engine(city_copy).connect() as conn:
        late = dict(conn.execute(select(Incident.__table__).limit(1)).mappings().one())
    late.update(reported_at=int(start + HOUR), external_id="LATE-1", title="late report")
    writes.add_incidents(get_engine(city_copy), [late], now=SMALL_END)
    from flask import g

    g.pop("_cityops_versions", None)  # a new request reads the versions again
    assert incidents.incident_counts(Scope("310000"), start, end)["total"] == before + 1


def test_aligned_blocks_tile_the_window_exactly():
    from data.domain.timeutil import DAY, HOUR, local_day_start
    from data.read.incidents import aligned_blocks
    from tests.conftest import SMALL_END

    day0 = local_day_start(SMALL_END)
    for h0, h1 in (
        (day0 - 7 * DAY + 5 * HOUR, day0 + 16 * HOUR),
        (day0, day0 + HOUR),
        (day0 + 3 * HOUR, day0 + 3 * HOUR),
    ):
        blocks = aligned_blocks(h0, h1)
        assert [a for a, _ in blocks] == ([h0] + [b for _, b in blocks[:-1]] if blocks else [])  # contiguous
        assert (blocks[-1][1] if blocks else h0) == h1
        assert all((b - a) // HOUR in (1, 2, 4, 8, 24) for a, b in blocks)
    assert len(aligned_blocks(day0 - 7 * DAY, day0 + 23 * HOUR)) == 7 + 5  # 7 days, then 8+8+4+2+1 hours


def test_a_project_that_just_started_is_not_late(small_city, app_for):
    from data.domain.timeutil import DAY
    from data.read import projectdata
    from tests.conftest import SMALL_END

    app_for(small_city)
    df = projectdata.projects(Scope("310000"), SMALL_END)
    p = df.iloc[0]
    just_started = projectdata.projects.uncached(Scope("310000"), int(p.planned_start) + 3600)
    row = just_started[just_started.id == p.id].iloc[0]
    assert row.status == "on_track"
    later = projectdata.projects.uncached(Scope("310000"), int(p.planned_start) + 30 * DAY)
    assert set(later.status) <= {"on_track", "at_risk", "late"}


def test_a_grids_map_draws_its_street_when_its_user_may_read_the_street(tiny):
    grid = Scope("310106013002")
    assert areas.map_area(grid) == Scope("310106013")
    assert areas.map_area(Scope("310106013")) == Scope("310106013")  # a street draws its own grids
    assert areas.map_area(Scope("310106013002", root="310106013002")).code == "310106013002"  # not its street
    assert [f["properties"]["approximate"] for f in areas.outlines(areas.map_area(grid))["features"]] == [True, True]
    assert list(areas.children("310000").approximate) == [False, False]  # the tiny city's districts are real
