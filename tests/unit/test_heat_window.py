"""The heat layer counts the last 24 hours: just after midnight the map still shows the evening."""

from __future__ import annotations

import pytest

from data.domain.scope import Scope
from data.domain.timeutil import DAY, HOUR, parse_local
from data.read import mapqueries
from data.store.db import get_engine
from data.wall import snapshot
from data.wall.facts import ScopeReads
from data.write import writes
from tests.unit import tiny_city

MIDNIGHT = parse_local("2026-11-20 00:00")
TICK = MIDNIGHT + 300  # 00:05
# 310106's grids in code order, the order of its heat bins
GRIDS = ("310106013001", "310106013002", "310106019001")


@pytest.fixture
def evening(empty_db, app_for):
    """The tiny city (d: 310106019001 yesterday 10:00; the other 310106 reports come later today) and four
    reports around midnight."""
    tiny_city.build(empty_db)
    extra = [
        ("310106013002", parse_local("2026-11-19 00:04")),  # 24 h and a minute before 00:05: out
        ("310106013002", parse_local("2026-11-19 21:30")),
        ("310106013001", parse_local("2026-11-19 23:58")),
        ("310106013001", parse_local("2026-11-20 00:03")),
    ]
    for grid, at in extra:
        writes.add_incidents(get_engine(empty_db), [tiny_city.incident(grid, at)], now=at)
    app_for(empty_db)
    return empty_db


def test_the_heat_at_five_past_midnight_still_counts_the_evening(evening):
    heat = snapshot._map(Scope("310106"), TICK, ScopeReads)["heat"]
    # 013001: 23:58 and 00:03; 013002: 21:30 (not 00:04 yesterday); 019001: d, yesterday 10:00
    assert heat == [2, 1, 1]


def test_the_window_is_the_24_hours_up_to_the_tick_included(evening):
    start, end = mapqueries.heat_window(TICK)
    assert (start, end) == (TICK + 1 - DAY, TICK + 1)
    # a report at the tick itself counts; one a second later does not (the window's ragged end), nor one
    # exactly 24 hours before the tick (its ragged start)
    assert mapqueries.heat_bins(Scope("310106"), start, end) == [2, 1, 1]
    for at in (TICK, TICK + 1, TICK - DAY):
        writes.add_incidents(get_engine(evening), [tiny_city.incident(GRIDS[2], at)], now=at)
    from flask import g

    g.pop("_cityops_versions", None)  # a new request reads the versions again
    assert mapqueries.heat_bins(Scope("310106"), start, end) == [2, 1, 2]


def test_whole_hours_come_from_cached_blocks_and_agree_with_a_raw_count(evening):
    """Past whole hours are cached blocks; the edges are raw. Summed, they equal one raw count."""
    start, end = mapqueries.heat_window(TICK + 37 * 60)  # 00:42, edges in the middle of their hours
    cached = mapqueries.heat_bins(Scope("310106"), start, end)
    index, n = mapqueries.heat_index(Scope("310106"))
    raw = mapqueries._bins_of(mapqueries._reported_by_grid(Scope("310106"), start, end), index, n)
    assert cached == raw == [2, 1, 1]
    assert end - start == DAY and start % HOUR and end % HOUR


def test_a_young_area_page_gets_the_map_layers_again_until_they_have_loaded():
    """dash-leaflet drops a hideout that arrives while the layer loads its geometry: the first ticks resend."""
    from callbacks.area import RESEND_TICKS, with_resend

    sent = {"ok": True, "sig": {"heat": "h", "levels": "l", "incidents": "i"}}
    meta, kept = None, []
    for _ in range(RESEND_TICKS + 1):
        meta = with_resend(sent, meta)
        kept.append(sorted(meta["sig"]))
    assert kept[: RESEND_TICKS - 1] == [["incidents"]] * (RESEND_TICKS - 1)
    assert kept[RESEND_TICKS - 1 :] == [["heat", "incidents", "levels"]] * 2
    assert with_resend(sent, {"ticks": "forged"})["ticks"] == 1
