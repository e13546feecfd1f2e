"""Shared fixtures: small seeded cities (seeded in the background), apps bound to them, a real
redis-server and PostgreSQL. The browser fixtures are in tests/integration/conftest.py."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.domain.timeutil import DAY, local_day_start, now_ts, parse_local
from data.store.db import dispose_engine, get_engine
from data.store.schema import upgrade
from tests.people import act_as, add_people

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SMALL_END = parse_local("2026-11-20 16:30")
TODAY_MARGIN = 120  # seconds: longer than any one test that watches "today" (Shanghai) on a screen
TODAY_REPORTS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MINI = {"days": 2, "incidents": 2000, "projects": 4, "end": SMALL_END}  # seed 1
CITIES = {  # the session's seeded SQLite cities: fixture -> (file name, seed() arguments besides the defaults)
    "small_city": ("city", {"seed_value": 7, "end": SMALL_END}),
    "_live_seed": ("live", {"seed_value": 11}),  # up to the time it is seeded
    "mini_city": ("mini", MINI),
}


def _seed_apart(url: str, kwargs: dict) -> None:
    """Seed a city (20k incidents over 10 days, 64 projects unless told) and close its connections, so
    that the file holds everything (runs in the worker process of `_cities`)."""
    from data.synthetic.seed import seed

    seed(url, **{"days": 10, "incidents": 20_000, "projects": 64, **kwargs})
    add_people(url)
    dispose_engine(url)


class _Cities:
    """The session's cities, seeded one after another in a worker process: the tests run meanwhile and
    wait only for a city that is not ready yet."""

    def __init__(self, tmp_path_factory, pool: ProcessPoolExecutor):
        self.tmp_path_factory, self.pool, self.seeding = tmp_path_factory, pool, {}

    def start(self, fixture: str) -> None:
        if fixture not in self.seeding:
            name, kwargs = CITIES[fixture]
            url = f"sqlite:///{self.tmp_path_factory.mktemp(name) / f'{name}.sqlite'}"
            self.seeding[fixture] = url, self.pool.submit(_seed_apart, url, kwargs)

    def url(self, fixture: str) -> str:
        self.start(fixture)
        url, done = self.seeding[fixture]
        if not done.done():  # while waiting, make the area rows that seeds and tree users here will want
            from data.synthetic.seed import derived_area_rows

            derived_area_rows()
        done.result()
        return url


def pytest_collection_modifyitems(items):
    """The tests that need no seeded city run first, while `_cities` seeds in the background."""
    items.sort(key=lambda item: any(fixture in CITIES for fixture in item.fixturenames))


@pytest.fixture(scope="session", autouse=True)
def _cities(request, tmp_path_factory):
    """Starts seeding the cities the selected tests use, in the order they first need them."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        cities = _Cities(tmp_path_factory, pool)
        for fixture in dict.fromkeys(f for item in request.session.items for f in item.fixturenames):
            if fixture in CITIES:
                cities.start(fixture)
        yield cities


def _private_copy(url: str, tmp_path: Path):
    """A writable copy of a seeded city, disposed of after the test."""
    get_engine(url).dispose()  # checkpoints the WAL into the file we copy
    dst = tmp_path / Path(url.removeprefix("sqlite:///")).name
    shutil.copy(url.removeprefix("sqlite:///"), dst)
    copy = f"sqlite:///{dst}"
    yield copy
    dispose_engine(copy)


@pytest.fixture(scope="session")
def small_city(_cities) -> str:
    """A seeded SQLite city ending at SMALL_END (seed 7), for exact, repeatable figures. Read-only."""
    return _cities.url("small_city")


@pytest.fixture(scope="session")
def mini_city(_cities) -> str:
    """A seeded SQLite city of 2k incidents over 2 days ending at SMALL_END (MINI): quick to copy. Read-only."""
    return _cities.url("mini_city")


@pytest.fixture(scope="session")
def _live_seed(_cities) -> str:
    return _cities.url("_live_seed")


@pytest.fixture
def live_city(_live_seed) -> str:
    """A seeded SQLite city whose data runs up to now (for screens that show "today"), with reports in
    today whatever the hour (see `today_has_reports`). Read-only, but for those reports."""
    today_has_reports(_live_seed)
    return _live_seed


