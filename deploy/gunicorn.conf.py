"""gunicorn settings for the production web tier: `gunicorn -c deploy/gunicorn.conf.py 'app:server'`.

Threads, not processes, carry the concurrency: a wall request mostly waits on the cache or the
database, and each process holds its own connection pool and warm in-process caches. One process per
core uses the cores. Every value can be overridden from the environment (GUNICORN_* below) or on the
command line. The schema is migrated once, in the master, before any worker starts.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))  # connections queued while every thread is busy
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a worker silent this long is restarted
graceful_timeout = 30
keepalive = 75  # seconds, longer than a wall's 10 s tick (and nginx's 60 s upstream idle): no reconnect per tick
max_requests = 20_000  # recycle a worker now and then, with jitter so they do not all go at once
max_requests_jitter = 2_000
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# no query strings in the access log: a wall's display token travels in one (/wall?token=...)
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a).80s"'
proc_name = "cityops-web"


def on_starting(server) -> None:
    """Before any worker: refuse a set-up that would run the simulator once per worker (with
    TICK_WORKER=external the simulator belongs to `cityops worker`), and migrate the
    schema once (workers would otherwise race to upgrade it)."""
    simulate = os.environ.get("LIVE_SIMULATOR", "").lower() in ("1", "true", "yes", "on")
    if simulate and workers > 1 and os.environ.get("TICK_WORKER", "thread") != "external":
        raise SystemExit(
            "LIVE_SIMULATOR=1 would start a simulator in each of the workers: set TICK_WORKER=external "
            "and run one `cityops worker` beside gunicorn instead"
        )
    from config import Config
    from data.store.db import dispose_engine, get_engine
    from data.store.schema import refresh_statistics, upgrade

    url = Config().DATABASE_URL
    engine = get_engine(url)
    upgrade(engine)
    refresh_statistics(engine)
    dispose_engine(url)  # no connection crosses the fork
