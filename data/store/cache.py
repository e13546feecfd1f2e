"""The one cache: flask-caching, Redis when CACHE_REDIS_URL is set, in-process otherwise.

Query results are memoized with the current data versions of the domains they read as part
of the key, so a write (which bumps a version in its own transaction) makes every stale entry
unreachable at once, in every process. When Redis refuses, hangs or dies, the backend stops
asking it for a few seconds (one warning in the log), and queries go to the database.

With DATABASE_READ_URL (a streaming replica) reads go to the replica and writes to the primary. The
versions in a key are read from the engine the data comes from, so a key and its data always describe
one state: a lagging replica's answer is never stored under the primary's newer version. A session that
wrote reads from the primary until the replica has replayed its write (read-your-writes), and access
checks read from the primary (`on_primary`).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, session
from flask_caching import Cache
from flask_caching.backends.rediscache import RedisCache
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data.domain.scope import scoped
from data.store.db import after_write, get_engine, get_replica_engine, read_versions, wal_position

log = logging.getLogger("cityops.cache")
cache = Cache()


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
        settings.update(
            CACHE_TYPE="data.store.cache.ResilientRedisCache",
            CACHE_REDIS_URL=url,
            CACHE_KEY_PREFIX=server.config.get("CACHE_KEY_PREFIX", "cityops:"),
        )
    else:
        settings.update(CACHE_TYPE="data.store.memcache.BoundedMemoryCache")  # O(1) writes, LRU, bytes bounded
    cache.init_app(server, config=settings)
    after_write(_remember_write)


def _bound_app():
    return current_app.config if has_app_context() else None


@dataclass
class Binding:
    """What reads run against outside a request: an engine, optionally a cache backend and key prefix."""

    engine: Engine
    backend: Any = None
    prefix: str = ""
    versions: dict | None = None


_binding: ContextVar[Binding | None] = ContextVar("cityops_binding", default=None)


@contextmanager
def bound(engine: Engine, backend: Any = None, prefix: str = "") -> Iterator[Binding]:
    """Run reads without a Flask request (an importer, a worker, a test): they use `engine`, and
    memoize into `backend` (any flask-caching backend) when one is given, else not at all.

    Data versions are read once per binding, as once per request."""
    token = _binding.set(Binding(engine, backend, prefix))
    try:
        yield _binding.get()
    finally:
        _binding.reset(token)


def backend():
    """The cache backend reads use now: the bound one, else the current app's."""
    binding = _binding.get()
    if binding is not None:
        return binding.backend
    return cache.cache


def primary_engine() -> Engine:
    """The engine writes use: the bound one, else the current app's DATABASE_URL (never the replica)."""
    binding = _binding.get()
    if binding is not None:
        return binding.engine
    config = _bound_app()
    if config is None:
        raise RuntimeError("no database: read inside a request or within data.store.cache.bound(engine)")
    return get_engine(config["DATABASE_URL"])


def replica_engine() -> Engine | None:
    """The current app's read replica (DATABASE_READ_URL), or None when reads go to DATABASE_URL."""
    config = _bound_app()
    url = config.get("DATABASE_READ_URL") if config is not None and _binding.get() is None else None
    if not url or url == config["DATABASE_URL"]:
        return None
    return get_replica_engine(url, config["DATABASE_URL"])


_primary_reads: ContextVar[bool] = ContextVar("cityops_primary_reads", default=False)


@contextmanager
def on_primary() -> Iterator[None]:
    """Reads inside (or in a function it decorates) go to the primary: the access checks, so that a
    disabled account, a changed password or a revoked token stops working at once on every host."""
    token = _primary_reads.set(True)
    try:
        yield
    finally:
        _primary_reads.reset(token)


PIN = "_cityops_wrote_at"  # session key: the primary's WAL position just after this session's last write


def _remember_write(primary: Engine) -> None:
    """After a write in a request: this session reads from the primary, from now until the replica has
    replayed past the write (the next page an officer sees shows what they just did)."""
    if not has_request_context() or replica_engine() is None:
        return
    position = wal_position(primary)
    if position is not None:
        session[PIN] = max(position, session.get(PIN) or 0)
        g._cityops_pinned = True
        g.pop("_cityops_versions", None)  # read before the write: the rest of this request reads again


def _pinned(replica: Engine) -> bool:
    """True while this session has a write the replica has not replayed (checked once per request;
    the pin is dropped once it has, and kept while the replica cannot be asked)."""
    if not has_request_context() or PIN not in session:
        return False
    pinned = g.get("_cityops_pinned")
    if pinned is None:
        try:
            pinned = (wal_position(replica) or 0) < session[PIN]
        except SQLAlchemyError:
            pinned = True
        if not pinned:
            session.pop(PIN, None)
        g._cityops_pinned = pinned
    return pinned


def current_engine() -> Engine:
    """The engine reads use now: the bound one; else the app's replica (DATABASE_READ_URL) unless this
    is an access check or the session has a write the replica lacks; else the app's DATABASE_URL."""
    primary = primary_engine()
    replica = replica_engine()
    if replica is None or _primary_reads.get() or _pinned(replica):
        return primary
    return replica


def data_versions() -> dict[str, tuple[int, int]]:
    """Data versions, read once per request or binding (several queries in one callback share the read),
    from the engine the reads use now: key and data come from one server's state."""
    binding = _binding.get()
    if binding is not None:
        if binding.versions is None:
            binding.versions = read_versions(binding.engine)
        return binding.versions
    engine = current_engine()
    seen = g.get("_cityops_versions")
    if seen is None:
        seen = g._cityops_versions = {}
    if engine not in seen:
        seen[engine] = read_versions(engine)
    return seen[engine]


def _key_prefix() -> str:
    """The build id: results pickled by one release are never read by another."""
    binding = _binding.get()
    if binding is not None:
        return binding.prefix
    return str(current_app.config.get("BUILD_ID", ""))


def cached_query(*domains: str, timeout: int | None = None) -> Callable:
    """Memoize a read; its key is the build id, the read's name, the versions of `domains` and its
    arguments (a Scope stands in the key as its area code).

    A read whose parameters include `scope` refuses anything but a Scope. None is never cached,
    so an unknown code asked for again and again grows nothing."""

    def decorate(fn: Callable) -> Callable:
        name = f"{fn.__module__}.{fn.__qualname__}"
        checked = scoped(fn) if "scope" in inspect.signature(fn).parameters else fn

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            store = backend()
            if store is None:
                return checked(*args, **kwargs)
            versions = data_versions()
            raw = repr((tuple(versions.get(d, (0, 0))[0] for d in domains), args, sorted(kwargs.items())))
            key = f"{_key_prefix()}:{name}:{hashlib.md5(raw.encode()).hexdigest()}"
            hit = store.get(key)
            if hit is not None:
                return hit
            value = checked(*args, **kwargs)
            if value is not None:
                store.set(key, value, timeout=timeout)
            return value

        wrapper.uncached = checked
        return wrapper

    return decorate
