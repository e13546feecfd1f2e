"""The cache: scopes never share results, writes invalidate, and a dead Redis is survived."""

import logging

import pytest

from data.domain.scope import Scope
from data.read import incidents
from data.store.cache import backend
from data.store.db import get_engine
from data.write import writes
from tests.unit import tiny_city
from tests.unit.tiny_city import NOW, incident


def _count(scope):
    return incidents.incident_counts(Scope(scope), NOW - 86400, NOW)["total"]


def _exercise_scopes_and_invalidation(url):
    # window 10:30 yesterday -> 10:30 today: a, b, c in 310106; f in 310101 (d and e are earlier)
    assert (_count("310106"), _count("310101")) == (3, 1)
    assert (_count("310106"), _count("310101")) == (3, 1)  # warm: still each its own
    writes.add_incidents(get_engine(url), [incident("310101002001", NOW - 60, external_id="NEW1")], now=NOW)
    from flask import g

    g.pop("_cityops_versions", None)  # a new request would read the versions afresh
    assert _count("310101") == 2  # the write made the cached 1 unreachable
    assert _count("310106") == 3


def test_in_process_cache_keeps_scopes_apart_and_invalidates_on_write(empty_db, app_for):
    tiny_city.build(empty_db)
    app_for(empty_db)
    _exercise_scopes_and_invalidation(empty_db)


