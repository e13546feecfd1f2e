"""A street centre's own evaluation on its wall: 按期处置率 and 综合指标值 over the last 30 whole days.

The figures are the evaluation page's (data.read.evaluation) for the 30 days up to today's midnight, so they
mean the same on the 1st of a month as on the 30th and come from the evaluation rollups (whole days: the
district-by-street grain), cached until a late write changes history. Each district's streets are computed
together, once per day. Only server-made scopes reach here (the memo holds at most the city's districts for
two days per database)."""

from __future__ import annotations

import os
import threading

from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start
from data.read import evaluation
from data.store.cache import current_engine

WINDOW_DAYS = 30
_memo: dict[tuple[str, str, int], dict] = {}
_lock = threading.Lock()


def _district(code: str, day: int) -> dict[str, dict]:
    """{street: figures} of one district's streets for the 30 whole days before `day` (a Shanghai midnight),
    grouped by street and unit (the grain the evaluation rollups keep for a district), merged per street."""
    a = day - WINDOW_DAYS * DAY
    raw = evaluation.grouped(Scope(code, code, "system"), a, day, ("child", "unit"), day)
    weights = evaluation.parse_weights(os.environ.get("EVAL_WEIGHTS"))
    return {street: evaluation.figures(part, weights) for street, part in evaluation.merged_by(raw, 0).items()}


def street_scores(scope: Scope, tick: int) -> dict | None:
    """{"ontime": 0..1 or None, "composite": 0..100 or None, "as_of": today's midnight, "days": 30} for a
    plain street scope; None for any other scope."""
    if scope.level != "street" or scope.unit is not None:
        return None
    day = local_day_start(tick)
    key = (str(current_engine().url), scope.code[:6], day)  # one database's figures never serve another's
    with _lock:
        found = _memo.get(key)
    if found is None:
        found = _district(scope.code[:6], day)
        with _lock:
            for old in [k for k in _memo if k[2] < day - DAY]:
                del _memo[old]
            _memo[key] = found
    fig = found.get(scope.code)
    rate, comp = (fig["rates"]["handle_ontime_rate"], fig["composite"]) if fig else (None, None)
    return {"ontime": rate, "composite": comp, "as_of": day, "days": WINDOW_DAYS}
