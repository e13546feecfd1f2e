"""cached_query(local=True): a read asked for many times a tick is kept as the object itself in each
process, in front of either backend, and still follows every write, clear and bound."""

import time

import pytest
from flask import g
from sqlalchemy import event

from data.domain.scope import Scope
from data.read import mapqueries
from data.store.cache import backend
from data.store.db import bump_versions, get_engine, write_session
from data.store.memcache import LocalMemo


def _statements(engine, fn):
    seen = []
    listener = lambda conn, cur, statement, *a: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        out = fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return out, [s for s in seen if s.lstrip().upper().startswith("SELECT") and "data_version" not in s]


def _follows_writes(url):
    engine = get_engine(url)
    scope = Scope("310101")
    first = mapqueries.heat_index(scope)
    assert first[1] > 0 and first[0]  # a real index: the street's grids
    g.pop("_cityops_versions", None)
    again, reads = _statements(engine, lambda: mapqueries.heat_index(scope))
    assert again is first and reads == []  # the same object, no unpickling, no query
    with write_session(engine) as s:
        bump_versions(s, "areas")
    g.pop("_cityops_versions", None)  # the next request reads the versions afresh
    after, reads = _statements(engine, lambda: mapqueries.heat_index(scope))
    assert after is not first and after == first and reads  # a write to the areas: read again
    backend().clear()
    g.pop("_cityops_versions", None)
    cleared, reads = _statements(engine, lambda: mapqueries.heat_index(scope))
    assert cleared is not after and reads  # a clear empties the local copies too


def test_local_reads_are_shared_objects_that_follow_writes_in_process(small_city, app_for, tmp_path):
    import shutil

    url = f"sqlite:///{tmp_path / 'city.sqlite'}"  # a copy: this test writes a version
    shutil.copy(small_city.removeprefix("sqlite:///"), tmp_path / "city.sqlite")
    app_for(url)
    _follows_writes(url)


@pytest.mark.redis
def test_local_reads_also_go_to_redis_for_other_processes(small_city, app_for, tmp_path, redis_server):
    import shutil

    import redis

    redis_url, _proc = redis_server
    url = f"sqlite:///{tmp_path / 'city.sqlite'}"
    shutil.copy(small_city.removeprefix("sqlite:///"), tmp_path / "city.sqlite")
    app_for(url, CACHE_REDIS_URL=redis_url)
    mapqueries.heat_index(Scope("310101"))
    keys = redis.Redis.from_url(redis_url, protocol=2).keys("cityops:*heat_index*")
    assert len(keys) == 1  # shared: another worker reads it from Redis once, then keeps its own copy
    _follows_writes(url)


def test_the_local_memo_is_bounded_and_expires():
    memo = LocalMemo(size=100)
    for i in range(2000):
        memo.put(f"k{i}", [i], 60)
    assert len(memo._data) == 100 and memo.get("k0") is None and memo.get("k1999") == [1999]
    memo.get("k1900")  # read: kept over the ones nobody read
    for i in range(2000, 2099):
        memo.put(f"k{i}", [i], 60)
    assert memo.get("k1900") == [1900] and memo.get("k1901") is None
    memo.put("brief", 1, 0.01)
    time.sleep(0.02)
    assert memo.get("brief") is None
