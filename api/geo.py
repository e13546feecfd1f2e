"""Static map geometry as JSON routes with ETags: sent once per page load, revalidated cheaply,
so refreshes only ever carry colours and counts."""

from __future__ import annotations

import hashlib
import logging

import orjson
from flask import Blueprint, Response, abort, request
from sqlalchemy.exc import SQLAlchemyError

from api.access import ScopeError, resolve_scope
from data.read import areas, mapqueries
from data.store.cache import data_versions

log = logging.getLogger("cityops.geo")


def _geojson_response(kind: str, code: str, build) -> Response:
    try:
        scope = resolve_scope(code)
        etag = hashlib.sha1(f"{kind}:{scope.code}:{data_versions()['areas'][0]}".encode()).hexdigest()[:16]
        if request.if_none_match.contains(etag):
            return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": "no-cache"})
        body = orjson.dumps(build(scope))
    except ScopeError:
        abort(404)
    except SQLAlchemyError:
        log.exception("geometry %s for %s unavailable", kind, code[:40])
        abort(503)
    resp = Response(body, mimetype="application/json")
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "no-cache"  # revalidate with the ETag: 304 unless the area tree changed
    return resp


geo = Blueprint("geo", __name__, url_prefix="/geo")


@geo.get("/outlines/<code>.json")
def geo_outlines(code: str):
    return _geojson_response("outlines", code, areas.outlines)


@geo.get("/heat/<code>.json")
def geo_heat(code: str):
    return _geojson_response("heat", code, lambda scope: mapqueries.heat_cells(scope)["geojson"])
