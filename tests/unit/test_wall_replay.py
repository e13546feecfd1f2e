"""The wall's replay on the server (/wall?at=..., issue 16): a tick that asks for a moment gets that moment's
frame; a bad or forged moment gets a sentence and the live wall; the scope stays the server's; the frame cache
grows with rounded moments only; the page's ?at= and the next red warning."""

from __future__ import annotations

import json

import dash
import pytest

from callbacks.wall_replay import next_red
from components.ids import REPLAY, SHELL, WALL
from components.wall_replay import moment_param
from data.domain.scope import Scope
from data.domain.timeutil import DAY, HOUR, now_ts, tick_of
from data.read.handover_record import default_shift, duty_officers
from data.store.cache import backend
from data.store.db import get_engine
from data.wall.replay import next_red_at, replay_frame
from data.write import accounts
from data.write import handover as handover_write
from tests.conftest import SMALL_END, make_app
from tests.people import act_as, login, street_and_district
from tests.unit.test_scope import _key, _post

AT = SMALL_END - 2 * HOUR + 15  # 2026-11-20 14:30:15, in the seeded city's last day
STREET = "310101002"  # 南京东路街道: t-street-dispatcher's street
REFRESH = 10
STARTS = (8 * 60, 20 * 60)  # 08:00 and 20:00


@pytest.fixture
def wall_client(mini_copy):
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
        _key(app, "wall-meta.data"),
        [
            {"id": SHELL["tick"], "property": "n_intervals", "value": 3},
            {"id": WALL["config"], "property": "data", "value": config},
        ],
        [{"id": WALL["meta"], "property": "data", "value": None}],
        f"{SHELL['tick']}.n_intervals",
    )


def _frame(app, scope: str, at: int) -> dict:
    with app.server.test_request_context():
        return replay_frame(app.server.config["RULES_FILE"], Scope(scope), at, REFRESH, now_ts())


def _frame_keys(app) -> int:
    with app.server.app_context():
        return sum("data.wall.replay._frame" in k for k in list(backend()._data))


def test_a_replayed_tick_is_drawn_from_that_moments_frame(wall_client):
    app, city, _street = wall_client
    frame = _frame(app, "310000", AT)
    got = _tick(app, city, {"scope": "310000", "lang": "zh", "at": AT})
    meta = got[WALL["meta"]]["data"]
    assert meta["replay"]["at"] == AT and meta["replay"]["tick"] == tick_of(AT, REFRESH) == frame["tick"]
    assert meta["ok"] and meta["scope"] == "310000" and "replay_error" not in meta
    assert meta["red_count"] == frame["warnings"]["by_level"].get("1", 0)
    today = frame["incidents"]["today"]
    assert today > 0 and f"{today:,}" in json.dumps(got[WALL["incidents"]]["children"], ensure_ascii=False)
    assert got[WALL["areas"]]["hideout"]["operations"][0]["params"]["value"] == frame["map"]["levels"]
    fresh = got[WALL["freshness"]]["children"]
    assert fresh.startswith("截至 14:30:15") and "前" not in fresh  # clock times, never "N 秒前"
    live = _tick(app, city, {"scope": "310000", "lang": "zh"})[WALL["meta"]]["data"]
    assert "replay" not in live and live["tick"] > AT + 5 * DAY  # without `at`: the live wall


@pytest.mark.parametrize(
    ("forged", "sentence"),
    [
        ("2026-11-20T14:30", "回放时间格式应为 2026-11-22T21:30，仍显示实时数据"),  # a Store holds seconds, not text
        (True, "回放时间格式应为 2026-11-22T21:30，仍显示实时数据"),
        (1.5e9, "回放时间格式应为 2026-11-22T21:30，仍显示实时数据"),
        ({"at": AT}, "回放时间格式应为 2026-11-22T21:30，仍显示实时数据"),
        ("future", "只能回放过去的时刻，仍显示实时数据"),
        ("old", "只能回放最近30天，仍显示实时数据"),
    ],
)
def test_a_bad_or_forged_moment_gets_a_sentence_and_the_live_wall(wall_client, forged, sentence):
    app, city, _street = wall_client
    if forged in ("future", "old"):
        forged = now_ts() + HOUR if forged == "future" else now_ts() - 31 * DAY
    got = _tick(app, city, {"scope": "310000", "lang": "zh", "at": forged})
    meta = got[WALL["meta"]]["data"]
    assert meta["replay_error"] == sentence and "replay" not in meta
    assert meta["ok"] and meta["tick"] > now_ts() - 3 * REFRESH  # the live wall's tick
    assert not got[WALL["freshness"]]["children"].startswith("截至")
    en = _tick(app, city, {"scope": "310000", "lang": "en", "at": now_ts() + HOUR})[WALL["meta"]]["data"]
    assert en["replay_error"] == "Only past moments can be replayed: showing live data"


