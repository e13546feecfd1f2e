"""Sharing wall snapshots: computed once per scope per tick into the cache, read by every screen.

`shared_snapshot` serves a screen: the cached snapshot of this tick; else, while the tick worker of
data.wall.refresh keeps the scope, the newest it wrote at once, however far behind the worker runs (a
thread held waiting is one a page visit lacks, and a screen computing for itself starves the worker:
under load both fed on each other until nothing kept up; the wall says how old its data is); for a
scope first shown, the worker's within FIRST_WAIT seconds; else computed here by one writer at a time
across threads and processes, so ten walls on one scope cost one computation and ten cache reads."""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app, has_app_context

from data.domain.scope import Scope
from data.rules.config import Catalog
from data.store.cache import backend
from data.wall import snapshot
from data.wall.facts import CityPass

log = logging.getLogger("cityops.snapshot")

LOCK_SECONDS = 30
SNAPSHOT_TTL = 600
FIRST_WAIT = 1.5  # seconds a scope's first screen waits for the worker (it looks every LATE_POLL) before computing
HEARTBEAT_KEY = "wall-worker-heartbeat"  # {"tick": started, "last": the pass before}, set by the worker each tick
COMPUTE_SLOTS = 2
_compute_slots = threading.BoundedSemaphore(COMPUTE_SLOTS)
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


def snapshot_key(scope: Scope) -> str:
    """The cache key of a scope's snapshot (a unit's scope reads other rows than its area's)."""
    return f"wall-snapshot:{scope.code}" + (f":unit:{scope.unit}" if scope.unit is not None else "")


def kept_by_worker(beat, entry: dict | None, tick: int) -> bool:
    """Whether `entry` is the worker's newest for a scope it keeps: written in its current pass or the
    one before (however long ago that was, when it runs behind). An older entry is a scope shown again
    after a while, which the worker computes next; a worker's first pass compares with the tick."""
    if entry is None or not isinstance(beat, dict):
        return False
    last = beat.get("last")
    return entry["tick"] >= last if isinstance(last, int) else tick - entry["tick"] <= _refresh()


def _wait_for_worker(cache, key: str, tick: int) -> dict | None:
    """A scope first shown while the worker ticks (its screen has just marked it active): the worker's
    snapshot of this tick within FIRST_WAIT seconds, else None. Polls for the key, reads it once."""
    deadline = time.monotonic() + FIRST_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if cache.has(key):
            entry = cache.get(key)
            if entry is not None and entry["tick"] >= tick:
                return entry
    return None


def _refresh() -> int:
    return int(current_app.config.get("REFRESH_SECONDS", 10)) if has_app_context() else 10


def _compute(catalog: Catalog, scope: Scope, tick: int) -> dict:
    """One scope's snapshot from its own reads, COMPUTE_SLOTS at a time per process: a hundred screens
    opening at once queue here instead of all computing together and starving the tick worker."""
    with _compute_slots:
        return snapshot.wall_snapshot(catalog, scope, tick)


def _local_lock(key: str) -> threading.Lock:
    with _local_guard:
        return _local_locks.setdefault(key, threading.Lock())


def shared_snapshot(
    catalog: Catalog, scope: Scope, tick: int, wait: float = 2.0, compute_late: bool = True
) -> dict | None:
    """The scope's snapshot for this tick, computed by one writer and shared through the cache.

    Another process or thread already computing it: wait up to `wait` seconds for its result, then
    serve the previous tick's snapshot rather than pile on (or None with compute_late=False, for the
    refresh-ahead thread). Errors propagate (the caller keeps the screen's last good data and says so).
    """
    cache = backend()
    key = snapshot_key(scope)
    lock_key = key.replace("wall-snapshot:", "wall-snapshot-lock:", 1)
    entry = cache.get(key)
    if entry is not None and entry["tick"] >= tick:
        return entry
    beat = cache.get(HEARTBEAT_KEY) if CityPass.covers(scope) else None
    if beat is not None:
        if kept_by_worker(beat, entry, tick):
            return entry  # the worker is computing a newer one: this one now, the newer next time
        waited = _wait_for_worker(cache, key, tick)
        if waited is not None:
            return waited
    local = _local_lock(key)
    deadline = time.monotonic() + wait
    if local.acquire(timeout=wait):
        try:
            entry = cache.get(key)  # a thread of this process may have just written it
            if entry is not None and entry["tick"] >= tick:
                return entry
            # one writer across processes; with the cache down there is nobody to share with
            if cache.add(lock_key, tick, timeout=LOCK_SECONDS) or not getattr(cache, "available", True):
                try:
                    fresh = _compute(catalog, scope, tick)
                    cache.set(key, fresh, timeout=SNAPSHOT_TTL)
                    return fresh
                finally:
                    cache.delete(lock_key)
        finally:
            local.release()
    while time.monotonic() < deadline:  # another process is writing: wait for its entry
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None and entry["tick"] >= tick:
            return entry
    if entry is not None or not compute_late:
        return entry
    log.warning("wall snapshot for %s not ready after %.1f s; computing it here", scope, wait)
    return _compute(catalog, scope, tick)
