"""The one-pass tick (data.wall.facts.CityPass) gives every scope exactly the snapshot its own reads give."""

from __future__ import annotations

from data.domain.scope import Scope
from data.domain.timeutil import now_ts
from data.read import areas
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.synthetic.simulator import Simulator
from data.wall.facts import CityPass
from data.wall.snapshot import all_snapshots, wall_snapshot
from tests.conftest import SMALL_END


def _wall_scopes() -> list[Scope]:
    """The city, its districts and all their streets: every scope a street centre's wall may show."""
    codes = ["310000"]
    for district in areas.children("310000").code:
        codes += [district, *areas.children(district).code]
    return [Scope(c) for c in codes]


def _differences(catalog, scopes, tick) -> dict:
    together = all_snapshots(catalog, scopes, tick)
    apart = {s: wall_snapshot(catalog, s, tick) for s in scopes}
    return {s.code: (together[s], apart[s]) for s in scopes if together[s] != apart[s]}


def test_every_street_district_and_the_city_in_one_pass_equal_their_own_reads(small_city, app_for):
    app = app_for(small_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    scopes = _wall_scopes()
    assert len(scopes) == 251 and all(CityPass.covers(s) for s in scopes)
    together = all_snapshots(catalog, scopes, SMALL_END)
    city_today = together[Scope("310000")]["incidents"]["today"]
    assert (
        city_today > 0
        and sum(s["incidents"]["today"] for s in together.values() if s["level"] == "street") == city_today
    )
    apart = {s: wall_snapshot(catalog, s, SMALL_END) for s in scopes}
    wrong = [s.code for s in scopes if together[s] != apart[s]]
    assert not wrong, (wrong[:5], together[Scope(wrong[0])], apart[Scope(wrong[0])])


def test_one_pass_follows_live_writes_in_the_current_hour(live_copy, app_for):
    """Live: the simulator writes into the current hour, so the ragged edges, the uncached current hour,
    new markers and the ticker are all in play."""
    app = app_for(live_copy)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    sim = Simulator(get_engine(live_copy), catalog, seed=4, rng_seed=4)
    tick = now_ts()
    for k in range(3):
        sim.step(tick + 5 * k, 5)
    tick = now_ts() // 10 * 10
    scopes = [Scope("310000"), Scope("310115"), Scope("310101"), *_wall_scopes()[2:40:3]]
    assert _differences(catalog, scopes, tick) == {}
    grid = areas.children(scopes[-1].code).code.iloc[0]  # not covered: answered by its own reads
    mixed = all_snapshots(catalog, [Scope(grid), Scope("310000")], tick)
    assert mixed[Scope(grid)] == wall_snapshot(catalog, Scope(grid), tick)


def test_a_street_wall_shows_its_own_evaluation_and_the_supervised_count(small_city, app_for):
    """按期处置率 and 综合指标值 on a street's wall are the evaluation page's figures for that street over
    the 30 whole days before today; 督办 counts its open supervised incidents."""
    import datetime as dt

    from sqlalchemy import func, select

    from data.domain.timeutil import local_day_start, to_dt
    from data.domain.vocab import OPEN_STATUSES
    from data.read import evaluation
    from data.store.models import Incident

    app = app_for(small_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    with get_engine(small_city).connect() as conn:
        street = conn.execute(
            select(Incident.street_code)
            .where(Incident.supervised_at.is_not(None), Incident.status.in_(OPEN_STATUSES))
            .group_by(Incident.street_code)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
        flagged = conn.execute(
            select(func.count()).where(
                Incident.street_code == street, Incident.supervised_at.is_not(None), Incident.status.in_(OPEN_STATUSES)
            )
        ).scalar()
    assert street and flagged > 0  # the synthetic city flags some of what is overdue
    snap = wall_snapshot(catalog, Scope(street), SMALL_END)["incidents"]
    assert snap["supervised"] == flagged
    end = snap["scores"]["as_of"]  # today's midnight: the 30 whole days before it
    assert end == local_day_start(SMALL_END)
    last = to_dt(end).date() - dt.timedelta(days=1)
    period = evaluation.range_period(last - dt.timedelta(days=29), last)
    district = Scope(street[:6])
    page = evaluation.evaluate(district, period, evaluation.parse_weights(None), end, [street])
    row = page["areas"][0]
    assert snap["scores"]["ontime"] == row["rates"]["handle_ontime_rate"] is not None
    assert snap["scores"]["composite"] == row["composite"] is not None
    assert wall_snapshot(catalog, district, SMALL_END)["incidents"]["scores"] is None  # a street centre's own
