"""The embedded server's in-process cache: bounded by entries and by bytes, least recently used out first.

cachelib's SimpleCache, once over its threshold, scans and sorts every entry on every write under one
lock and evicts by earliest expiry: with a hundred walls and forty desks on one process that made each
write cost milliseconds, serialised, and threw out the long-lived blocks of past hours first. Here a
write is O(1) and eviction takes the entry nobody has read for longest. Values are pickled, as
SimpleCache does, so no two readers share a mutable object.

`LocalMemo` is the opposite trade for a few reads that opt in (cached_query(local=...)): the object
itself, shared and unpickled, in front of either backend. The wall's tick asked for 251 heat indexes a
tick and spent a sixth of its time unpickling them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from cachelib.serializers import SimpleSerializer
from flask_caching.backends.base import BaseCache

MAX_ENTRIES = 50_000
MAX_BYTES = 256 * 1024 * 1024


class LocalMemo:
    """Objects kept in this process by key, at most `size`, each until its expiry; readers must not
    change what they get. The keys carry the data versions, so a write is never served stale here."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] <= time.time():
                return None
            self._data.move_to_end(key)
            return item[1]

    def put(self, key: str, value: Any, seconds: float) -> None:
        with self._lock:
            self._data[key] = (time.time() + seconds, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class BoundedMemoryCache(BaseCache):
    serializer = SimpleSerializer()

    def __init__(self, default_timeout: int = 300, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        super().__init__(default_timeout)
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.local = LocalMemo()

    @classmethod
    def factory(cls, app, config, args, kwargs):  # flask-caching's hook for a CACHE_TYPE given as a path
        # not CACHE_THRESHOLD: flask-caching defaults it to 500 (SimpleCache's bound), and 500 entries did
        # not hold the 251 wall snapshots and a busy server's cached reads: snapshots were thrown out
        # between ticks, and a third of the walls waited for, then computed, their own every tick
        return cls(
            default_timeout=config.get("CACHE_DEFAULT_TIMEOUT", 300),
            max_entries=config.get("CACHE_MAX_ENTRIES", MAX_ENTRIES),
            max_bytes=config.get("CACHE_MAX_BYTES", MAX_BYTES),
        )

    def _expires(self, timeout) -> float:
        seconds = self._normalize_timeout(timeout)
        return time.time() + seconds if seconds > 0 else 0.0  # 0: never

    def _pop(self, key: str) -> None:
        old = self._data.pop(key, None)
        if old is not None:
            self._bytes -= len(old[1])

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if item[0] and item[0] <= time.time():
                self._pop(key)
                return None
            self._data.move_to_end(key)
            blob = item[1]
        return self.serializer.loads(blob)

    def _store(self, key: str, expires: float, blob: bytes) -> None:  # under the lock
        self._pop(key)
        if len(blob) > self.max_bytes // 8:  # one value that big would flush everything else: not kept
            return
        self._data[key] = (expires, blob)
        self._bytes += len(blob)
        while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
            _key, (_exp, old) = self._data.popitem(last=False)
            self._bytes -= len(old)

    def set(self, key: str, value: Any, timeout=None) -> bool:
        blob = self.serializer.dumps(value)
        with self._lock:
            self._store(key, self._expires(timeout), blob)
        return True

    def add(self, key: str, value: Any, timeout=None) -> bool:
        """Store only if absent (or expired), atomically: the locks in data.wall.shared rely on it."""
        blob = self.serializer.dumps(value)
        with self._lock:
            item = self._data.get(key)
            if item is not None and not (item[0] and item[0] <= time.time()):
                return False
            self._store(key, self._expires(timeout), blob)
        return True

    def has(self, key: str) -> bool:
        with self._lock:
            item = self._data.get(key)
            return item is not None and not (item[0] and item[0] <= time.time())

    def delete(self, key: str) -> bool:
        with self._lock:
            found = key in self._data
            self._pop(key)
            return found

    def clear(self) -> bool:
        with self._lock:
            self._data.clear()
            self._bytes = 0
        self.local.clear()
        return True

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._data), "bytes": self._bytes}
