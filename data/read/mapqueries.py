"""Map geometry and map-shaped values: area bounds, heat-bin cells and their counts, centroids.

Geometry is static (it changes only with the area tree), so it is served once per scope from a
Flask route with an ETag and recoloured on the client by feature index; per-tick values are
plain lists aligned with that index, never geometry.
"""

from __future__ import annotations

import h3
import numpy as np
from sqlalchemy import func, literal_column, select

from data.domain.areas import HEAT_RES
from data.domain.geometry import bounds_of, round_geometry, round_ring
from data.domain.scope import Scope, scoped
from data.domain.timeutil import DAY, HOUR
from data.read.incidents import _is_past, aligned_blocks
from data.store.cache import cached_query, current_engine
from data.store.models import Area, Incident


@cached_query("areas")
def bounds(scope: Scope) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the scope's outline (None when it has none)."""
    with current_engine().connect() as conn:
        geom = conn.execute(select(Area.geometry).where(Area.code == scope.code)).scalar()
    return bounds_of(geom)


def _grid_rows(scope: Scope, geometry: bool = False) -> list:
    """(code, h3_cell[, geometry]) of the scope's grids, by code: the order every heat bin follows."""
    g = Area
    q = select(g.code, g.h3_cell, *([g.geometry] if geometry else [])).where(g.level == "grid").order_by(g.code)
    q = q.where(scope.prefix(g.code))
    with current_engine().connect() as conn:
        return conn.execute(q).all()


def _assign_bins(scope: Scope, rows) -> tuple[dict[str, int], list]:
    """({grid_code: bin index}, the bins' keys in order): the city bins grids by their resolution-7
    H3 parent, smaller scopes show each grid."""
    if scope.level != "city":
        return {row[0]: i for i, row in enumerate(rows)}, [row[0] for row in rows]
    parents: dict[str, int] = {}
    index = {
        row[0]: parents.setdefault(h3.cell_to_parent(h3.int_to_str(row[1]), HEAT_RES), len(parents)) for row in rows
    }
    return index, list(parents)


@cached_query("areas")
def heat_cells(scope: Scope) -> dict:
    """The heat layer's bins for a scope, in a fixed order.

    City: H3 resolution-7 hexagons (parents of the grid cells), about 5 km² each, so the whole
    city stays near 1.3k features. District or street: the grid cells themselves.
    Returns {'geojson': FeatureCollection with properties.i = bin index, 'index': {grid_code: i}}.
    """
    rows = _grid_rows(scope, geometry=True)
    index, keys = _assign_bins(scope, rows)
    if scope.level == "city":
        rings = [round_ring([(lng, lat) for lat, lng in h3.cell_to_boundary(parent)]) for parent in keys]
        geometries = [{"type": "Polygon", "coordinates": [ring + ring[:1]]} for ring in rings]
    else:
        geometries = [round_geometry(geom) for _code, _cell, geom in rows]
    features = [
        {"type": "Feature", "id": key, "properties": {"i": i}, "geometry": geom}
        for i, (key, geom) in enumerate(zip(keys, geometries))
    ]
    return {"geojson": {"type": "FeatureCollection", "features": features}, "index": index}


@cached_query("areas", local=True)
def heat_index(scope: Scope) -> tuple[dict[str, int], int]:
    """({grid_code: bin index}, number of bins) for a scope, in heat_cells' order, read without the
    geometry (what each tick needs; the geometry goes to the browser once). Kept in each process
    (local): every scope's tick asks for it; callers only read it."""
    index, keys = _assign_bins(scope, _grid_rows(scope))
    return index, len(keys)


def _bins_of(rows, index: dict[str, int], n_bins: int) -> list[int]:
    out = [0] * n_bins
    for grid, n in rows:
        i = index.get(grid)
        if i is not None:
            out[i] += int(n)
    return out


def _reported_by_grid(scope: Scope, start: int, end: int):
    i = Incident
    grid = i.grid_code.concat(literal_column("''"))  # grouped by the bare column, SQLite skip-scans the grid index
    q = select(grid, func.count()).where(scope.filter(i), i.reported_at >= start, i.reported_at < end).group_by(grid)
    with current_engine().connect() as conn:
        return conn.execute(q).all()


@cached_query("history", "areas")
def _heat_block(scope: Scope, start: int, end: int) -> list[int]:
    """Heat bins for whole past hours [start, end): fixed once the hours are over (see incidents._is_past)."""
    index, n_bins = heat_index(scope)
    return _bins_of(_reported_by_grid(scope, start, end), index, n_bins)


def heat_window(tick: int) -> tuple[int, int]:
    """[start, end) of the heat layer at tick: the last 24 hours, tick included. A rolling window, so the
    map is not empty just after midnight; heat_bins reads its whole hours from cached blocks and only the
    two ragged edges (under an hour each) from the raw rows."""
    return tick + 1 - DAY, tick + 1


@scoped
def heat_bins(scope: Scope, start: int, end: int) -> list[int]:
    """Incidents reported in [start, end) per heat bin (aligned with heat_cells' features).

    Whole past hours come from cached aligned blocks, the rest from the raw rows' index, so a tick
    only counts the incidents of the current hour however many there are today."""
    index, n_bins = heat_index(scope)
    h0, h1 = start + (-start) % HOUR, end - end % HOUR
    total = np.zeros(n_bins, dtype=np.int64)
    if h1 > h0:
        block = _heat_block if _is_past(h1) else _heat_block.uncached
        for a, b in aligned_blocks(h0, h1):
            total += np.asarray(block(scope, a, b), dtype=np.int64)
    for a, b in ((start, min(h0, end)), (max(h1, h0, start), end)):
        if b > a:
            total += np.asarray(_bins_of(_reported_by_grid(scope, a, b), index, n_bins), dtype=np.int64)
    return total.tolist()
