"""Engine and session factories; SQLite gets WAL, a short lock wait and BEGIN IMMEDIATE for writers.

A PostgreSQL streaming replica (DATABASE_READ_URL) gets an engine of its own whose sessions are read-only;
a write handed that engine runs on its primary, so no caller can write to a replica by mistake."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from data.domain.timeutil import now_ts
from data.store.models import DataVersion

# "history" changes only when a write lands before the current hour (a late report, a re-seed):
# aggregates over whole past hours are keyed on it alone, so they survive the live trickle.
DOMAINS = ("incidents", "readings", "projects", "warnings", "areas", "history", "users")

# A writer waits this long for the write lock (SQLite) or a row lock (PostgreSQL), then gives up with
# Busy: an officer's click holds a server thread for 2.5 s at most, not the 10 s that stalled the server
# under a long lock. Background writers retry Busy with backoff (data.write.retry).
LOCK_WAIT = 2.5

_engines: dict[str, Engine] = {}
_primaries: dict[Engine, Engine] = {}  # a replica's engine -> its primary's
_after_write: list[Callable[[Engine], None]] = []
_lock = threading.Lock()
log = logging.getLogger("cityops.db")


class Busy(Exception):
    """The database did not take a write in time (its lock held elsewhere, or the server away); the
    transaction was rolled back, so nothing was written and the same write may simply be tried again."""


def is_transient(error: BaseException) -> bool:
    """True for failures that pass by themselves: Busy, SQLite's "database is locked", and PostgreSQL's
    operational errors (connection refused or lost, admin shutdown, a lock timeout, a serialization
    failure). A constraint, a typo in SQL or a missing table is not transient."""
    if isinstance(error, Busy | exc.DisconnectionError | exc.TimeoutError):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, exc.OperationalError):
        return False
    if isinstance(error.orig, sqlite3.Error):  # SQLITE_BUSY (5) or SQLITE_LOCKED (6), extended codes too
        return (getattr(error.orig, "sqlite_errorcode", 0) & 0xFF) in (5, 6)
    return True


def describe(error: BaseException) -> str:
    """The driver's own first line ("database is locked", "canceling statement due to lock timeout") for
    a log line: never the SQL or its parameters, which may hold a reporter's name or phone."""
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0][:200] if lines else ''}"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT * 1000)}")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        options = conn.get_execution_options()
        wait_ms = int(options.get("lock_wait", LOCK_WAIT) * 1000)  # set each time: pooled connections are shared
        conn.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


CACHE_KB = 65_536  # each SQLite connection's page cache (64 MB)
BULK_CACHE_KB = 1_048_576  # while a large import writes: its indexes' pages stay in memory
BULK_CHECKPOINT_PAGES = 100_000  # and the WAL is copied back every ~400 MB instead of every 4 MB


_bulk_runs: dict[int, int] = {}  # id(engine) -> bulk_writes blocks running on it
_bulk_guard = threading.Lock()


def _bulk_running(engine: Engine) -> bool:
    return _bulk_runs.get(id(engine), 0) > 0


def _bulk_listeners(engine: Engine) -> None:
    """Registered once with the engine: a connection checked out while bulk_writes runs gets the bulk
    settings, and gets the usual ones back when it is returned after. Not added and removed per import:
    SQLAlchemy iterates an event's listeners without a lock, and a listener added while another thread
    checked a connection out failed that request ("deque mutated during iteration", a 500 in CI)."""

    def settle(dbapi_conn, record) -> None:
        bulk = _bulk_running(engine)
        if record.info.get("cityops_bulk", False) == bulk:
            return
        if bulk:
            dbapi_conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KB}")
            dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={BULK_CHECKPOINT_PAGES}")
        else:
            dbapi_conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")  # frees what the bulk cache held
            dbapi_conn.execute("PRAGMA wal_autocheckpoint=1000")
        record.info["cityops_bulk"] = bulk

    event.listen(engine, "checkout", lambda dbapi_conn, record, _proxy: settle(dbapi_conn, record))
    event.listen(engine, "checkin", settle)


