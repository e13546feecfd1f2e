"""The wall's data shaping: snapshot, heat bins, sparklines, panels, partial updates, shared snapshots."""

from __future__ import annotations

import copy
import json
import threading

import pytest
from dash import Patch, no_update

from callbacks.wall import OUTPUTS, wall_updates
from components.sparkline import sparkline_props, sparkline_shape
from components.wall_readings import compact, render_tile
from data.domain.scope import Scope
from data.read import incidents, mapqueries
from data.rules.config import load_catalog
from data.wall import snapshot
from data.wall.shared import shared_snapshot
from data.wall.snapshot import heat_breaks, wall_snapshot
from tests.conftest import SMALL_END

CITY = "310000"
CITY_SCOPE = Scope(CITY)


def _text(component) -> str:
    """All text inside a Dash component tree."""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


@pytest.fixture
def snap(small_city, app_for):
    app = app_for(small_city)
    return wall_snapshot(load_catalog(app.server.config["RULES_FILE"]), CITY_SCOPE, SMALL_END)


def test_snapshot_has_every_panel_filled_and_is_plain_json(snap):
    assert json.loads(json.dumps(snap)) == snap  # what goes into Redis and to the callback
    assert len(snap["tiles"]) == 12 and all(t["series"] for t in snap["tiles"])
    assert snap["incidents"]["today"] > 0 and sum(snap["incidents"]["funnel"].values()) > 0
    assert 0 < snap["incidents"]["closure_rate_7d"] < 1
    assert snap["warnings"]["total"] == sum(snap["warnings"]["by_level"].values()) > 0
    assert snap["projects"]["count"] == 64 and snap["projects"]["delayed"]
    assert len(snap["ticker"]) == snapshot.TICKER
    assert len(snap["map"]["levels"]) == 16  # one colour per district
    assert all(f["properties"]["title"] for f in snap["map"]["markers"]["features"])


def test_heat_bins_add_up_to_the_last_24_hours_incidents(snap, small_city, app_for):
    start, end = mapqueries.heat_window(SMALL_END)
    assert end - start == 24 * 3600
    cells = mapqueries.heat_cells(CITY_SCOPE)
    assert len(snap["map"]["heat"]) == len(cells["geojson"]["features"])
    assert sum(snap["map"]["heat"]) == incidents.incident_counts(CITY_SCOPE, start, end)["total"]
    assert 1000 < len(cells["geojson"]["features"]) < 3000  # res-7 hexagons: a light layer for the browser
    district = mapqueries.heat_cells(Scope("310101"))  # a district gets its grid cells
    assert all(f["id"].startswith("310101") for f in district["geojson"]["features"])


def test_heat_breaks_ascend_from_one_and_ignore_empty_cells():
    assert heat_breaks([]) == [] and heat_breaks([0, 0]) == []
    breaks = heat_breaks([0, 1, 1, 1, 2, 3, 5, 8, 13, 40])
    assert breaks == sorted(set(breaks)) and breaks[0] > 1
    assert heat_breaks([1, 1, 1]) == []  # one class: every cell the same colour


def test_a_sparkline_shape_has_every_point_in_its_box_and_the_threshold_in_range():
    shape = sparkline_shape([1.0, 3.0, 2.0, 5.0], bands=[4, 6, 8, 9])
    points = [tuple(map(float, p.split(","))) for p in shape["points"].split()]
    assert len(points) == 4 and shape["last"] == list(points[-1])
    assert all(3 <= x <= 197 and 3 <= y <= 37 for x, y in points)  # inside the 200x40 viewBox's padding
    assert points[0][0] == 3 and points[-1][0] == 197 and max(y for _, y in points) == 37  # spans the box
    assert 3 <= shape["band"] <= 37  # the blue threshold (4) lies in range: drawn as a dashed line
    assert "band" not in sparkline_shape([1.0, 2.0], bands=[40, 60, 80, 90])  # far above the series
    assert sparkline_shape([]) == {} and sparkline_shape([7.0])["points"].startswith("197,")  # one: a dot
    props = sparkline_props([1.0, 2.0], "#43A047")
    assert json.loads(props["data-spark"])["colour"] == "#43A047"


