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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, session
from flask_caching import Cache
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data.domain.scope import scoped
from data.store.db import after_write, get_engine, get_replica_engine, read_versions, wal_position

log = logging.getLogger("cityops.cache")
cache = Cache()


def init_cache(server: Flask) -> None:
    """Bind the cache to the Flask server according to its config."""
    url = server.config.get("CACHE_REDIS_URL")
    settings = {"CACHE_DEFAULT_TIMEOUT": server.config.get("CACHE_DEFAULT_TIMEOUT", 300)}
    if url:
        settings.update(
            CACHE_TYPE="data.store.rediscache.ResilientRedisCache",
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


def _seconds(store, timeout: int | None) -> float:
    """How long a local copy may live: as long as the shared entry (0 there is "never": a day here)."""
    seconds = timeout if timeout is not None else getattr(store, "default_timeout", 300)
    return seconds or 86_400


def cached_query(*domains: str, timeout: int | None = None, local: bool = False) -> Callable:
    """Memoize a read; its key is the build id, the read's name, the versions of `domains` and its
    arguments (a Scope stands in the key as its area code). With `local`, each process also keeps the
    object itself (no unpickling; see memcache.LocalMemo): only for reads asked for many times a tick
    whose callers never change what they get.

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
            memo = getattr(store, "local", None) if local else None
            hit = memo.get(key) if memo is not None else None
            if hit is None:
                hit = store.get(key)
                if hit is not None and memo is not None:
                    memo.put(key, hit, _seconds(store, timeout))
            if hit is not None:
                return hit
            value = checked(*args, **kwargs)
            if value is not None:
                store.set(key, value, timeout=timeout)
                if memo is not None:
                    memo.put(key, value, _seconds(store, timeout))
            return value

        wrapper.uncached = checked
        return wrapper

    return decorate
