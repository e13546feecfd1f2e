"""Rollups kept on write equal a full recomputation, whatever mix of writes came before."""

import random

from sqlalchemy import select, update

from data.domain.vocab import ACTIONS, CATEGORIES
from data.store.db import get_engine, read_session, write_session
from data.store.models import Incident, RollupOpen
from data.write import rollups, writes
from tests.conftest import SMALL_END
from tests.unit.tiny_city import incident


def _state(engine):
    with read_session(engine) as s:
        return rollups.snapshot(s)


def test_incremental_rollups_equal_a_rebuild_after_random_writes(city_copy):
    engine = get_engine(city_copy)
    rng = random.Random(11)
    with engine.connect() as conn:
        grids = [r[0] for r in conn.execute(select(Incident.grid_code).distinct().limit(40))]
        open_ids = [r[0] for r in conn.execute(select(Incident.id).where(Incident.status != "closed").limit(80))]
        closed_ids = [r[0] for r in conn.execute(select(Incident.id).where(Incident.status == "closed").limit(20))]
    now = SMALL_END
    new_ids = []
    for step in range(60):
        now += rng.randint(30, 900)
        batch = [
            incident(
                rng.choice(grids),
                now - rng.randint(0, 7200),
                rng.choice(["hotline", "patrol", "iot"]),
                rng.choice(["sanitation", "drainage", "street_order"]),
                rng.choice([1, 2, 3]),
                external_id=f"R{step}-{k}",
            )
            for k in range(rng.randint(1, 3))
        ]
        new_ids += writes.add_incidents(engine, batch, now=now)
    moves = 0
    for inc_id in rng.sample(open_ids + new_ids + closed_ids, 120):
        with engine.connect() as conn:
            status, version, cat = conn.execute(
                select(Incident.status, Incident.version, Incident.category).where(Incident.id == inc_id)
            ).one()
        choices = [a for a, move in ACTIONS.items() if status in move.allowed_from]
        action = rng.choice(choices)
        now += rng.randint(10, 600)
        try:  # some moves have conditions of their own (a pending extension, a parked incident): refused ones write nothing
            writes.apply_action(
                engine,
                inc_id,
                action,
                actor="duty-officer",
                expected_version=version,
                comment="理由",
                unit=CATEGORIES[cat]["units"][0],
                target_id=open_ids[0] if inc_id != open_ids[0] else open_ids[1],
                new_due=now + 10 * 86400,
                now=now,
            )
        except (writes.NotAllowed, writes.BadInput):
            continue
        moves += 1
    writes.add_readings(
        engine,
        [
            {"indicator_code": "aqi", "area_code": "310106", "ts": now, "value": 88.0},
            {"indicator_code": "aqi", "area_code": "310106", "ts": now - 99999, "value": 1.0},
        ],
        now=now,
    )
    assert moves >= 90  # most of the 120 attempted moves land (refused ones are checked in test_incident_loop)
    assert rollups.drift(engine) == {}
    assert ("aqi", "310106", now, 88.0) in _state(engine)["latest_reading"]


def test_drift_notices_a_rollup_that_went_wrong(city_copy):
    engine = get_engine(city_copy)
    assert rollups.drift(engine) == {}
    with write_session(engine) as s:
        s.execute(update(RollupOpen).where(RollupOpen.status == "handling").values(count=RollupOpen.count + 1))
    assert set(rollups.drift(engine)) == {"rollup_open"}


def test_a_rejected_action_changes_nothing(city_copy):
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        inc_id, version = conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == "reported").limit(1)
        ).one()
    before = _state(engine)
    for kwargs, error in (
        ({"action": "verify_pass", "expected_version": version}, writes.NotAllowed),
        ({"action": "register", "expected_version": version + 5}, writes.StaleVersion),
        ({"action": "teleport", "expected_version": version}, writes.NotAllowed),
    ):
        try:
            writes.apply_action(engine, inc_id, actor="duty-officer", **kwargs)
            raise AssertionError("accepted a bad action")
        except error:
            pass
    try:
        writes.apply_action(engine, 10**9, "register", actor="duty-officer", expected_version=1)
        raise AssertionError("accepted an unknown incident")
    except writes.NotFound:
        pass
    assert _state(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(Incident.version).where(Incident.id == inc_id)).scalar() == version
