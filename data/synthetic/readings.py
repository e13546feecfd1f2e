"""Deterministic synthetic indicator readings: a series per indicator and area, with injected breaches."""

from __future__ import annotations

import math

import numpy as np

from data.domain.timeutil import DAY, HOUR
from data.synthetic import model


def reading_series(
    ind, areas: list[str], start: int, end: int, rain_by_area: dict, seed: int, breach_now: bool
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(area code, timestamps, values) per area for one indicator; the first area is the city."""
    rng = np.random.default_rng([seed, 2, sum(map(ord, ind.code))])
    sim = ind.sim
    stop = end - int(sim.stale_hours * HOUR)
    ts = np.arange(start - start % ind.interval + ind.interval, stop + 1, ind.interval, dtype=np.int64)
    shape = model.reading_shape(ind, ts)
    quiet = model.noise_scale(ind, ts)
    out = []
    for area in areas:
        r = rain_by_area[area](ts)
        kernel = np.ones(6) / math.sqrt(6)
        noise = np.convolve(rng.normal(0, sim.noise, len(ts) + 5), kernel, mode="valid")[: len(ts)] * quiet
        v = shape * model.area_scale(ind.code, area, areas[0]) + noise + sim.rain * r
        if sim.cumulative:  # e.g. 24-hour rainfall = running sum of the hourly rate
            per_step = np.maximum(r, 0) * ind.interval / HOUR
            c = np.cumsum(per_step)
            lag = int(DAY / ind.interval)
            v = c - np.concatenate([np.zeros(min(lag, len(c))), c[:-lag]]) if len(c) > lag else c
        now_here = breach_now and area == areas[-1]
        if ind.bands is not None and len(ts) > 50 and (now_here or area == areas[0] or rng.random() < 0.3):
            v = _inject_breaches(v, ts, ind, rng, now_here, end)
        out.append((area, ts, np.round(np.clip(v, sim.lo, sim.hi), ind.decimals)))
    return out


def _inject_breaches(v, ts, ind, rng, breach_now: bool, end: int):
    """A few 1-3 h excursions past a band (each band reached somewhere), one ongoing if breach_now."""
    bands = np.array(ind.bands)
    episodes = [
        (int(rng.integers(0, len(ts) - 30)), int(rng.choice(4, p=[0.45, 0.3, 0.17, 0.08])))
        for _ in range(int(rng.integers(1, 3)))
    ]
    if breach_now:
        episodes.append((len(ts) - max(3, int(2 * HOUR / ind.interval)), int(rng.choice(4, p=[0.35, 0.35, 0.2, 0.1]))))
    for at, band in episodes:
        length = min(len(ts) - at, max(3, int(rng.uniform(1, 3) * HOUR / ind.interval)))
        target = bands[band] + (0.03 * abs(bands[band]) + 1e-3) * (1 if ind.direction == "up" else -1)
        ramp = np.minimum(1, np.sin(np.linspace(0.15, np.pi - 0.15, length)) * 1.6)
        if breach_now and at == episodes[-1][0]:
            ramp = np.minimum(1, np.linspace(0.3, 1.6, length))
        seg = v[at : at + length]
        v[at : at + length] = seg + (target - seg) * ramp if ind.direction == "up" else seg - (seg - target) * ramp
    return v
