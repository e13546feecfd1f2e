"""Drill-down data: child-area ranking and week-on-week comparison agree with the base queries."""

from __future__ import annotations

from callbacks.area import drill_target
from components.area_layout import ranking_rows
from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start
from data.read import areas, incidents, rankings
from tests.conftest import SMALL_END


def test_child_ranking_puts_the_most_overdue_first_and_adds_up(small_city, app_for):
    app_for(small_city)
    rows = rankings.child_ranking(Scope("310115"), SMALL_END)
    assert len(rows) == len(areas.children("310115"))
    assert [r["overdue"] for r in rows] == sorted((r["overdue"] for r in rows), reverse=True)
    loop = incidents.loop_status(Scope("310115"), SMALL_END)
    assert sum(r["open"] for r in rows) == loop["open_total"]
    assert sum(r["overdue"] for r in rows) == loop["overdue"]
    day0 = local_day_start(SMALL_END)
    week = incidents.incident_counts(Scope("310115"), day0 - 7 * DAY, day0)["total"]
    assert abs(sum(r["per_day"] for r in rows) * 7 - week) <= len(rows)  # per-row rounding to 0.1 only
    assert ranking_rows(rows[:1], "en")[0]["level_text"] in ("Red I", "Orange II", "Yellow III", "Blue IV", "Normal")


def test_street_children_are_grids_counted_from_the_grid_rollup(small_city, app_for):
    app_for(small_city)
    street = areas.children("310115").code.iloc[0]
    rows = rankings.child_ranking(Scope(street), SMALL_END)
    assert rows and all(r["code"].startswith(street) and len(r["code"]) == 12 for r in rows)
    assert rankings.child_ranking(Scope(rows[0]["code"]), SMALL_END) == []  # a grid has nothing below it


def test_every_level_has_a_wall_snapshot(small_city, app_for):
    """City, district, street and grid: the panels the area pages reuse compute at every level."""
    from data.rules.config import load_catalog
    from data.wall.snapshot import wall_snapshot

    app = app_for(small_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    street = areas.children("310115").code.iloc[0]
    grid = areas.children(street).code.iloc[0]
    closed_by_level = []
    for code in ("310000", "310115", street, grid):
        snap = wall_snapshot(catalog, Scope(code), SMALL_END)
        assert snap["scope"] == code and snap["incidents"]["today"] >= 0
        closed_by_level.append(incidents.closed_count(Scope(code), SMALL_END - 7 * DAY, SMALL_END))
    assert closed_by_level == sorted(closed_by_level, reverse=True) and closed_by_level[0] > 0


def test_week_compare_matches_the_counts_of_both_weeks(small_city, app_for):
    app_for(small_city)
    week = rankings.week_compare(Scope("310000"), SMALL_END)
    day0 = local_day_start(SMALL_END)
    assert week["this"] == incidents.incident_counts(Scope("310000"), day0 - 7 * DAY, day0)["total"]
    assert week["last"] == incidents.incident_counts(Scope("310000"), day0 - 14 * DAY, day0 - 7 * DAY)["total"] > 0
    assert sum(a for _, a, _ in week["by_category"]) == week["this"]
    assert sum(b for _, _, b in week["by_category"]) == week["last"]


def test_drill_target_reads_map_features_and_grid_rows():
    assert drill_target({"id": "310115", "properties": {}}, None, "area-areas.clickData") == "310115"
    assert drill_target(None, {"rowId": "310115005", "colId": "name_zh"}, "area-ranking.cellClicked") == "310115005"
    assert drill_target(None, None, "area-areas.clickData") is None
