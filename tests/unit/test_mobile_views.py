"""The phone view of the wall (/m) from real snapshots of the tiny city with warnings, readings and projects
added: the worst colour and the red warnings first, today's incidents, the vital signs out of band worst
first, the projects furthest behind first, desk links that keep the scope, both languages without a leak,
a refresh that resends only what changed, and the scope decided on the server from the wall's own cached
snapshot."""

from __future__ import annotations

import re

import h3
import pytest
from dash import no_update
from sqlalchemy import event, insert, update

from callbacks.mobile import phone_updates
from components.mobile_views import (
    DESK,
    mobile_links,
    phone_view,
    render_incidents,
    render_projects,
    render_status,
    render_vitals,
)
from data.domain.scope import Scope
from data.rules.config import load_catalog
from data.store.db import bump_versions, get_engine, write_session
from data.store.models import Area, Project, Warning
from data.synthetic.seed import load_indicators
from data.wall.snapshot import wall_snapshot
from data.write import writes
from tests.people import act_as, add_people, login
from tests.unit import tiny_city
from tests.unit.test_scope import _key, _post
from tests.unit.test_wall_panels import _text, _with_class

NOW = tiny_city.NOW  # 2026-11-20 10:30
CITY, DISTRICT, STREET = "310000", "310106", "310106013"
# (level, area, started, cause zh, cause en): two reds (the newer first), an orange, a yellow
WARNINGS = [
    (3, "310106019", NOW - 3600, "积水点 3 处", "3 waterlogging points"),
    (1, STREET, NOW - 600, "小时雨量 55 mm", "Hourly rainfall 55 mm"),
    (2, "310101", NOW - 7200, "超期未办结事件 11 件", "11 incidents past their deadline"),
    (1, "310101002", NOW - 86400 - 60, "内河水位 3.9 m", "River level 3.9 m"),
]
READINGS = [("aqi", DISTRICT, 180.0), ("power_load", CITY, 96.0), ("expressway_speed", CITY, 33.0)]
PROGRESS = {2: 0.45, 3: 0.1, 4: 0.2, 5: 0.44, 6: 0.25, 7: 0.6}  # project 1 (the tiny city's): 0.3 of 0.5 planned
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z.]{2,}")  # as tests/integration/test_language.py
CJK = re.compile(r"[\u4e00-\u9fff]")


def _warning(level: int, area: str, started: int, zh: str, en: str, kind: str = "indicator") -> dict:
    """A warning row as the rules engine writes it (a project's colours no area)."""
    row = dict(
        zip(("level", "area_code", "started_at", "cause_zh", "cause_en", "kind"), (level, area, started, zh, en, kind))
    )
    rule = "project-delay" if kind == "project" else "indicator-bands"
    return {**row, "subject": "aqi", "rule_id": rule, "value": 1.0, "colours_area": kind != "project"}


@pytest.fixture
def city(empty_db, app_for):
    """The tiny city with readings of every catalogue indicator's kind, four area warnings and a project
    warning (which colours no area), seven projects and the test accounts; an app bound to it, acting as
    the city's duty officer."""
    tiny_city.build(empty_db)
    engine = get_engine(empty_db)
    app = app_for(empty_db, TICK_WORKER="external")
    catalog = load_catalog(app.server.config["RULES_FILE"])
    load_indicators(engine, catalog)
    cell = h3.str_to_int(h3.latlng_to_cell(31.2, 121.4, 8))  # the city's heat needs the grids' cells
    project = {"department": "市大数据中心", "category": "cloud", "phase": "build", "budget": 100.0, "spend": 50.0}
    project.update(planned_start=NOW - 100 * 86400, planned_end=NOW + 100 * 86400, actual_start=NOW - 100 * 86400)
    with write_session(engine) as s:
        s.execute(update(Area).where(Area.level == "grid").values(h3_cell=cell))
        s.execute(insert(Warning), [_warning(*w) for w in WARNINGS])
        s.execute(insert(Warning), [_warning(1, DISTRICT, NOW - 60, "项目一滞后", "Project one behind", "project")])
        s.execute(
            insert(Project),
            [
                {**project, "id": i, "name_zh": f"项目{i}", "name_en": f"Project {i}", "progress": done}
                | {"district_code": "310101" if i % 2 else DISTRICT, "actual_end": None, "updated_at": NOW}
                for i, done in PROGRESS.items()
            ],
        )
        bump_versions(s, "areas", "warnings", "projects", now=NOW)
    rows = [{"indicator_code": c, "area_code": a, "ts": NOW - 300, "value": v} for c, a, v in READINGS]
    writes.add_readings(engine, rows, now=NOW)
    add_people(empty_db)
    return app, catalog, empty_db


