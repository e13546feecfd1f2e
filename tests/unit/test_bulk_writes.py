"""SQLite's bulk-write settings (data.store.db.bulk_writes): given to the connections an import checks out,
taken back afterwards, and never by adding or removing an engine's event listeners while it serves."""

from __future__ import annotations

import threading

from data.store.db import BULK_CACHE_KB, CACHE_KB, bulk_writes, get_engine


def _cache_kb(engine) -> int:
    with engine.connect() as conn:
        return -conn.exec_driver_sql("PRAGMA cache_size").scalar()


def test_an_import_s_connections_get_the_bulk_settings_and_give_them_back(empty_db):
    engine = get_engine(empty_db)
    listeners = (len(engine.pool.dispatch.checkout), len(engine.pool.dispatch.checkin))
    assert _cache_kb(engine) == CACHE_KB
    with bulk_writes(engine):
        # SQLAlchemy walks an event's listeners without a lock: one added here, while another thread
        # checked a connection out, failed that request with "deque mutated during iteration"
        assert (len(engine.pool.dispatch.checkout), len(engine.pool.dispatch.checkin)) == listeners
        assert _cache_kb(engine) == BULK_CACHE_KB
    assert _cache_kb(engine) == CACHE_KB
    assert (len(engine.pool.dispatch.checkout), len(engine.pool.dispatch.checkin)) == listeners


def test_requests_checking_connections_out_during_imports_never_fail(empty_db):
    engine = get_engine(empty_db)
    errors, stop = [], threading.Event()

    def reads():
        while not stop.is_set():
            try:
                _cache_kb(engine)
            except Exception as err:  # the race this guards against raised RuntimeError here
                errors.append(err)

    threads = [threading.Thread(target=reads) for _ in range(4)]
    for th in threads:
        th.start()
    try:
        for _ in range(200):
            with bulk_writes(engine):
                pass
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert errors == []