def test_compact_numbers_fit_the_funnel():
    assert compact(999, "zh") == "999" and compact(9876, "zh") == "9876" and compact(12345, "zh") == "1.2万"
    assert compact(1234, "en") == "1234" and compact(12345, "en") == "12.3k" and compact(2_500_000, "en") == "2.5M"


def test_a_late_feed_turns_grey_and_says_how_late():
    tile = {
        "code": "crowd_disney",
        "name_zh": "迪士尼度假区客流",
        "name_en": "Disney resort crowd",
        "unit": "万人",
        "decimals": 1,
        "value": 5.7,
        "level": 5,
        "stale": True,
        "age_s": 4260,
        "series": [1.0, 2.0],
        "bands": None,
    }
    zh = render_tile(tile, "zh")
    assert "数据延迟 71 分钟" in _text(zh) and "stale" in zh.className
    fresh = dict(tile, stale=False, level=2, age_s=60)
    assert "橙色 II" in _text(render_tile(fresh, "zh")) and "Orange II" in _text(render_tile(fresh, "en"))


def test_refresh_sends_only_what_changed(snap):
    first = wall_updates(snap, "zh", None, "b1")
    assert set(first) == set(OUTPUTS)
    assert isinstance(first["tiles"], list) and len(first["tiles"]) == 12
    sig = first["meta"]["sig"]
    same = wall_updates(snap, "zh", sig, "b1")
    unchanged = [k for k in OUTPUTS if k not in ("freshness", "meta")]
    assert all(same[k] is no_update for k in unchanged)  # nothing resent, nothing flashes

    later = copy.deepcopy(snap)
    later["tiles"][3]["value"] += 1
    later["map"]["levels"]["310101"] = 1
    later["incidents"]["today"] += 1
    upd = wall_updates(later, "zh", sig, "b1")
    assert isinstance(upd["tiles"], Patch) and isinstance(upd["areas"], Patch)
    ops = upd["areas"].to_plotly_json()["operations"]
    assert [op["location"] for op in ops] == [["levels"], ["rev"]]  # recolour by hideout: no geometry
    assert ops[1]["params"]["value"] == snap["tick"]  # newer than a loading layer's hideout (assets/wall.js)
    assert [op["location"] for op in upd["tiles"].to_plotly_json()["operations"]] == [[3]]
    assert upd["incidents"] is not no_update and upd["heat"] is no_update