def today_has_reports(url: str) -> None:
    """Keep the Shanghai "today" of the next TODAY_MARGIN seconds from being empty, whatever the hour: wait
    out a midnight closer than that, and when today has fewer than TODAY_REPORTS reports (the city was
    seeded before midnight, or just after it), add some from the last minute (but not from yesterday)
    through the real write path."""
    from data.store.models import Incident
    from data.write import writes

    to_midnight = local_day_start(now_ts()) + DAY - now_ts()
    if to_midnight < TODAY_MARGIN:
        time.sleep(to_midnight + 1)
    now = now_ts()
    day0 = local_day_start(now)
    engine = get_engine(url)
    with engine.connect() as conn:
        if conn.execute(select(func.count()).where(Incident.reported_at >= day0)).scalar() >= TODAY_REPORTS:
            return
        rows = [
            dict(r)
            for r in conn.execute(
                select(Incident.__table__).order_by(Incident.id.desc()).limit(TODAY_REPORTS)
            ).mappings()
        ]
    for i, row in enumerate(rows):
        row.update(external_id=f"TODAY-{day0}-{i}", reported_at=max(day0, now - 60 + i))
    writes.add_incidents(engine, rows, now=now)


@pytest.fixture
def live_copy(live_city, tmp_path):
    """A private, writable copy of the live city."""
    yield from _private_copy(live_city, tmp_path)


@pytest.fixture
def city_copy(small_city, tmp_path):
    """A private, writable copy of the small city."""
    yield from _private_copy(small_city, tmp_path)


@pytest.fixture
def mini_copy(mini_city, tmp_path):
    """A private, writable copy of the mini city."""
    yield from _private_copy(mini_city, tmp_path)


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.sqlite'}"
    upgrade(get_engine(url))
    return url


@pytest.fixture
def empty_db(_migrated, tmp_path) -> str:
    """A migrated, empty SQLite database (a copy of one migrated once per session)."""
    yield from _private_copy(_migrated, tmp_path)


_BUILT: list = []  # every app make_app built, so the test (or module) that built it can stop its tick thread


def make_app(url: str, **overrides):
    from app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "INSTANCE_PATH": ARTIFACTS / "instance", **overrides})
    _BUILT.append(app)
    return app


def _stop_tick_threads_built_since(start: int):
    """An app whose wall was ticked runs a TickWorker thread (data.wall.refresh.watch) until stopped. Left
    running, it ticked against a database file pytest had removed ("file is not a database") and logged
    into every later test's caplog, for the rest of the run."""
    yield
    for app in _BUILT[start:]:
        worker = app.server.extensions.get("cityops-tick-worker")
        if worker is not None:
            worker.stop(timeout=10)
    del _BUILT[start:]


@pytest.fixture(autouse=True, scope="module")
def _module_tick_threads():
    yield from _stop_tick_threads_built_since(len(_BUILT))


@pytest.fixture(autouse=True)
def _test_tick_threads():
    yield from _stop_tick_threads_built_since(len(_BUILT))


@pytest.fixture
def app_for():
    """Factory: an app (and a pushed request context, acting as the city's duty officer) bound to a
    database URL."""
    contexts = []

    def build(url: str, **overrides):
        app = make_app(url, **overrides)
        ctx = app.server.test_request_context()
        ctx.push()
        act_as()  # the city's duty officer, unless the test logs in someone else
        contexts.append(ctx)
        return app

    yield build
    for ctx in reversed(contexts):
        ctx.pop()


@pytest.fixture
def redis_server(tmp_path):
    """A real redis-server on a free loopback port; yields (url, process)."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed: run `make test`, which installs it")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, protocol=2)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0", proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server in a temporary cluster (run as the postgres user when we are root)."""
    bindir = Path("/usr/lib/postgresql")
    versions = sorted(bindir.glob("*/bin/initdb")) if bindir.exists() else []
    if not versions:
        pytest.fail("PostgreSQL is not installed: run `make test`, which installs it")
    initdb = versions[-1]
    pg_ctl = initdb.with_name("pg_ctl")
    base = Path(tempfile.mkdtemp(prefix="cityops-pg-"))  # pytest's own tmp is root-only (0700)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    subprocess.run(
        [*as_user, str(initdb), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            *as_user,
            str(pg_ctl),
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "log"),
            "-o",
            f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_url, request):
    """A new, empty database of the test's own on the session's PostgreSQL server."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    yield url
    dispose_engine(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}"')
    admin.dispose()


def pytest_configure(config):
    ARTIFACTS.mkdir(exist_ok=True)