@contextmanager
def bulk_writes(engine: Engine) -> Iterator[None]:
    """A long run of write batches (an import) on SQLite: connections checked out meanwhile get a large page
    cache and a rare WAL checkpoint (a million-row import then spends its time writing rows, not re-reading
    index pages and copying the WAL on every commit); afterwards the WAL is checkpointed once, without
    waiting for readers, and connections go back to the usual settings as they are returned. Other
    databases: nothing to do."""
    if not is_sqlite(engine):
        yield
        return
    with _bulk_guard:
        _bulk_runs[id(engine)] = _bulk_runs.get(id(engine), 0) + 1
    try:
        yield
    finally:
        with _bulk_guard:
            _bulk_runs[id(engine)] -= 1
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def get_engine(url: str, *, read_only: bool = False) -> Engine:
    """One shared Engine per database URL (created lazily, never at import time); `read_only` makes a
    PostgreSQL engine's transactions read-only (a replica's, when it is created)."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": LOCK_WAIT})
                _sqlite_setup(engine)
                _bulk_listeners(engine)
            else:
                args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=args)
            _engines[url] = engine
        return engine


def get_replica_engine(url: str, primary_url: str) -> Engine:
    """The engine of a streaming replica of `primary_url`: read-only, and a write_session handed it
    runs on the primary's engine instead."""
    replica = get_engine(url, read_only=True)
    if replica not in _primaries:
        primary = get_engine(primary_url)
        with _lock:
            _primaries[replica] = primary
    return replica


def dispose_engine(url: str) -> None:
    """Close and forget the engine for url (tests, and after a fork)."""
    with _lock:
        engine = _engines.pop(url, None)
        for replica, primary in list(_primaries.items()):
            if engine in (replica, primary):
                del _primaries[replica]
    if engine is not None:
        engine.dispose()


def after_write(hook: Callable[[Engine], None]) -> None:
    """Call hook(primary engine) after every committed write transaction (once per hook; the cache
    registers one that sends the writing session's reads to the primary until the replica has the write).
    A hook must not raise: the write has already committed."""
    with _lock:
        if hook not in _after_write:
            _after_write.append(hook)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine, *, wait: float = LOCK_WAIT) -> Iterator[Session]:
    """A session for one write transaction: committed on success, rolled back on any error.

    On SQLite the transaction starts with BEGIN IMMEDIATE, taking the write lock before the first
    read, so concurrent writers queue instead of failing half-way; on PostgreSQL `lock_timeout` bounds
    each wait for a row lock. Either way a writer waits at most `wait` seconds, and a transient failure
    (the lock not granted, the server away) is raised as Busy, after the rollback. A replica's engine
    writes through its primary's.
    """
    engine = _primaries.get(engine, engine)
    try:
        with engine.connect() as conn:
            if is_sqlite(engine):
                conn = conn.execution_options(sqlite_begin="IMMEDIATE", lock_wait=wait)
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                if not is_sqlite(engine):
                    session.execute(text(f"SET LOCAL lock_timeout = {int(wait * 1000)}"))
                yield session
    except Exception as error:
        if is_transient(error) and not isinstance(error, Busy):
            raise Busy(f"the database did not take the write within {wait:g} s ({describe(error)})") from error
        raise
    for hook in _after_write:  # committed: nothing after this may fail the write
        try:
            hook(engine)
        except Exception:
            log.exception("after-write hook %s failed", getattr(hook, "__name__", hook))


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


# PostgreSQL WAL positions as byte offsets (pg_lsn minus '0/0'): comparable ints that fit a session cookie
_POSITION = (
    "SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
    " ELSE pg_current_wal_{}_lsn() END, '0/0')::bigint"
)


def wal_position(engine: Engine, *, flushed: bool = False) -> int | None:
    """How far this server's WAL goes: a replica's replay position (what its reads see); a primary's
    insert position (past every commit it has made, even an asynchronous one: what a session that wrote
    must wait for), or with `flushed` its flush position (all a replica can have been sent). None on SQLite."""
    if is_sqlite(engine):
        return None
    with engine.connect() as conn:
        return conn.exec_driver_sql(_POSITION.format("flush" if flushed else "insert")).scalar()


def replication_lag(primary: Engine, replica: Engine) -> dict:
    """How far the replica's reads trail the primary: WAL bytes not yet replayed, and in seconds the age
    of the last transaction it replayed (0 when it has replayed everything the primary had just before).
    Seconds are an upper bound: a primary idle since its last commit still counts from that commit."""
    head = wal_position(primary, flushed=True)  # first, so a write landing between the two reads never shows as lag
    with replica.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint,"
            " extract(epoch FROM now() - pg_last_xact_replay_timestamp()),"
            " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END"
        ).one()
    in_recovery, replayed, age, paused = row
    if not in_recovery:  # DATABASE_READ_URL names a server that is not replaying: say so
        return {"in_recovery": False, "behind_bytes": None, "lag_s": None, "replay_paused": False}
    behind = max(0, (head or 0) - (replayed or 0))
    lag = 0.0 if behind == 0 else (round(max(float(age), 0.0), 3) if age is not None else None)
    return {"in_recovery": True, "behind_bytes": behind, "lag_s": lag, "replay_paused": bool(paused)}