def _json_text(node) -> str:
    """The text of a component tree as a callback's response carries it (JSON)."""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(_json_text(n) for n in node)
    if isinstance(node, dict):
        return _json_text((node.get("props") or {}).get("children") or "")
    return ""


def _snap(city, code: str) -> dict:
    _app, catalog, _url = city
    return wall_snapshot(catalog, Scope(code), NOW)


def _all(view: dict, lang: str) -> list:
    return [
        *render_status(view["status"], lang, NOW),
        *render_incidents(view["incidents"], lang),
        *render_vitals(view["vitals"], lang),
        *render_projects(view["projects"], lang),
    ]


def test_the_worst_colour_comes_first_then_the_warnings_red_first_and_newest_first(city):
    view = phone_view(_snap(city, CITY))
    status = view["status"]
    assert status["level"] == 1 and status["total"] == 4  # the project's warning colours no area
    assert status["by_level"] == {"1": 2, "2": 1, "3": 1, "4": 0}
    assert [(r["level"], r["area_code"]) for r in status["rows"]] == [
        (1, STREET),
        (1, "310101002"),
        (2, "310101"),
        (3, "310106019"),
    ]
    head, counts, rows = render_status(status, "zh", NOW)
    assert _text(head) == "整体预警等级红色 I生效预警 4 条" and "lvl-1" in head.className
    assert [_text(c) for c in counts.children] == ["红色 I2", "橙色 II1", "黄色 III1", "蓝色 IV0"]
    assert "zero" in counts.children[3].className and "zero" not in counts.children[0].className
    warns = _with_class(rows, "m-warn")
    assert [_text(w) for w in warns] == [
        "红色 I区310106013 小时雨量 55 mm10:20 起",
        "红色 I区310101002 内河水位 3.9 m昨天 10:29 起",
        "橙色 II区310101 超期未办结事件 11 件08:30 起",
        "黄色 III区310106019 积水点 3 处09:30 起",
    ]
    assert [w.href for w in warns] == [f"/area/{c}" for c in (STREET, "310101002", "310101", "310106019")]
    english = _text(render_status(status, "en", NOW))
    assert "Overall warning levelRed I4 active warnings" in english
    assert "A310101002 River level 3.9 msince yesterday 10:29" in english
    calm = {**status, "level": 5, "by_level": {"1": 0, "2": 0, "3": 0, "4": 0}, "total": 0, "rows": []}
    assert _text(render_status(calm, "zh", NOW)) == "整体预警等级正常当前无生效预警红色 I0橙色 II0黄色 III0蓝色 IV0"
    street = phone_view(_snap(city, "310106019"))["status"]  # a street with only a yellow warning
    assert street["level"] == 3 and [r["area_code"] for r in street["rows"]] == ["310106019"]


def test_todays_incidents_count_against_yesterday_with_overdue_supervised_and_the_open_stages(city):
    inc = phone_view(_snap(city, CITY))["incidents"]
    # tiny city: a, b, c, f today; d, e yesterday (e closed); a handling; a, c overdue at 10:30
    assert (inc["today"], inc["yesterday"], inc["overdue"], inc["supervised"], inc["open_total"]) == (4, 2, 2, 0, 5)
    assert inc["funnel"] == [["reported", 4], ["registered", 0], ["dispatched", 0], ["handling", 1], ["verifying", 0]]
    today, stats, subtitle, steps = render_incidents(inc, "zh")
    assert _text(today) == "4昨日同期 2 +2 (+100%)"
    assert [_text(s) for s in stats.children] == ["超期事件2", "督办0", "在办5"]
    assert "on" in stats.children[0].className.split() and "on" not in stats.children[1].className.split()
    assert _text(subtitle) == "闭环处置 · 各环节在办" and _text(steps) == "4受理0立案0派遣1处置0核查"
    assert _text(render_incidents(inc, "en")[1]) == "Overdue2Supervised0Open5"


