"""Open311 GeoReport v2 over our incidents, checked against the standard's field list on a real seeded SQLite city:
services, requests with their filters, the 90-day window and paging, one request, POST, masked personal data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from data.domain.timeutil import DAY, now_ts, parse_local, to_dt
from data.domain.vocab import CATEGORIES
from data.ingest.coords import wgs84_to_gcj02
from data.store.db import get_engine
from data.store.models import Incident
from tests.conftest import make_app
from tests.unit.test_keys_cli import add_key

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
HAN = re.compile(r"[\u4e00-\u9fff]")
DAY_19, DAY_20 = "2026-11-19T00:00:00+08:00", "2026-11-20T00:00:00+08:00"


@pytest.fixture
def o311(mini_copy):
    """(client, the key of source 'citytools', database URL) over a private mini city."""
    return make_app(mini_copy).server.test_client(), add_key(mini_copy, "citytools"), mini_copy


def _get(client, key, path, **query):
    return client.get(f"/open311/v2/{path}", query_string={"api_key": key, **query})


def _ids(url, *where) -> list[str]:
    """Incident ids as the standard's strings, newest report first (the order requests.json pages in)."""
    with get_engine(url).connect() as conn:
        q = select(Incident.id).where(*where).order_by(Incident.reported_at.desc(), Incident.id.desc())
        return [str(i) for i in conn.scalars(q)]


def _window(start: str, end: str):
    return Incident.reported_at >= parse_local(start[:19]), Incident.reported_at <= parse_local(end[:19])


def test_services_are_our_categories_in_the_standards_fields_and_language(o311):
    client, key, _url = o311
    zh = _get(client, key, "services.json").get_json()
    assert [s["service_code"] for s in zh] == list(CATEGORIES)
    assert all(set(s) == SERVICE_FIELDS and s["metadata"] is False and s["type"] == "realtime" for s in zh)
    first = zh[0]
    assert (first["service_name"], first["group"]) == ("公用设施", "部件") and "井盖破损" in first["keywords"]
    en = client.get("/open311/v2/services.json", headers={"X-API-Key": key, "Accept-Language": "en-US,en;q=0.8"})
    assert en.get_json()[0]["service_name"] == "Public facilities" and en.get_json()[0]["group"] == "Component"
    assert not HAN.search(en.get_data(as_text=True))
    assert _get(client, key, "services.json", lang="en").get_json() == en.get_json()


def test_a_request_has_the_standard_fields_in_wgs84_and_w3c_and_no_personal_data(o311):
    client, key, url = o311
    engine = get_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            select(Incident)
            .where(Incident.status == "closed", Incident.reporter_name.is_not(None), Incident.reporter_phone.like("1%"))
            .order_by(Incident.id)
            .limit(1)
        ).one()
    name, phone = row.reporter_name, row.reporter_phone
    with engine.begin() as conn:  # a description that repeats the reporter, as hotline notes do
        text = f"{name}来电（{phone}，另留 13900001111）：门口垃圾"
        conn.execute(update(Incident).where(Incident.id == row.id).values(description=text))
    got = _get(client, key, f"requests/{row.id}.json")
    assert got.status_code == 200
    body = got.get_data(as_text=True)
    assert name not in body and phone not in body and "13900001111" not in body
    (sr,) = got.get_json()
    assert set(sr) == REQUEST_FIELDS
    assert (
        sr["description"]
        == f"{name[0]}{'*' * (len(name) - 1)}来电（{phone[:3]}****{phone[-4:]}，另留 139****1111）：门口垃圾"
    )
    assert (sr["service_request_id"], sr["status"], sr["service_code"]) == (str(row.id), "closed", row.category)
    assert sr["requested_datetime"] == to_dt(row.reported_at).isoformat() and sr["requested_datetime"].endswith(
        "+08:00"
    )
    assert sr["updated_datetime"] == to_dt(row.closed_at).isoformat() and sr["expected_datetime"] is None
    glon, glat = wgs84_to_gcj02(sr["long"], sr["lat"])  # WGS84 out: back to the stored GCJ-02 within a metre
    assert abs(float(glon) - row.lon) < 1e-5 and abs(float(glat) - row.lat) < 1e-5
    assert abs(sr["long"] - row.lon) > 1e-3  # and not simply the GCJ-02 point
    assert (sr["address_id"], sr["zipcode"], sr["media_url"], sr["service_notice"]) == (None, None, None, None)


def test_filters_pick_exactly_what_the_database_holds_and_pages_cover_it(o311):
    client, key, url = o311
    window = _window(DAY_19, DAY_20)
    every = _ids(url, *window)
    assert 300 < len(every) < 2000
    pages = [
        _get(client, key, "requests.json", start_date=DAY_19, end_date=DAY_20, page=p, page_size=250)
        for p in (1, 2, 3, 4, 5)
    ]
    paged = [sr["service_request_id"] for page in pages for sr in page.get_json()]
    assert paged == every
    plus_as_space = f"/open311/v2/requests.json?api_key={key}&start_date={DAY_19}&end_date={DAY_20}&page_size=1000"
    assert [sr["service_request_id"] for sr in client.get(plus_as_space).get_json()] == every  # '+' unencoded
    codes = "sanitation,street_order"
    got = _get(client, key, "requests.json", start_date=DAY_19, end_date=DAY_20, service_code=codes, page_size=1000)
    assert [sr["service_request_id"] for sr in got.get_json()] == _ids(
        url, *window, Incident.category.in_(codes.split(","))
    )
    for status, where in (("closed", Incident.status == "closed"), ("open", Incident.status != "closed")):
        got = _get(client, key, "requests.json", start_date=DAY_19, end_date=DAY_20, status=status, page_size=1000)
        assert [sr["service_request_id"] for sr in got.get_json()] == _ids(url, *window, where)
        assert {sr["status"] for sr in got.get_json()} == {status}
    picked = every[:3] + ["999999999"]  # an unknown id is left out; the list overrides every other filter
    got = _get(client, key, "requests.json", service_request_id=",".join(picked), service_code="other")
    assert [sr["service_request_id"] for sr in got.get_json()] == every[:3]


