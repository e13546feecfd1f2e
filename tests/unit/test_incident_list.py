"""The incident list's SQL: filters, sorting and paging agree with a plain count, and bad URL values are named."""
from __future__ import annotations

from sqlalchemy import func, select

from data import incidentlist
from data.db import get_engine
from components.incident_list import parse_filters
from data.incidentlist import IncidentFilters
from data.models import Incident
from data.timeutil import DAY
from tests.conftest import SMALL_END


def test_url_filters_are_checked_and_bad_ones_named():
    f, bad = parse_filters({"window": "7d", "status": "handling", "priority": "1", "overdue": "1", "q": " 井盖 ",
                            "area": "310115", "unit": "区水务局"})
    assert bad == [] and f == IncidentFilters("7d", "handling", None, None, "310115", 1, "区水务局", True, "井盖")
    f, bad = parse_filters({"window": "forever", "status": "lost", "priority": "9", "area": "../x", "unit": "火星局",
                            "q": "x" * 41, "source": "telepathy"})
    assert f == IncidentFilters() and sorted(bad) == ["area", "priority", "q", "source", "status", "unit", "window"]


def test_pages_are_sorted_and_complete(small_city, app_for):
    app_for(small_city)
    f = IncidentFilters(window="7d", area="310115")
    first = incidentlist.page(f, SMALL_END, "priority", False, 0, 100)
    with get_engine(small_city).connect() as conn:
        expected = conn.execute(select(func.count()).where(Incident.reported_at >= SMALL_END - 7 * DAY,
                                                           Incident.district_code == "310115")).scalar()
    assert first["total"] == expected > 100
    prios = [r["priority"] for r in first["rows"]]
    assert prios == sorted(prios)
    second = incidentlist.page(f, SMALL_END, "priority", False, 100, 200)
    assert not {r["id"] for r in first["rows"]} & {r["id"] for r in second["rows"]}
    assert all("reporter_name" not in r and "reporter_phone" not in r for r in first["rows"])
    counts = incidentlist.status_counts(f, SMALL_END)
    assert sum(counts.values()) == expected


def test_overdue_and_text_filters(small_city, app_for):
    app_for(small_city)
    late = incidentlist.page(IncidentFilters(window="30d", overdue=True), SMALL_END, "due_at", False, 0, 50)
    assert late["total"] > 0 and all(r["due_at"] < SMALL_END and r["status"] != "closed" for r in late["rows"])
    word = late["rows"][0]["title"][-4:]
    found = incidentlist.page(IncidentFilters(window="30d", q=word), SMALL_END, "reported_at", True, 0, 50)
    assert found["total"] > 0
    assert incidentlist.page(IncidentFilters(window="30d", q="%_%"), SMALL_END, "reported_at", True, 0, 5)["total"] == 0


def test_the_area_picker_lists_districts_and_their_streets_by_name():
    from components.incident_list import area_options

    names = {"310000": ("上海市", "Shanghai"), "310101": ("黄浦区", "Huangpu"),
             "310101002": ("南京东路街道", "East Nanjing Road"), "310104": ("徐汇区", "Xuhui")}
    opts = area_options(names, "310101002001", "zh")
    assert [o["value"] for o in opts] == ["310101", "310101002", "310104", "310101002001"]  # no city; a grid kept
    assert opts[1]["label"] == "黄浦区 · 南京东路街道"
    assert area_options(names, None, "en")[1]["label"] == "Huangpu · East Nanjing Road"
