"""Shared fixtures: a small seeded city, apps bound to it, a real redis-server and PostgreSQL."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from data.domain.timeutil import parse_local
from data.store.db import dispose_engine, get_engine
from data.store.schema import upgrade

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SMALL_END = parse_local("2026-11-20 16:30")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seeded(tmp_path_factory, name: str, **kwargs) -> str:
    """A freshly seeded SQLite city: 20k incidents over 10 days, 64 projects."""
    from data.synthetic.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.sqlite'}"
    seed(url, days=10, incidents=20_000, projects=64, **kwargs)
    return url


def _private_copy(url: str, tmp_path: Path):
    """A writable copy of a seeded city, disposed of after the test."""
    get_engine(url).dispose()  # checkpoints the WAL into the file we copy
    dst = tmp_path / Path(url.removeprefix("sqlite:///")).name
    shutil.copy(url.removeprefix("sqlite:///"), dst)
    copy = f"sqlite:///{dst}"
    yield copy
    dispose_engine(copy)


@pytest.fixture(scope="session")
def small_city(tmp_path_factory) -> str:
    """A seeded SQLite city ending at SMALL_END (seed 7), for exact, repeatable figures. Read-only."""
    return _seeded(tmp_path_factory, "city", seed_value=7, end=SMALL_END)


@pytest.fixture(scope="session")
def live_city(tmp_path_factory) -> str:
    """A seeded SQLite city whose data runs up to now (for screens that show "today"). Read-only."""
    return _seeded(tmp_path_factory, "live", seed_value=11)


@pytest.fixture
def live_copy(live_city, tmp_path):
    """A private, writable copy of the live city."""
    yield from _private_copy(live_city, tmp_path)


@pytest.fixture
def city_copy(small_city, tmp_path):
    """A private, writable copy of the small city."""
    yield from _private_copy(small_city, tmp_path)


@pytest.fixture
def empty_db(tmp_path) -> str:
    """A migrated, empty SQLite database."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    upgrade(get_engine(url))
    yield url
    dispose_engine(url)


def make_app(url: str, **overrides):
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "INSTANCE_PATH": ARTIFACTS / "instance", **overrides})


@pytest.fixture
def app_for():
    """Factory: an app (and a pushed request context) bound to a database URL."""
    contexts = []

    def build(url: str, **overrides):
        app = make_app(url, **overrides)
        ctx = app.server.test_request_context()
        ctx.push()
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
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    subprocess.run([*as_user, str(initdb), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
                    f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off", "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


def pytest_configure(config):
    ARTIFACTS.mkdir(exist_ok=True)
