"""GET /healthz: database and cache status, the age of the newest data and lost background writes, as JSON."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_login import current_user as session_user

from data.domain.scope import CITY
from data.domain.timeutil import now_ts
from data.read.freshness import freshness
from data.store.cache import backend, current_engine
from data.store.db import ping
from data.write import retry

log = logging.getLogger("cityops.health")


def check(server: Flask) -> tuple[dict, int]:
    now = now_ts()
    body: dict = {"time": now}
    ok = True
    try:
        engine = current_engine()
        ping(engine)
        f = freshness(CITY, now)
        body["database"] = {"ok": True, "dialect": engine.dialect.name}
        body["data_age_s"] = {
            "newest_incident": f["newest_incident_age_s"],
            "newest_reading": f["newest_reading_age_s"],
            "last_write": {d: v["age_s"] for d, v in f.items() if isinstance(v, dict)},
        }
    except Exception as exc:  # report, do not raise: this is the page monitors poll
        log.warning("health check: database unavailable: %s", exc)
        body["database"] = {"ok": False, "error": type(exc).__name__}
        ok = False
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
