"""The synthetic city is deterministic and has the patterns the screens are meant to show."""

import numpy as np
import pytest

from data.domain.timeutil import DAY, HOUR, OFFSET, parse_local
from data.domain.vocab import SOURCES, STATUSES
from data.rules.config import load_catalog
from data.synthetic import generator as gen
from data.synthetic import readings
from data.synthetic.geo import GridLocator, build_area_tree

END = parse_local("2026-11-20 12:00")
DAYS = 14


@pytest.fixture(scope="module")
def world():
    tree = build_area_tree()
    streets = [a for a in tree if a.level == "street"]
    rng = np.random.default_rng([5, 0])
    start = END - DAYS * DAY
    rain = gen.rain_profile(start, DAYS * 24, rng)
    pools = gen.build_pools(streets, GridLocator.from_records(tree), rng)
    return start, rain, pools


def test_same_seed_same_city_and_another_seed_another(world):
    start, rain, pools = world
    a = gen.incidents(5000, start, END, pools, rain, seed=3)
    b = gen.incidents(5000, start, END, pools, rain, seed=3)
    c = gen.incidents(5000, start, END, pools, rain, seed=4)
    for key in ("reported", "src", "cat", "street", "status", "due", "T"):
        assert np.array_equal(a[key], b[key]), key
    assert not np.array_equal(a["reported"], c["reported"])


def test_incidents_follow_the_day_and_the_week(world):
    start, rain, pools = world
    g = gen.incidents(60000, start, END, pools, rain, seed=1)
    hour = ((g["reported"] + OFFSET) // HOUR) % 24
    assert (hour == 10).sum() > 5 * (hour == 3).sum()
    dow = ((g["reported"] + OFFSET) // DAY + 3) % 7
    per_weekday = np.bincount(dow, minlength=7)
    assert per_weekday[:5].mean() > per_weekday[5:].mean()


def test_rain_drives_waterlogging(world):
    start, rain, pools = world
    g = gen.incidents(60000, start, END, pools, rain, seed=1)
    hour_idx = (g["reported"] - start) // HOUR
    wet = rain[hour_idx] > 10
    flood = np.isin(g["cat"], [gen.CATS.index("waterlogging"), gen.CATS.index("drainage")])
    assert wet.sum() > 100
    assert flood[wet].mean() > 3 * flood[~wet].mean()


def test_sources_have_their_own_category_mix(world):
    start, rain, pools = world
    g = gen.incidents(30000, start, END, pools, rain, seed=2)
    iot = g["src"] == SOURCES.index("iot")
    assert not np.isin(g["cat"][iot], [gen.CATS.index("noise_nuisance"), gen.CATS.index("community")]).any()
    hotline = g["src"] == SOURCES.index("hotline")
    assert (g["cat"][hotline] == gen.CATS.index("community")).mean() > 0.08


def test_lifecycle_has_open_work_and_an_overdue_tail(world):
    start, rain, pools = world
    g = gen.incidents(30000, start, END, pools, rain, seed=2)
    closed = g["status"] == STATUSES.index("closed")
    assert 0.85 < closed.mean() < 0.995
    open_ = ~closed
    assert (g["due"][open_] < END).sum() > 0  # overdue exists
    assert (g["due"][open_] >= END).sum() > 0  # and so does work still in time
    # every transition is in time order and none is after the end
    T, k = g["T"], g["k"]
    for i in range(0, 30000, 997):
        times = T[i, : k[i]]
        assert (np.diff(times) >= 0).all() and times[-1] <= END


def test_readings_breach_bands_and_stale_feeds_stop(world):
    start, rain, _ = world
    cat = load_catalog("data/rules/catalog.yaml")
    rf = {"310000": lambda ts: np.interp((ts - start) / HOUR, np.arange(len(rain)), rain)}
    levels_seen = set()
    for ind in cat.indicators:
        if ind.bands is None:
            continue
        ((_, ts, values),) = readings.reading_series(ind, ["310000"], start, END, rf, 1, breach_now=True)
        levels_seen |= {ind.level_of(v) for v in values}
        if ind.sim.stale_hours:
            assert END - ts[-1] >= ind.sim.stale_hours * HOUR - ind.interval
    assert levels_seen == {1, 2, 3, 4, 5}


def test_reports_per_district_follow_residents(world):
    """Each district's share of reports is its share of the 2020 census population (within 15 %):
    Pudong reports about nine times what Chongming does, not the same."""
    start, rain, pools = world
    g = gen.incidents(60000, start, END, pools, rain, seed=1)
    population = gen.district_population()
    total = sum(population.values())
    districts = pools.district_codes[g["street"]]
    for code, people in population.items():
        share = (districts == code).mean()
        assert abs(share - people / total) <= 0.15 * people / total + 0.002, (code, share, people / total)
    assert (districts == "310115").sum() > 7 * (districts == "310151").sum()


def test_report_texts_name_the_grid_not_an_invented_road():
    title, description = gen.report_text("南京东路街道", "310101002012", 38, "占道经营", "网格巡查")
    assert title == "南京东路街道第12网格占道经营"
    assert description.startswith("第12网格38号点位附近占道经营")
    assert "路" not in title.removeprefix("南京东路街道")
