"""The one cache: flask-caching, Redis when CACHE_REDIS_URL is set, in-process otherwise.

Query results are memoized with the current data versions of the domains they read as part
of the key, so a write (which bumps a version in its own transaction) makes every stale entry
unreachable at once, in every process. When Redis refuses, hangs or dies, the backend stops
asking it for a few seconds (one warning in the log), and queries go to the database.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any, Callable

from flask import Flask, current_app, g
from flask_caching import Cache
from flask_caching.backends.rediscache import RedisCache

from data.db import get_engine, read_versions

log = logging.getLogger("cityops.cache")
cache = Cache()


class ResilientRedisCache(RedisCache):
    """RedisCache that never raises: on a Redis error it logs once, answers 'miss', and skips Redis
    for `retry_after` seconds (a circuit breaker), so a dead Redis costs nothing per request."""

    retry_after = 5.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config, args, kwargs):
        options = config.setdefault("CACHE_OPTIONS", {}) or {}
        options.setdefault("socket_timeout", 0.2)
        options.setdefault("socket_connect_timeout", 0.2)
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
            return getattr(super(), name)(*args, **kwargs)
        except Exception as exc:  # redis.RedisError, OSError, timeouts: all mean "no cache now"
            with self._lock:
                if self.available:
                    log.warning("redis cache unavailable (%s: %s); querying the database for %.0f s",
                                type(exc).__name__, exc, self.retry_after)
                self._down_until = time.monotonic() + self.retry_after
            return default

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
        return self._guard("clear", False)

    def ping(self) -> bool:
        """True when Redis answers now (used by /healthz)."""
        try:
            return bool(self._write_client.ping())
        except Exception:
            return False


def init_cache(server: Flask) -> None:
    """Bind the cache to the Flask server according to its config."""
    url = server.config.get("CACHE_REDIS_URL")
    settings = {"CACHE_DEFAULT_TIMEOUT": server.config.get("CACHE_DEFAULT_TIMEOUT", 300)}
    if url:
        settings.update(CACHE_TYPE="data.cache.ResilientRedisCache", CACHE_REDIS_URL=url,
                        CACHE_KEY_PREFIX=server.config.get("CACHE_KEY_PREFIX", "cityops:"))
    else:
        settings.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=5000)
    cache.init_app(server, config=settings)


def backend():
    """The cache backend bound to the current app."""
    return cache.cache


def current_engine():
    return get_engine(current_app.config["DATABASE_URL"])


def data_versions() -> dict[str, tuple[int, int]]:
    """Data versions, read once per request (several queries in one callback share the read)."""
    versions = g.get("_cityops_versions")
    if versions is None:
        versions = read_versions(current_engine())
        g._cityops_versions = versions
    return versions


def cached_query(*domains: str, timeout: int | None = None) -> Callable:
    """Memoize a query function; its key is its arguments plus the versions of `domains`."""

    def decorate(fn: Callable) -> Callable:
        def with_version(_versions, *args, **kwargs):
            return fn(*args, **kwargs)

        with_version.__name__ = with_version.__qualname__ = f"{fn.__module__}.{fn.__qualname__}"
        memo = cache.memoize(timeout=timeout)(with_version)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            versions = data_versions()
            return memo(tuple(versions.get(d, (0, 0))[0] for d in domains), *args, **kwargs)

        wrapper.uncached = fn
        return wrapper

    return decorate
