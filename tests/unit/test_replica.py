"""Reads from a real PostgreSQL streaming replica (DATABASE_READ_URL), writes to the primary: a replica
whose replay is paused proves which server each read came from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from data.domain.scope import CITY
from data.domain.timeutil import DAY, now_ts
from data.read import incidents
from data.read.freshness import freshness
from data.store.cache import PIN, current_engine, on_primary
from data.store.db import dispose_engine, get_engine, read_versions, wal_position
from data.store.models import Incident
from data.write import accounts, writes
from tests.conftest import SMALL_END, free_port, make_app
from tests.people import act_as, add_people, login

pytestmark = pytest.mark.postgres

ORIGIN = {"Content-Type": "application/json", "Origin": "http://localhost"}


class Pair:
    """A primary (initdb, wal_level=replica, a replication role and its pg_hba line) and a hot standby
    made from it by `pg_basebackup -R`, each on a free port with sockets in a temporary directory."""

    def __init__(self):
        initdbs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not initdbs:
            pytest.fail("PostgreSQL is not installed: run `make test`, which installs it")
        self.bin = initdbs[-1].parent
        self.base = Path(tempfile.mkdtemp(prefix="cityops-replica-"))  # pytest's tmp is root-only (0700)
        self.sock = self.base / "sock"
        self.sock.mkdir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.base, "postgres")
            shutil.chown(self.sock, "postgres")
        self.ports = {"primary": free_port(), "replica": free_port()}
        while self.ports["replica"] == self.ports["primary"]:
            self.ports["replica"] = free_port()
        self.started: list[str] = []

    def url(self, name: str, user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@/postgres?host={self.sock}&port={self.ports[name]}"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True, stdout=subprocess.DEVNULL)

    def start(self, name: str, *settings: str) -> None:
        options = f"-p {self.ports[name]} -k {self.sock} -c listen_addresses='' -c fsync=off " + " ".join(settings)
        self._run(
            "pg_ctl", "-D", str(self.base / name), "-w", "-l", str(self.base / f"{name}.log"), "-o", options, "start"
        )
        self.started.append(name)

    def make_primary(self) -> None:
        data = self.base / "primary"
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write("local replication replicator trust\n")
        self.start("primary", "-c wal_level=replica", "-c max_wal_senders=4")
        admin = create_engine(self.url("primary"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE ROLE replicator WITH REPLICATION LOGIN")
        admin.dispose()

    def make_replica(self) -> None:
        source = ["-h", str(self.sock), "-p", str(self.ports["primary"]), "-U", "replicator"]
        self._run("pg_basebackup", "-D", str(self.base / "replica"), "-R", "-X", "stream", "-c", "fast", *source)
        self.start("replica", "-c hot_standby=on")

    def remove(self) -> None:
        for name in reversed(self.started):
            subprocess.run(
                [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.base / name), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def pair():
    """(primary url, replica url) of a small seeded city replicated to a hot standby."""
    from data.synthetic.seed import seed

    servers = Pair()
    primary, replica = servers.url("primary"), servers.url("replica")
    try:
        servers.make_primary()
        seed(primary, days=2, incidents=600, projects=2, seed_value=3, end=SMALL_END)
        add_people(primary)
        servers.make_replica()
        yield primary, replica
    finally:
        for url in (primary, replica):
            dispose_engine(url)
        servers.remove()


@pytest.fixture(scope="module")
def app(pair):
    primary, replica = pair
    return make_app(primary, DATABASE_READ_URL=replica)


@pytest.fixture(scope="module")
def direct(pair):
    """The test's own connections to each server, outside the app: {"primary": engine, "replica": engine}."""
    engines = {
        name: create_engine(url, isolation_level="AUTOCOMMIT") for name, url in zip(("primary", "replica"), pair)
    }
    yield engines
    for engine in engines.values():
        engine.dispose()


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _one(engine, sql):
    with engine.connect() as conn:
        return (conn.exec_driver_sql(sql) if isinstance(sql, str) else conn.execute(sql)).scalar()


def caught_up(direct) -> bool:
    """The replica has replayed everything the primary has flushed."""
    return wal_position(direct["replica"]) >= wal_position(direct["primary"], flushed=True)


@contextmanager
def paused(direct):
    """Replay paused on the replica inside the block (resumed even when an assertion fails)."""
    _one(direct["replica"], "SELECT pg_wal_replay_pause()")
    try:
        _wait_for(lambda: _one(direct["replica"], "SELECT pg_get_wal_replay_pause_state()") == "paused")
        yield
    finally:
        _one(direct["replica"], "SELECT pg_wal_replay_resume()")


def _status(engine, iid: int) -> str:
    return _one(engine, select(Incident.status).where(Incident.id == iid))


def _count(app) -> int:
    """One request of the duty officer: a memoized, scoped read (keyed by data versions)."""
    with app.server.test_request_context():
        act_as()
        return incidents.incident_counts(CITY, SMALL_END - DAY, SMALL_END + DAY)["total"]


