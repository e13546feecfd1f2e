"""The incident list's counts per status read whole days from rollup_list_day for the city and a district:
they equal a plain count of the incident table for every window and filter it serves, before and after
live writes, and the rollup is really what is read."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select, update

from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start
from data.domain.vocab import CATEGORIES, STATUSES
from data.read import incidentlist
from data.read.incidentlist import IncidentFilters
from data.store.cache import cache
from data.store.db import get_engine, write_session
from data.store.models import Incident
from data.store.models_loop import RollupListDay
from data.write import rollups, writes
from tests.conftest import SMALL_END
from tests.unit.tiny_city import incident

WINDOWS = {"today": None, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "all": None}


def _plain(engine, area: str, f: IncidentFilters, now: int) -> dict[str, int]:
    """The oracle: the incident table counted directly."""
    i = Incident
    start = local_day_start(now) if f.window == "today" else 0 if f.window == "all" else now - WINDOWS[f.window]
    cond = [i.reported_at >= start]
    if area != "310000":
        cond.append(i.district_code == area if len(area) == 6 else i.street_code == area)
    for key in ("category", "source", "priority"):
        if getattr(f, key):
            cond.append(getattr(i, key) == getattr(f, key))
    with engine.connect() as conn:
        got = dict(conn.execute(select(i.status, func.count()).where(*cond).group_by(i.status)).all())
    return {s: int(got.get(s, 0)) for s in STATUSES}


def _check(engine, now: int) -> int:
    checked = 0
    filters = [
        {},
        {"category": "sanitation"},
        {"source": "hotline"},
        {"priority": 1},
        {"category": "drainage", "priority": 3},
    ]
    for area, window, extra in itertools.product(("310000", "310115", "310115005"), WINDOWS, filters):
        f = IncidentFilters(window=window, area=area, **extra)
        cache.clear()
        assert incidentlist.status_counts(Scope(area), f, now) == _plain(engine, area, f, now), (area, window, extra)
        checked += 1
    return checked


def test_list_counts_from_the_rollup_equal_a_plain_count(city_copy, app_for):
    app_for(city_copy)
    engine = get_engine(city_copy)
    now = SMALL_END + 5 * 3600 + 17  # mid-day: the windows' first days are partial
    assert incidentlist._rolled(Scope("310115"), IncidentFilters(window="7d"), now) is not None
    assert incidentlist._rolled(Scope("310115005"), IncidentFilters(window="7d"), now) is None  # streets count rows
    assert _check(engine, now) == 75

    with engine.connect() as conn:  # live writes: new incidents, then moves that change their status
        grids = [
            g for (g,) in conn.execute(select(Incident.grid_code).where(Incident.district_code == "310115").limit(5))
        ]
    ids = writes.add_incidents(
        engine,
        [incident(g, now - 60 * k, "hotline", "sanitation", 1, external_id=f"L{k}") for k, g in enumerate(grids)],
        now=now,
    )
    for inc_id in ids[:3]:
        version = writes.apply_action(
            engine, inc_id, "register", actor="duty-officer", expected_version=1, now=now + 5
        )["version"]
        writes.apply_action(
            engine,
            inc_id,
            "dispatch",
            actor="duty-officer",
            expected_version=version,
            now=now + 9,
            unit=CATEGORIES["sanitation"]["units"][0],
        )
    _check(engine, now + 60)
    assert rollups.drift(engine) == {}

    with write_session(engine) as s:  # a wrong rollup shows in the counts: they are read from it
        s.execute(update(RollupListDay).values(count=RollupListDay.count + 1000))
    cache.clear()
    f = IncidentFilters(window="30d", area="310000")
    assert incidentlist.status_counts(Scope("310000"), f, now + 60) != _plain(engine, "310000", f, now + 60)
