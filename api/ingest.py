"""The live ingest API (泛在接入): POST /api/v1/incidents and /api/v1/readings take JSON batches from a source's
own systems, authenticated by that source's API key (`cityops keys add`), not by a session (docs/API.md).

A batch is checked whole before anything is written: a bad item is a 422 naming its index and field, and nothing
of the batch is stored. Incidents go through the importer (IncidentBuilder, then the upsert keyed by the key's
source and the item's id), readings through data.write.reading_imports. A retry with the same Idempotency-Key and
body gets the first answer back. Errors are one sentence in Chinese or English (?lang=, else Accept-Language)."""

from __future__ import annotations

import functools
import json
import logging
from datetime import UTC, datetime
from typing import Annotated, Literal, get_args

from flask import Blueprint, current_app, g, request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from api.keyed import (
    Refusal,
    authenticate,
    body_limit,
    idempotent,
    item_refusal,
    key_text,
    reply,
    too_large,
    unavailable,
)
from data.domain.areas import is_area_code
from data.domain.timeutil import now_ts
from data.domain.vocab import SOURCES, STATUSES
from data.ingest.coords import to_gcj02
from data.ingest.incidents import FUTURE_SLACK, MAX_DESCRIPTION, MAX_ID, MAX_TITLE, IncidentBuilder
from data.ingest.mapping import CRS, IncidentColumns, IncidentMapping
from data.ingest.place import Locator
from data.read import areas, indicators
from data.store.cache import data_versions, primary_engine
from data.store.db import Busy
from data.write import imports
from data.write.reading_imports import upsert_readings

MAX_ITEMS = 1000  # items per batch (API_MAX_ITEMS)
log = logging.getLogger("cityops.ingest")
bp = Blueprint("ingest", __name__, url_prefix="/api/v1")


def to_seconds(v: int | str) -> int:
    """Unix seconds, or an ISO 8601 time that carries its offset (a naive time would be a guess)."""
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v)
    if isinstance(v, str):
        dt = datetime.fromisoformat(v.strip())  # ValueError: pydantic names the field
        if dt.tzinfo is None:
            raise ValueError("naive")
        v = int(dt.timestamp())
    if not 946684800 <= v < 10**10:  # 2000-01-01 onwards, in seconds (not milliseconds)
        raise ValueError("range")
    return v


Time = Annotated[int | str, AfterValidator(to_seconds)]


def _text(n: int, min_length: int = 0):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=n)]


class IncidentItem(BaseModel):
    """One incident as a source sends it, in our field names; the key's source is its origin."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    id: _text(MAX_ID, 1)
    reported_at: Time
    closed_at: Time | None = None
    updated_at: Time | None = None
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    category: _text(40) | None = None  # ours (data.domain.vocab.CATEGORIES), else stored as "other" and counted
    title: _text(MAX_TITLE) | None = None
    description: _text(MAX_DESCRIPTION) | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    crs: CRS = "WGS84"
    address: _text(200) | None = None
    area: _text(40) | None = None  # an area code or a district/street name, when there are no coordinates
    unit: _text(64) | None = None
    priority: Annotated[int, Field(ge=1, le=3)] | None = None
    channel: Literal[SOURCES] | None = None  # type: ignore[valid-type]


class ReadingItem(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    indicator: _text(32, 1)
    area: _text(12, 1)
    ts: Time
    value: Annotated[float, Field(allow_inf_nan=False)]


FIELDS = tuple(f for f in IncidentItem.model_fields if f != "crs")
ALLOWED = {"status": STATUSES, "channel": SOURCES, "crs": get_args(CRS)}
REJECTED = {  # the importer's reasons -> (field, what)
    "missing_id": ("id", "missing"),
    "id_too_long": ("id", "too_long"),
    "duplicate_id": ("id", "duplicate"),
    "bad_reported_at": ("reported_at", "bad_time"),
    "reported_in_future": ("reported_at", "future"),
    "bad_closed_at": ("closed_at", "bad_time"),
    "unknown_status": ("status", "not_allowed"),
    "closed_without_time": ("closed_at", "closed_without_time"),
    "closed_before_reported": ("closed_at", "closed_before_reported"),
}


WORDS = {"missing": "missing", "extra_forbidden": "unknown_field", "string_too_long": "too_long"}
TIMES = ("reported_at", "closed_at", "updated_at", "ts")


def _what(error: dict) -> tuple[str, dict]:
    """What is wrong with a field, as a TEXT key (and its numbers), from pydantic's first error."""
    kind, field = error["type"], str(error["loc"][0]) if error["loc"] else ""
    fmt = {"limit": (error.get("ctx") or {}).get("max_length", ""), "allowed": ", ".join(ALLOWED.get(field, ()))}
    if kind in WORDS or kind == "literal_error":
        return WORDS.get(kind, "not_allowed"), fmt
    if kind == "value_error" or field in TIMES:
        return "bad_time", fmt
    return ("out_of_range" if kind.startswith(("greater", "less", "finite")) else "wrong_type"), fmt


