"""The area page's time slider (/area/CODE?at=..., issue 16): a tick that asks for a moment draws that moment's
frame (replay_frame), its warnings and its week; a bad or forged moment or scope gets a sentence and changes
nothing; the slider's ranges and marks in zh and en; frames are cached on rounded moments only."""

from __future__ import annotations

import json

import dash
import pytest

from components.area_replay import RANGES, range_for, slider_props
from components.ids import AREA, AREA_REPLAY, SHELL
from components.wall_replay import moment_param, moment_text
from data.domain.scope import Scope
from data.domain.timeutil import DAY, HOUR, now_ts, tick_of, to_dt
from data.read import rankings
from data.store.cache import backend
from data.wall.replay import AsOf, replay_frame
from tests.conftest import SMALL_END, make_app
from tests.people import act_as, login
from tests.unit.test_scope import _key, _post

AT = SMALL_END - 2 * HOUR + 15  # 2026-11-20 14:30:15, in the seeded city's last day
DISTRICT, STREET = "310101", "310101002"  # 黄浦区 and its 南京东路街道 (t-street-dispatcher's street)
REFRESH = 10
BAD_FORMAT = "回放时间格式应为 2026-11-22T21:30，仍显示实时数据"


@pytest.fixture
def area_client(mini_copy):
    """The app and a test client logged in as the city's duty officer, and a second as a street's."""
    if now_ts() - AT > 29 * DAY:
        pytest.skip("the seeded city's day is older than a replay may show")
    app = make_app(mini_copy, REFRESH_SECONDS=REFRESH)
    city, street = app.server.test_client(), app.server.test_client()
    assert login(city, "t-dispatcher").status_code == 302
    assert login(street, "t-street-dispatcher").status_code == 302
    return app, city, street


def _tick(app, client, config: dict) -> dict:
    return _post(
        client,
        app,
        _key(app, "area-meta.data"),
        [
            {"id": SHELL["tick"], "property": "n_intervals", "value": 3},
            {"id": AREA["config"], "property": "data", "value": config},
        ],
        [{"id": AREA["meta"], "property": "data", "value": None}],
        f"{SHELL['tick']}.n_intervals",
    )


def _frame(app, scope: str, at: int) -> dict:
    with app.server.test_request_context():
        return replay_frame(app.server.config["RULES_FILE"], Scope(scope), at, REFRESH, now_ts())


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_replayed_tick_draws_the_area_from_that_moments_frame(area_client):
    app, city, _street = area_client
    frame = _frame(app, DISTRICT, AT)
    got = _tick(app, city, {"scope": DISTRICT, "lang": "zh", "at": AT})
    meta = got[AREA["meta"]]["data"]
    assert meta["replay"] == tick_of(AT, REFRESH) == frame["tick"] and meta["scope"] == DISTRICT
    today = frame["incidents"]["today"]
    assert today > 0 and f"{today:,}" in _text(got[AREA["incidents"]]["children"])
    assert got[AREA["areas"]]["hideout"]["operations"][0]["params"]["value"] == frame["map"]["levels"]
    assert got[AREA["heat"]]["hideout"]["operations"][0]["params"]["value"] == frame["map"]["heat"]
    assert got[AREA["markers"]]["data"] == frame["map"]["markers"]
    # the band says so; the ranking (today's only) is hidden with its note, and not sent
    assert got[AREA_REPLAY["banner"]]["className"] == "replay-banner area-replay"
    assert got[AREA_REPLAY["time"]]["children"] == moment_text(tick_of(AT, REFRESH)) == "2026-11-20 14:30:10"
    assert got[AREA_REPLAY["msg"]]["children"] == ""
    assert "replaying" in got[AREA_REPLAY["ranking"]]["className"] and AREA["ranking"] not in got
    # the week ending at that moment's day, and the warnings active then (with the sentences they showed)
    with app.server.test_request_context():
        week = rankings.week_compare(Scope(DISTRICT), AT)
        active = AsOf(tick_of(AT, REFRESH)).warnings(Scope(DISTRICT))
    assert f"{week['this']:,}" in _text(got[AREA["week"]]["children"])
    shown = _text(got[AREA["active"]]["children"])
    assert active and all(w.cause_zh in shown for w in active[:5])
    live = _tick(app, city, {"scope": DISTRICT, "lang": "zh"})
    assert live[AREA["meta"]]["data"]["replay"] is None and "hidden" in live[AREA_REPLAY["banner"]]["className"]
    assert live[AREA["ranking"]]["rowData"] and "replaying" not in live[AREA_REPLAY["ranking"]]["className"]
    assert AREA_REPLAY["msg"] not in live  # a live tick leaves the line (the page's sentence about ?at=) alone


