"""POST /api/v1/incidents and /api/v1/readings: a source's systems send JSON batches with the source's key, on a
real seeded SQLite city through the Flask test client (no session, no Origin header: keys, not cookies)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from data.domain.timeutil import now_ts
from data.ingest.coords import wgs84_to_gcj02
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory, Reading
from data.write.rollups import drift
from tests.conftest import make_app
from tests.unit.test_keys_cli import add_key

PEOPLE_SQUARE_WGS84 = (121.469, 31.2324)  # lon, lat: in Huangpu
T0 = "2026-11-20T09:00:00+08:00"


def _item(ext: str, **kw) -> dict:
    return {"id": ext, "reported_at": T0, "category": "sanitation", **kw}


@pytest.fixture
def api(mini_copy):
    """(client, the key of source 'sensors', database URL): an app over a private mini city."""
    return make_app(mini_copy).server.test_client(), add_key(mini_copy, "sensors"), mini_copy


def _post(client, key: str, items: list, path: str = "/api/v1/incidents", **headers):
    return client.post(path, json={"items": items}, headers={"Authorization": f"Bearer {key}", **headers})


def _stored(url: str, origin: str = "sensors") -> dict:
    with get_engine(url).connect() as conn:
        return {r.external_id: r for r in conn.execute(select(Incident).where(Incident.origin == origin))}


def _count(url: str, table=Incident) -> int:
    with get_engine(url).connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_a_batch_goes_through_the_importer_placed_converted_and_counted(api):
    client, key, url = api
    lon, lat = PEOPLE_SQUARE_WGS84
    items = [
        _item("S1", lat=lat, lon=lon, title="垃圾满溢", priority=2, channel="iot"),
        _item("S2", category="potholes", area="陆家嘴街道", status="closed", closed_at="2026-11-20T11:30:00+08:00"),
        _item("S3", lat=0, lon=0, address="某路 1 号"),
    ]
    got = _post(client, key, items)
    assert got.status_code == 200, got.get_json()
    assert got.get_json() == {"inserted": 3, "updated": 0, "unchanged": 0, "unlocated": 1, "unmapped": 1}
    rows = _stored(url)
    s1 = rows["S1"]  # WGS84 by default, stored as the maps' GCJ-02, in Huangpu
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert (round(s1.lon, 5), round(s1.lat, 5)) == (round(float(glon), 5), round(float(glat), 5))
    assert (s1.district_code, len(s1.grid_code), s1.priority, s1.source) == ("310101", 12, 2, "iot")
    s2 = rows["S2"]  # no coordinates: placed by its street's name; not one of our categories: "other"
    assert (s2.district_code, s2.lon, s2.category, s2.status) == ("310115", None, "other", "closed")
    assert s2.closed_at - s2.reported_at == 9000
    assert (rows["S3"].district_code, rows["S3"].lon, rows["S3"].address) == ("", None, "某路 1 号")  # unlocated
    assert drift(get_engine(url)) == {}


def test_the_same_batch_twice_changes_nothing_and_a_later_status_moves_it_on(api):
    client, key, url = api
    batch = [_item("S1", area="310101"), _item("S2", area="310101")]
    assert _post(client, key, batch).get_json()["inserted"] == 2
    history = _count(url, IncidentHistory)
    assert _post(client, key, batch).get_json() == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 2,
        "unlocated": 0,
        "unmapped": 0,
    }
    assert _count(url, IncidentHistory) == history
    later = [_item("S1", area="310101", status="closed", closed_at="2026-11-20T10:00:00+08:00")]
    assert _post(client, key, later).get_json()["updated"] == 1
    assert (_stored(url)["S1"].status, _stored(url)["S2"].status) == ("closed", "reported")


BAD = [
    ({"reported_at": T0}, "id", "is missing"),
    (_item("B", reported_at="2026-11-20 09:00"), "reported_at", "with an offset"),  # naive: would be a guess
    (_item("B", reported_at=1763600000123), "reported_at", "nor Unix seconds"),  # milliseconds
    (_item("B", reported_at="2099-01-01T00:00:00+08:00"), "reported_at", "in the future"),
    (_item("B", status="done"), "status", "must be one of"),
    (_item("B", status="closed"), "closed_at", "needs its close time"),
    (_item("B", lat=31.2), "lon", "give lat and lon together"),
    (_item("B", lat=131.2, lon=121.4), "lat", "out of range"),
    (_item("B", crs="CGCS2000", lat=31.2, lon=121.4), "crs", "must be one of"),
    (_item("B", title="x" * 201), "title", "at most 200"),
    (_item("B", origin="cityops"), "origin", "not a field"),  # the key's source is the origin: no other
    (_item("B", reporter_phone="13812345678"), "reporter_phone", "not a field"),
    (_item("A"), "id", "repeats an earlier item"),
]


@pytest.mark.parametrize("bad, field, words", BAD, ids=[f"{f}-{w}" for _, f, w in BAD])
def test_a_bad_item_is_a_422_naming_item_and_field_and_nothing_of_the_batch_is_written(api, bad, field, words):
    client, key, url = api
    before = _count(url)
    got = _post(client, key, [_item("A"), _item("A2"), bad], **{"Accept-Language": "en-GB,en;q=0.9"})
    body = got.get_json()
    assert (got.status_code, body["item"], body["field"], body["reason"]) == (422, 2, field, "invalid_item")
    assert body["message"].startswith(f"items[2].{field} ") and words in body["message"], body["message"]
    assert _count(url) == before
    zh = _post(client, key, [_item("A"), _item("A2"), bad]).get_json()["message"]  # Chinese unless asked
    assert zh.startswith(f"第 3 条（items[2].{field}）") and "本批均未写入" in zh


def test_every_request_needs_an_active_key_of_its_source(api):
    client, key, url = api
    item = [_item("K1")]
    none = client.post("/api/v1/incidents", json={"items": item})
    assert (none.status_code, none.get_json()["reason"], none.headers["WWW-Authenticate"]) == (401, "no_key", "Bearer")
    for wrong in ("ck_" + "x" * 43, key[:-1], "short", key + "'; drop table api_key"):
        got = _post(client, wrong, item)
        assert (got.status_code, got.get_json()["reason"]) == (401, "bad_key"), wrong
    assert client.post("/api/v1/incidents", json={"items": item}, headers={"X-API-Key": key}).status_code == 200
    assert set(_stored(url)) == {"K1"}


def test_wrong_keys_from_one_address_are_slowed_like_failed_logins(mini_copy):
    key = add_key(mini_copy, "sensors")
    client = make_app(mini_copy, LOGIN_LIMIT_PER_ADDRESS="3 per minute").server.test_client()
    assert [_post(client, "ck_" + "y" * 43, []).status_code for _ in range(3)] == [401, 401, 401]
    assert _post(client, "ck_" + "y" * 43, []).status_code == 429
    assert _post(client, key, []).status_code == 429  # guessing from there: slowed for every key


def test_each_key_has_its_own_rate_limit(mini_copy):
    key, other = add_key(mini_copy, "sensors"), add_key(mini_copy, "cameras")
    client = make_app(mini_copy, API_RATE_LIMIT="3 per minute").server.test_client()
    assert [_post(client, key, []).status_code for _ in range(3)] == [200, 200, 200]
    throttled = _post(client, key, [])
    assert throttled.status_code == 429 and 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert throttled.get_json()["message"] == "请求过于频繁，请稍后再试。"
    assert _post(client, other, []).status_code == 200


def test_batches_and_bodies_are_bounded_and_a_refused_one_writes_nothing(mini_copy):
    key = add_key(mini_copy, "sensors")
    client = make_app(mini_copy, API_MAX_ITEMS=5, API_MAX_BODY=4096).server.test_client()
    many = _post(client, key, [_item(f"M{i}") for i in range(6)], **{"Accept-Language": "en"})
    assert (many.status_code, many.get_json()["message"]) == (413, "A batch holds at most 5 items; this one has 6.")
    big = _post(client, key, [_item("B1", description="长" * 3000)])
    assert (big.status_code, big.get_json()["reason"]) == (413, "too_large")
    assert _stored(mini_copy) == {}
    for body in ("not json", json.dumps([_item("X")]), json.dumps({"items": [], "source": "other"})):
        bad = client.post("/api/v1/incidents", data=body, headers={"X-API-Key": key})
        assert (bad.status_code, bad.get_json()["reason"]) == (400, "not_json")


def test_a_full_batch_may_be_larger_than_a_browsers_request(mini_copy):
    """1,000 items of 1.5 kB: over the app's 1 MB for browsers, within the API's 2 MB."""
    key = add_key(mini_copy, "sensors")
    client = make_app(mini_copy).server.test_client()
    body = json.dumps({"items": [_item(f"F{i}", area="310101", description="d" * 1500) for i in range(1000)]})
    assert 2**20 < len(body) < 2 * 2**20
    got = client.post("/api/v1/incidents", data=body, headers={"X-API-Key": key})
    assert got.status_code == 200 and got.get_json()["inserted"] == 1000


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(api):
    client, key, url = api
    first = _post(client, key, [_item("I1")], **{"Idempotency-Key": "batch-2026-11-20T09"})
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    _post(client, key, [_item("I1", status="handling", updated_at="2026-11-20T09:30:00+08:00")])  # moved on since
    replay = _post(client, key, [_item("I1")], **{"Idempotency-Key": "batch-2026-11-20T09"})
    assert (replay.status_code, replay.get_json(), replay.headers["Idempotent-Replayed"]) == (
        200,
        first.get_json(),
        "true",
    )
    assert _stored(url)["I1"].status == "handling"  # the replay wrote nothing
    other = _post(client, key, [_item("I2")], **{"Idempotency-Key": "batch-2026-11-20T09"})
    assert (other.status_code, other.get_json()["reason"]) == (422, "idempotency_reused")
    assert "I2" not in _stored(url)
    refused = _post(client, key, [_item("I3", status="?")], **{"Idempotency-Key": "k2"})
    assert refused.status_code == 422  # a refused batch is not kept: the fixed one may use the same key
    assert _post(client, key, [_item("I3")], **{"Idempotency-Key": "k2"}).get_json()["inserted"] == 1
    readings = _post(client, key, [], "/api/v1/readings", **{"Idempotency-Key": "batch-2026-11-20T09"})
    assert readings.status_code == 200 and "Idempotent-Replayed" not in readings.headers  # per endpoint
    assert _post(client, key, [], **{"Idempotency-Key": "键"}).status_code == 400


def test_readings_are_upserted_by_indicator_area_and_time(api):
    client, key, url = api
    ts = now_ts() - now_ts() % 3600 - 7200
    rows = [
        {"indicator": "temperature", "area": "310101", "ts": ts, "value": 12.5},
        {"indicator": "temperature", "area": 310104, "ts": ts, "value": 13},
    ]
    assert _post(client, key, rows, "/api/v1/readings").get_json() == {"inserted": 2, "updated": 0, "unchanged": 0}
    rows[1]["value"] = 13.5
    assert _post(client, key, rows, "/api/v1/readings").get_json() == {"inserted": 0, "updated": 1, "unchanged": 1}
    with get_engine(url).connect() as conn:
        got = conn.execute(select(Reading.area_code, Reading.value).where(Reading.ts == ts)).all()
    assert sorted(got) == [("310101", 12.5), ("310104", 13.5)]
    for bad, field in (
        ({"indicator": "pm2.5", "area": "310101", "ts": ts, "value": 1}, "indicator"),
        ({"indicator": "temperature", "area": "319999", "ts": ts, "value": 1}, "area"),
        ({"indicator": "temperature", "area": "310101", "ts": now_ts() + 3600, "value": 1}, "ts"),
        ({"indicator": "temperature", "area": "310101", "ts": ts, "value": float("nan")}, "value"),
        ({"indicator": "temperature", "area": "310101", "ts": ts}, "value"),
    ):
        before = _count(url, Reading)
        got = client.post(
            "/api/v1/readings", data=json.dumps({"items": [rows[0], bad]}), headers={"X-API-Key": key}
        ).get_json()
        assert (got["item"], got["field"]) == (1, field), got
        assert _count(url, Reading) == before


def test_the_login_gate_still_guards_the_rest_and_unknown_api_paths_answer_json(api):
    client, key, _url = api
    assert client.get("/wall").status_code == 302  # no session: to the login page, as before
    assert client.post("/login", data={"username": "x"}).status_code == 403  # still same-origin only
    headers = {"X-API-Key": key}
    assert client.get("/api/v1/incidents", headers=headers).status_code == 405
    nowhere = client.get("/api/v1/events", headers=headers)
    assert (nowhere.status_code, nowhere.get_json()["reason"]) == (404, "not_found")
    assert client.get("/api/v1/events").status_code == 401  # nothing, not even a 404, without a key


def test_a_broken_database_is_a_503_sentence_not_a_traceback(tmp_path):
    bad = tmp_path / "x.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    client = make_app(f"sqlite:///{bad}").server.test_client()
    for path in ("/api/v1/incidents", "/open311/v2/requests.json"):
        got = client.post(path, json={"items": []}, headers={"X-API-Key": "ck_" + "q" * 43, "Accept-Language": "en"})
        assert got.status_code == 503 and "unavailable" in got.get_data(as_text=True), path