def batch_items() -> list:
    """The body's items: {"items": [...]} and nothing else, at most API_MAX_ITEMS of them."""
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict) or set(body) != {"items"} or not isinstance(body["items"], list):
        raise Refusal(400, "not_json")
    limit = current_app.config.get("API_MAX_ITEMS", MAX_ITEMS)
    if len(body["items"]) > limit:
        raise Refusal(413, "too_many", limit=limit, got=len(body["items"]))
    return body["items"]


def _validated(model, items: list) -> list:
    out = []
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            raise item_refusal(i, "", "not_object")
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            error = exc.errors()[0]
            what, fmt = _what(error)
            raise item_refusal(i, str(error["loc"][0]) if error["loc"] else "", what, **fmt) from None
    return out


@functools.lru_cache(maxsize=2)
def _locator(engine, areas_version: int) -> Locator:
    """The area tree's spatial index (about 0.5 s to build for Shanghai): once per database and areas version."""
    return Locator.from_engine(engine)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def write_incidents(source: str, items: list, now: int | None = None) -> dict:
    """Validate, place and upsert a batch of incident items as `source`; the counts, or Refusal (nothing written)."""
    now = now if now is not None else now_ts()
    rows = []
    for i, item in enumerate(_validated(IncidentItem, items)):
        if (item.lat is None) != (item.lon is None):
            raise item_refusal(i, "lat" if item.lat is None else "lon", "one_coordinate")
        row = item.model_dump(exclude={"crs"}, exclude_none=True)
        row.update({t: _iso(row[t]) for t in ("reported_at", "closed_at", "updated_at") if t in row})
        if item.priority is not None:
            row["priority"] = str(item.priority)
        if item.lat is not None and item.crs != "GCJ02":
            lon, lat = to_gcj02(item.crs, [item.lon], [item.lat])
            row["lon"], row["lat"] = float(lon[0]), float(lat[0])
        rows.append((i, row, None))
    engine = primary_engine()
    mapping = IncidentMapping(
        source=source, crs="GCJ02", columns=IncidentColumns(**{f: f for f in FIELDS}), missing=[""]
    )
    built = IncidentBuilder(mapping, _locator(engine, data_versions()["areas"][0]), now).build(rows)
    if built.rejected:
        i, _, why = built.rejected[0]
        raise item_refusal(i, *REJECTED[why], allowed=", ".join(STATUSES))
    try:
        counts = imports.upsert(engine, source, built.records, now=now)
    except Busy:
        raise Refusal(503, "busy", {"Retry-After": "2"}) from None
    counts["unlocated"] = sum(1 for r in built.records if not r["district_code"])
    counts["unmapped"] = sum(built.unmapped.values())  # category not one of ours: stored as "other"
    log.info("ingest incidents from %s: %s", source, counts)
    return counts


def write_readings(source: str, items: list, now: int | None = None) -> dict:
    """Validate and upsert a batch of readings as `source`; the counts, or Refusal (nothing written)."""
    now = now if now is not None else now_ts()
    checked = _validated(ReadingItem, items)
    cat = indicators.indicator_catalogue()
    known, names = set(cat["code"]) if len(cat) else set(), areas.area_names()
    for i, item in enumerate(checked):
        if item.indicator not in known:
            raise item_refusal(i, "indicator", "unknown_indicator")
        if item.area not in names and not (is_area_code(item.area) and areas.area(item.area)):
            raise item_refusal(i, "area", "unknown_area")
        if item.ts > now + FUTURE_SLACK:
            raise item_refusal(i, "ts", "future")
    rows = [{"indicator_code": r.indicator, "area_code": r.area, "ts": r.ts, "value": r.value} for r in checked]
    try:
        counts = upsert_readings(primary_engine(), source, rows, now=now)
    except Busy:
        raise Refusal(503, "busy", {"Retry-After": "2"}) from None
    log.info("ingest readings from %s: %s", source, counts)
    return counts


@bp.before_request
def _keyed():
    body_limit()
    g.api_key = authenticate(key_text())


@bp.errorhandler(Refusal)
def _refused(exc: Refusal):
    body = {"reason": exc.reason, "message": exc.message}
    if "i" in exc.details:
        body.update(item=exc.details["i"], field=exc.details["field"])
    return reply(body, exc.status, exc.headers)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return _refused(too_large())


@bp.errorhandler(SQLAlchemyError)
def _unavailable(exc):
    return _refused(unavailable(exc))


@bp.post("/incidents")
def post_incidents():
    source = g.api_key["source"]
    return idempotent(source, "incidents", lambda: write_incidents(source, batch_items()))


@bp.post("/readings")
def post_readings():
    source = g.api_key["source"]
    return idempotent(source, "readings", lambda: write_readings(source, batch_items()))


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def elsewhere(rest: str):
    """Not an endpoint: a JSON 404 (not the app's page), or 405 for an endpoint's other methods."""
    if rest in ("incidents", "readings"):
        raise Refusal(405, "method", {"Allow": "POST"})
    raise Refusal(404, "not_found")
