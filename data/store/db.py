"""Engine and session factories; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from data.domain.timeutil import now_ts
from data.store.models import DataVersion

# "history" changes only when a write lands before the current hour (a late report, a re-seed):
# aggregates over whole past hours are keyed on it alone, so they survive the live trickle.
DOMAINS = ("incidents", "readings", "projects", "warnings", "areas", "history", "users")

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def get_engine(url: str) -> Engine:
    """One shared Engine per database URL (created lazily, never at import time)."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
                _sqlite_setup(engine)
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
            _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close and forget the engine for url (tests, and after a fork)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction: committed on success, rolled back on any error.

    On SQLite the transaction starts with BEGIN IMMEDIATE, taking the write lock before the
    first read, so concurrent writers queue instead of failing with "database is locked".
    """
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind=conn, expire_on_commit=False) as session, session.begin():
            yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def bump_versions(session: Session, *domains: str, now: int | None = None) -> None:
    """Mark domains as changed; runs inside the writer's transaction so it commits with the data."""
    for domain in domains:
        if domain not in DOMAINS:
            raise ValueError(f"unknown data domain {domain!r}")
    session.execute(
        update(DataVersion)
        .where(DataVersion.domain.in_(domains))
        .values(version=DataVersion.version + 1, updated_at=now if now is not None else now_ts())
    )


def read_versions(engine: Engine) -> dict[str, tuple[int, int]]:
    """{domain: (version, updated_at)} for every data domain."""
    with engine.connect() as conn:
        rows = conn.execute(select(DataVersion.domain, DataVersion.version, DataVersion.updated_at))
        return {domain: (version, updated) for domain, version, updated in rows}


def ping(engine: Engine) -> None:
    """Round-trip to the database (raises when it is down): the health check's probe."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
