"""Deadlines: the one calculation every deadline, countdown and "overdue" in the product uses.

A step's limit is a spec such as "30m", "4h", "3d" (natural time) or "4wh", "2wd" (working hours and
working days on data.domain.workcal's calendar). The desk's own steps (受理, 立案, 派遣, 核查) have limits
by priority here; handling (处置) has the limit of the incident's standard category, stage by stage for
categories handled in stages (data.domain.stdcats). An urgent incident (priority 1) counts working-time
limits in natural time: its clock does not stop at night or at weekends. Parked incidents (挂账) have no
deadline; an approved extension (延期) replaces the deadline it extends."""

from __future__ import annotations

import numpy as np

from data.domain import stdcats
from data.domain.stdcats import LIMIT
from data.domain.vocab import STATUSES
from data.domain.workcal import calendar

STEP_LIMITS = {  # desk steps by priority 1 / 2 / 3; handling comes from the category table
    "reported": ("30m", "1wh", "2wh"),
    "registered": ("30m", "1wh", "2wh"),
    "dispatched": ("30m", "2wh", "4wh"),
    "verifying": ("1h", "4wh", "1wd"),
}
NATURAL = {"m": 60, "h": 3600, "d": 86400}


def split(spec: str, priority: int) -> tuple[int, bool]:
    """(seconds, counted in working time?) for a limit spec; priority 1 counts it in natural time."""
    m = LIMIT.match(spec)
    if m is None:
        raise ValueError(f"{spec!r} is not a limit")
    n, unit = float(m[1]), m[2]
    if unit in NATURAL:
        return int(n * NATURAL[unit]), False
    hours = n if unit == "wh" else n * calendar().day_len / 3600
    return int(hours * 3600), priority != 1


def limit_spec(status: str, priority: int, category: stdcats.StdCategory | None, stage: int = 0) -> str:
    if status == "handling" and category is not None:
        return category.limit[max(0, min(stage, len(category.limit) - 1))]
    if status == "handling":
        return "1wd"
    if category is not None and category.urgent:
        return STEP_LIMITS[status][0]
    return STEP_LIMITS[status][priority - 1]


def category_of(std_code: str | None, kind: str | None, subcategory: str | None) -> stdcats.StdCategory | None:
    found = stdcats.entry(kind, std_code)
    if found is None and subcategory:
        try:
            found = stdcats.for_sub(subcategory)
        except StopIteration:
            return None
    return found


def step_due(
    status: str,
    entered_at: int,
    priority: int,
    std_code: str | None = None,
    kind: str | None = None,
    stage: int = 0,
    subcategory: str | None = None,
) -> int | None:
    """Deadline (Unix seconds) of a step entered at entered_at; None once closed."""
    if status == "closed":
        return None
    seconds, working = split(limit_spec(status, priority, category_of(std_code, kind, subcategory), stage), priority)
    if not working:
        return int(entered_at) + seconds
    return int(calendar().add_working(int(entered_at), seconds))


def due_many(status_idx, entered, priorities, sub_idx, subs: list[str]) -> np.ndarray:
    """step_due for many steps at once (the generator's millions): statuses as indexes into vocab.STATUSES
    (negative: no step), subcategories as indexes into `subs`; -1 where there is no deadline."""
    status_idx = np.asarray(status_idx, dtype=np.int64)
    entered = np.asarray(entered, dtype=np.int64)
    p = np.asarray(priorities, dtype=np.int64) - 1
    sub_idx = np.asarray(sub_idx, dtype=np.int64)
    seconds = np.zeros((len(STATUSES), len(subs), 3), dtype=np.int64)
    working = np.zeros((len(STATUSES), len(subs), 3), dtype=bool)
    for si, status in enumerate(STATUSES[:-1]):
        for ui, sub in enumerate(subs):
            cat = stdcats.for_sub(sub)
            for pi in range(3):
                seconds[si, ui, pi], working[si, ui, pi] = split(limit_spec(status, pi + 1, cat), pi + 1)
    has = (status_idx >= 0) & (status_idx < len(STATUSES) - 1)
    si = np.where(has, status_idx, 0)
    secs, wk = seconds[si, sub_idx, p], working[si, sub_idx, p] & has
    due = np.where(has, entered + secs, -1)
    if wk.any():
        due[wk] = calendar().add_working(entered[wk], secs[wk])
    return due
