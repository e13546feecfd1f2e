"""Deterministic synthetic city projects: kinds, departments, milestones and their plans."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data.domain.timeutil import DAY
from data.synthetic.geo import AreaRecord

# A lead written as DISTRICT stands for the named district's own operations centre ("浦东新区城运中心").
DISTRICT = "区城运中心"


@dataclass(frozen=True)
class Template:
    """One kind of project a city would run, and the bodies that would plausibly lead it.

    {d}/{de} in a name is the district (Chinese/English), {n} the phase; a district-named template
    may be led by that district's operations centre, a city-wide one only by city bodies."""

    kind: str
    zh: str
    en: str
    leads: tuple[str, ...]

    @property
    def district_named(self) -> bool:
        return "{d}" in self.zh

    @property
    def phased(self) -> bool:
        return "{n}" in self.zh

    @property
    def capacity(self) -> int:
        """How many projects one (template, district) takes before phases go past what is usual."""
        return 3 if self.phased else 1


BIG_DATA = ("市大数据中心",)
TEMPLATES = [
    Template("cloud", "政务云扩容（{n}期）", "Government cloud expansion phase {n}", BIG_DATA),
    Template("cloud", "政务云灾备中心建设", "Government cloud disaster-recovery centre", BIG_DATA),
    Template("cloud", "政务云安全能力提升", "Government cloud security upgrade", BIG_DATA),
    Template("cloud", "政务云信创适配改造", "Government cloud domestic-platform migration", BIG_DATA),
    Template("cloud", "政务云资源监管平台", "Government cloud resource-monitoring platform", BIG_DATA),
    Template("network", "电子政务外网IPv6改造", "E-government network IPv6 migration", BIG_DATA),
    Template("network", "电子政务外网5G专网接入", "E-government network 5G private access", BIG_DATA),
    Template("network", "电子政务外网安全监测平台", "E-government network security monitoring", BIG_DATA),
    Template("network", "{d}政务外网扩容", "{de} e-government network expansion", (*BIG_DATA, DISTRICT)),
    Template("sensing", "{d}道路积水监测物联网", "{de} waterlogging IoT sensors", ("市水务局", DISTRICT)),
    Template("sensing", "{d}井盖智能感知", "{de} smart manhole covers", ("市住建委", DISTRICT)),
    Template("sensing", "{d}消防通道视频识别", "{de} fire-lane video AI", ("市应急局", "市消防救援总队")),
    Template("sensing", "{d}桥梁健康监测", "{de} bridge health monitoring", ("市交通委", "市住建委")),
    Template("application", "{d}一网统管城运平台升级", "{de} city-operations platform upgrade", (DISTRICT,)),
    Template("application", "{d}防汛防台指挥场景", "{de} flood-command scenario", ("市水务局", DISTRICT)),
    Template("application", "{d}大客流预警场景", "{de} crowd-warning scenario", ("市应急局", DISTRICT)),
    Template("application", "{d}垃圾分类智能监管", "{de} waste-sorting supervision", ("市绿化市容局",)),
    Template(
        "data", "城市运行体征数据治理（{n}期）", "City vital-sign data governance phase {n}", (*BIG_DATA, "市城运中心")
    ),
    Template("data", "公共数据开放平台升级", "Public data open-platform upgrade", BIG_DATA),
    Template("data", "{d}数据资源中心建设", "{de} data resource centre", (*BIG_DATA, DISTRICT)),
]
KINDS = ["cloud", "network", "sensing", "application", "data"]

# the city bodies that lead projects; district-named ones add "<district>城运中心"
DEPARTMENTS = sorted({lead for t in TEMPLATES for lead in t.leads if lead != DISTRICT})


MILESTONES = [
    ("立项批复", "Approval", 0.0),
    ("完成招标", "Tender awarded", 0.12),
    ("开工建设", "Build started", 0.2),
    ("系统上线", "System live", 0.75),
    ("初步验收", "Preliminary acceptance", 0.88),
    ("竣工验收", "Final acceptance", 1.0),
]


def chinese_number(k: int) -> str:
    """1..99 as a phase is written in Chinese: 一, 十, 十二, 二十三 (digits from 100 on)."""
    if k >= 100:
        return str(k)
    digits = "零一二三四五六七八九"
    tens, ones = divmod(k, 10)
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] if ones or not tens else "")


def project_name(t: Template, d: AreaRecord, phase: int) -> tuple[str, str]:
    """The Chinese and English names of phase `phase` of a template in district d; a template without
    {n} gets a phase only from its second one, as "（二期）"."""
    zh = t.zh.format(d=d.name_zh, n=chinese_number(phase))
    en = t.en.format(de=d.name_en.removesuffix(" District"), n=phase)
    if not t.phased and phase > 1:
        zh, en = f"{zh}（{chinese_number(phase)}期）", f"{en} phase {phase}"
    return zh, en


def lead_department(lead: str, d: AreaRecord) -> str:
    return f"{d.name_zh}城运中心" if lead == DISTRICT else lead


def _pick_slots(
    n: int, districts: list[AreaRecord], rng: np.random.Generator
) -> list[tuple[Template, AreaRecord | None]]:
    """n (template, district) slots, the kinds taking turns; a slot is reused (its next phase) only
    once every slot has had its usual share, so names stay unique and phases stay few."""
    slots = [(t, d) for t in TEMPLATES for d in (districts if t.district_named else [None])]
    uses = [0] * len(slots)
    out = []
    for pid in range(1, n + 1):
        kind = KINDS[pid % len(KINDS)]
        free = [i for i, (t, _) in enumerate(slots) if uses[i] < t.capacity]
        pool = [i for i in free if slots[i][0].kind == kind] or free
        pool = pool or [i for i, u in enumerate(uses) if u == min(uses)]
        i = pool[int(rng.integers(0, len(pool)))]
        uses[i] += 1
        out.append(slots[i])
    return out


def projects(n: int, end: int, districts: list[AreaRecord], seed: int) -> list[dict]:
    """n projects at every phase; about a fifth late and a tenth over budget. Names are unique, and
    each is led by a body that fits its template (a district-named one by that district or the city)."""
    rng = np.random.default_rng([seed, 3])
    out = []
    picked = _pick_slots(n, districts, rng)
    places, leads = [], {}
    for pid, (t, slot_district) in enumerate(picked, start=1):
        d = slot_district or districts[int(rng.integers(0, len(districts)))]  # where a city-wide one sits
        places.append(d)
        key = (t, d.code if slot_district else None)
        if key not in leads:  # the phases of one programme keep one lead
            leads[key] = lead_department(t.leads[int(rng.integers(0, len(t.leads)))], d)
        department = leads[key]
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
                "name_zh": "",  # named below, once phases can follow start dates
                "name_en": "",
                "department": department,
                "district_code": d.code,
                "category": t.kind,
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
    _name_by_start(out, picked, places)
    return out


def _name_by_start(out: list[dict], picked: list, places: list[AreaRecord]) -> None:
    """Name each project; the phases of one (template, district) are numbered in order of start."""
    groups: dict[tuple, list[int]] = {}
    for k, (t, d) in enumerate(picked):
        groups.setdefault((t, d.code if d else None), []).append(k)
    for (t, _), ks in groups.items():
        for phase, k in enumerate(sorted(ks, key=lambda k: (out[k]["planned_start"], k)), start=1):
            out[k]["name_zh"], out[k]["name_en"] = project_name(t, places[k], phase)
