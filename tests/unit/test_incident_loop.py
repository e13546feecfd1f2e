"""The closed loop against its allowed-moves table: a Hypothesis state machine, two officers racing,
and rejected actions that write nothing."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from data.domain.limits import category_of
from data.domain.vocab import ACTIONS, CATEGORIES
from data.store.db import dispose_engine, get_engine
from data.store.models import Incident, IncidentAudit, IncidentHistory
from data.write import rollups, writes
from data.write.moves import DISPOSITION, WHILE_PARKED
from tests.conftest import MINI, SMALL_END

ACTION_NAMES = sorted(ACTIONS)


def _row(engine, inc_id):
    with engine.connect() as conn:
        return conn.execute(
            select(Incident.status, Incident.version, Incident.category, Incident.assigned_unit).where(
                Incident.id == inc_id
            )
        ).one()


def _counts(engine, inc_id):
    with engine.connect() as conn:
        hist = conn.execute(select(func.count()).where(IncidentHistory.incident_id == inc_id)).scalar()
        audit = conn.execute(select(func.count()).where(IncidentAudit.incident_id == inc_id)).scalar()
    return hist, audit


def _due(engine, inc_id):
    with engine.connect() as conn:
        return conn.execute(select(Incident.due_at).where(Incident.id == inc_id)).scalar()


class LoopMachine(RuleBasedStateMachine):
    """The model is the ACTIONS table itself plus each move's own condition (data.write.moves): any
    action from any status, with or without a reason, unit, merge target or new deadline; the database
    must agree with the model after every step."""

    db_template: str = ""

    @initialize()
    def setup(self):
        self.dir = Path(tempfile.mkdtemp(prefix="loop-"))
        shutil.copy(self.db_template, self.dir / "c.sqlite")
        self.url = f"sqlite:///{self.dir / 'c.sqlite'}"
        self.engine = get_engine(self.url)
        with self.engine.connect() as conn:
            self.inc, self.other = conn.execute(
                select(Incident.id).where(Incident.status == "reported").order_by(Incident.id).limit(2)
            ).scalars()
        self.status, self.version, self.category, _ = _row(self.engine, self.inc)
        with self.engine.connect() as conn:
            code, kind, sub = conn.execute(
                select(Incident.std_code, Incident.kind, Incident.subcategory).where(Incident.id == self.inc)
            ).one()
        self.stages = len(category_of(code, kind, sub).limit)
        self.history, self.audit = _counts(self.engine, self.inc)
        self.parked = self.pending = self.supervised = False
        self.stage, self.disposition = 0, None
        self.now = SMALL_END

    def teardown(self):
        if hasattr(self, "url"):
            assert rollups.drift(self.engine) == {}  # the rollups followed every accepted move
            dispose_engine(self.url)
            shutil.rmtree(self.dir, ignore_errors=True)

    def _own_condition(self, action, good_target, good_due) -> bool:
        if self.parked and action not in WHILE_PARKED:
            return False
        return {
            "reopen": self.disposition is None,
            "merge": good_target,
            "request_extension": not self.pending and good_due,
            "approve_extension": self.pending,
            "refuse_extension": self.pending,
            "unpark": self.parked,
            "supervise": not self.supervised,
            "stage_done": self.stage + 1 < self.stages,
        }.get(action, True)

    @rule(
        action=st.sampled_from(ACTION_NAMES),
        reason=st.sampled_from(["", "  ", "复核未通过：现场仍有积水"]),
        good_unit=st.booleans(),
        good_target=st.booleans(),
        good_due=st.booleans(),
        stale=st.booleans(),
    )
    def act(self, action, reason, good_unit, good_target, good_due, stale):
        allowed_from, to_status, needs_reason, _roles = ACTIONS[action]
        unit = CATEGORIES[self.category]["units"][0] if good_unit else "不存在的单位"
        self.now += 60
        expected = self.version - 1 if stale else self.version
        due = _due(self.engine, self.inc) or self.now
        ok = (
            not stale
            and self.status in allowed_from
            and bool(reason.strip() or not needs_reason)
            and (action != "dispatch" or good_unit)
            and self._own_condition(action, good_target, good_due)
        )
        try:
            writes.apply_action(
                self.engine,
                self.inc,
                action,
                actor="duty-officer",
                expected_version=expected,
                comment=reason,
                unit=unit,
                target_id=self.other if good_target else self.inc,
                new_due=due + 86400 if good_due else due - 60,
                now=self.now,
            )
            accepted = True
        except writes.WriteError:
            accepted = False
        assert accepted == ok, (action, self.status, reason, good_unit, stale, self.parked, self.pending)
        if ok:
            self.version += 1
            self.history += 1
            self.audit += 1
            if to_status is not None:
                self.status, self.parked, self.disposition = to_status, False, DISPOSITION.get(action)
            self.pending = {"request_extension": True, "approve_extension": False, "refuse_extension": False}.get(
                action, self.pending
            )
            self.parked = {"park": True, "unpark": False}.get(action, self.parked)
            self.supervised = self.supervised or action == "supervise"
            self.stage += action == "stage_done"

    @invariant()
    def database_matches_the_model(self):
        if not hasattr(self, "engine"):
            return
        status, version, _, unit = _row(self.engine, self.inc)
        assert (status, version) == (self.status, self.version)
        assert _counts(self.engine, self.inc) == (self.history, self.audit)
        with self.engine.connect() as conn:
            parked, stage = conn.execute(
                select(Incident.parked_at, Incident.stage).where(Incident.id == self.inc)
            ).one()
        assert (parked is not None, stage) == (self.parked, self.stage)


def test_the_loop_follows_its_allowed_moves_table(mini_copy):
    LoopMachine.db_template = mini_copy.removeprefix("sqlite:///")  # each example works on a copy of its own
    machine = LoopMachine.TestCase
    machine.settings = settings(
        max_examples=15, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    machine().runTest()


NEXT = {
    "reported": "register",
    "registered": "dispatch",
    "dispatched": "start",
    "handling": "handled",
    "verifying": "verify_pass",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def race_city(request, mini_city) -> str:
    """The mini city, on SQLite (a copy: writers queue on BEGIN IMMEDIATE) and on PostgreSQL (seeded the
    same way: the loser's UPDATE waits for the winner's row lock, then matches no row)."""
    if request.param == "sqlite":
        return request.getfixturevalue("mini_copy")
    from data.synthetic.seed import seed

    url = request.getfixturevalue("postgres_db")
    seed(url, **MINI)
    return url


def test_two_officers_at_once_exactly_one_wins_every_time(race_city):
    engine = get_engine(race_city)
    with engine.connect() as conn:
        ids = conn.scalars(
            select(Incident.id).where(Incident.status.in_(list(NEXT))).order_by(Incident.id).limit(100)
        ).all()
    assert len(ids) == 100
    for inc_id in ids:
        status, version, cat, _ = _row(engine, inc_id)
        hist_before, audit_before = _counts(engine, inc_id)
        results = []
        barrier = threading.Barrier(2)

        def officer(name):
            barrier.wait()
            try:
                writes.apply_action(
                    engine, inc_id, NEXT[status], actor=name, expected_version=version, unit=CATEGORIES[cat]["units"][0]
                )
                results.append("ok")
            except writes.StaleVersion:
                results.append("stale")

        threads = [threading.Thread(target=officer, args=(n,)) for n in ("duty-officer", "dispatcher")]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(results) == ["ok", "stale"]
        assert _counts(engine, inc_id) == (hist_before + 1, audit_before + 1)  # one history row, one audit row
    assert rollups.drift(engine) == {}


def test_bad_actions_get_a_reason_and_write_nothing(city_copy):
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        inc_id = conn.execute(select(Incident.id).where(Incident.status == "registered").limit(1)).scalar_one()
    status, version, cat, _ = _row(engine, inc_id)
    before = _counts(engine, inc_id)
    cases = [
        (dict(action="verify_pass", expected_version=version), writes.NotAllowed),
        (dict(action="dispatch", expected_version=version, unit="不存在的单位"), writes.BadInput),
        (dict(action="dispatch", expected_version=version, unit=None), writes.BadInput),
        (dict(action="close", expected_version=version, comment="   "), writes.BadInput),
        (dict(action="dispatch", expected_version=version + 1, unit=CATEGORIES[cat]["units"][0]), writes.StaleVersion),
    ]
    for kwargs, error in cases:
        with pytest.raises(error):
            writes.apply_action(engine, inc_id, actor="duty-officer", **kwargs)
    with pytest.raises(writes.NotFound):
        writes.apply_action(engine, 10**9, "register", actor="duty-officer", expected_version=1)
    assert _row(engine, inc_id)[:2] == (status, version) and _counts(engine, inc_id) == before