@pytest.mark.parametrize(
    ("forged", "sentence"),
    [
        ("2026-11-20T14:30", BAD_FORMAT),  # a Store holds seconds, not text
        (True, BAD_FORMAT),
        ({"at": AT}, BAD_FORMAT),
        ("x" * 5000, BAD_FORMAT),
        ("future", "只能回放过去的时刻，仍显示实时数据"),
        ("old", "只能回放最近30天，仍显示实时数据"),
    ],
)
def test_a_bad_or_forged_moment_gets_a_sentence_and_the_live_page(area_client, forged, sentence):
    app, city, _street = area_client
    if forged in ("future", "old"):
        forged = now_ts() + HOUR if forged == "future" else now_ts() - 31 * DAY
    got = _tick(app, city, {"scope": DISTRICT, "lang": "zh", "at": forged})
    assert got[AREA_REPLAY["msg"]]["children"] == sentence
    assert "hidden" in got[AREA_REPLAY["banner"]]["className"] and got[AREA_REPLAY["time"]]["children"] == ""
    meta = got[AREA["meta"]]["data"]
    assert meta["replay"] is None and meta["tick"] > now_ts() - 3 * REFRESH  # the live page's tick
    assert got[AREA["ranking"]]["rowData"]
    en = _tick(app, city, {"scope": DISTRICT, "lang": "en", "at": now_ts() + HOUR})
    assert en[AREA_REPLAY["msg"]]["children"] == "Only past moments can be replayed: showing live data"


def test_a_replay_never_widens_the_scope(area_client):
    app, _city, street = area_client
    street_frame, district_frame = _frame(app, STREET, AT), _frame(app, DISTRICT, AT)
    assert street_frame["incidents"]["today"] < district_frame["incidents"]["today"]
    for asked in ("310000", DISTRICT, "310115", None, "'; DROP TABLE incidents; --", {"code": "310000"}):
        got = _tick(app, street, {"scope": asked, "lang": "zh", "at": AT})
        meta = got[AREA["meta"]]["data"]
        assert meta["scope"] == STREET and meta["replay"] == tick_of(AT, REFRESH), asked
        text = _text(got[AREA["incidents"]]["children"])
        assert f"{street_frame['incidents']['today']:,}" in text, asked
        assert f"{district_frame['incidents']['today']:,}" not in text, asked
        crumbs = _post(
            street,
            app,
            _key(app, "area-replay-crumbs.children"),
            [{"id": AREA["config"], "property": "data", "value": {"scope": asked, "lang": "zh", "at": AT}}],
            [],
            f"{AREA['config']}.data",
        )
        links = _text(crumbs[AREA_REPLAY["crumbs"]]["children"])
        assert "南京东路街道" in links and "/area/310101?" not in links, asked  # the street is the root