def test_vital_signs_out_of_band_worst_first_say_whose_reading_and_tap_through_to_it(city):
    vitals = phone_view(_snap(city, DISTRICT))["vitals"]
    assert [(r["code"], r["level"]) for r in vitals["rows"]] == [("power_load", 1), ("aqi", 3), ("expressway_speed", 4)]
    assert vitals["late"] == 17 - 3  # twelve tiles and five weather readings; three have a current reading
    rows = _with_class(render_vitals(vitals, "zh"), "m-vital")
    assert [_text(r) for r in rows] == [
        "红色 I电网负荷率 · 全市数据96.0 %",
        "黄色 III空气质量指数180 AQI",
        "蓝色 IV快速路平均车速 · 全市数据33 km/h",
    ]
    assert [r.href for r in rows] == [
        "/indicators/power_load?area=310000",
        "/indicators/aqi?area=310106",
        "/indicators/expressway_speed?area=310000",
    ]
    assert "Grid load factor · City data96.0 %" in _text(render_vitals(vitals, "en"))
    calm = {"scope": CITY, "rows": [], "late": 0}
    assert _text(render_vitals(calm, "zh")) == "正常全部正常" and _text(render_vitals(calm, "en")) == "NormalAll normal"
    assert _text(render_vitals({**calm, "late": 2}, "en")) == "NormalAll normal2 more without a current reading"


def test_projects_behind_are_listed_furthest_behind_first(city):
    projects = phone_view(_snap(city, CITY))["projects"]
    # SPI = progress / 0.498 planned: 3 (0.2), 4 (0.4), 6 (0.5), 1 (0.6) late, then 5 and 2 at risk: the
    # snapshot keeps the wall's four furthest behind
    assert [p["id"] for p in projects["rows"]] == [3, 4, 6, 1] and projects["count"] == 7
    rows = _with_class(render_projects(projects, "zh"), "m-proj")
    assert [_text(r) for r in rows][:2] == ["滞后项目310%/50%", "滞后项目420%/50%"]
    assert [r.href for r in rows] == ["/projects/3", "/projects/4", "/projects/6", "/projects/1"]
    assert _text(render_projects({"count": 2, "rows": []}, "en")) == "No project behind schedule"
    assert _text(render_projects({"count": 0, "rows": []}, "zh")) == "范围内暂无项目"


def test_each_language_shows_none_of_the_other(city):
    for code in (CITY, DISTRICT, STREET):
        view = phone_view(_snap(city, code))
        zh, en = _text(_all(view, "zh")), _text(_all(view, "en"))
        assert set(LATIN_WORD.findall(zh)) <= {"AQI", "III"}, (code, LATIN_WORD.findall(zh))
        assert not CJK.search(en), (code, CJK.findall(en))
        zh, en = _text(mobile_links(code, "zh")), _text(mobile_links(code, "en"))
        assert zh and en and not LATIN_WORD.findall(zh) and not CJK.search(en)


def test_the_desk_links_keep_the_scope_and_only_offer_pages_the_role_opens():
    street = [link.href for link in mobile_links(STREET, "zh")]
    assert street == [
        f"/area/{STREET}",
        f"/incidents?area={STREET}",
        f"/incidents?window=all&area={STREET}&overdue=1",
        f"/warnings?area={STREET}",
        "/indicators",
        f"/projects?district={DISTRICT}",
    ]
    city = [link.href for link in mobile_links(CITY, "en")]
    assert city == [
        "/area/310000?lang=en",
        "/incidents?lang=en",
        "/incidents?window=all&overdue=1&lang=en",
        "/warnings?lang=en",
        "/indicators?lang=en",
        "/projects?lang=en",
    ]
    assert mobile_links(STREET, "zh", frozenset()) == []  # a wall's display token opens none of them
    row = _warning(1, STREET, NOW, "原因", "Cause") | {"area": {"zh": "某街道", "en": "A street"}}
    view = {"scope": CITY, "level": 1, "by_level": {"1": 1, "2": 0, "3": 0, "4": 0}, "total": 9, "rows": [row]}
    assert _with_class(render_status(view, "zh", NOW, frozenset()), "m-tap") == []  # rows, not links
    more = _with_class(render_status(view, "zh", NOW), "m-more")
    assert [(_text(m), m.href) for m in more] == [("查看全部 9 条预警 ›", "/warnings")]


