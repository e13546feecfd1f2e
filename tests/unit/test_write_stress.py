"""Writes under stress (issue 13): a long SQLite write lock blocks no read, fails an officer's action in
seconds with a sentence and delays, not loses, a simulator step; a PostgreSQL restart during a step is
retried and the step lands once; background batches that cannot land are counted and logged."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from callbacks.incident import act
from callbacks.warnings import ack_message
from data.rules.config import load_catalog
from data.store.db import LOCK_WAIT, dispose_engine, get_engine, is_transient, read_versions
from data.store.models import Incident, IncidentHistory, Reading, Warning
from data.synthetic.simulator import Simulator
from data.write import retry, rollups, writes
from tests.conftest import SMALL_END, free_port

CATALOG = "data/rules/catalog.yaml"
HOLD = 10.0  # seconds another process holds the SQLite write lock

HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size=10")  # a big write spills to the file: without WAL that would shut out readers
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE incident SET title = 'LOCKED'")  # uncommitted: readers must still see the old titles
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


def _hold_write_lock(url: str, seconds: float) -> subprocess.Popen:
    """Another process takes the SQLite write lock and holds it for `seconds`; returns once it holds it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url.removeprefix("sqlite:///"), str(seconds)], stdout=subprocess.PIPE
    )
    assert proc.stdout.readline().strip() == b"locked"
    return proc


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar()
            for table in (Incident, IncidentHistory, Reading)
        )


def _in_thread(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        try:
            out["result"] = fn()
        except Exception as error:  # reported to the test through `out`
            out["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_a_long_write_lock_blocks_no_read_fails_actions_fast_and_delays_a_step_until_it_lands_once(mini_copy, app_for):
    engine = get_engine(mini_copy)
    with engine.connect() as conn:
        inc_id, version = conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == "reported").limit(1)
        ).one()
        warning_id = conn.execute(
            select(Warning.id).where(Warning.ended_at.is_(None), Warning.acknowledged_at.is_(None)).limit(1)
        ).scalar_one()
    app_for(mini_copy)  # a request context acting as the city's duty officer, for the callbacks
    before, lost_before = _counts(engine), retry.stats()["lost_batches"]
    sim = Simulator(engine, load_catalog(CATALOG), seed=3, rng_seed=3)
    holder = _hold_write_lock(mini_copy, HOLD)
    locked_at = time.monotonic()
    try:
        t0 = time.monotonic()  # (a) reads answer at once, from the last committed state
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).where(Incident.title == "LOCKED")).scalar() == 0
        assert read_versions(engine)["incidents"][0] >= 1
        assert time.monotonic() - t0 < 0.5

        stepping, step = _in_thread(lambda: sim.step(SMALL_END + 600, 600.0))

        t0 = time.monotonic()  # (b) an officer's action gives up within seconds and writes nothing
        with pytest.raises(writes.Busy):
            writes.apply_action(engine, inc_id, "register", actor="duty-officer", expected_version=version)
        assert LOCK_WAIT - 0.2 < time.monotonic() - t0 < 3.5

        t0 = time.monotonic()  # ... and the screens say so in the user's language
        state = {"id": inc_id, "version": version, "lang": "zh"}
        assert act(state, "register", None, None) == ("refused", "系统繁忙，操作未保存，请稍后重试。")
        assert ack_message(warning_id, "en") == "The system is busy; nothing was saved. Please try again."
        assert time.monotonic() - t0 < 7.0
        with engine.connect() as conn:  # nothing of theirs was written (nor half-written)
            assert conn.execute(select(Incident.version).where(Incident.id == inc_id)).scalar() == version
            assert conn.execute(select(Warning.acknowledged_at).where(Warning.id == warning_id)).scalar() is None
        assert holder.poll() is None, "the lock was released before the checks ended: raise HOLD"
        assert "result" not in step and "error" not in step  # (c) the step waits for the lock
    finally:
        holder.wait(timeout=HOLD + 5)
    stepping.join(timeout=60)
    assert "error" not in step, step.get("error")
    out, landed_at = step["result"], time.monotonic()
    assert landed_at - locked_at >= HOLD - 0.5
    after = _counts(engine)
    assert out["new"] > 0 and out["readings"] > 0
    assert after[0] - before[0] == out["new"]  # exactly once: no report twice, no officer's move
    assert after[1] - before[1] == out["new"] + out["moved"]
    assert after[2] - before[2] == out["readings"]
    assert retry.stats()["lost_batches"] == lost_before
    assert rollups.drift(engine) == {}


