"""Static map geometry as JSON routes with ETags: sent once per page load, revalidated cheaply,
so refreshes only ever carry colours and counts.

Each body is built and compressed once per (kind, scope, area tree) and kept in this process (GEOMETRY,
bounded), then sent as it is: flask-compress compressed a district's 865 kB heat layer again for every
visitor (100 ms of CPU), and since it tags the ETag with the encoding ("...:br"), a browser's revalidation
never matched here and got the whole body built and compressed before the 304 (`api.conditional`)."""

from __future__ import annotations

import gzip
import hashlib
import logging

import brotli
import orjson
from flask import Blueprint, Response, abort, request
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from api.conditional import not_modified, revalidated
from data.read import areas, mapqueries
from data.store.cache import data_versions
from data.store.memcache import LocalMemo

log = logging.getLogger("cityops.geo")

GEOMETRY = LocalMemo(size=96)  # bodies by ETag (plain, and by ETag:encoding compressed): the city, its
# districts and the streets being looked at; each kept whole, never changed once put
KEEP_S = 3600
ENCODINGS = ("br", "gzip")  # what every browser accepts; others get the plain body


def _compressed(raw: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(raw, quality=6)  # once per body: denser than flask-compress's 4 per request
    return gzip.compress(raw, compresslevel=6)


def _geojson_response(kind: str, code: str, build) -> Response:
    try:
        scope = resolve_scope(code)
        etag = hashlib.sha1(f"{kind}:{scope.code}:{data_versions()['areas'][0]}".encode()).hexdigest()[:16]
        held = revalidated(etag)
        if held is not None:
            return not_modified(held, {"Cache-Control": "no-cache"})
        raw = GEOMETRY.get(etag)
        if raw is None:
            raw = orjson.dumps(build(scope))
            GEOMETRY.put(etag, raw, KEEP_S)
    except ScopeError:
        abort(404)
    except SQLAlchemyError:
        log.exception("geometry %s for %s unavailable", kind, code[:40])
        abort(503)
    encoding = request.accept_encodings.best_match(ENCODINGS) or ""
    body = GEOMETRY.get(f"{etag}:{encoding}") if encoding else raw
    if body is None:  # a race compresses it twice, harmlessly
        body = _compressed(raw, encoding)
        GEOMETRY.put(f"{etag}:{encoding}", body, KEEP_S)
    resp = Response(body, mimetype="application/json")
    resp.set_etag(f"{etag}:{encoding}" if encoding else etag)
    if encoding:
        resp.headers["Content-Encoding"] = encoding  # flask-compress leaves an encoded body alone
    resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Cache-Control"] = "no-cache"  # revalidate with the ETag: 304 unless the area tree changed
    return resp


geo = Blueprint("geo", __name__, url_prefix="/geo")


@geo.get("/outlines/<code>.json")
def geo_outlines(code: str):
    return _geojson_response("outlines", code, areas.outlines)


@geo.get("/heat/<code>.json")
def geo_heat(code: str):
    return _geojson_response("heat", code, lambda scope: mapqueries.heat_cells(scope)["geojson"])