def test_the_window_is_the_last_90_days_by_default_and_never_longer(o311):
    client, key, _url = o311
    now = now_ts()
    items = [{"id": f"W{d}", "reported_at": now - d * DAY, "category": "kiosk"} for d in (1, 91)]
    assert client.post("/api/v1/incidents", json={"items": items}, headers={"X-API-Key": key}).status_code == 200
    found = lambda **q: [
        sr["requested_datetime"] for sr in _get(client, key, "requests.json", service_code="other", **q).get_json()
    ]  # noqa: E731
    assert found() == [to_dt(now - DAY).isoformat()]
    assert found(start_date=to_dt(now - 100 * DAY).isoformat()) == [to_dt(now - 91 * DAY).isoformat()]
    assert found(end_date=to_dt(now - 2 * DAY).isoformat()) == [to_dt(now - 91 * DAY).isoformat()]
    for query in (
        {"start_date": to_dt(now - 91 * DAY).isoformat(), "end_date": to_dt(now).isoformat()},
        {"start_date": to_dt(now).isoformat(), "end_date": to_dt(now - DAY).isoformat()},
        {"start_date": "2026-11-19"},  # no offset
        {"page_size": "1001"},
        {"page": "0"},
        {"service_code": "potholes"},
        {"status": "pending"},
        {"service_request_id": "12,abc"},
    ):
        refused = _get(client, key, "requests.json", lang="en", **query)
        (error,) = refused.get_json()
        assert (refused.status_code, error["code"]) == (400, 400) and error["description"].endswith("."), query


def test_post_creates_an_incident_through_the_ingest_path(o311):
    client, key, url = o311
    lon, lat = 121.4737, 31.2304
    form = {"api_key": key, "service_code": "sanitation", "lat": str(lat), "long": str(lon)}
    form |= {"description": "路口垃圾满溢", "first_name": "Zhang", "phone": "13812345678", "email": "z@example.cn"}
    made = client.post("/open311/v2/requests.json", data=form)
    assert made.status_code == 200, made.get_json()
    (answer,) = made.get_json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["service_notice"] == f"已受理，编号 {answer['service_request_id']}。"
    with get_engine(url).connect() as conn:
        row = conn.execute(select(Incident).where(Incident.id == int(answer["service_request_id"]))).one()
    assert (row.origin, row.category, row.status, row.description) == (
        "citytools",
        "sanitation",
        "reported",
        "路口垃圾满溢",
    )
    assert (row.reporter_name, row.reporter_phone, row.district_code) == (None, None, "310101")
    (back,) = _get(client, key, f"requests/{row.id}.json").get_json()
    assert (round(back["lat"], 5), round(back["long"], 5)) == (lat, lon)  # WGS84 in, WGS84 out
    as_json = client.post(
        "/open311/v2/requests.json",
        json={"service_code": "drainage", "address_string": "淮海中路 1 号"},
        headers={"X-API-Key": key, "Accept-Language": "en"},
    )
    assert as_json.status_code == 200 and as_json.get_json()[0]["service_notice"].startswith("Received as request")
    for bad, status in (
        ({"api_key": key, "service_code": "sanitation"}, 400),  # no location
        ({"api_key": key, "service_code": "potholes", "lat": "31.2", "long": "121.4"}, 400),
        ({"api_key": key, "service_code": "sanitation", "lat": "31.2"}, 400),
        ({"api_key": key, "service_code": "sanitation", "lat": "north", "long": "121.4"}, 400),
        ({"service_code": "sanitation", "lat": "31.2", "long": "121.4"}, 403),  # no key
        ({"api_key": "ck_" + "z" * 43, "service_code": "sanitation", "lat": "31.2", "long": "121.4"}, 403),
    ):
        refused = client.post("/open311/v2/requests.json", data=bad)
        (error,) = refused.get_json()
        assert (refused.status_code, error["code"]) == (status, status) and error["description"], bad


def test_an_unlocated_incident_appears_without_lat_long(o311):
    client, key, _url = o311
    made = client.post(
        "/open311/v2/requests.json", data={"api_key": key, "service_code": "community", "address_string": "某小区"}
    )
    rid = made.get_json()[0]["service_request_id"]
    (sr,) = _get(client, key, f"requests/{rid}.json").get_json()
    assert (sr["lat"], sr["long"], sr["address"]) == (None, None, "某小区")
    assert sr["service_request_id"] in [s["service_request_id"] for s in _get(client, key, "requests.json").get_json()]


def test_open311_needs_a_key_and_answers_unknowns_in_its_error_format(o311):
    client, key, _url = o311
    anonymous = client.get("/open311/v2/services.json")
    assert (anonymous.status_code, anonymous.get_json()[0]["code"]) == (403, 403)
    for path in ("requests/abc.json", "requests/999999999.json", "services.xml", "requests.xml"):
        missing = _get(client, key, path)
        assert (missing.status_code, missing.get_json()[0]["code"]) == (404, 404), path