def test_drill_down_and_breadcrumbs_keep_the_moment(area_client):
    app, city, _street = area_client
    config = {"scope": STREET, "lang": "en", "at": AT}
    crumbs = _post(
        city,
        app,
        _key(app, "area-replay-crumbs.children"),
        [{"id": AREA["config"], "property": "data", "value": config}],
        [],
        f"{AREA['config']}.data",
    )
    links = _text(crumbs[AREA_REPLAY["crumbs"]]["children"])
    assert "/area/310101?at=2026-11-20T14%3A30%3A15&lang=en" in links
    drill = _post(
        city,
        app,
        _key(app, "area-nav.href"),
        [
            {"id": AREA["areas"], "property": "clickData", "value": {"id": "310101002001"}},
            {"id": AREA["ranking"], "property": "cellClicked", "value": None},
        ],
        [{"id": AREA["config"], "property": "data", "value": config}],
        f"{AREA['areas']}.clickData",
    )
    assert drill[AREA["nav"]]["href"] == "/area/310101002001?at=2026-11-20T14%3A30%3A15&lang=en"
    config["at"] = now_ts() + DAY  # not replayable: the link is the live page's
    drill = _post(
        city,
        app,
        _key(app, "area-nav.href"),
        [
            {"id": AREA["areas"], "property": "clickData", "value": {"id": "310101002001"}},
            {"id": AREA["ranking"], "property": "cellClicked", "value": None},
        ],
        [{"id": AREA["config"], "property": "data", "value": config}],
        f"{AREA['areas']}.clickData",
    )
    assert drill[AREA["nav"]]["href"] == "/area/310101002001?lang=en"


def test_distinct_moments_in_one_refresh_step_share_one_frame(area_client):
    app, city, _street = area_client

    def frame_keys() -> int:
        with app.server.app_context():
            return sum("data.wall.replay._frame" in k for k in list(backend()._data))

    step = tick_of(AT, REFRESH)
    _tick(app, city, {"scope": STREET, "lang": "zh", "at": step})
    before = frame_keys()
    for k in range(REFRESH):  # ten different moments a browser may send, one refresh step
        meta = _tick(app, city, {"scope": STREET, "lang": "zh", "at": step + k})[AREA["meta"]]["data"]
        assert meta["replay"] == step
    for bad in (now_ts() + DAY, now_ts() - 40 * DAY, "x" * 5000, -1):  # refused before any cache entry
        _tick(app, city, {"scope": STREET, "lang": "zh", "at": bad})
    assert frame_keys() == before


def test_the_sliders_ranges_and_marks_in_zh_and_en():
    now = SMALL_END + 7 * 60 + 13  # 16:37:13
    zh, en = slider_props("24h", now, "zh"), slider_props("24h", now, "en")
    assert zh["max"] == en["max"] == SMALL_END and zh["min"] == zh["max"] - DAY and zh["step"] == 600
    assert zh["marks"][zh["max"]] == "现在" and en["marks"][en["max"]] == "Now"
    assert [v for k, v in sorted(zh["marks"].items())][:-1] == ["18:00", "00:00", "06:00", "12:00"]
    week_zh, week_en = slider_props("7d", now, "zh"), slider_props("7d", now, "en")
    assert week_zh["step"] == HOUR and week_zh["max"] - week_zh["min"] == 7 * DAY
    assert list(week_zh["marks"].values())[:-1] == [
        "11月14日",
        "11月15日",
        "11月16日",
        "11月17日",
        "11月18日",
        "11月19日",
        "11月20日",
    ]
    assert list(week_en["marks"].values())[:-1] == [
        "Nov 14",
        "Nov 15",
        "Nov 16",
        "Nov 17",
        "Nov 18",
        "Nov 19",
        "Nov 20",
    ]
    month = slider_props("30d", now, "zh")
    assert month["step"] == 6 * HOUR and (month["max"] - month["min"]) % month["step"] == 0  # "now" is a step
    assert all(to_dt(k).hour == 0 for k in list(month["marks"])[:-1]) and len(month["marks"]) <= 8
    for key, (span, step, _) in RANGES.items():
        props = slider_props(key, now, "zh")
        assert props["max"] - props["min"] == span and props["step"] == step and span % step == 0
    assert slider_props("'; drop", now, "zh") == zh  # an unknown range: the default
    assert range_for(None, now) == "24h" and range_for(now - 3 * HOUR, now) == "24h"
    assert range_for(now - 3 * DAY, now) == "7d" and range_for(now - 20 * DAY, now) == "30d"


