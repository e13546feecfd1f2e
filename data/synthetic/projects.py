"""Deterministic synthetic city projects: kinds, departments, milestones and their plans."""

from __future__ import annotations

import math

import numpy as np

from data.domain.timeutil import DAY
from data.synthetic.geo import AreaRecord

PROJECT_KINDS = [
    (
        "cloud",
        "政务云",
        "Government cloud",
        ["政务云扩容（{n}期）", "政务云灾备中心建设", "政务云安全能力提升"],
        [
            "Government cloud expansion phase {n}",
            "Government cloud disaster-recovery centre",
            "Government cloud security upgrade",
        ],
    ),
    (
        "network",
        "电子政务外网",
        "E-government network",
        ["电子政务外网IPv6改造", "{d}政务外网扩容", "政务外网5G专网接入"],
        ["E-government network IPv6 migration", "{de} e-government network expansion", "5G private-network access"],
    ),
    (
        "sensing",
        "感知端",
        "Sensing",
        ["{d}道路积水监测物联网", "{d}井盖智能感知", "{d}消防通道视频识别", "{d}桥梁健康监测"],
        [
            "{de} waterlogging IoT sensors",
            "{de} smart manhole covers",
            "{de} fire-lane video AI",
            "{de} bridge health monitoring",
        ],
    ),
    (
        "application",
        "智慧应用",
        "Smart applications",
        ["{d}一网统管城运平台升级", "{d}防汛防台指挥场景", "{d}大客流预警场景", "{d}垃圾分类智能监管"],
        [
            "{de} city-operations platform upgrade",
            "{de} flood-command scenario",
            "{de} crowd-warning scenario",
            "{de} waste-sorting supervision",
        ],
    ),
    (
        "data",
        "数据资源",
        "Data resources",
        ["城市运行体征数据治理（{n}期）", "{d}数据资源中心建设"],
        ["City vital-sign data governance phase {n}", "{de} data resource centre"],
    ),
]


DEPARTMENTS = [
    "市大数据中心",
    "市城运中心",
    "市水务局",
    "市交通委",
    "市住建委",
    "市绿化市容局",
    "市应急局",
    "区城运中心",
]


MILESTONES = [
    ("立项批复", "Approval", 0.0),
    ("完成招标", "Tender awarded", 0.12),
    ("开工建设", "Build started", 0.2),
    ("系统上线", "System live", 0.75),
    ("初步验收", "Preliminary acceptance", 0.88),
    ("竣工验收", "Final acceptance", 1.0),
]


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
        progress = (
            float(np.clip(planned * perf, 0, 1)) if planned < 1 else (1.0 if not late else rng.uniform(0.8, 0.97))
        )
        cost = rng.uniform(1.15, 1.4) if rng.random() < 0.1 else float(np.clip(rng.normal(1.0, 0.07), 0.85, 1.12))
        budget = float(round(rng.lognormal(math.log(1800), 0.8), 1))
        started = end >= p_start
        actual_end = p_end + int((1 / perf - 1) * duration) if progress >= 1 else None
        if actual_end is not None and actual_end > end:
            actual_end = end - int(rng.integers(1, 30)) * DAY
        phase = (
            "approval"
            if progress < 0.04
            else "tender"
            if progress < 0.14
            else "build"
            if progress < 0.85
            else "acceptance"
            if progress < 1
            else "operation"
        )
        ms = []
        for m_zh, m_en, frac in MILESTONES:
            planned_date = p_start + int(frac * duration)
            reached = progress >= frac and started
            actual = min(end, p_start + int(frac * duration / max(perf, 0.3))) if reached else None
            ms.append(
                {
                    "project_id": pid,
                    "name_zh": m_zh,
                    "name_en": m_en,
                    "planned_date": planned_date,
                    "actual_date": actual,
                }
            )
        out.append(
            {
                "id": pid,
                "name_zh": name_zh,
                "name_en": name_en,
                "department": DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))],
                "district_code": d.code,
                "category": kind,
                "phase": phase,
                "budget": budget,
                "spend": round(budget * progress * cost, 1),
                "planned_start": p_start,
                "planned_end": p_end,
                "actual_start": p_start + int(rng.integers(0, 20)) * DAY if started else None,
                "actual_end": actual_end,
                "progress": round(progress, 4),
                "updated_at": end,
                "milestones": ms,
            }
        )
    return out
