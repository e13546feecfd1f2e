"""GeoJSON geometry helpers: rounding to ~1 m, rings, bounds. Pure functions."""

from __future__ import annotations

COORD_DIGITS = 5  # ~1 m: more precision only makes the payload bigger


def round_ring(ring) -> list:
    return [[round(x, COORD_DIGITS), round(y, COORD_DIGITS)] for x, y in ring]


def round_geometry(geom: dict) -> dict:
    """A Polygon/MultiPolygon with coordinates rounded to ~1 m."""
    if geom["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [round_ring(r) for r in geom["coordinates"]]}
    if geom["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[round_ring(r) for r in p] for p in geom["coordinates"]]}
    return geom


def rings(geom: dict):
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom.get("coordinates", [])
    for poly in polys:
        yield from poly


def bounds_of(geom: dict | None) -> list[list[float]] | None:
    """[[south, west], [north, east]] of a Polygon/MultiPolygon, None when it has no points."""
    xs, ys = [], []
    for ring in rings(geom or {"type": "Polygon", "coordinates": []}):
        xs += [p[0] for p in ring]
        ys += [p[1] for p in ring]
    return [[min(ys), min(xs)], [max(ys), max(xs)]] if xs else None
