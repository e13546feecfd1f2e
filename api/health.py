"""GET /healthz: database and cache status, the age of the newest data and lost background writes, as JSON.

With a read replica (DATABASE_READ_URL) it also says how far the replica trails the primary; the data ages
are then the replica's, which is what the screens show."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_login import current_user as session_user

from data.domain.scope import CITY
from data.domain.timeutil import now_ts
from data.read.freshness import freshness
from data.store.cache import backend, primary_engine, replica_engine
from data.store.db import ping, replication_lag
from data.write import retry

log = logging.getLogger("cityops.health")


def _probe(body: dict, part: str, probe) -> bool:
    """body[part] = probe()'s answer, or what went wrong (reported, never raised: monitors poll this)."""
    try:
        body[part] = probe()
        return True
    except Exception as exc:
        log.warning("health check: %s unavailable: %s", part, exc)
        body[part] = {"ok": False, "error": type(exc).__name__}
        return False


def _database(primary) -> dict:
    ping(primary)
    return {"ok": True, "dialect": primary.dialect.name}


def _data_ages(now: int) -> dict:
    f = freshness(CITY, now)  # from the engine the screens read: under replication lag, the replica's ages
    return {
        "newest_incident": f["newest_incident_age_s"],
        "newest_reading": f["newest_reading_age_s"],
        "last_write": {d: v["age_s"] for d, v in f.items() if isinstance(v, dict)},
    }


def check(server: Flask) -> tuple[dict, int]:
    now = now_ts()
    body: dict = {"time": now}
    primary, replica = primary_engine(), replica_engine()
    ok = _probe(body, "database", lambda: _database(primary))
    if replica is not None:  # how far the replica's reads trail the primary's writes
        ok = _probe(body, "replica", lambda: {"ok": True, **replication_lag(primary, replica)}) and ok
    if ok:
        ok = _probe(body, "data_age_s", lambda: _data_ages(now))
    body["background_writes"] = retry.stats()  # this process's: retries, and batches lost after them
    cache = backend()
    if server.config.get("CACHE_REDIS_URL"):
        up = cache.ping()
        body["cache"] = {"backend": "redis", "ok": up, "note": None if up else "falling back to the database"}
    else:
        body["cache"] = {"backend": "in-process", "ok": True}
    body["status"] = "ok" if ok else "degraded"
    return body, 200 if ok else 503


health = Blueprint("health", __name__)


LOCAL = ("127.0.0.1", "::1")


@health.get("/healthz")
def healthz():
    """ok/degraded for anyone (a load balancer, a monitor); the details for an administrator or from
    this machine itself."""
    body, status = check(current_app)
    user = session_user._get_current_object()
    if request.remote_addr in LOCAL or getattr(user, "role", None) == "admin":
        return jsonify(body), status
    return jsonify(status="ok" if status == 200 else "degraded"), status