def test_a_replay_never_widens_the_scope(wall_client):
    app, _city, street = wall_client
    for asked in ("310000", "310115", None, "'; DROP TABLE incidents; --"):
        meta = _tick(app, street, {"scope": asked, "lang": "zh", "at": AT})[WALL["meta"]]["data"]
        assert meta["scope"] == STREET and meta["replay"]["at"] == AT, asked
    street_frame, city_frame = _frame(app, STREET, AT), _frame(app, "310000", AT)
    got = _tick(app, street, {"scope": "310000", "lang": "zh", "at": AT})
    assert street_frame["incidents"]["today"] < city_frame["incidents"]["today"]
    text = json.dumps(got[WALL["incidents"]]["children"], ensure_ascii=False)
    assert f"{street_frame['incidents']['today']:,}" in text and f"{city_frame['incidents']['today']:,}" not in text


def test_distinct_moments_in_one_refresh_step_share_one_frame(wall_client):
    app, city, _street = wall_client
    step = tick_of(AT, REFRESH)
    before = _frame_keys(app)
    for k in range(REFRESH):  # ten different moments a browser may send, one refresh step
        meta = _tick(app, city, {"scope": "310000", "lang": "zh", "at": step + k})[WALL["meta"]]["data"]
        assert meta["replay"]["tick"] == step
    assert _frame_keys(app) == before + 1
    for bad in (now_ts() + DAY, now_ts() - 40 * DAY, "x" * 5000):  # refused before any cache entry
        _tick(app, city, {"scope": "310000", "lang": "zh", "at": bad})
    assert _frame_keys(app) == before + 1


def test_the_pages_at_starts_a_replay_or_leaves_the_wall_live_with_a_sentence(wall_client):
    app, _city, _street = wall_client
    page = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/wall")

    def config_and_notice(**params):
        with app.server.test_request_context():
            login_as_city()
            tree = page(**params)
        found = {c.id: c for c in _walk(tree) if isinstance(getattr(c, "id", None), str)}
        notice = found.get(WALL["notice"])
        return found[WALL["config"]].data, (notice.children if notice is not None else ""), tree

    config, notice, tree = config_and_notice(at=moment_param(AT))
    assert config["at"] == AT and notice == "" and "replay" in tree.className.split()
    config, notice, tree = config_and_notice(at="2020-01-01", lang="en")
    assert "at" not in config and "replay" not in tree.className.split()
    assert notice == "Only the last 30 days can be replayed: showing live data"
    config, notice, _tree = config_and_notice(at="yesterday")
    assert "at" not in config and notice == "回放时间格式应为 2026-11-22T21:30，仍显示实时数据"


def test_next_red_warning_jumps_to_when_it_started_in_the_screens_scope(wall_client):
    app, _city, _street = wall_client
    start = SMALL_END - 2 * DAY
    with app.server.test_request_context():
        login_as_city()
        now = now_ts()
        expected = next_red_at(Scope("310000"), start, now)
        config, state = next_red({"scope": "310000", "lang": "zh", "at": start, "refresh": 10}, {"playing": True}, now)
        assert expected is not None and config["at"] == expected and state == {"playing": False, "msg": ""}
        _config, state = next_red({"scope": "310000", "lang": "en", "at": now - 60}, {}, now)
        assert _config is dash.no_update and state["msg"] == "No red warning started after this moment"
        _config, state = next_red({"scope": "310000", "lang": "zh", "at": now + DAY}, {}, now)
        assert _config is dash.no_update and state["msg"] == "只能回放过去的时刻，仍显示实时数据"


def login_as_city():
    act_as("t-dispatcher", "dispatcher", "310000")


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def test_a_replayed_header_names_no_duty_officer_confirmed_after_that_moment(mini_copy, app_for):
    app_for(mini_copy)
    street, _district = street_and_district(mini_copy)
    engine, now = get_engine(mini_copy), now_ts()
    shift = default_shift(now, STARTS)
    accounts.add_user(engine, "ho-incoming", role="operator", area=street, password_hash="x", name_zh="李四")
    handover_write.add_note(
        engine, Scope(street), shift.start, "平稳", actor="t-operator", starts=STARTS, now=now - 120
    )
    handover_write.confirm(engine, Scope(street), shift.start, actor="ho-incoming", starts=STARTS, now=now - 60)
    assert duty_officers(now - 30, STARTS)[street]["zh"] == "李四"  # confirmed by then
    assert street not in duty_officers(now - 90, STARTS)  # a replay of a moment before the confirmation


def test_next_red_warning_of_a_forged_scope_is_the_users_own(wall_client):
    app, _city, street = wall_client
    start = SMALL_END - 2 * DAY
    with app.server.test_request_context():
        login_as_city()
        now = now_ts()
        mine, citys = next_red_at(Scope(STREET), start, now), next_red_at(Scope("310000"), start, now)
    assert mine != citys  # the city's next red warning is not the street's
    for asked in ("310000", "310115", {"code": "310000"}):
        config = {"scope": asked, "lang": "zh", "at": start}
        got = _post(
            street,
            app,
            _key(app, "wall-config.data@", "wall-replay-state.data@"),
            [{"id": REPLAY["next_red"], "property": "n_clicks", "value": 1}],
            [
                {"id": WALL["config"], "property": "data", "value": config},
                {"id": REPLAY["state"], "property": "data", "value": {}},
            ],
            f"{REPLAY['next_red']}.n_clicks",
        )
        if mine is None:
            assert WALL["config"] not in got and got[REPLAY["state"]]["data"]["msg"] == "此后没有新的红色预警"
        else:
            assert got[WALL["config"]]["data"]["at"] == mine, asked
