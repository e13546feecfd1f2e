"""One model of the synthetic city, shared by the generator (history) and the simulator (live).

A wall left running must tell the same story as the seeded days: the same hourly and weekly rhythm of
reports, the same time spent in each stage of the loop, the same shape of each vital sign by hour (with
its night profile). The generator draws whole histories from these numbers; the simulator draws each
next step from the same distributions, conditioned on what already happened (a stage's age so far).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from data.domain import stdcats
from data.domain import vocab as it
from data.domain.actors import PLATFORMS, STAFF, unit_actor
from data.domain.limits import limit_spec, split
from data.domain.timeutil import DAY, HOUR, OFFSET

# relative report intensity per hour of day (Shanghai local time); weekends are quieter; rain adds
DIURNAL = np.array(
    [0.25, 0.18, 0.14, 0.12, 0.14, 0.25, 0.55, 0.95, 1.35, 1.6, 1.7, 1.6]
    + [1.35, 1.45, 1.55, 1.55, 1.45, 1.35, 1.2, 1.1, 0.95, 0.75, 0.55, 0.38]
)
WEEKEND = 0.82
RAIN_LIFT = 0.04  # per mm/h of rain

# the loop: median hours and log-sd of the time spent in each open status; handling depends on priority
STAGE = {"reported": (0.2, 0.8), "registered": (0.3, 0.8), "dispatched": (0.6, 0.9), "verifying": (3.0, 0.8)}
HANDLING_MEDIAN_H = {1: 2.5, 2: 8.0, 3: 20.0}
HANDLING_SIGMA = 0.9
LIMIT_SHARE = 0.3  # handling takes this share of the category's limit at the median (data.domain.limits)
WORKING_SPAN = 4.8  # natural hours per working hour on average (168 h a week / 35 working hours)
REHANDLING = 0.6  # a second round of handling after a failed check is quicker
STUCK_SHARE = 0.04  # of incidents, one stage takes STUCK_FACTOR times longer: the overdue tail
STUCK_FACTOR = 10
STUCK_STAGES = ("registered", "dispatched", "handling", "verifying")
INVALID_SHARE = 0.05  # closed at intake as invalid or a duplicate (不予受理)
SELF_SHARE = 0.3  # of grid patrol reports: fixed on the spot by the patroller (自行处置)
REFAIL_SHARE = 0.07  # the first check fails and the unit handles it again
RETURN_SHARE = 0.04  # of dispatched incidents: the first unit sends it back (回退) and another takes it
EXTEND_SHARE = 0.35  # of incidents whose handling ran late: an extension (延期) was asked for and approved
SUPERVISE_SHARE = 0.1  # of incidents overdue in dispatch or handling: a leader flags them (督办)


def local_hour_and_dow(ts) -> tuple[np.ndarray, np.ndarray]:
    """(hour of day, day of week with 0 = Monday) in Shanghai time for unix seconds."""
    ts = np.asarray(ts, dtype=np.int64)
    return ((ts + OFFSET) // HOUR) % 24, ((ts + OFFSET) // DAY + 3) % 7  # 1970-01-01 was a Thursday


def report_weight(ts, rain=0.0) -> np.ndarray:
    """Relative report intensity at each time (1 = the average weekday hour is about 0.99)."""
    hour, dow = local_hour_and_dow(ts)
    return DIURNAL[hour] * np.where(dow >= 5, WEEKEND, 1.0) * (1 + RAIN_LIFT * np.asarray(rain))


@functools.lru_cache(maxsize=512)
def _handling_median_h(priority: int, subcategory: str) -> float:
    """Units pace themselves by the limit: a handling median of LIMIT_SHARE of the limit's span (a working
    hour spans WORKING_SPAN natural hours on average), never slower than the priority's own median."""
    seconds, working = split(limit_spec("handling", priority, stdcats.for_sub(subcategory)), priority)
    span_h = seconds / HOUR * (WORKING_SPAN if working else 1.0)
    return min(HANDLING_MEDIAN_H[priority], LIMIT_SHARE * span_h)


def stage_median_h(status: str, priority, subcategories=None) -> np.ndarray:
    """Median hours in an open status, per incident (handling scales with priority and the category's limit)."""
    priority = np.asarray(priority)
    if status == "handling" and subcategories is not None:
        pairs = [(int(p), str(s)) for p, s in zip(priority.ravel(), np.asarray(subcategories).ravel())]
        return np.array([_handling_median_h(p, s) for p, s in pairs], dtype=float).reshape(priority.shape)
    if status == "handling":
        return np.vectorize(HANDLING_MEDIAN_H.__getitem__, otypes=[float])(priority)
    return np.full(priority.shape, STAGE[status][0])


def stage_sigma(status: str) -> float:
    return HANDLING_SIGMA if status == "handling" else STAGE[status][1]


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _lognormal_sf(x: np.ndarray, median: np.ndarray, sigma: float) -> np.ndarray:
    """P(duration > x) for a lognormal duration with this median and log-sd (x in the median's unit)."""
    z = (np.log(np.maximum(x, 1e-9)) - np.log(median)) / (sigma * math.sqrt(2))
    return 0.5 * _erfc(z).astype(float)