def test_a_step_whose_write_outcome_was_unknown_is_retried_without_duplicates(mini_copy, monkeypatch):
    """The reports' commit lands but its answer is lost (the connection dropped): the step is retried
    and writes each report once."""
    engine = get_engine(mini_copy)
    before = _counts(engine)
    real = writes.add_incidents
    calls = []

    def lands_then_drops(*args, **kwargs):
        ids = real(*args, **kwargs)
        calls.append(ids)
        if len(calls) == 1:
            raise writes.Busy("the connection dropped after COMMIT")
        return ids

    monkeypatch.setattr(writes, "add_incidents", lands_then_drops)
    sim = Simulator(engine, load_catalog(CATALOG), seed=3, rng_seed=4)
    out = sim.step(SMALL_END + 600, 600.0)
    assert len(calls) == 2 and calls[0] == calls[1] and out["new"] == len(calls[0]) > 0
    after = _counts(engine)
    assert after[0] - before[0] == out["new"]
    assert after[1] - before[1] == out["new"] + out["moved"]
    assert rollups.drift(engine) == {}


def test_after_a_lost_step_the_next_one_covers_its_time(monkeypatch):
    """The city catches up: the step after a lost one draws the reports of both intervals."""
    clock = iter([1000, 1000, 1060, 1120])
    monkeypatch.setattr("data.synthetic.simulator.now_ts", lambda: next(clock))
    sim = Simulator(None, None, rng_seed=1)
    sim._stop.wait = lambda timeout=None: sim._stop.is_set()  # no real pauses between steps
    steps = []

    def step(now, seconds):
        steps.append((now, seconds))
        if len(steps) == 1:
            raise writes.Busy("the database is away")
        if len(steps) == 3:
            sim.stop()
        return {}

    sim.step = step
    sim.run_forever(60)
    assert steps == [(1000, 60), (1060, 120), (1120, 60)]


def _locked_error(tmp_path: Path) -> OperationalError:
    """A real "database is locked" from SQLite, as SQLAlchemy raises it."""
    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    engine = get_engine(f"sqlite:///{path}")
    try:
        with engine.connect().execution_options(lock_wait=0.05) as conn, conn.begin():
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    except OperationalError as error:
        return error
    finally:
        holder.close()
        dispose_engine(f"sqlite:///{path}")
    raise AssertionError("the insert did not wait for the lock")


def test_a_background_batch_is_retried_with_growing_jittered_pauses_then_counted_lost_in_one_line(tmp_path, caplog):
    locked = _locked_error(tmp_path)
    assert is_transient(locked) and not is_transient(IntegrityError("INSERT", {}, Exception("UNIQUE")))
    pauses, start = [], retry.stats()

    def always_locked():
        raise locked

    def clock():
        return sum(pauses)  # time passes only while the helper pauses

    with caplog.at_level(logging.WARNING, "cityops.writes"), pytest.raises(OperationalError):
        retry.background(always_locked, "test batch", rows=40, budget=20.0, sleep=pauses.append, clock=clock)
    assert len(pauses) >= 5 and sum(pauses) <= 20.0
    for k, pause in enumerate(pauses):  # doubling from FIRST_DELAY, each jittered down by up to half
        cap = min(retry.MAX_DELAY, retry.FIRST_DELAY * 2**k)
        assert cap / 2 <= pause <= cap
    assert len(set(pauses)) == len(pauses)
    end = retry.stats()
    assert end["retries"] - start["retries"] == len(pauses)
    assert (end["lost_batches"] - start["lost_batches"], end["lost_rows"] - start["lost_rows"]) == (1, 40)
    assert end["last_lost"]["what"] == "test batch"
    levels = [r.levelno for r in caplog.records]  # one line when the trouble starts, one for the loss
    assert levels == [logging.WARNING, logging.ERROR] and "test batch" in caplog.records[-1].getMessage()


def test_a_background_batch_that_fails_for_good_is_not_retried_but_counted(caplog):
    tries, start = [], retry.stats()["lost_batches"]

    def broken():
        tries.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with caplog.at_level(logging.WARNING, "cityops.writes"), pytest.raises(IntegrityError):
        retry.background(broken, "importer batch", sleep=lambda s: None)
    assert len(tries) == 1 and retry.stats()["lost_batches"] == start + 1
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_healthz_counts_lost_background_writes(empty_db, app_for):
    app = app_for(empty_db)
    lost = retry.stats()["lost_batches"]

    def broken():
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        retry.background(broken, "health batch")
    body = app.server.test_client().get("/healthz").get_json()
    assert body["background_writes"]["lost_batches"] == lost + 1
    assert body["background_writes"]["last_lost"]["what"] == "health batch"


