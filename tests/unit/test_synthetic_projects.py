"""Synthetic projects a city official would believe: unique names, fitting leads, phases in order."""

from __future__ import annotations

import re

import pytest

from data.domain.departments import department_name
from data.synthetic.geo import load_districts
from data.synthetic.projects import DISTRICT, TEMPLATES, projects
from tests.conftest import SMALL_END

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMERAL = "[一二三四五六七八九十]+"
SEEDS = (1, 7, 42)


@pytest.fixture(scope="module")
def districts():
    return load_districts()


def _pattern(t) -> re.Pattern:
    """A template as a regex over Chinese names, with an optional later phase for unphased ones."""
    body = re.escape(t.zh).replace(r"\{d\}", "(?P<d>.+?)").replace(r"\{n\}", NUMERAL)
    return re.compile(body + ("" if t.phased else f"(?:（{NUMERAL}期）)?"))


PATTERNS = [(t, _pattern(t)) for t in TEMPLATES]


def _parse(p: dict, by_name: dict) -> tuple:
    """(template, named district or None, phase) of a generated project, read back from its names."""
    found = [(t, m) for t, m in ((t, pat.fullmatch(p["name_zh"])) for t, pat in PATTERNS) if m]
    assert len(found) == 1, p["name_zh"]
    t, m = found[0]
    assert t.kind == p["category"], p["name_zh"]
    phase = re.search(r" phase (\d+)$", p["name_en"])
    return t, by_name[m["d"]] if t.district_named else None, int(phase[1]) if phase else 1


@pytest.mark.parametrize("n", [64, 200, 400])
def test_names_are_unique_and_the_same_seed_gives_the_same_city(districts, n):
    for seed in SEEDS:
        ps = projects(n, SMALL_END, districts, seed)
        assert len(ps) == n and [p["id"] for p in ps] == list(range(1, n + 1))
        assert len({p["name_zh"] for p in ps}) == n, seed
        assert len({p["name_en"] for p in ps}) == n, seed
        assert not any(CJK.search(p["name_en"]) for p in ps)
        assert projects(n, SMALL_END, districts, seed) == ps
    assert projects(64, SMALL_END, districts, 1) != projects(64, SMALL_END, districts, 7)


def test_every_template_names_bodies_that_would_lead_it():
    """The table itself: the rules a Shanghai official would check first."""
    leads = {t.zh: set(t.leads) for t in TEMPLATES}
    for t in TEMPLATES:
        if not t.district_named:
            assert DISTRICT not in t.leads, t.zh  # a city-wide project has no district to lead it
        if "政务云" in t.zh or "政务外网" in t.zh:
            assert "市大数据中心" in t.leads and not (set(t.leads) - {"市大数据中心", DISTRICT}), t.zh
    assert leads["{d}一网统管城运平台升级"] == {DISTRICT}
    assert leads["{d}道路积水监测物联网"] == leads["{d}防汛防台指挥场景"] == {"市水务局", DISTRICT}
    assert leads["{d}桥梁健康监测"] <= {"市交通委", "市住建委"}
    assert leads["{d}消防通道视频识别"] <= {"市应急局", "市消防救援总队"}
    assert leads["{d}垃圾分类智能监管"] == {"市绿化市容局"}


@pytest.mark.parametrize("seed", SEEDS)
def test_each_project_is_led_by_a_body_that_fits_it(districts, seed):
    """Its template's leads; a district-named project by its own district's centre or a city body,
    never another district's; and every lead has English words."""
    by_name = {d.name_zh: d for d in districts}
    own = {f"{d.name_zh}城运中心" for d in districts}
    for p in projects(200, SMALL_END, districts, seed):
        t, d, _ = _parse(p, by_name)
        allowed = {f"{d.name_zh}城运中心" if lead == DISTRICT else lead for lead in t.leads}
        assert p["department"] in allowed, (p["name_zh"], p["department"])
        if d is not None:
            assert p["district_code"] == d.code, p["name_zh"]
            assert p["department"].startswith("市") or p["department"] == f"{d.name_zh}城运中心"
        else:
            assert p["department"] not in own, p["name_zh"]
        assert not CJK.search(department_name(p["department"], "en")), p["department"]


def test_phases_of_one_programme_start_in_order_under_one_lead(districts):
    by_name = {d.name_zh: d for d in districts}
    ps = projects(400, SMALL_END, districts, 7)
    programmes: dict[tuple, list] = {}
    for p in ps:
        t, d, phase = _parse(p, by_name)
        programmes.setdefault((t.zh, d.code if d else None), []).append((phase, p))
    repeated = [v for v in programmes.values() if len(v) > 1]
    assert repeated  # 400 projects outrun the usual slots, so some programmes have later phases
    for phases in repeated:
        phases.sort(key=lambda x: x[0])
        assert [ph for ph, _ in phases] == list(range(1, len(phases) + 1))
        starts = [p["planned_start"] for _, p in phases]
        assert starts == sorted(starts), phases[0][1]["name_zh"]
        assert len({p["department"] for _, p in phases}) == 1, phases[0][1]["name_zh"]
