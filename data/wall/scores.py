"""A street centre's own evaluation on its wall: 按期处置率 and 综合指标值 over the last 30 days.

The figures are the evaluation page's (data.read.evaluation), for a rolling 30-day window so that they
mean the same on the 1st of a month as on the 30th. They move slowly, so each district's streets are
computed together once per REFRESH seconds (one grouped read per district), not on every tick; the
snapshot says when they were computed. Only server-made scopes reach here (the memo holds at most the
city's districts for two time buckets)."""

from __future__ import annotations

import os
import threading

from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start
from data.read import evaluation

WINDOW_DAYS = 30
REFRESH = 600  # seconds
_memo: dict[tuple[str, int], dict] = {}
_lock = threading.Lock()


def _district(code: str, bucket: int) -> dict[str, dict]:
    """{street: figures} of one district's streets for the window ending at `bucket`."""
    a = local_day_start(bucket) - (WINDOW_DAYS - 1) * DAY
    raw = evaluation.grouped(Scope(code, code, "system"), a, bucket, ("child",), bucket)
    weights = evaluation.parse_weights(os.environ.get("EVAL_WEIGHTS"))
    return {key[0]: evaluation.figures(part, weights) for key, part in raw.items()}


def street_scores(scope: Scope, tick: int) -> dict | None:
    """{"ontime": 0..1 or None, "composite": 0..100 or None, "as_of": seconds, "days": 30} for a plain
    street scope; None for any other scope."""
    if scope.level != "street" or scope.unit is not None:
        return None
    bucket = tick - tick % REFRESH
    key = (scope.code[:6], bucket)
    with _lock:
        found = _memo.get(key)
    if found is None:
        found = _district(scope.code[:6], bucket)
        with _lock:
            for old in [k for k in _memo if k[1] < bucket - REFRESH]:
                del _memo[old]
            _memo[key] = found
    fig = found.get(scope.code)
    if fig is None:
        return {"ontime": None, "composite": None, "as_of": bucket, "days": WINDOW_DAYS}
    return {
        "ontime": fig["rates"]["handle_ontime_rate"],
        "composite": fig["composite"],
        "as_of": bucket,
        "days": WINDOW_DAYS,
    }