# --- PostgreSQL: a cluster of this module's own, so stopping it disturbs no other test -----------------


class Cluster:
    """A throwaway PostgreSQL cluster (as tests/conftest.py makes one) that a test may stop and start."""

    def __init__(self):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            pytest.fail("PostgreSQL is not installed: run `make test`, which installs it")
        self.pg_ctl = str(versions[-1].with_name("pg_ctl"))
        self.base = Path(tempfile.mkdtemp(prefix="cityops-pg-stress-"))
        self.data, sock = self.base / "data", self.base / "sock"
        sock.mkdir()
        self.as_user = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.base, "postgres")
            shutil.chown(sock, "postgres")
        port = free_port()
        self.options = f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off"
        initdb = [str(versions[-1]), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--locale=C.UTF-8"]
        subprocess.run([*self.as_user, *initdb], check=True, stdout=subprocess.DEVNULL)
        self.url = f"postgresql+psycopg://postgres@/postgres?host={sock}&port={port}"
        self.start()

    def _ctl(self, *args: str) -> None:
        cmd = [*self.as_user, self.pg_ctl, "-D", str(self.data), "-l", str(self.base / "log"), *args]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._ctl("-w", "-o", self.options, "start")

    def stop(self) -> None:
        self._ctl("-w", "-m", "fast", "stop")  # clients get "terminating connection due to administrator command"

    def remove(self) -> None:
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_city():
    """A small seeded city on a PostgreSQL cluster of this module's own: (url, cluster)."""
    from data.synthetic.seed import seed

    cluster = Cluster()
    try:
        seed(cluster.url, days=2, incidents=1000, projects=2, seed_value=3, end=SMALL_END)
        yield cluster.url, cluster
    finally:
        dispose_engine(cluster.url)
        cluster.remove()


@pytest.mark.postgres
def test_postgres_an_action_waiting_for_a_row_lock_fails_within_seconds(pg_city):
    url, _ = pg_city
    engine = get_engine(url)
    with engine.connect() as conn:
        inc_id, version = conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == "reported").limit(1)
        ).one()
    holding, release = threading.Event(), threading.Event()

    def hold_the_row():  # another writer holds the incident's row lock for up to 8 s
        with engine.connect() as holder, holder.begin():
            holder.execute(update(Incident).where(Incident.id == inc_id).values(title="LOCKED"))
            holding.set()
            release.wait(8.0)
            holder.rollback()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(10.0)
        t0 = time.monotonic()
        with pytest.raises(writes.Busy):
            writes.apply_action(engine, inc_id, "register", actor="duty-officer", expected_version=version)
        assert time.monotonic() - t0 < 3.5
    finally:
        release.set()
        holder.join()
    with engine.connect() as conn:
        assert conn.execute(select(Incident.version).where(Incident.id == inc_id)).scalar() == version


@pytest.mark.postgres
def test_postgres_stopped_during_a_step_is_retried_and_the_step_lands_once(pg_city, monkeypatch):
    url, cluster = pg_city
    engine = get_engine(url)
    before, lost, retries = _counts(engine), retry.stats()["lost_batches"], retry.stats()["retries"]
    real = writes.add_readings
    outage = []

    def after_an_outage(*args, **kwargs):
        """The reports and moves of the step have landed; now the server goes away for a few seconds."""
        if not outage:
            cluster.stop()
            outage.append(time.monotonic())
            threading.Timer(3.0, cluster.start).start()
        return real(*args, **kwargs)

    monkeypatch.setattr(writes, "add_readings", after_an_outage)
    sim = Simulator(engine, load_catalog(CATALOG), seed=3, rng_seed=5)
    out = sim.step(SMALL_END + 600, 600.0)
    assert time.monotonic() - outage[0] >= 3.0  # it landed after the server was back
    after = _counts(engine)
    assert out["new"] > 0 and out["readings"] > 0
    assert after[0] - before[0] == out["new"]  # every report once
    assert after[1] - before[1] == out["new"] + out["moved"]
    assert after[2] - before[2] == out["readings"]
    assert retry.stats()["retries"] > retries and retry.stats()["lost_batches"] == lost
    assert rollups.drift(engine) == {}
