"""The shared cache's Redis backend: one that waits for a busy Redis and stops asking a dead one.

A Redis error answers "miss", so a read goes to the database instead of failing; see ResilientRedisCache.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask_caching.backends.rediscache import RedisCache

from data.store.memcache import LocalMemo

log = logging.getLogger("cityops.cache")


class ResilientRedisCache(RedisCache):
    """RedisCache that never raises: a Redis error answers 'miss'. After `failures_to_open` errors in a
    row it logs once and skips Redis for `retry_after` seconds (a circuit breaker), so a dead Redis costs
    nothing per request while one slow answer from a busy Redis does not send every request to the
    database. Timeouts are long enough for a busy server (a second or two), short enough for a dead one."""

    retry_after = 5.0
    failures_to_open = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._failures = 0
        self._lock = threading.Lock()
        self.local = LocalMemo()  # this process's copies of the reads that opt in (cached_query(local=...))

    @classmethod
    def factory(cls, app, config, args, kwargs):
        options = config.setdefault("CACHE_OPTIONS", {}) or {}
        options.setdefault("socket_timeout", 2.0)  # a busy Redis answers late, not never
        options.setdefault("socket_connect_timeout", 0.5)  # a host that is gone is found out quickly
        options.setdefault("socket_keepalive", True)
        options.setdefault("health_check_interval", 30)  # a pooled connection idle that long is re-checked
        options.setdefault("protocol", 2)  # RESP2 works with every server version
        config["CACHE_OPTIONS"] = options
        return super().factory(app, config, args, kwargs)

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _guard(self, name: str, default: Any, *args, **kwargs):
        if not self.available:
            return default
        try:
            out = getattr(super(), name)(*args, **kwargs)
        except Exception as exc:  # redis.RedisError, OSError, timeouts: all mean "no cache now"
            with self._lock:
                self._failures += 1
                if self._failures >= self.failures_to_open and self.available:
                    log.warning(
                        "redis cache unavailable (%s: %s, %d errors in a row); querying the database for %.0f s",
                        type(exc).__name__,
                        str(exc)[:200],
                        self._failures,
                        self.retry_after,
                    )
                    self._down_until = time.monotonic() + self.retry_after
            return default
        if self._failures:
            self._failures = 0  # a success closes the count: only errors in a row open the breaker
        return out

    def get(self, key):
        return self._guard("get", None, key)

    def get_many(self, *keys):
        return self._guard("get_many", [None] * len(keys), *keys)

    def set(self, key, value, timeout=None):
        return self._guard("set", False, key, value, timeout)

    def add(self, key, value, timeout=None):
        return self._guard("add", False, key, value, timeout)

    def set_many(self, mapping, timeout=None):
        return self._guard("set_many", [], mapping, timeout)

    def delete(self, key):
        return self._guard("delete", False, key)

    def delete_many(self, *keys):
        return self._guard("delete_many", [], *keys)

    def has(self, key):
        return self._guard("has", False, key)

    def clear(self):
        self.local.clear()
        return self._guard("clear", False)

    def ping(self) -> bool:
        """True when Redis answers now (used by /healthz)."""
        try:
            return bool(self._write_client.ping())
        except Exception:
            return False