def test_memoized_results_are_served_from_the_cache(empty_db, app_for):
    tiny_city.build(empty_db)
    app_for(empty_db)
    first = incidents.incident_counts(Scope("310106"), NOW - 86400, NOW)
    from sqlalchemy import event

    engine = get_engine(empty_db)
    seen = []
    listener = lambda conn, cur, statement, *a: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        from flask import g

        g.pop("_cityops_versions", None)
        assert incidents.incident_counts(Scope("310106"), NOW - 86400, NOW) == first
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    selects = [st for st in seen if st.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "data_version" in selects[0]  # the counts came from the cache


@pytest.mark.redis
def test_redis_cache_keeps_scopes_apart_and_invalidates(empty_db, app_for, redis_server):
    url, _proc = redis_server
    tiny_city.build(empty_db)
    app_for(empty_db, CACHE_REDIS_URL=url)
    _exercise_scopes_and_invalidation(empty_db)
    import redis

    keys = redis.Redis.from_url(url, protocol=2).keys("cityops:*")
    assert len(keys) >= 4  # results really went to Redis


@pytest.mark.redis
def test_queries_still_answer_when_redis_is_killed(empty_db, app_for, redis_server, caplog):
    url, proc = redis_server
    tiny_city.build(empty_db)
    app_for(empty_db, CACHE_REDIS_URL=url)
    assert _count("310106") == 3
    proc.kill()
    proc.wait()
    from flask import g

    caplog.set_level(logging.WARNING, logger="cityops.cache")
    for _ in range(3):
        g.pop("_cityops_versions", None)
        assert _count("310106") == 3
        assert _count("310101") == 1
    warnings = [r for r in caplog.records if r.name == "cityops.cache"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()
    assert backend().available is False


# a Lua script blocks Redis for this long: a busy server, not a dead one
BUSY_LUA = """local t = redis.call('TIME') local t0 = t[1] * 1e6 + t[2]
while true do t = redis.call('TIME') if t[1] * 1e6 + t[2] - t0 > tonumber(ARGV[1]) then return 1 end end"""


@pytest.mark.redis
def test_a_busy_redis_is_waited_for_not_given_up_on(empty_db, app_for, redis_server, caplog):
    """Redis busy for 0.6 s (a long script): a cache read waits and gets its value, nothing is logged and
    the breaker stays closed; requests do not fall through to the database for seconds."""
    import threading

    import redis

    url, _proc = redis_server
    tiny_city.build(empty_db)
    app_for(empty_db, CACHE_REDIS_URL=url)
    store = backend()
    assert store.set("busy-probe", 42)
    blocker = threading.Thread(target=lambda: redis.Redis.from_url(url).eval(BUSY_LUA, 0, 600_000))
    caplog.set_level(logging.WARNING, logger="cityops.cache")
    blocker.start()
    import time

    time.sleep(0.1)  # the script is running
    started = time.monotonic()
    assert store.get("busy-probe") == 42
    assert time.monotonic() - started > 0.3  # it really waited for the busy server
    blocker.join()
    assert store.available and not [r for r in caplog.records if r.name == "cityops.cache"]


@pytest.mark.redis
def test_healthz_reports_database_cache_and_data_age(empty_db, app_for, redis_server):
    url, proc = redis_server
    tiny_city.build(empty_db)
    app = app_for(empty_db, CACHE_REDIS_URL=url)
    client = app.server.test_client()
    body = client.get("/healthz").get_json()
    assert (
        body["status"] == "ok"
        and body["database"]["ok"]
        and body["cache"] == {"backend": "redis", "ok": True, "note": None}
    )
    assert body["data_age_s"]["newest_incident"] is not None
    proc.kill()
    proc.wait()
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["cache"]["ok"] is False


def test_healthz_is_503_when_the_database_is_broken(tmp_path, app_for):
    bad = tmp_path / "x.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    app = app_for(f"sqlite:///{bad}")
    resp = app.server.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["database"]["ok"] is False


def test_reads_run_outside_a_request_with_an_explicit_engine_and_cache(empty_db):
    """A worker or an importer binds an engine (and optionally a cache) instead of pushing a Flask context."""
    from flask_caching.backends import SimpleCache
    from sqlalchemy import event

    from data.domain.scope import Scope
    from data.read import incidents
    from data.store.cache import bound

    tiny_city.build(empty_db)
    engine = get_engine(empty_db)
    with bound(engine):  # no cache: straight to the database
        assert incidents.incident_counts(Scope("310106"), NOW - 86400, NOW)["total"] == 3
    store = SimpleCache()
    seen = []
    listener = lambda conn, cur, statement, *a: seen.append(statement)  # noqa: E731
    with bound(engine, store, prefix="worker"):
        first = incidents.incident_counts(Scope("310106"), NOW - 86400, NOW)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert incidents.incident_counts(Scope("310106"), NOW - 86400, NOW) == first
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert seen == []  # the second read came from the bound cache (versions are read once per binding)
    assert any(key.startswith("worker:data.read.incidents.incident_counts:") for key in store._cache)


def test_memo_keys_carry_the_build_id(empty_db, app_for):
    """Workers of an old and a new release never read each other's pickled results."""
    tiny_city.build(empty_db)
    app_for(empty_db, BUILD_ID="release-41")
    from data.domain.scope import Scope
    from data.read import incidents

    incidents.incident_counts(Scope("310106"), NOW - 86400, NOW)
    counts = [k for k in backend()._data if "incident_counts" in k]
    assert counts and all(k.startswith("release-41:data.read.incidents.incident_counts:") for k in counts)


def test_the_in_process_cache_stays_within_its_bounds_and_keeps_what_is_read(monkeypatch):
    """Entries and bytes are capped (a flood of made-up keys cannot grow memory); eviction takes the entry
    read least recently, not the one that expires first (SimpleCache's choice, after a scan and a sort)."""
    import time

    from data.store.memcache import BoundedMemoryCache

    store = BoundedMemoryCache(default_timeout=300, max_entries=100, max_bytes=40_000)
    store.set("history-block", list(range(50)), timeout=0)  # never expires: SimpleCache evicted these first
    for i in range(1000):
        store.set(f"flood-{i}", "x" * 200, timeout=5)
        assert store.get("history-block") == list(range(50))  # read often: kept
    stats = store.stats()
    assert stats["entries"] <= 100 and stats["bytes"] <= 40_000
    assert store.get("flood-0") is None and store.get("flood-999") == "x" * 200
    store.set("too-big", [0] * 20_000)  # an eighth of the budget or more: not kept, flushes nothing
    assert store.get("too-big") is None and store.get("history-block") == list(range(50))
    assert store.add("lock", 1, timeout=30) and not store.add("lock", 2, timeout=30) and store.get("lock") == 1
    store.set("short", 1, timeout=1)
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 2)
    assert store.get("short") is None and store.add("short", 2)  # expired: gone, and free to take again


def test_the_app_s_in_process_cache_holds_every_wall_snapshot_and_the_reads_around_them(empty_db, app_for):
    """The bounds are ours, not flask-caching's: it sets CACHE_THRESHOLD to 500 for any in-process cache,
    and 500 entries held the 251 scopes' snapshots and a busy server's cached reads, so the snapshots
    were thrown out between ticks and under load a third of the walls waited for, then computed, their own."""
    from data.store.memcache import MAX_BYTES, MAX_ENTRIES

    app = app_for(empty_db)
    with app.server.app_context():
        store = backend()
        assert (store.max_entries, store.max_bytes) == (MAX_ENTRIES, MAX_BYTES)
        store.set("wall-snapshot:310000", {"tick": 1})
        for i in range(2_000):  # a busy server's cached reads between two ticks
            store.set(f"read-{i}", i)
        assert store.get("wall-snapshot:310000") == {"tick": 1}
