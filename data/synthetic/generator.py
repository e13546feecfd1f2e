"""Deterministic synthetic Shanghai: incidents, readings, projects as numpy columns.

Everything here is pure: given a seed, sizes and an end time, the output is identical.
Patterns: diurnal and weekly cycles, street hot spots, source-specific category mixes,
lognormal step durations with some stuck (overdue) cases and verification failures, and a
rain episode that drives rainfall readings and waterlogging/drainage incidents together.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from data.domain import vocab as it
from data.domain.timeutil import DAY, HOUR, OFFSET
from data.domain.vocab import SOURCES, STATUSES
from data.synthetic.geo import AreaRecord, GridLocator, area_km2, points_to_cells, random_points_in

ST = {s: i for i, s in enumerate(STATUSES)}
CATS = list(it.CATEGORIES)
POOL = 3000  # candidate incident locations per street
# relative incident intensity per hour of day (Shanghai local time)
DIURNAL = np.array([0.25, 0.18, 0.14, 0.12, 0.14, 0.25, 0.55, 0.95, 1.35, 1.6, 1.7, 1.6,
                    1.35, 1.45, 1.55, 1.55, 1.45, 1.35, 1.2, 1.1, 0.95, 0.75, 0.55, 0.38])
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海燕颖")
ROADS = ["中山路", "人民路", "淮海路", "延安路", "南京路", "四川路", "浦东大道", "世纪大道", "长宁路", "共和新路",
         "漕溪路", "沪闵路", "江杨路", "曹安公路", "沪南公路", "松江大道", "金山大道", "陈海公路", "宝杨路", "嘉松路"]


@dataclass
class StreetPools:
    """Candidate incident locations per street, with their H3 cell and grid code, precomputed once."""

    street_codes: np.ndarray   # (S,) str
    district_codes: np.ndarray  # (S,) str
    street_names: list[str]
    weights: np.ndarray        # (S,) incident share
    lon: np.ndarray            # (S, POOL)
    lat: np.ndarray
    cell: np.ndarray           # (S, POOL) int64
    grid: np.ndarray           # (S, POOL) grid code (str)


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


def build_pools(streets: list[AreaRecord], locator: GridLocator, rng: np.random.Generator,
                pool: int = POOL) -> StreetPools:
    """Per street, `pool` points: 65% uniform, 35% around one or two hot spots inside it."""
    S = len(streets)
    lon = np.empty((S, pool))
    lat = np.empty((S, pool))
    urban = {"310101", "310104", "310105", "310106", "310107", "310109", "310110"}
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
        density = 2.6 if s.parent_code in urban else 1.0
        weights[i] = density * (area_km2(s.geom) ** 0.35) * rng.lognormal(0, 0.45)
    hot_streets = rng.choice(S, 12, replace=False)
    weights[hot_streets] *= 2.5
    cell = points_to_cells(lon.ravel(), lat.ravel()).reshape(S, pool)
    codes = np.array([s.code for s in streets])
    grid = np.array([[locator.grid_for(s.code, c) for c in row] for s, row in zip(streets, cell.tolist())], dtype=object)
    return StreetPools(codes, np.array([s.parent_code for s in streets]), [s.name_zh for s in streets],
                       weights / weights.sum(), lon, lat, cell, grid)


def _hour_weights(start: int, hours: int, rain: np.ndarray) -> np.ndarray:
    t = start + np.arange(hours) * HOUR
    local_hour = ((t + OFFSET) // HOUR) % 24
    dow = ((t + OFFSET) // DAY + 3) % 7  # 1970-01-01 was a Thursday -> 0 = Monday
    w = DIURNAL[local_hour] * np.where(dow >= 5, 0.82, 1.0)
    return w * (1 + 0.04 * rain)


def _lognormal(rng, median_h: float, sigma: float, n: int) -> np.ndarray:
    return (median_h * HOUR * rng.lognormal(0, sigma, n)).astype(np.int64)


def incidents(n: int, start: int, end: int, pools: StreetPools, rain: np.ndarray, seed: int) -> dict:
    """n incidents reported in [start, end): a dict of column arrays plus the transition matrix.

    T[i, j] is when incident i entered status S[i, j]; -1 in S marks an unused slot.
    The state at `end` is the last transition not after it.
    """
    rng = np.random.default_rng([seed, 1])
    hours = len(rain)
    w = _hour_weights(start, hours, rain)
    hour = np.sort(np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n)))
    reported = start + hour * HOUR + rng.integers(0, HOUR, n)
    reported = np.minimum(reported, end - 1)
    in_rain = rain[hour]

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

    # the closed loop, as up to 8 transitions per incident
    T = np.full((n, 8), np.iinfo(np.int64).max, dtype=np.int64)
    S = np.full((n, 8), -1, dtype=np.int8)
    path = rng.random(n)
    invalid = path < 0.05            # registered then closed as invalid/duplicate
    refail = (path >= 0.05) & (path < 0.12)  # verification fails once, back to handling
    stuck = rng.random(n) < 0.04     # one step takes ten times longer: the overdue tail
    stuck_step = rng.integers(1, 5, n)
    handle_med = np.where(priority == 1, 2.5, np.where(priority == 2, 8.0, 20.0))
    d = np.column_stack([
        _lognormal(rng, 0.2, 0.8, n), _lognormal(rng, 0.3, 0.8, n), _lognormal(rng, 0.6, 0.9, n),
        (handle_med * HOUR * rng.lognormal(0, 0.9, n)).astype(np.int64), _lognormal(rng, 3.0, 0.8, n),
        (handle_med * HOUR * 0.6 * rng.lognormal(0, 0.9, n)).astype(np.int64), _lognormal(rng, 3.0, 0.8, n),
    ])
    d[np.arange(n), stuck_step] *= np.where(stuck, 10, 1)
    T[:, 0], S[:, 0] = reported, ST["reported"]
    normal = [ST["registered"], ST["dispatched"], ST["handling"], ST["verifying"]]
    t = reported.copy()
    for j, status in enumerate(normal, start=1):
        t = t + d[:, j - 1]
        T[:, j], S[:, j] = t, status
    T[invalid, 2], S[invalid, 2] = T[invalid, 1] + d[invalid, 1], ST["closed"]
    T[invalid, 3:], S[invalid, 3:] = np.iinfo(np.int64).max, -1
    ok = ~invalid & ~refail
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
    limit_h = np.zeros(n)
    for s_name, limits in it.STEP_LIMIT_HOURS.items():
        m = status == ST[s_name]
        limit_h[m] = np.array(limits)[priority[m] - 1]
    due = np.where(closed, -1, status_at + (limit_h * HOUR).astype(np.int64))

    unit_choice = rng.random(n)
    return {
        "n": n, "reported": reported, "src": src, "cat": cat, "sub": sub, "street": street, "slot": slot,
        "priority": priority, "status": status, "status_at": status_at, "due": due,
        "closed_at": np.where(closed, status_at, -1), "T": T, "S": S, "k": k,
        "dispatched": k >= 3, "unit_choice": unit_choice,
        "names": rng.integers(0, [len(SURNAMES), len(GIVEN), len(GIVEN)], (n, 3)),
        "phones": rng.integers(0, 10 ** 8, n), "phone_prefix": rng.choice([3, 5, 7, 8, 9], n),
        "road": rng.integers(0, len(ROADS), n), "number": rng.integers(1, 1800, n),
    }


def reading_series(ind, areas: list[str], start: int, end: int, rain_by_area: dict, seed: int,
                   breach_now: bool) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(area code, timestamps, values) per area for one indicator; the first area is the city."""
    rng = np.random.default_rng([seed, 2, sum(map(ord, ind.code))])
    sim = ind.sim
    stop = end - int(sim.stale_hours * HOUR)
    ts = np.arange(start - start % ind.interval + ind.interval, stop + 1, ind.interval, dtype=np.int64)
    h = ((ts + OFFSET) % DAY) / HOUR
    dow = ((ts + OFFSET) // DAY + 3) % 7
    if sim.tide:
        cycle = np.cos(2 * np.pi * (ts / HOUR - sim.peak) / 12.42)
    elif sim.rush:
        cycle = np.exp(-0.5 * ((h - 8.3) / 1.3) ** 2) + np.exp(-0.5 * ((h - 18) / 1.5) ** 2) - 0.3
    else:
        cycle = np.cos(2 * np.pi * (h - sim.peak) / 24)
    weekend = np.where(dow >= 5, sim.weekend, 1.0)
    out = []
    for area in areas:
        r = rain_by_area[area](ts)
        kernel = np.ones(6) / math.sqrt(6)
        noise = np.convolve(rng.normal(0, sim.noise, len(ts) + 5), kernel, mode="valid")[: len(ts)]
        scale = rng.uniform(0.9, 1.1) if area != areas[0] else 1.0
        v = (sim.base + sim.amp * cycle) * weekend * scale + noise + sim.rain * r
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
    episodes = [(int(rng.integers(0, len(ts) - 30)), int(rng.choice(4, p=[0.45, 0.3, 0.17, 0.08])))
                for _ in range(int(rng.integers(1, 3)))]
    if breach_now:
        episodes.append((len(ts) - max(3, int(2 * HOUR / ind.interval)), int(rng.choice(4, p=[0.35, 0.35, 0.2, 0.1]))))
    for at, band in episodes:
        length = min(len(ts) - at, max(3, int(rng.uniform(1, 3) * HOUR / ind.interval)))
        target = bands[band] + (0.03 * abs(bands[band]) + 1e-3) * (1 if ind.direction == "up" else -1)
        ramp = np.minimum(1, np.sin(np.linspace(0.15, np.pi - 0.15, length)) * 1.6)
        if breach_now and at == episodes[-1][0]:
            ramp = np.minimum(1, np.linspace(0.3, 1.6, length))
        seg = v[at: at + length]
        v[at: at + length] = seg + (target - seg) * ramp if ind.direction == "up" else seg - (seg - target) * ramp
    return v


PROJECT_KINDS = [
    ("cloud", "政务云", "Government cloud", ["政务云扩容（{n}期）", "政务云灾备中心建设", "政务云安全能力提升"],
     ["Government cloud expansion phase {n}", "Government cloud disaster-recovery centre", "Government cloud security upgrade"]),
    ("network", "电子政务外网", "E-government network", ["电子政务外网IPv6改造", "{d}政务外网扩容", "政务外网5G专网接入"],
     ["E-government network IPv6 migration", "{de} e-government network expansion", "5G private-network access"]),
    ("sensing", "感知端", "Sensing", ["{d}道路积水监测物联网", "{d}井盖智能感知", "{d}消防通道视频识别", "{d}桥梁健康监测"],
     ["{de} waterlogging IoT sensors", "{de} smart manhole covers", "{de} fire-lane video AI", "{de} bridge health monitoring"]),
    ("application", "智慧应用", "Smart applications", ["{d}一网统管城运平台升级", "{d}防汛防台指挥场景", "{d}大客流预警场景", "{d}垃圾分类智能监管"],
     ["{de} city-operations platform upgrade", "{de} flood-command scenario", "{de} crowd-warning scenario", "{de} waste-sorting supervision"]),
    ("data", "数据资源", "Data resources", ["城市运行体征数据治理（{n}期）", "{d}数据资源中心建设"],
     ["City vital-sign data governance phase {n}", "{de} data resource centre"]),
]
DEPARTMENTS = ["市大数据中心", "市城运中心", "市水务局", "市交通委", "市住建委", "市绿化市容局", "市应急局", "区城运中心"]
MILESTONES = [("立项批复", "Approval", 0.0), ("完成招标", "Tender awarded", 0.12), ("开工建设", "Build started", 0.2),
              ("系统上线", "System live", 0.75), ("初步验收", "Preliminary acceptance", 0.88), ("竣工验收", "Final acceptance", 1.0)]


def projects(n: int, end: int, districts: list[AreaRecord], seed: int) -> list[dict]:
    """n projects at every phase; about a fifth late and a tenth over budget."""
    rng = np.random.default_rng([seed, 3])
    out = []
    for pid in range(1, n + 1):
        kind, cat_zh, cat_en, names_zh, names_en = PROJECT_KINDS[pid % len(PROJECT_KINDS)]
        d = districts[int(rng.integers(0, len(districts)))]
        j = int(rng.integers(0, len(names_zh)))
        phase_no = int(rng.integers(1, 4))
        name_zh = names_zh[j].format(d=d.name_zh, n="一二三"[phase_no - 1])
        name_en = names_en[j].format(de=d.name_en.replace(" District", ""), n=phase_no)
        duration = int(rng.integers(150, 600)) * DAY
        p_start = end - int(rng.integers(-60, 700)) * DAY
        p_end = p_start + duration
        planned = float(np.clip((end - p_start) / duration, 0, 1))
        late = rng.random() < 0.22
        perf = rng.uniform(0.55, 0.82) if late else float(np.clip(rng.normal(1.0, 0.06), 0.85, 1.15))
        progress = float(np.clip(planned * perf, 0, 1)) if planned < 1 else (1.0 if not late else rng.uniform(0.8, 0.97))
        cost = rng.uniform(1.15, 1.4) if rng.random() < 0.1 else float(np.clip(rng.normal(1.0, 0.07), 0.85, 1.12))
        budget = float(round(rng.lognormal(math.log(1800), 0.8), 1))
        started = end >= p_start
        actual_end = p_end + int((1 / perf - 1) * duration) if progress >= 1 else None
        if actual_end is not None and actual_end > end:
            actual_end = end - int(rng.integers(1, 30)) * DAY
        phase = ("approval" if progress < 0.04 else "tender" if progress < 0.14 else "build" if progress < 0.85
                 else "acceptance" if progress < 1 else "operation")
        ms = []
        for m_zh, m_en, frac in MILESTONES:
            planned_date = p_start + int(frac * duration)
            reached = progress >= frac and started
            actual = min(end, p_start + int(frac * duration / max(perf, 0.3))) if reached else None
            ms.append({"project_id": pid, "name_zh": m_zh, "name_en": m_en, "planned_date": planned_date, "actual_date": actual})
        out.append({
            "id": pid, "name_zh": name_zh, "name_en": name_en, "department": DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))],
            "district_code": d.code, "category": kind, "phase": phase, "budget": budget,
            "spend": round(budget * progress * cost, 1), "planned_start": p_start, "planned_end": p_end,
            "actual_start": p_start + int(rng.integers(0, 20)) * DAY if started else None,
            "actual_end": actual_end, "progress": round(progress, 4), "updated_at": end, "milestones": ms,
        })
    return out
