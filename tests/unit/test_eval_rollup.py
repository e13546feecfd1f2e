"""The evaluation's rollups (data/write/rollups_eval.py) give exactly the figures the history gives: on
the hand-made district after a rebuild, and on a seeded city after random live moves, where the kept
rollups also equal a rebuild from history (drift)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import delete, func, insert, select, update

from data.domain.scope import Scope
from data.domain.vocab import ACTIONS, CATEGORIES
from data.read import evaluation as ev
from data.read import evaluation_sql as sql
from data.read.evaluation_report import monthly_report
from data.store.cache import bound
from data.store.db import get_engine, write_session
from data.store.models import Incident
from data.store.models_access import User
from data.store.models_loop import OverdueSpan, RollupMove, RollupMoveReturn, RollupState
from data.write import rollups, rollups_eval, writes
from tests.conftest import SMALL_END
from tests.unit.test_evaluation import NOW, OCT, S1, S2, W, _write_stories, t
from tests.unit.tiny_city import incident

CITY = Scope("310000")


def _source(engine, scope: Scope, a: int, b: int, by=("child", "unit")) -> str:
    """The table the move counts are read from."""
    with engine.connect() as conn:
        return str(ev._statements(conn, scope, a, b, by, True)[1]).split("FROM ")[1].split()[0]


def _both(engine, read):
    """read() from the rollups, then from the history alone (the rollups marked as not covering it)."""
    with bound(engine):
        via_rollups = read()
    with engine.begin() as conn:
        top = conn.scalar(select(RollupState.value).where(RollupState.name == "covered"))
        conn.execute(delete(RollupState))
    try:
        with bound(engine):
            via_history = read()
    finally:
        with engine.begin() as conn:
            conn.execute(insert(RollupState).values(name="covered", value=top))
    return via_rollups, via_history


def _rebuilt(engine):
    with write_session(engine) as s:
        rollups_eval.rebuild(s)
    return engine


def test_the_hand_made_district_gives_the_hand_counts_from_the_rollups(empty_db):
    engine = _rebuilt(_write_stories(get_engine(empty_db)))
    assert _source(engine, Scope("310106"), OCT.a, OCT.b) == "rollup_move"
    assert _source(engine, Scope(S1), OCT.a, OCT.b) == "incident_history"  # a street reads the history
    got, want = _both(engine, lambda: ev.evaluate(Scope("310106"), OCT, W, NOW, [S1, S2]))
    assert got == want
    assert [r["composite"] for r in got["areas"]] == [77.67, 75.0]  # the hand counts of test_evaluation
    assert [u["composite"] for u in got["units"]] == [75.83, 76.67]
    assert got["areas"][1]["stages"]["handling"] == (514800 + 7200 + 86400) // 3
    assert got["areas"][0]["prev_composite"] == 12.5  # #10 overdue at the end of September
    for scope, kids in ((CITY, ["310101", "310106"]), (Scope("310106"), [S1, S2]), (Scope(S2), [S2 + "001"])):
        got, want = _both(engine, lambda: monthly_report(scope, OCT, W, NOW, kids))  # noqa: B023
        assert got == want, scope.code
    november = ev.month_period("2026-11")  # a period still running: b is now, rows up to now
    for now in (t("11-02 09:30"), t("10-31 20:15")):  # no row after now / rows after now (the history then)
        got, want = _both(engine, lambda: ev.evaluate(CITY, november, W, now, ["310101", "310106"]))  # noqa: B023
        assert got == want


def _random_moves(engine, rng, now: int) -> int:
    """New reports and 150 random moves (as tests/unit/test_rollups.py); returns the time of the last."""
    with engine.connect() as conn:
        grids = [r[0] for r in conn.execute(select(Incident.grid_code).distinct().limit(40))]
        open_ids = [r[0] for r in conn.execute(select(Incident.id).where(Incident.status != "closed").limit(120))]
    new_ids = []
    for step in range(30):
        now += rng.randint(30, 900)
        batch = [
            incident(rng.choice(grids), now - rng.randint(0, 7200), category="sanitation", external_id=f"R{step}-{k}")
            for k in range(rng.randint(1, 3))
        ]
        new_ids += writes.add_incidents(engine, batch, now=now)
    pool = open_ids + new_ids
    for _ in range(150):
        inc_id = rng.choice(pool)
        with engine.connect() as conn:
            status, version, cat = conn.execute(
                select(Incident.status, Incident.version, Incident.category).where(Incident.id == inc_id)
            ).one()
        choices = [a for a, move in ACTIONS.items() if status in move.allowed_from]
        if status in ("dispatched", "handling") and rng.random() < 0.3:
            choices = ["return", "approve_extension", "request_extension", "park"]
        now += rng.randint(10, 3 * 3600)
        try:
            writes.apply_action(
                engine,
                inc_id,
                rng.choice(choices),
                actor="duty-officer",
                expected_version=version,
                comment="理由",
                unit=CATEGORIES[cat]["units"][0],
                target_id=pool[0] if inc_id != pool[0] else pool[1],
                new_due=now + 86400,
                now=now,
            )
        except (writes.NotAllowed, writes.BadInput):
            continue
    return now


def test_rollups_kept_by_live_moves_equal_the_history_on_a_seeded_city(city_copy):
    engine = get_engine(city_copy)
    assert rollups_eval.drift(engine) == {}  # the seeder's rebuild
    now = _random_moves(engine, random.Random(15), SMALL_END) + 60  # a minute after the last move
    assert rollups_eval.drift(engine) == {} and rollups.drift(engine) == {}
    with engine.connect() as conn:
        for kept in (RollupMoveReturn.n, RollupMove.extensions):  # the moves had returns and extensions
            assert conn.scalar(select(func.sum(kept)).where(kept.class_.grain == "du")), kept
        district = conn.scalar(select(Incident.district_code).limit(1))
        streets = sorted(
            conn.scalars(select(Incident.street_code).where(Incident.district_code == district).distinct())
        )
        districts = sorted(conn.scalars(select(Incident.district_code).distinct()))
    last_days = ev.range_period(date(2026, 11, 12), date(2026, 11, 19))  # closed, before the moves
    this_month = ev.month_period("2026-11")  # running: up to `now`, after the moves
    for scope, kids in ((CITY, districts), (Scope(district), streets)):
        for period in (last_days, this_month):
            assert _source(engine, scope, period.a, min(period.b, now)) == "rollup_move"
            got, want = _both(engine, lambda: monthly_report(scope, period, W, now, kids))  # noqa: B023
            assert got == want, (scope.code, period.key)
            assert got["total"]["counts"]["handled"] > 0 and got["total"]["stages"]


def test_drift_names_a_rollup_that_went_wrong(city_copy):
    engine = get_engine(city_copy)
    with write_session(engine) as s:
        s.execute(update(RollupMove).where(RollupMove.grain == "su").values(handled=RollupMove.handled + 1))
        s.execute(update(OverdueSpan).values(end_at=OverdueSpan.end_at - 1))
    assert set(rollups_eval.drift(engine)) == {"rollup_move", "overdue_span"}


@pytest.mark.postgres
def test_postgresql_keeps_the_same_rollups(postgres_db):
    from data.store.schema import upgrade

    engine = get_engine(postgres_db)
    upgrade(engine)
    _rebuilt(_write_stories(engine))
    with engine.begin() as conn:  # the stories set their ids: move the sequence past them
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('incident', 'id'), 100)")
    with engine.begin() as conn:  # an account without the area table that add_user checks against
        conn.execute(insert(User).values(id="d-pg", name_zh="d", name_en="d", kind="staff", role="dispatcher"))
    (new,) = writes.add_incidents(engine, [incident(S1 + "001", t("10-30 09:00"), external_id="PG1")], now=NOW)
    when = t("10-30 10:00")
    for action, unit in (("register", None), ("dispatch", "街镇环卫所"), ("return", None), ("dispatch", "街镇环卫所")):
        with engine.connect() as conn:
            version = conn.scalar(select(Incident.version).where(Incident.id == new))
        writes.apply_action(
            engine, new, action, actor="d-pg", expected_version=version, unit=unit, comment="理由", now=when
        )
        when += 600
    assert rollups_eval.drift(engine) == {}
    with engine.connect() as conn:
        assert sql.rollups_cover(conn)
    got, want = _both(engine, lambda: ev.evaluate(Scope("310106"), OCT, W, NOW, [S1, S2]))
    assert got == want and got["areas"][0]["counts"]["dispatch_returned"] == 2
