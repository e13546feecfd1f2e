"""Background writes (the simulator, the rules engine, importers) outlast a busy or restarting database.

A request never retries: the officer is told within seconds (data.store.db.Busy). A background batch is
retried on a transient failure with exponential backoff and jitter for a bounded time; a batch that
still fails is counted and logged once, never dropped silently. The counts are per process and read by
/healthz through `stats()`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from data.domain.timeutil import now_ts
from data.store.db import describe, is_transient

log = logging.getLogger("cityops.writes")
T = TypeVar("T")

BUDGET = 90.0  # seconds a batch keeps trying: longer than a database restart or a long write lock
FIRST_DELAY = 0.25  # the first pause; each one doubles, up to MAX_DELAY
MAX_DELAY = 8.0

_lock = threading.Lock()
_stats = {"retries": 0, "lost_batches": 0, "lost_rows": 0, "last_lost": None}


def stats() -> dict:
    """This process's background-write counters: retries so far, batches (and rows, where known) lost,
    and the last loss ({what, at, error}) or None."""
    with _lock:
        return dict(_stats)


def _lost(what: str, rows: int | None, error: BaseException) -> None:
    with _lock:
        _stats["lost_batches"] += 1
        _stats["lost_rows"] += rows or 0
        _stats["last_lost"] = {"what": what, "at": now_ts(), "error": type(error).__name__}


def _retried() -> None:
    with _lock:
        _stats["retries"] += 1


def background(
    write: Callable[[], T],
    what: str,
    *,
    rows: int | None = None,
    budget: float = BUDGET,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """`write()`, retried while it fails transiently, for up to `budget` seconds; its result.

    `write` must be safe to run again after a failure (its transaction rolled back, or it skips what
    already landed). When it fails for good, or with an error that is not transient, the batch is
    counted as lost (`what` names it in one log line; `rows`, if known, is added up) and the error is
    raised. `what` is a name from the code, never from a request, so the log stays bounded.
    """
    start = clock()
    attempt = 0
    while True:
        try:
            result = write()
        except Exception as error:
            delay = min(MAX_DELAY, FIRST_DELAY * 2 ** min(attempt, 16)) * random.uniform(0.5, 1.0)
            spent = clock() - start
            if not is_transient(error) or spent + delay > budget:
                _lost(what, rows, error)
                log.error(
                    "background write %s lost after %d attempts in %.1f s (%s rows): %s",
                    what,
                    attempt + 1,
                    spent,
                    "?" if rows is None else rows,
                    describe(error),
                    exc_info=not is_transient(error),  # a bug gets its traceback; an outage its one line
                )
                raise
            attempt += 1
            _retried()
            log.log(
                logging.WARNING if attempt == 1 else logging.DEBUG,  # one line when trouble starts, not one a pause
                "background write %s failed (%s); retry %d in %.2f s",
                what,
                describe(error),
                attempt,
                delay,
            )
            sleep(delay)
            continue
        if attempt:
            log.warning("background write %s landed after %d attempts", what, attempt + 1)
        return result
