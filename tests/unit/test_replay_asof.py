"""The replay's reads on a history made by hand (one incident through register, dispatch, 督办, 挂账, close and
reopen in a grid nobody else reports in; a red warning raised and cleared by the rules), and the moment a
page may ask for (`?at=`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.domain.scope import Scope, ScopeError
from data.domain.timeutil import DAY, HOUR, local_day_start, parse_local
from data.domain.vocab import CATEGORIES
from data.rules import engine as rules
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.store.models import Area, Incident
from data.wall.replay import AsOf, BadMoment, check_at, parse_at, replay_bounds, replay_frame
from data.write import writes
from tests.conftest import SMALL_END

NOW = parse_local("2026-12-01 09:00")
CAT = "public_facility"
OFFICER = "t-dispatcher"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22T21:30", parse_local("2026-11-22 21:30")),
        ("2026-11-22 21:30:15", parse_local("2026-11-22 21:30:15")),
        ("2026-11-22", parse_local("2026-11-22 00:00")),
        ("2026-11-22T13:30+00:00", parse_local("2026-11-22 21:30")),  # an offset is honoured
        ("2026-12-01T09:00", NOW),  # now itself
        ("2026-11-01T09:00", NOW - 30 * DAY),  # the earliest moment
    ],
)
def test_a_moment_of_the_last_30_days_is_read_in_shanghai_time(text, expected):
    assert parse_at(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-12-01T09:01", "future"),
        ("2027-01-01", "future"),
        ("2026-11-01T08:59", "too_old"),
        ("2025-11-22T21:30", "too_old"),
        ("yesterday", "format"),
        ("2026-13-01", "format"),
        ("", "format"),
        ("  ", "format"),
        ("2026-11-22T21:30" + "0" * 40, "format"),
        (None, "format"),
        (1795000000, "format"),
    ],
)
def test_a_moment_the_replay_cannot_show_says_why(text, reason):
    with pytest.raises(BadMoment) as caught:
        parse_at(text, NOW)
    assert caught.value.reason == reason


def test_the_bounds_are_the_last_30_days():
    assert replay_bounds(NOW) == (NOW - 30 * DAY, NOW)
    assert check_at(NOW - 30 * DAY, NOW) == NOW - 30 * DAY
    with pytest.raises(BadMoment):
        check_at(NOW + 1, NOW)


def _quiet_grid(engine) -> str:
    """A grid nobody has reported in (the mini city has 2k incidents over thousands of grids)."""
    with engine.connect() as conn:
        used = select(Incident.grid_code)
        return conn.execute(
            select(Area.code).where(Area.level == "grid", Area.code.not_in(used)).order_by(Area.code).limit(1)
        ).scalar()


def _report(engine, grid: str, at: int, n: int) -> int:
    with engine.connect() as conn:
        row = dict(conn.execute(select(Incident.__table__).order_by(Incident.id).limit(1)).mappings().one())
    row.update(
        external_id=f"ASOF-{n}",
        grid_code=grid,
        street_code=grid[:9],
        district_code=grid[:6],
        reported_at=at,
        category=CAT,
        subcategory=next(iter(CATEGORIES[CAT]["sub"])),
        std_code=None,
        priority=2,
    )
    return writes.add_incidents(engine, [row], now=at)[0]


def _move(engine, incident_id: int, action: str, now: int, **kw) -> None:
    with engine.connect() as conn:
        version = conn.execute(select(Incident.version).where(Incident.id == incident_id)).scalar()
    writes.apply_action(engine, incident_id, action, actor=OFFICER, expected_version=version, now=now, **kw)


def _due(engine, incident_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Incident.due_at).where(Incident.id == incident_id)).scalar()


def test_an_incident_stands_as_it_stood_at_each_moment(mini_copy, app_for):
    app_for(mini_copy)
    engine = get_engine(mini_copy)
    grid = _quiet_grid(engine)
    g, district = Scope(grid), Scope(grid[:6])
    t0 = SMALL_END + HOUR  # 17:30
    a = _report(engine, grid, t0, 1)
    _move(engine, a, "register", t0 + 300)
    _move(engine, a, "dispatch", t0 + 600, unit=CATEGORIES[CAT]["units"][0])
    _move(engine, a, "supervise", t0 + 900)
    late = _due(engine, a) + 300  # past the dispatch's deadline (working time: maybe tomorrow)
    _move(engine, a, "park", late + 300, comment="待汛期后施工")
    _move(engine, a, "unpark", late + 900)
    closed_at = late + 900 + HOUR
    if local_day_start(closed_at + 3 * HOUR) != local_day_start(closed_at):  # close and reopen on one day
        closed_at = local_day_start(closed_at) + DAY + HOUR
    _move(engine, a, "close", closed_at, comment="现场核实已整改")
    reopened = closed_at + 2 * HOUR
    _move(engine, a, "reopen", reopened, comment="问题复现")
    b = _report(engine, grid, reopened + 600, 2)
    day0 = local_day_start(t0)
    shut_day = local_day_start(closed_at)

    def loop(at, scope=g):
        return AsOf(at).loop(scope, at)

    assert loop(t0 - 1)["open_total"] == 0 and AsOf(t0 - 1).latest(g, 14, 3) == []
    assert AsOf(t0 - 1).ages(g, t0 - 1)[0] is None  # nothing reported here yet
    assert loop(t0)["open"]["reported"] == 1 and AsOf(t0).ages(g, t0)[0] == 0
    assert AsOf(t0).counts(g, day0, t0)["total"] == 0  # the wall counts reports before its tick
    assert AsOf(t0 + 1).counts(g, day0, t0 + 1)["total"] == 1
    assert [r.status for r in AsOf(t0 + 700).latest(g, 14, 3)] == ["dispatched"]
    assert AsOf(t0 + 899).supervised(g) == 0 and AsOf(t0 + 900).supervised(g) == 1
    assert loop(late - 301)["overdue"] == 0
    assert loop(late)["overdue"] == 1 and loop(late)["overdue_by_child"] == {grid: 1}
    assert loop(late + 600)["overdue"] == 0 and loop(late + 600)["open"]["dispatched"] == 1  # parked: no deadline
    assert loop(late + 901)["overdue"] == 0  # unparked: a new deadline
    shut = AsOf(closed_at + HOUR)
    assert shut.loop(g, closed_at + HOUR)["open_total"] == 0 and shut.supervised(g) == 0
    assert shut.closed(g, shut_day, closed_at + HOUR) == 1  # closed then, though open again now
    assert [r.status for r in shut.latest(g, 14, 3)] == ["closed"]
    again = AsOf(reopened + 1)
    assert again.loop(g, reopened + 1)["open"]["handling"] == 1 and again.closed(g, shut_day, reopened + 1) == 0
    assert [r.id for r in AsOf(reopened + 600).latest(g, 14, 3)] == [b, a]
    # the district: its other incidents stand still after the seed, so only this one moves its figures
    before, during, after = (AsOf(t).closed(district, shut_day, t) for t in (closed_at - 1, closed_at + HOUR, reopened))
    assert during == before + 1 and after == before  # the closure rollup lost it at the reopening; history did not
    assert loop(t0, district)["open_total"] == loop(t0 - 1, district)["open_total"] + 1
    with pytest.raises(ScopeError):
        AsOf(t0).loop(Scope(grid, unit=CATEGORIES[CAT]["units"][0]), t0)


def test_a_warning_and_a_reading_stand_as_they_stood(mini_copy, app_for):
    app = app_for(mini_copy)
    engine = get_engine(mini_copy)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    with engine.connect() as conn:
        district = conn.execute(select(func.min(Area.code)).where(Area.level == "district")).scalar()
    t = SMALL_END + 6 * HOUR
    reading = {"indicator_code": "police_110", "area_code": district}
    writes.add_readings(engine, [{**reading, "ts": t, "value": 95.0}], now=t)
    rules.evaluate(engine, catalog, t)
    writes.add_readings(engine, [{**reading, "ts": t + 600, "value": 12.0}], now=t + 600)
    rules.evaluate(engine, catalog, t + 600)
    scope = Scope(district)

    def red(at):
        return [w for w in AsOf(at).warnings(scope) if w.subject == "police_110" and w.level == 1]

    assert red(t - 1) == [] and red(t + 600) == []
    (w,) = red(t + 599)
    assert w.started_at == t and "95" in w.cause_zh and w.acknowledged_at is None
    assert AsOf(t + 1).colours(scope)[district] == 1
    tiles = {r["code"]: r for r in AsOf(t + 300).readings(scope, t + 300)}
    assert tiles["police_110"]["value"] == 95.0 and tiles["police_110"]["age_s"] == 300
    assert tiles["police_110"]["level"] == 1
    later = {r["code"]: r for r in AsOf(t + 700).readings(scope, t + 700)}
    assert later["police_110"]["value"] == 12.0
    with engine.connect() as conn:
        from data.read.asof_signals import next_red

        assert next_red(conn, scope, t - HOUR, t + HOUR) == t and next_red(conn, scope, t, t + HOUR) is None


def test_a_frame_is_rounded_to_the_refresh_cached_and_bounded(mini_copy, app_for):
    app = app_for(mini_copy)
    rules_file = app.server.config["RULES_FILE"]
    now = SMALL_END + DAY  # the page's clock (passed in: the frame itself reads none)
    at = SMALL_END - 2 * HOUR + 7
    frame = replay_frame(rules_file, Scope("310000"), at, 10, now)
    assert frame["tick"] == at - 7 and frame["scope"] == "310000"
    again = replay_frame(rules_file, Scope("310000"), at + 2, 10, now)
    assert again == frame and again is not frame  # the same step: the cached frame (a copy)
    for bad, reason in ((now + 1, "future"), (now - 30 * DAY - 1, "too_old")):
        with pytest.raises(BadMoment) as caught:  # nothing a client sends gets a frame outside the 30 days
            replay_frame(rules_file, Scope("310000"), bad, 10, now)
        assert caught.value.reason == reason
    with pytest.raises(ScopeError):
        replay_frame(rules_file, Scope("310000", unit="街镇环卫所"), at, 10, now)