def test_a_refresh_resends_only_the_sections_that_changed(city):
    app, _catalog, url = city
    first = phone_updates(_snap(city, CITY), "zh", None, DESK, NOW + 5)
    assert all(first[s] is not no_update for s in ("status", "incidents", "vitals", "projects"))
    assert first["meta"]["tick"] == NOW and first["meta"]["lag"] == 5 and first["meta"]["scope"] == CITY
    again = phone_updates(_snap(city, CITY), "zh", first["meta"]["sig"], DESK, NOW + 10)
    assert all(again[s] is no_update for s in ("status", "incidents", "vitals", "projects"))
    english = phone_updates(_snap(city, CITY), "en", first["meta"]["sig"], DESK, NOW + 10)
    assert all(english[s] is not no_update for s in ("status", "incidents", "vitals", "projects"))
    with write_session(get_engine(url)) as s:  # a new red warning in 310106019
        s.execute(insert(Warning), [_warning(1, "310106019", NOW - 30, "小时雨量 60 mm", "Hourly rainfall 60 mm")])
        bump_versions(s, "warnings", now=NOW)
    from flask import g

    g.pop("_cityops_versions", None)  # a new request reads the versions again
    later = phone_updates(_snap(city, CITY), "zh", first["meta"]["sig"], DESK, NOW + 10)
    assert later["status"] is not no_update
    first_row = _with_class(later["status"], "m-warn")[0]
    assert "生效预警 5 条红色 I3" in _text(later["status"]) and _text(first_row).startswith(
        "红色 I区310106019 小时雨量 60"
    )
    assert all(later[s] is no_update for s in ("incidents", "vitals", "projects"))


def test_the_page_reads_the_walls_cached_snapshot_for_the_scope_the_server_decides(city):
    """A street operator's phone: the scope its Store asks for (the city, another district, junk) is the
    street; the answer is the wall's snapshot of the street from the cache, read without one query."""
    app, catalog, url = city
    from data.domain.timeutil import now_ts
    from data.store.cache import backend
    from data.wall.shared import snapshot_key

    operator_street = "310101002"  # the tiny city's first street: the test operator's
    snap = wall_snapshot(catalog, Scope(operator_street), NOW)
    snap["tick"] = now_ts() + 3600  # newer than any tick of this test: served as it is
    backend().set(snapshot_key(Scope(operator_street)), snap, timeout=600)
    client = app.server.test_client()
    assert login(client, "t-operator").status_code == 302
    key = _key(app, "m-meta.data")
    queries = []
    event.listen(get_engine(url), "before_cursor_execute", lambda *a: queries.append(a[2]))
    for forged in (CITY, DISTRICT, "310101", "'; DROP TABLE incident; --", None, {"code": CITY}):
        queries.clear()
        inputs = [
            {"id": "shell-tick", "property": "n_intervals", "value": 1},
            {"id": "m-config", "property": "data", "value": {"area": forged, "lang": "zh"}},
        ]
        got = _post(
            client, app, key, inputs, [{"id": "m-meta", "property": "data", "value": None}], "shell-tick.n_intervals"
        )
        assert got["m-meta"]["data"]["scope"] == operator_street, forged
        assert _json_text(got["m-incidents"]["children"]).startswith("1昨日同期 1")  # f today, e yesterday: NOW's
        assert [q for q in queries if "warning" in q or "incident" in q] == [], forged


def test_a_bad_or_forbidden_area_gets_a_sentence_and_the_users_own_area(city):
    import pages.mobile as page
    from components.ids import MOBILE

    app, _catalog, _url = city
    with app.server.test_request_context("/m"):
        act_as("t-operator", "operator", "310101002")
        for asked in ("310106", "999", "310101002999", "x" * 300):
            shown = page.layout(lang="zh", area=asked)
            assert "参数“area”无效或超出您的查看范围" in _text(shown), asked
            config = next(
                c for c in _with_class(shown, "mobile")[0].children if getattr(c, "id", None) == MOBILE["config"]
            )
            assert config.data["area"] == "310101002", asked
        assert "outside what you may see" in _text(page.layout(lang="en", area="310106"))
        fine = page.layout(area="310101002001")  # a grid of the street: narrowed, no sentence
        assert "无效" not in _text(fine) and "区310101002001" in _text(fine)
