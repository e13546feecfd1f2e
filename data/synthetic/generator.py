"""Deterministic synthetic Shanghai: incidents, readings, projects as numpy columns.

Everything here is pure: given a seed, sizes and an end time, the output is identical.
Patterns: diurnal and weekly cycles, street hot spots, source-specific category mixes,
lognormal step durations with some stuck (overdue) cases and verification failures, and a
rain episode that drives rainfall readings and waterlogging/drainage incidents together.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass

import numpy as np
import shapely

from data.domain import stdcats
from data.domain import vocab as it
from data.domain.limits import due_many
from data.domain.timeutil import HOUR
from data.domain.vocab import SOURCES, STATUSES
from data.synthetic import model
from data.synthetic.geo import GEO_DIR, AreaRecord, GridLocator, area_km2, points_to_cells, random_points_in

ST = {s: i for i, s in enumerate(STATUSES)}
CATS = [c for c in it.CATEGORIES if any(c in mix for mix in it.SOURCE_MIX.values())]  # "other" is never generated
SUBS = [sub for c in CATS for sub in it.CATEGORIES[c]["sub"]]  # every generated subcategory, indexed
SUB_INDEX = {sub: i for i, sub in enumerate(SUBS)}
POOL = 3000  # candidate incident locations per street
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海燕颖")
POPULATION_FILE = GEO_DIR / "shanghai_district_population_2020.csv"
TOWN_DENSITY = 0.4  # a town (镇) reports less per km2 than an urban subdistrict (街道) of its district


@dataclass
class StreetPools:
    """Candidate incident locations per street, with their H3 cell and grid code, precomputed once."""

    street_codes: np.ndarray  # (S,) str
    district_codes: np.ndarray  # (S,) str
    street_names: list[str]
    weights: np.ndarray  # (S,) incident share
    lon: np.ndarray  # (S, POOL)
    lat: np.ndarray
    cell: np.ndarray  # (S, POOL) int64
    grid: np.ndarray  # (S, POOL) grid code (str)


def rain_profile(start: int, hours: int, rng: np.random.Generator) -> np.ndarray:
    """City rain intensity (mm/h) per hour: one storm 8-11 days before the end plus light showers."""
    r = np.zeros(hours)
    storm_peak = hours - 24 * int(rng.integers(8, 12)) + int(rng.integers(0, 24))
    t = np.arange(hours)
    r += 38 * np.exp(-0.5 * ((t - storm_peak) / 4.5) ** 2)  # ~18 h storm, peak near 38 mm/h
    for _ in range(4):
        c = int(rng.integers(0, hours))
        r += rng.uniform(2, 7) * np.exp(-0.5 * ((t - c) / 2.0) ** 2)
    r[r < 0.3] = 0
    return r


def build_pools(
    streets: list[AreaRecord], locator: GridLocator, rng: np.random.Generator, pool: int = POOL
) -> StreetPools:
    """Per street, `pool` points: 65% uniform, 35% around one or two hot spots inside it."""
    S = len(streets)
    lon = np.empty((S, pool))
    lat = np.empty((S, pool))
    weights = np.empty(S)
    for i, s in enumerate(streets):
        pts = random_points_in(s.geom, pool, rng)
        n_hot = int(pool * 0.35)
        centres = random_points_in(s.geom, 2, rng)
        spread = math.sqrt(max(s.geom.area, 1e-6)) * 0.08
        hot = centres[rng.integers(0, 2, n_hot)] + rng.normal(0, spread, (n_hot, 2))
        inside = shapely.contains_xy(s.geom, hot[:, 0], hot[:, 1])
        pts[:n_hot][inside] = hot[inside]
        lon[i], lat[i] = pts[:, 0], pts[:, 1]
        density = 1.0 if s.name_zh.endswith("街道") else TOWN_DENSITY
        weights[i] = density * (area_km2(s.geom) ** 0.35) * rng.lognormal(0, 0.45)
    hot_streets = rng.choice(S, 12, replace=False)
    weights[hot_streets] *= 2.5
    weights = _by_population(weights, [s.parent_code for s in streets])
    cell = points_to_cells(lon.ravel(), lat.ravel()).reshape(S, pool)
    codes = np.array([s.code for s in streets])
    grid = np.array(
        [[locator.grid_for(s.code, c) for c in row] for s, row in zip(streets, cell.tolist())], dtype=object
    )
    return StreetPools(
        codes,
        np.array([s.parent_code for s in streets]),
        [s.name_zh for s in streets],
        weights / weights.sum(),
        lon,
        lat,
        cell,
        grid,
    )


@functools.cache
def district_population() -> dict[str, float]:
    """Resident population (10k persons) per district code, 2020 census."""
    with open(POPULATION_FILE, encoding="utf-8") as fh:
        return {r["district_code"]: float(r["population_10k"]) for r in csv.DictReader(fh)}


def _by_population(weights: np.ndarray, districts: list[str]) -> np.ndarray:
    """Street weights rescaled so that each district's share of reports is its share of residents
    (Pudong about nine times Chongming); within a district the streets keep their relative weights."""
    population = district_population()
    codes = np.array(districts)
    out = weights.astype(float).copy()
    for code in set(districts):
        m = codes == code
        out[m] = weights[m] / weights[m].sum() * population.get(code, 0.0)
    if out.sum() <= 0:  # an area tree without census figures (a test city): keep the raw weights
        return weights
    return out


def _lognormal(rng, median_h: float, sigma: float, n: int) -> np.ndarray:
    return (median_h * HOUR * rng.lognormal(0, sigma, n)).astype(np.int64)


def attributes(rng: np.random.Generator, n: int, in_rain: np.ndarray, pools: StreetPools) -> dict:
    """What a new report is: source, category (rain turns some into waterlogging), subcategory, street,
    location slot and priority. The generator and the live simulator draw reports from this one place."""
    src = rng.choice(len(SOURCES), n, p=[it.SOURCE_SHARE[s] for s in SOURCES])
    cat = np.empty(n, dtype=np.int64)
    for si, s in enumerate(SOURCES):
        m = src == si
        mix = it.SOURCE_MIX[s]
        p = np.array([mix.get(c, 0.0) for c in CATS])
        cat[m] = rng.choice(len(CATS), m.sum(), p=p / p.sum())
    flood = (rng.random(n) < np.minimum(0.55, 0.025 * in_rain)) & (src != SOURCES.index("police"))
    cat[flood] = np.where(rng.random(flood.sum()) < 0.7, CATS.index("waterlogging"), CATS.index("drainage"))
    sub = np.empty(n, dtype=object)
    for ci, c in enumerate(CATS):
        m = cat == ci
        subs = list(it.CATEGORIES[c]["sub"])
        sub[m] = np.array(subs, dtype=object)[rng.integers(0, len(subs), m.sum())]

    street = rng.choice(len(pools.street_codes), n, p=pools.weights)
    slot = rng.integers(0, pools.lon.shape[1], n)
    urgent = np.isin(cat, [CATS.index("safety_hazard"), CATS.index("waterlogging")])
    priority = np.where(rng.random(n) < np.where(urgent, 0.35, 0.04), 1, np.where(rng.random(n) < 0.25, 2, 3))
    emergency = np.isin(sub, [s for s in SUBS if stdcats.for_sub(s).urgent])  # 电梯困人, 燃气泄漏: always urgent
    priority[emergency] = 1

    return {"src": src, "cat": cat, "sub": sub, "street": street, "slot": slot, "priority": priority}


def report_text(street_name: str, grid_code: str, number: int, what: str, platform: str) -> tuple[str, str]:
    """A synthetic report's title and description. Places are named by the (synthetic) grid cell and a
    numbered point in it, never by a road name that a reader could take for a real address."""
    grid = f"第{int(grid_code[-3:])}网格"
    return f"{street_name}{grid}{what}", f"{grid}{number}号点位附近{what}，{platform}上报，请核实处置。"


def incidents(n: int, start: int, end: int, pools: StreetPools, rain: np.ndarray, seed: int) -> dict:
    """n incidents reported in [start, end): a dict of column arrays plus the transition matrix.

    T[i, j] is when incident i entered status S[i, j]; -1 in S marks an unused slot.
    The state at `end` is the last transition not after it.
    """
    rng = np.random.default_rng([seed, 1])
    hours = len(rain)
    w = model.report_weight(start + np.arange(hours) * HOUR, rain)
    hour = np.sort(np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n)))
    reported = start + hour * HOUR + rng.integers(0, HOUR, n)
    reported = np.minimum(reported, end - 1)
    in_rain = rain[hour]

    a = attributes(rng, n, in_rain, pools)
    priority = a["priority"]
    # the closed loop, as up to 8 transitions per incident
    T = np.full((n, 8), np.iinfo(np.int64).max, dtype=np.int64)
    S = np.full((n, 8), -1, dtype=np.int8)
    path = rng.random(n)
    invalid = path < model.INVALID_SHARE  # 不予受理: closed at intake as invalid or a duplicate
    refail = (path >= model.INVALID_SHARE) & (path < model.INVALID_SHARE + model.REFAIL_SHARE)  # fails once
    stuck = rng.random(n) < model.STUCK_SHARE  # one step takes ten times longer: the overdue tail
    stuck_step = rng.integers(1, 5, n)  # registered, dispatched, handling or verifying (STUCK_STAGES)
    handle_med = model.stage_median_h("handling", priority, a["sub"])
    hs = model.HANDLING_SIGMA
    d = np.column_stack(
        [
            _lognormal(rng, *model.STAGE["reported"], n),
            _lognormal(rng, *model.STAGE["registered"], n),
            _lognormal(rng, *model.STAGE["dispatched"], n),
            (handle_med * HOUR * rng.lognormal(0, hs, n)).astype(np.int64),
            _lognormal(rng, *model.STAGE["verifying"], n),
            (handle_med * HOUR * model.REHANDLING * rng.lognormal(0, hs, n)).astype(np.int64),
            _lognormal(rng, *model.STAGE["verifying"], n),
        ]
    )
    d[np.arange(n), stuck_step] *= np.where(stuck, model.STUCK_FACTOR, 1)
    T[:, 0], S[:, 0] = reported, ST["reported"]
    normal = [ST["registered"], ST["dispatched"], ST["handling"], ST["verifying"]]
    t = reported.copy()
    for j, status in enumerate(normal, start=1):
        t = t + d[:, j - 1]
        T[:, j], S[:, j] = t, status
    # 自行处置: a grid patroller fixes some of what they report on the spot and closes it with a note
    own = ~invalid & ~refail & (a["src"] == SOURCES.index("patrol")) & (rng.random(n) < model.SELF_SHARE)
    short = invalid | own
    T[short, 1], S[short, 1] = T[short, 0] + d[short, 0], ST["closed"]
    T[short, 2:], S[short, 2:] = np.iinfo(np.int64).max, -1
    ok = ~short & ~refail
    T[ok, 5], S[ok, 5] = T[ok, 4] + d[ok, 4], ST["closed"]
    T[refail, 5], S[refail, 5] = T[refail, 4] + d[refail, 4], ST["handling"]
    T[refail, 6], S[refail, 6] = T[refail, 5] + d[refail, 5], ST["verifying"]
    T[refail, 7], S[refail, 7] = T[refail, 6] + d[refail, 6], ST["closed"]

    reached = (end >= T) & (S >= 0)
    k = reached.sum(axis=1)  # transitions reached by `end` (>= 1)
    idx = np.arange(n)
    status = S[idx, k - 1]
    status_at = T[idx, k - 1]
    closed = status == ST["closed"]
    sub_idx = np.array([SUB_INDEX[x] for x in a["sub"]], dtype=np.int64)
    # every step's deadline (data.domain.limits, in working time) and whether the next move came after it
    D = due_many(S.ravel(), np.where(S >= 0, T, 0).ravel(), np.repeat(priority, 8), np.repeat(sub_idx, 8), SUBS)
    D = D.reshape(n, 8)
    late = np.zeros((n, 8), dtype=bool)
    late[:, 1:] = (S[:, 1:] >= 0) & (D[:, :-1] >= 0) & (T[:, 1:] > D[:, :-1])
    due = np.where(closed, -1, D[idx, k - 1])
    disposition = np.where(closed & invalid, "invalid", np.where(closed & own, "self", ""))
    # the moves that do not change the path's times: 回退 before handling starts, 延期 approved for some of
    # the late handling, 督办 on some of what is overdue at the end (data.synthetic.load_incidents writes them)
    extra = np.random.default_rng([seed, 3]).random((n, 3))
    returned = (k >= 4) & (extra[:, 0] < model.RETURN_SHARE)
    extended = (k >= 5) & late[:, 4] & (extra[:, 1] < model.EXTEND_SHARE)
    late[extended, 4] = False  # handled within the extended deadline
    overdue_now = ~closed & np.isin(status, [ST["dispatched"], ST["handling"]]) & (due >= 0) & (due < end - HOUR)
    supervised = overdue_now & (extra[:, 2] < model.SUPERVISE_SHARE)

    unit_choice = rng.random(n)
    return {
        "n": n,
        "reported": reported,
        **a,
        "status": status,
        "status_at": status_at,
        "due": due,
        "D": D,
        "late": late,
        "sub_idx": sub_idx,
        "disposition": disposition,
        "returned": returned,
        "extended": extended,
        "supervised": supervised,
        "closed_at": np.where(closed, status_at, -1),
        "T": T,
        "S": S,
        "k": k,
        "dispatched": k >= 3,
        "unit_choice": unit_choice,
        "names": rng.integers(0, [len(SURNAMES), len(GIVEN), len(GIVEN)], (n, 3)),
        "phones": rng.integers(0, 10**8, n),
        "phone_prefix": rng.choice([3, 5, 7, 8, 9], n),
        "number": rng.integers(1, 1800, n),
    }
