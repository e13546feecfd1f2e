"""The area tree: one area, names, lineage, children and their outlines. Reference data every
screen needs to name places; geometry is static and served once per scope."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data.domain.areas import ancestor
from data.domain.geometry import round_geometry
from data.domain.scope import Scope, ScopeError, scoped
from data.store.cache import cached_query, current_engine
from data.store.models import Area


def _conn():
    return current_engine().connect()


@cached_query("areas")
def area(code: str) -> dict | None:
    """One area's attributes (no geometry), or None if the code is unknown."""
    cols = [c for c in Area.__table__.columns if c.name != "geometry"]
    with _conn() as conn:
        row = conn.execute(select(*cols).where(Area.code == code)).mappings().first()
    return dict(row) if row else None


@cached_query("areas")
def area_names() -> dict[str, tuple[str, str]]:
    """{code: (name_zh, name_en)} for the city, districts and streets (one read for a whole panel)."""
    with _conn() as conn:
        rows = conn.execute(select(Area.code, Area.name_zh, Area.name_en).where(Area.level != "grid")).all()
    return {c: (zh, en) for c, zh, en in rows}


@cached_query("areas")
def lineage(code: str) -> list[dict]:
    """The area and its ancestors, city first (for breadcrumbs); [] for an unknown code."""
    out = []
    current = area(code)
    while current is not None:
        out.append(current)
        current = area(current["parent_code"]) if current["parent_code"] else None
    return out[::-1]


@cached_query("areas")
def children(code: str) -> pd.DataFrame:
    """Child areas of code: code, name_zh, name_en, level, lon, lat, area_km2, approximate."""
    with _conn() as conn:
        rows = conn.execute(
            select(
                Area.code, Area.name_zh, Area.name_en, Area.level, Area.lon, Area.lat, Area.area_km2, Area.approximate
            )
            .where(Area.parent_code == code)
            .order_by(Area.code)
        ).all()
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "level", "lon", "lat", "area_km2", "approximate"])


@cached_query("areas")
def outlines(scope: Scope) -> dict:
    """GeoJSON FeatureCollection of the scope's children, coordinates rounded to ~1 m (static: serve it
    once from a route, recolour by id)."""

    with _conn() as conn:
        rows = conn.execute(
            select(Area.code, Area.name_zh, Area.name_en, Area.approximate, Area.geometry)
            .where(Area.parent_code == scope.code)
            .order_by(Area.code)
        ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": c,
                "geometry": round_geometry(geom),
                "properties": {"code": c, "name_zh": zh, "name_en": en, "approximate": bool(approx)},
            }
            for c, zh, en, approx, geom in rows
        ],
    }


@scoped
def map_area(scope: Scope) -> Scope:
    """The area whose children a scope's map draws: its own, but for a grid (which has none) its street's,
    so the grid shows among its neighbours; the grid's own when the same user may not read its street."""
    if scope.level != "grid" or scope.unit is not None:
        return scope
    try:
        return Scope(ancestor(scope.code, "street"), scope.root, scope.user_id, scope.unit)
    except ScopeError:
        return scope