def test_ten_screens_in_one_tick_cost_one_snapshot(small_city, app_for, monkeypatch):
    app = app_for(small_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    calls = []
    real = snapshot.wall_snapshot

    def counted(*args):
        calls.append(args[1:])
        return real(*args)

    monkeypatch.setattr(snapshot, "wall_snapshot", counted)
    results = []

    def screen():
        with app.server.test_request_context():
            results.append(shared_snapshot(catalog, CITY_SCOPE, SMALL_END)["tick"])

    threads = [threading.Thread(target=screen) for _ in range(10)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    mine = [c for c in calls if c[1] == SMALL_END]  # an earlier app's refresh-ahead thread warms the current tick
    assert results == [SMALL_END] * 10 and mine == [(CITY_SCOPE, SMALL_END)]
    shared_snapshot(catalog, CITY_SCOPE, SMALL_END + 10)  # the next tick computes again
    assert len(calls) == 2


@pytest.mark.redis
def test_snapshot_is_shared_through_redis_between_apps(small_city, redis_server, monkeypatch):
    from tests.conftest import make_app

    url, _proc = redis_server
    apps = [make_app(small_city, CACHE_REDIS_URL=url, CACHE_KEY_PREFIX="wall-test:") for _ in range(2)]
    catalog = load_catalog(apps[0].server.config["RULES_FILE"])
    calls = []
    real = snapshot.wall_snapshot
    monkeypatch.setattr(snapshot, "wall_snapshot", lambda *a: calls.append(a[1:]) or real(*a))
    for app in apps:  # two app servers behind one Redis: the second reads what the first wrote
        with app.server.test_request_context():
            assert shared_snapshot(catalog, CITY_SCOPE, SMALL_END)["scope"] == CITY
    mine = [c for c in calls if c[1] == SMALL_END]  # an earlier app's refresh-ahead thread warms the current tick
    assert mine == [(CITY_SCOPE, SMALL_END)]


def test_geometry_routes_use_etags_and_reject_unknown_codes(small_city):
    from tests.conftest import make_app
    from tests.people import login

    client = make_app(small_city).server.test_client()
    assert client.get("/geo/outlines/310000.json").status_code == 401  # nobody logged in: no geometry
    login(client, "t-leader")
    resp = client.get("/geo/outlines/310000.json")
    assert resp.status_code == 200 and len(resp.get_json()["features"]) == 16
    etag = resp.headers["ETag"]
    assert client.get("/geo/outlines/310000.json", headers={"If-None-Match": etag}).status_code == 304
    heat = client.get("/geo/heat/310101.json").get_json()
    assert heat["features"] and all("i" in f["properties"] for f in heat["features"])
    for bad in ("/geo/heat/999.json", "/geo/outlines/abc.json", "/geo/heat/310199.json"):
        assert client.get(bad).status_code == 404


def test_wall_page_falls_back_to_the_city_with_a_notice_for_bad_parameters(small_city, app_for):
    import dash

    app_for(small_city)
    layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/wall")
    good = layout(area="310101", lang="en", kiosk="1", rotate="30")
    config = next(c for c in _walk(good) if getattr(c, "id", None) == "wall-config").data
    assert config["scope"] == "310101" and config["rotate"] == 30 and config["kiosk"] and config["lang"] == "en"
    bad = layout(area="999", rotate="soon")
    config = next(c for c in _walk(bad) if getattr(c, "id", None) == "wall-config").data
    notice = next(c for c in _walk(bad) if getattr(c, "id", None) == "wall-notice")
    assert config["scope"] == CITY and config["rotate"] == 0
    assert "“area”" in notice.children and "“rotate”" in notice.children


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)


def test_tick_worker_computes_the_next_tick_of_active_scopes_before_any_screen_asks(live_city, app_for):
    import time

    from data.domain.timeutil import now_ts
    from data.store.cache import backend
    from data.wall.refresh import TickWorker, mark_active
    from data.wall.shared import HEARTBEAT_KEY

    app = app_for(live_city)
    worker = TickWorker(app.server, refresh=1)
    street = Scope("310101002")
    try:
        tick = now_ts()
        for scope in (CITY_SCOPE, street):
            mark_active(scope, tick, refresh=1)
        worker.start()
        deadline = time.time() + 15
        while time.time() < deadline:
            entries = [backend().get(f"wall-snapshot:{s.code}") for s in (CITY_SCOPE, street)]
            if all(e is not None and e["tick"] > tick for e in entries):
                break
            time.sleep(0.1)
        assert all(e is not None and e["tick"] > tick for e in entries), entries
        assert entries[0]["incidents"]["today"] >= entries[1]["incidents"]["today"]
        assert backend().get(HEARTBEAT_KEY)["tick"] > tick and worker.last["scopes"] == 2  # screens see it tick
        assert backend().get("wall-snapshot:310115") is None  # nobody watches Pudong: not computed
    finally:
        worker.stop()


def test_legend_pairs_every_colour_with_text_and_names_the_scopes_own_level():
    from components.wall_panels import render_legend

    legend = _text(render_legend({"310101": 1, "310104": 5, "310105": 5}, [2, 4, 9], "zh", scope_level=1))
    for label in ("红色 I", "橙色 II", "黄色 III", "蓝色 IV", "正常", "本区域整体：红色 I", "≥ 9", "2–3"):
        assert label in legend
    assert "This area as a whole" not in _text(render_legend({}, [], "en", scope_level=5))


def test_heat_index_agrees_with_the_served_cells(small_city, app_for):
    app_for(small_city)
    for scope in ("310000", "310101"):
        cells = mapqueries.heat_cells(Scope(scope))
        index, n = mapqueries.heat_index(Scope(scope))
        assert (index, n) == (cells["index"], len(cells["geojson"]["features"]))


def test_every_newest_severe_warning_gets_a_row_with_its_whole_cause():
    from components.wall_panels import render_warnings

    causes = [f"超期未办结事件 {n} 件，占在办 {n + 20}%，由于多个网格同时积压需要调度" for n in range(10, 15)]
    newest = [
        {
            "id": i,
            "level": 1 + i % 2,
            "area_code": "310115",
            "area": {"zh": "浦东新区", "en": "Pudong New Area"},
            "kind": "overdue",
            "cause_zh": cause,
            "cause_en": cause,
            "started_at": SMALL_END,
        }
        for i, cause in enumerate(causes)
    ]
    chips, rows = render_warnings({"by_level": {"1": 3, "2": 2}, "newest": newest}, "zh")
    assert "roll" in rows.className.split()  # more rows than fit roll instead of being left off
    found = [_text(row) for row in _walk(rows) if getattr(row, "className", None) == "warn-row"]
    assert len(found) == 5
    for text, cause in zip(found, sorted(causes, key=lambda c: causes.index(c) % 2)):  # red rows first
        assert cause in text and "浦东新区" in text and ("红色 I" in text or "橙色 II" in text)


def test_big_numbers_are_marked_to_count_up_and_each_once():
    from components.wall_panels import render_incidents, render_projects, render_warnings

    inc = {
        "today": 1234,
        "yesterday": 1200,
        "closure_rate_7d": 0.84,
        "overdue": 3,
        "by_source": {},
        "by_category": [],
        "funnel": {"reported": 12, "handling": 9876},
        "closed_today": 100,
    }
    proj = {"count": 2, "budget": 10, "spend": 5, "by_status": {"late": 1, "on_track": 1}, "delayed": []}
    tile = {"code": "aqi", "name_zh": "空气质量指数", "name_en": "AQI", "unit": "AQI", "decimals": 0, "value": 47,
            "level": 5, "stale": False, "age_s": 60, "series": [1.0], "bands": None}  # fmt: skip
    trees = [
        *render_incidents(inc, "zh"),
        *render_warnings({"by_level": {}, "newest": []}, "zh"),
        *render_projects(proj, "zh"),
        render_tile(tile, "zh"),
    ]
    found = [
        (c.to_plotly_json()["props"]["data-count"], c)
        for tree in trees
        for c in _walk(tree)
        if hasattr(c, "to_plotly_json") and "data-count" in c.to_plotly_json()["props"]
    ]
    marked = dict(found)
    assert len(marked) == len(found)  # one key per number: a count never runs on someone else's value
    expected = {"inc-today", "inc-rate", "inc-overdue", "proj-budget", "tile-aqi"}
    expected |= {f"funnel-{s}" for s in ("reported", "registered", "dispatched", "handling", "verifying", "closed")}
    expected |= {f"warn-{lv}" for lv in (1, 2, 3, 4)} | {f"proj-{k}" for k in ("on_track", "at_risk", "late")}
    assert set(marked) == expected
    assert marked["inc-today"].children == "1,234" and marked["funnel-handling"].children == "9876"


def test_screens_in_step_share_one_answer_and_forged_signatures_stay_bounded(snap, monkeypatch):
    import callbacks.wall as wall_cb

    monkeypatch.setattr(wall_cb, "RESPONSE_MEMO", 8)
    monkeypatch.setattr(wall_cb, "_responses", wall_cb.OrderedDict())
    first = wall_cb.shared_updates(1, snap, "zh", None, "b", {})
    steady = first["meta"]["sig"]
    a = wall_cb.shared_updates(1, snap, "zh", steady, "b", {})
    assert wall_cb.shared_updates(1, snap, "zh", copy.deepcopy(steady), "b", {}) is a  # the second screen: ready
    assert all(a[name] is no_update for name in ("incidents", "warnings", "ticker"))  # nothing changed since
    assert wall_cb.shared_updates(1, snap, "en", steady, "b", {}) is not a  # each language has its own answer
    for i in range(40):  # made-up signatures from a browser's store: answered, never kept beyond the bound
        wall_cb.shared_updates(1, snap, "zh", {"tiles": [f"forged-{i}" * 50]}, "b", {})
    assert len(wall_cb._responses) == 8