def test_the_pages_at_starts_a_replay_or_leaves_the_page_live_with_a_sentence(area_client):
    app, _city, _street = area_client
    page = next(p["layout"] for p in dash.page_registry.values() if p["path_template"] == "/area/<code>")

    def opened(**params):
        with app.server.test_request_context():
            act_as("t-dispatcher", "dispatcher", "310000")
            tree = page(code=DISTRICT, **params)
        found = {c.id: c for c in _walk(tree) if isinstance(getattr(c, "id", None), str)}
        return found

    found = opened(at=moment_param(AT))
    shown = tick_of(AT, REFRESH)  # the moment a tick shows (14:30:10): the banner, the slider and ?at= agree
    assert found[AREA["config"]].data["at"] == shown and found[AREA_REPLAY["msg"]].children == ""
    assert found[AREA_REPLAY["time"]].children == "2026-11-20 14:30:10"
    assert "hidden" not in found[AREA_REPLAY["banner"]].className
    assert found[AREA_REPLAY["range"]].value == "30d" and found[AREA_REPLAY["slider"]].value == shown
    assert found[AREA_REPLAY["live"]].href == f"/area/{DISTRICT}"
    assert "replaying" in found[AREA_REPLAY["ranking"]].className
    found = opened(at="2020-01-01", lang="en")
    assert "at" not in found[AREA["config"]].data and "hidden" in found[AREA_REPLAY["banner"]].className
    assert found[AREA_REPLAY["msg"]].children == "Only the last 30 days can be replayed: showing live data"
    found = opened(at="yesterday")
    assert "at" not in found[AREA["config"]].data and found[AREA_REPLAY["msg"]].children == BAD_FORMAT
    assert found[AREA_REPLAY["range"]].value == "24h"


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def test_the_slider_only_asks_and_its_range_is_the_servers(area_client):
    app, _city, street = area_client
    config = {"scope": "310000", "lang": "en", "at": AT}
    moved = _post(
        street,
        app,
        _key(app, "area-config.data@"),
        [{"id": AREA_REPLAY["slider"], "property": "value", "value": AT - HOUR}],
        [{"id": AREA["config"], "property": "data", "value": config}],
        f"{AREA_REPLAY['slider']}.value",
    )
    assert moved[AREA["config"]]["data"] == {**config, "at": AT - HOUR}  # the next tick checks both
    for junk in ("2026-11-20T14:30", True, None, {"at": 1}):
        got = _post(
            street,
            app,
            _key(app, "area-config.data@"),
            [{"id": AREA_REPLAY["slider"], "property": "value", "value": junk}],
            [{"id": AREA["config"], "property": "data", "value": config}],
            f"{AREA_REPLAY['slider']}.value",
        )
        assert AREA["config"] not in got, junk
    for key, lang, step in (("7d", "en", HOUR), ("x" * 5000, None, 600), (["30d"], "zh", 600)):
        got = _post(
            street,
            app,
            _key(app, "area-replay-slider.marks"),
            [{"id": AREA_REPLAY["range"], "property": "value", "value": key}],
            [{"id": AREA["config"], "property": "data", "value": {"scope": "310000", "lang": lang}}],
            f"{AREA_REPLAY['range']}.value",
        )
        marks = got[AREA_REPLAY["slider"]]["marks"]
        assert got[AREA_REPLAY["slider"]]["step"] == step and len(marks) <= 8
        assert ("Now" if lang == "en" else "现在") in marks.values()


def test_a_replayed_walls_map_opens_the_area_at_the_same_moment(area_client):
    app, city, _street = area_client
    for at, expected in ((AT, f"/area/{DISTRICT}?at=2026-11-20T14%3A30%3A15"), (None, f"/area/{DISTRICT}")):
        got = _post(
            city,
            app,
            _key(app, "wall-nav.href"),
            [{"id": "wall-areas", "property": "clickData", "value": {"id": DISTRICT}}],
            [{"id": "wall-config", "property": "data", "value": {"scope": "310000", "lang": "zh", "at": at}}],
            "wall-areas.clickData",
        )
        assert got["wall-nav"]["href"] == expected