def stage_survival(status: str, priority, age_s, subcategories=None) -> np.ndarray:
    """P(still in this status after age_s seconds), the stuck tail included."""
    median = stage_median_h(status, priority, subcategories) * HOUR
    sigma = stage_sigma(status)
    age = np.asarray(age_s, dtype=float)
    sf = _lognormal_sf(age, median, sigma)
    if status not in STUCK_STAGES:
        return sf
    q = STUCK_SHARE / len(STUCK_STAGES)
    return (1 - q) * sf + q * _lognormal_sf(age, median * STUCK_FACTOR, sigma)


def move_probability(status: str, priority, age_s, step_s: float, subcategories=None) -> np.ndarray:
    """P(an incident that has been `age_s` seconds in `status` leaves it within the next `step_s`)."""
    now = stage_survival(status, priority, age_s, subcategories)
    later = stage_survival(status, priority, np.asarray(age_s, dtype=float) + step_s, subcategories)
    return np.where(now > 1e-12, 1 - later / np.maximum(now, 1e-12), 1.0)


# --- vital signs -------------------------------------------------------------------------------

AR_PHI = 5 / 6  # step-to-step persistence of a reading's deviation (the generator's 6-step smoothing)


def night_weight(hour, sim) -> np.ndarray:
    """0 in service hours, 1 when closed, with a one-hour ramp before opening and before closing."""
    h = np.asarray(hour, dtype=float)
    if sim.open_hours is None:
        return np.zeros_like(h)
    opens, closes = sim.open_hours
    return 1 - np.minimum(np.clip(h - opens + 1, 0, 1), np.clip(closes - h, 0, 1))


def reading_shape(ind, ts) -> np.ndarray:
    """A vital sign's expected value at each time, before an area's scale, rain and noise."""
    sim = ind.sim
    ts = np.asarray(ts, dtype=np.int64)
    h = ((ts + OFFSET) % DAY) / HOUR
    _, dow = local_hour_and_dow(ts)
    if sim.tide:
        cycle = np.cos(2 * np.pi * (ts / HOUR - sim.peak) / 12.42)
    elif sim.rush:
        cycle = np.exp(-0.5 * ((h - 8.3) / 1.3) ** 2) + np.exp(-0.5 * ((h - 18) / 1.5) ** 2) - 0.3
    else:
        cycle = np.cos(2 * np.pi * (h - sim.peak) / 24)
    day = (sim.base + sim.amp * cycle) * np.where(dow >= 5, sim.weekend, 1.0)
    if sim.night is None:
        return day
    w = night_weight(h, sim)
    return day * (1 - w) + sim.night * w


def noise_scale(ind, ts) -> np.ndarray:
    """A closed service is quiet: its noise shrinks to a tenth at night."""
    h = ((np.asarray(ts, dtype=np.int64) + OFFSET) % DAY) / HOUR
    return 1 - 0.9 * night_weight(h, ind.sim)


def area_scale(ind_code: str, area: str, city: str) -> float:
    """Each district's level relative to the city's (0.9-1.1), fixed by the codes so that history and
    live readings of one district keep the same level."""
    if area == city:
        return 1.0
    h = 0
    for ch in f"{ind_code}:{area}":  # a small stable hash (Python's hash() changes per process)
        h = (h * 131 + ord(ch)) % 1_000_003
    return 0.9 + 0.2 * h / 1_000_003


# --- the loop, live -----------------------------------------------------------------------------
INVALID_COMMENT = "重复或无效工单，不予受理"
SELF_COMMENT = "网格巡查员现场自行处置完毕"
FAIL_COMMENT = "核查未通过：现场仍未整改到位"


def next_move(
    rng, status: str, category: str, unit: str | None, source: str = ""
) -> tuple[str, str, str | None, str | None]:
    """(action, actor, unit, comment) of an incident's next step, drawn as the generator draws paths:
    some reports are refused at intake, some patrol reports are fixed on the spot, some checks fail
    once. The actors are the ones history has."""
    if status == "reported":
        draw = rng.random()
        if draw < INVALID_SHARE:
            return "reject", STAFF["registered"][0], None, INVALID_COMMENT
        if source == "patrol" and draw < INVALID_SHARE + SELF_SHARE:
            return "self_handle", PLATFORMS["patrol"][0], None, SELF_COMMENT
        return "register", STAFF["registered"][0], None, None
    if status == "registered":
        units = it.CATEGORIES[category]["units"]
        return "dispatch", STAFF["dispatched"][0], units[int(rng.integers(0, len(units)))], None
    if status == "dispatched":
        return "start", unit_actor(unit), None, None
    if status == "handling":
        return "handled", unit_actor(unit), None, None
    if rng.random() < REFAIL_SHARE / (1 - INVALID_SHARE):
        return "verify_fail", STAFF["closed"][0], None, FAIL_COMMENT
    return "verify_pass", STAFF["closed"][0], None, None
