"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only: our categories as services, our
incidents as service requests, and POST creating an incident through the ingest API's path (api/ingest.py).

Every call needs an active API key (api_key in the query or the form, or the ingest API's headers): the product
has no anonymous access. Requests carry no personal data: no reporter's name or phone, and a description that
repeats one has it masked (data/domain/pii.py). Coordinates leave in WGS84, times as W3C with +08:00; an
unlocated incident has no lat/long. Errors are the standard's [{"code", "description"}]."""

from __future__ import annotations

import math
import re
import secrets

import numpy as np
from flask import Blueprint, g, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from api import plain_id
from api.ingest import to_seconds, write_incidents
from api.keyed import Refusal, authenticate, body_limit, idempotent, key_text, lang, reply, say, too_large, unavailable
from data.domain.pii import mask_name, mask_phone
from data.domain.scope import CITY
from data.domain.timeutil import DAY, now_ts, to_dt
from data.domain.vocab import CATEGORIES, STATUS_NAMES, unit_name
from data.ingest.coords import gcj02_to_wgs84
from data.ingest.incidents import MAX_DESCRIPTION
from data.read import open311 as reads
from data.read.areas import area_names
from data.store.cache import on_primary

WINDOW = 90 * DAY  # the standard's default and widest span of start_date..end_date
PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 100, 1000, 10_000  # page & page_size: our extension, bounded
MAX_IDS = 100  # service_request_id=1,2,3...
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")  # a mainland mobile number in free text

bp = Blueprint("open311", __name__, url_prefix="/open311")


def _form() -> dict:
    """A POST's fields: form-encoded (as the standard says) or a JSON object."""
    if request.method != "POST":
        return {}
    if request.form:
        return request.form.to_dict()
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _bad(param: str, hint: str, **fmt) -> Refusal:
    return Refusal(400, "bad_param", param=param, hint=say(hint, **fmt))


def _listed(name: str, allowed=None) -> list[str]:
    """A comma-separated parameter; each value in `allowed` when given, and at most MAX_IDS of them."""
    values = [v.strip() for v in request.args.get(name, "").split(",") if v.strip()]
    if len(values) > MAX_IDS or (allowed is not None and any(v not in allowed for v in values)):
        raise _bad(name, {"service_code": "hint_codes", "status": "hint_status"}.get(name, "hint_ids"), limit=MAX_IDS)
    return values


def _time(name: str) -> int | None:
    """A W3C date-time with its offset (a '+' sent unencoded arrives as a space: read it back)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return to_seconds(re.sub(r" ([0-9]{2}:?[0-9]{2})$", r"+\1", raw.strip()))
    except ValueError:
        raise _bad(name, "hint_time") from None


def _whole(name: str, default: int, top: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= top):
        raise _bad(name, "hint_page", limit=top)
    return int(raw)


def _w3c(ts: int | None) -> str | None:
    return None if ts is None else to_dt(ts).isoformat()


def masked(text: str | None, name: str | None, phone: str | None) -> str:
    """Free text without the reporter's name or phone, nor any mobile number, in clear."""
    out = _MOBILE.sub(lambda m: mask_phone(m[0]), text or "")
    for secret, mask in ((phone, mask_phone), (name, mask_name)):
        if secret and len(secret.strip()) >= 2:
            out = out.replace(secret.strip(), mask(secret))
    return out


def service_requests(rows: list[dict], lng: str) -> list[dict]:
    """Our incidents in the standard's fields (and no others)."""
    i = 1 if lng == "en" else 0
    names = area_names()
    located = [k for k, r in enumerate(rows) if r["lon"] is not None]
    lon, lat = gcj02_to_wgs84([rows[k]["lon"] for k in located], [rows[k]["lat"] for k in located])
    wgs = {
        k: (round(float(x), 6), round(float(y), 6)) for k, x, y in zip(located, np.atleast_1d(lon), np.atleast_1d(lat))
    }
    out = []
    for k, r in enumerate(rows):
        category = CATEGORIES.get(r["category"], CATEGORIES["other"])
        place = " ".join(names[c][i] for c in (r["district_code"], r["street_code"]) if c in names)
        is_open = r["status"] != "closed"
        out.append(
            {
                "service_request_id": str(r["id"]),
                "status": "open" if is_open else "closed",
                "status_notes": STATUS_NAMES[r["status"]][i],
                "service_name": category["en" if i else "zh"],
                "service_code": r["category"],
                "description": masked(r["description"] or r["title"], r["reporter_name"], r["reporter_phone"]),
                "agency_responsible": unit_name(r["assigned_unit"], lng) if r["assigned_unit"] else None,
                "service_notice": None,
                "requested_datetime": _w3c(r["reported_at"]),
                "updated_datetime": _w3c(r["status_at"]),
                "expected_datetime": _w3c(r["due_at"]) if is_open else None,
                "address": r["address"] or place or None,
                "address_id": None,
                "zipcode": None,
                "lat": wgs[k][1] if k in wgs else None,
                "long": wgs[k][0] if k in wgs else None,
                "media_url": None,
            }
        )
    return out


@bp.before_request
def _keyed():
    body_limit()
    if request.method == "POST":
        request.get_data(cache=True)  # kept for the Idempotency-Key's hash; the form is parsed from it
    g.api_key = authenticate(key_text(request.args.get("api_key"), _form().get("api_key")))


@bp.errorhandler(Refusal)
def _refused(exc: Refusal):
    """The standard's error list; a bad key is its 403, a bad field its 400."""
    status = {401: 403, 422: 400}.get(exc.status, exc.status)
    headers = {k: v for k, v in exc.headers.items() if k == "Retry-After"}
    return reply([{"code": status, "description": exc.message}], status, headers)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return _refused(too_large())


@bp.errorhandler(SQLAlchemyError)
def _unavailable(exc):
    return _refused(unavailable(exc))


@bp.get("/v2/services.json")
def services():
    i = 1 if lang() == "en" else 0
    return reply(
        [
            {
                "service_code": code,
                "service_name": c["en" if i else "zh"],
                "description": (", " if i else "、").join(n[i] for n in c["sub"].values()),
                "metadata": False,
                "type": "realtime",
                "keywords": ",".join(n[i] for n in c["sub"].values()),
                "group": say(c["kind"]),
            }
            for code, c in CATEGORIES.items()
        ]
    )


@bp.get("/v2/requests.json")
def get_requests():
    """The standard's filters; service_request_id overrides the others. Newest first, a page at a time."""
    ids = _listed("service_request_id")
    if ids:
        parsed = tuple(plain_id(v) for v in ids)
        if None in parsed:
            raise _bad("service_request_id", "hint_ids", limit=MAX_IDS)
        return reply(service_requests(reads.requests_by_id(CITY, parsed), lang()))
    codes = tuple(_listed("service_code", CATEGORIES))
    statuses = set(_listed("status", ("open", "closed")))
    start, end, now = _time("start_date"), _time("end_date"), now_ts()
    end = end if end is not None else now if start is None else min(now, start + WINDOW)
    start = start if start is not None else end - WINDOW
    if end < start or end - start > WINDOW:
        raise Refusal(400, "window")
    page, size = _whole("page", 1, MAX_PAGE), _whole("page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    closed = None if len(statuses) != 1 else "closed" in statuses
    rows = reads.requests(CITY, start, end, codes, closed, (page - 1) * size, size)
    return reply(service_requests(rows, lang()))


@bp.get("/v2/requests/<rid>.json")
def get_request(rid: str):
    found = reads.requests_by_id(CITY, (plain_id(rid),)) if plain_id(rid) else []
    if not found:
        raise Refusal(404, "not_found")
    return reply(service_requests(found, lang()))


def _number(fields: dict, name: str, top: float) -> float | None:
    raw = fields.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or abs(value) > top:
        raise _bad(name, "hint_number")
    return value


def _short(fields: dict, name: str, limit: int) -> str | None:
    value = str(fields.get(name) or "").strip()
    if len(value) > limit:
        raise _bad(name, "hint_text", limit=limit)
    return value or None


def _create(source: str) -> list[dict]:
    """One service request -> one incident of the key's source, placed by its WGS84 point (else unlocated, its
    address kept). Personal fields (first_name, last_name, phone, email, device_id) are taken and not stored."""
    fields = _form()
    code = fields.get("service_code")
    if code not in CATEGORIES:
        raise _bad("service_code", "hint_codes")
    lat, lon = _number(fields, "lat", 90), _number(fields, "long", 180)
    if (lat is None) != (lon is None):
        raise _bad("long" if lon is None else "lat", "hint_number")
    address = _short(fields, "address_string", 200) or _short(fields, "address_id", 200)
    if lat is None and not address:
        raise Refusal(400, "need_location")
    external = f"o311-{secrets.token_hex(10)}"
    item = {"id": external, "reported_at": now_ts(), "category": code, "address": address, "crs": "WGS84"}
    item["description"] = _short(fields, "description", MAX_DESCRIPTION)
    if lat is not None:
        item.update(lat=lat, lon=lon)
    write_incidents(source, [{k: v for k, v in item.items() if v is not None}])
    with on_primary():
        rid = reads.incident_id(source, external)
    return [{"service_request_id": str(rid), "service_notice": say("notice", id=rid), "account_id": None}]


@bp.post("/v2/requests.json")
def post_request():
    source = g.api_key["source"]
    return idempotent(source, "open311", lambda: _create(source))


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def elsewhere(rest: str):
    """Not an Open311 resource (XML is not served): the standard's 404, not the app's page."""
    raise Refusal(404, "not_found")