def test_reads_come_from_the_replica_and_their_cache_keys_too(app, direct):
    _wait_for(lambda: caught_up(direct))
    before = _count(app)
    with direct["primary"].connect() as conn:
        row = conn.execute(select(Incident.__table__).where(Incident.reported_at <= SMALL_END).limit(1)).one()
    new = dict(row._mapping, external_id="REPLICA-1", reported_at=SMALL_END - 60)
    with paused(direct):
        with app.server.test_request_context():
            act_as()
            writes.add_incidents(current_engine(), [new])  # handed the read engine: lands on the primary
        assert _count(app) == before  # the replica has not replayed it: the app's read does not show it
        with app.server.test_request_context():
            act_as()
            shown = freshness(CITY, now_ts())["incidents"]["version"]  # what the freshness lines read
        assert (
            shown
            == read_versions(direct["replica"])["incidents"][0]
            == read_versions(direct["primary"])["incidents"][0] - 1
        )
        with app.server.test_request_context(), on_primary():
            act_as()
            assert incidents.incident_counts(CITY, SMALL_END - DAY, SMALL_END + DAY)["total"] == before + 1
    _wait_for(lambda: caught_up(direct))
    # had the key used the primary's newer versions, the paused replica's old count would be cached under them
    assert _count(app) == before + 1


def _render(app, client, path: str) -> str:
    """What Dash's pages router answers for a path: the layout the browser would show."""
    key = next(k for k in app.callback_map if "_pages_content.children" in k)
    cb = app.callback_map[key]
    inputs = [{**d, "value": path if d["property"] == "pathname" else ""} for d in cb["inputs"]]
    state = [{**d, "value": None} for d in cb["state"]]
    return _post(client, key, inputs, state, [f"{cb['inputs'][0]['id']}.pathname"])


def _post(client, key: str, inputs: list, state: list, changed: list[str]) -> str:
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }
    resp = client.post("/_dash-update-component", data=json.dumps(body, ensure_ascii=False), headers=ORIGIN)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def _act(app, client, iid: int, version: int, action: str) -> str:
    key = next(k for k in app.callback_map if "inc-head.children" in k)
    states = [
        {"id": "inc-action", "property": "value", "value": action},
        {"id": "inc-unit", "property": "value", "value": None},
        {"id": "inc-comment", "property": "value", "value": None},
        {"id": "inc-state", "property": "data", "value": {"id": iid, "version": version, "lang": "en"}},
        *({"id": i, "property": "value", "value": None} for i in ("inc-target", "inc-due-date", "inc-due-time")),
    ]
    return _post(
        client, key, [{"id": "inc-submit", "property": "n_clicks", "value": 1}], states, ["inc-submit.n_clicks"]
    )


def _login(app, username: str):
    client = app.server.test_client()
    assert login(client, username).status_code == 302
    return client


def test_an_officer_sees_their_action_at_once_while_the_replica_lags(app, direct):
    officer, other = _login(app, "t-dispatcher"), _login(app, "t-leader")
    with direct["primary"].connect() as conn:
        iid, version = conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == "reported").order_by(Incident.id).limit(1)
        ).one()
    page = f"/incidents/{iid}"
    _wait_for(lambda: caught_up(direct))
    assert "status-reported" in _render(app, officer, page) and "status-reported" in _render(app, other, page)
    with paused(direct):
        assert "status-registered" in _act(app, officer, iid, version, "register")  # re-read in the same request
        assert (_status(direct["primary"], iid), _status(direct["replica"], iid)) == ("registered", "reported")
        assert "status-registered" in _render(app, officer, page)  # the officer's next page: from the primary
        assert "status-reported" in _render(app, other, page)  # everyone else's: from the replica
        lagging = officer.get("/healthz").get_json()
        assert lagging["status"] == "ok" and lagging["replica"]["ok"] and lagging["replica"]["replay_paused"]
        assert lagging["replica"]["lag_s"] > 0 and lagging["replica"]["behind_bytes"] > 0
    _wait_for(lambda: caught_up(direct))
    assert "status-registered" in _render(app, other, page)
    assert "status-registered" in _render(app, officer, page)
    with officer.session_transaction() as session:
        assert PIN not in session  # caught up: the officer reads from the replica again
    caught = {"ok": True, "in_recovery": True, "behind_bytes": 0, "lag_s": 0.0, "replay_paused": False}
    # waited for, not asserted once: the server's own WAL records (a checkpoint) come and go meanwhile
    _wait_for(lambda: officer.get("/healthz").get_json()["replica"] == caught)


def test_a_disabled_account_is_refused_at_once_while_the_replica_lags(pair, app, direct):
    client = _login(app, "t-district")
    _wait_for(lambda: caught_up(direct))
    assert client.get("/incidents").status_code == 200
    with paused(direct):
        accounts.disable(get_engine(pair[0]), "t-district")  # the write path, on the primary
        refused = client.get("/incidents")  # the account check reads the primary, not the paused replica
        assert refused.status_code == 302 and "/login" in refused.headers["Location"]
