"""Shanghai's area tree: real district outlines, derived street polygons, H3 grid cells.

All coordinates are GCJ-02 (the system of Chinese basemaps), as in the DataV source file.
No public street polygons exist offline, so each district is split into Voronoi cells
(Lloyd-relaxed, deterministic) around points placed inside it, one per real street code;
these are flagged approximate. A real boundary file (GeoJSON with a street_code property
per feature) can be loaded instead with `streets_geojson=PATH`.
Grid cells are H3 resolution-8 hexagons (~0.74 km2) clipped to their street.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import h3
import numpy as np
import shapely
from shapely.geometry import mapping, shape

from data.domain.areas import GRID_RES
from data.domain.names import english_place_name
from data.domain.vocab import CITY_CODE

GEO_DIR = Path(__file__).resolve().parent.parent / "geo"  # reference data files: data/geo/
DISTRICTS_FILE = GEO_DIR / "shanghai_districts_datav_310000_full.json"
STREETS_FILE = GEO_DIR / "shanghai_streets_nbs2023.csv"
GEOMETRY_SEED = 310000  # the derived street layout never changes with the data seed
SLIVER = 0.25  # a clipped hexagon smaller than this share of a cell joins its neighbour
SIMPLIFY_DEG = 0.0004  # ~40 m: plenty for a wall map, keeps street GeoJSON small

DISTRICT_EN = {
    "310101": "Huangpu",
    "310104": "Xuhui",
    "310105": "Changning",
    "310106": "Jing'an",
    "310107": "Putuo",
    "310109": "Hongkou",
    "310110": "Yangpu",
    "310112": "Minhang",
    "310113": "Baoshan",
    "310114": "Jiading",
    "310115": "Pudong New Area",
    "310116": "Jinshan",
    "310117": "Songjiang",
    "310118": "Qingpu",
    "310120": "Fengxian",
    "310151": "Chongming",
}


@dataclass
class AreaRecord:
    code: str
    level: str
    parent_code: str | None
    name_zh: str
    name_en: str
    geom: object  # shapely geometry
    approximate: bool = False
    h3_cell: int | None = None
    extra: dict = field(default_factory=dict)

    def as_row(self) -> dict:
        c = self.geom.representative_point() if self.level != "city" else self.geom.centroid
        return {
            "code": self.code,
            "level": self.level,
            "parent_code": self.parent_code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "approximate": self.approximate,
            "lon": round(c.x, 6),
            "lat": round(c.y, 6),
            "area_km2": round(area_km2(self.geom), 3),
            "h3_cell": self.h3_cell,
            "geometry": mapping(shapely.set_precision(self.geom, 1e-6)),
        }


def area_km2(geom) -> float:
    """Approximate area in km2 of a lon/lat geometry near Shanghai's latitude."""
    lat = geom.centroid.y if not geom.is_empty else 31.2
    return geom.area * 111.32 * math.cos(math.radians(lat)) * 110.57


def english_name(name_zh: str) -> str:
    """A street/town's English name: the real one where it has one, else word-separated pinyin with an
    English generic word (外滩街道 -> Waitan Subdistrict); data.domain.names.english_place_name."""
    return english_place_name(name_zh)


def load_districts() -> list[AreaRecord]:
    with open(DISTRICTS_FILE, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    out = []
    for f in features:
        code = str(f["properties"]["adcode"])
        geom = shapely.make_valid(shape(f["geometry"]))
        name = f["properties"]["name"]
        en = DISTRICT_EN[code] if DISTRICT_EN[code].endswith("Area") else DISTRICT_EN[code] + " District"
        out.append(AreaRecord(code, "district", CITY_CODE, name, en, geom))  # "Pudong New Area", no "District"
    return sorted(out, key=lambda a: a.code)


def load_street_codes() -> list[dict]:
    with open(STREETS_FILE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _random_points_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform random (lon, lat) points inside geom, by vectorised rejection sampling."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        k = max(64, 2 * (n - have))
        xs = rng.uniform(minx, maxx, k)
        ys = rng.uniform(miny, maxy, k)
        ok = shapely.contains_xy(geom, xs, ys)
        pts = np.column_stack([xs[ok], ys[ok]])
        found.append(pts)
        have += len(pts)
    return np.concatenate(found)[:n]


def _voronoi_partition(geom, n: int, rng: np.random.Generator, iterations: int = 6) -> list:
    """Split geom into n cells around points inside it, relaxed (Lloyd) for even sizes."""
    if n == 1:
        return [geom]
    sample = _random_points_in(geom, 4000, rng)
    seeds = sample[rng.choice(len(sample), n, replace=False)]
    for _ in range(iterations):  # Lloyd relaxation on the sample: move seeds to cluster means
        d = ((sample[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
        owner = d.argmin(axis=1)
        for i in range(n):
            members = sample[owner == i]
            if len(members):
                seeds[i] = members.mean(axis=0)
    seed_geoms = shapely.points(seeds)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=geom.envelope.buffer(0.1))
    parts = list(shapely.get_parts(cells))
    ordered = []
    for pt in seed_geoms:  # voronoi_polygons does not keep input order: match cells to seeds
        cell = next(p for p in parts if p.contains(pt) or p.touches(pt))
        ordered.append(shapely.make_valid(cell.intersection(geom)))
    return ordered


def derive_streets(districts: list[AreaRecord]) -> list[AreaRecord]:
    """Approximate street polygons: a deterministic Voronoi split of each real district outline."""
    rng = np.random.default_rng(GEOMETRY_SEED)
    by_district: dict[str, list[dict]] = {}
    for row in load_street_codes():
        by_district.setdefault(row["district_code"], []).append(row)
    streets = []
    for d in districts:
        rows = sorted(by_district.get(d.code, []), key=lambda r: r["street_code"])
        cells = _voronoi_partition(d.geom, len(rows), rng)
        # give the smallest cells to 街道 (dense urban subdistricts), the larger ones to towns
        order = np.argsort([c.area for c in cells])
        rows_sorted = sorted(rows, key=lambda r: (0 if r["street_name"].endswith("街道") else 1, r["street_code"]))
        for row, idx in zip(rows_sorted, order):
            geom = cells[idx].simplify(SIMPLIFY_DEG, preserve_topology=True)
            streets.append(
                AreaRecord(
                    row["street_code"],
                    "street",
                    d.code,
                    row["street_name"],
                    english_name(row["street_name"]),
                    geom,
                    approximate=True,
                )
            )
    return sorted(streets, key=lambda a: a.code)


def load_streets_file(path: str | Path, districts: list[AreaRecord]) -> list[AreaRecord]:
    """Real street boundaries from GeoJSON (property street_code; names from the NBS list)."""
    names = {r["street_code"]: r for r in load_street_codes()}
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    out = []
    for f in features:
        code = str(f["properties"]["street_code"])
        if code not in names:
            raise ValueError(f"{path}: street_code {code} is not a known Shanghai street/town code")
        row = names[code]
        out.append(
            AreaRecord(
                code,
                "street",
                row["district_code"],
                row["street_name"],
                english_name(row["street_name"]),
                shapely.make_valid(shape(f["geometry"])),
            )
        )
    missing = set(names) - {a.code for a in out}
    if missing:
        raise ValueError(f"{path}: {len(missing)} street codes have no boundary, e.g. {sorted(missing)[0]}")
    return sorted(out, key=lambda a: a.code)


def _hexagon(cell: int):
    ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(h3.int_to_str(cell))]
    return shapely.Polygon(ring)


def derive_grids(streets: list[AreaRecord]) -> list[AreaRecord]:
    """H3 resolution-8 cells overlapping each street, clipped to it; code = street code + 3 digits."""
    grids = []
    for s in streets:
        cells = sorted(
            h3.str_to_int(c)
            for c in h3.h3shape_to_cells_experimental(h3.geo_to_h3shape(mapping(s.geom)), GRID_RES, contain="overlap")
        )
        if not cells:  # a street smaller than a cell: use the cell at its centre
            p = s.geom.representative_point()
            cells = [h3.str_to_int(h3.latlng_to_cell(p.y, p.x, GRID_RES))]
        hexes = np.array([_hexagon(c) for c in cells], dtype=object)
        clipped = [shapely.make_valid(g) for g in shapely.intersection(hexes, s.geom)]
        full = [h.area for h in hexes]
        keep = [i for i, g in enumerate(clipped) if not g.is_empty and g.area >= SLIVER * full[i]]
        if not keep:
            keep = [max(range(len(cells)), key=lambda i: clipped[i].area)]
        merged = {i: [clipped[i]] for i in keep}
        for i, g in enumerate(clipped):  # fold slivers into the nearest kept cell of the street
            if i in merged or g.is_empty or g.area <= 0:
                continue
            j = min(keep, key=lambda k: clipped[k].centroid.distance(g.centroid))
            merged[j].append(g)
        for seq, i in enumerate(keep, start=1):
            if seq > 999:
                raise ValueError(f"street {s.code} has more than 999 grid cells")
            geom = shapely.union_all(merged[i]) if len(merged[i]) > 1 else merged[i][0]
            grids.append(
                AreaRecord(
                    f"{s.code}{seq:03d}",
                    "grid",
                    s.code,
                    f"{s.name_zh}第{seq}网格",
                    f"{s.name_en} grid {seq}",
                    geom,
                    approximate=True,
                    h3_cell=cells[i],
                )
            )
    return grids


def build_area_tree(streets_geojson: str | Path | None = None) -> list[AreaRecord]:
    """City, 16 districts, 234 streets and their grid cells, parents before children.

    The derived tree (no boundary file) never changes, so it is built once per process (~1.5 s); each
    call gets its own list and records (the shapely geometries, immutable, are shared)."""
    if streets_geojson:
        return _area_tree(streets_geojson)
    return [dataclasses.replace(a, extra=dict(a.extra)) for a in _derived_area_tree()]


@functools.cache
def _derived_area_tree() -> tuple[AreaRecord, ...]:
    return tuple(_area_tree(None))


def _area_tree(streets_geojson: str | Path | None) -> list[AreaRecord]:
    districts = load_districts()
    streets = load_streets_file(streets_geojson, districts) if streets_geojson else derive_streets(districts)
    city_geom = shapely.union_all([d.geom for d in districts]).simplify(0.002, preserve_topology=True)
    city = AreaRecord(CITY_CODE, "city", None, "上海市", "Shanghai", city_geom)
    return [city, *districts, *streets, *derive_grids(streets)]


class GridLocator:
    """(street code, H3 cell) -> grid code; a cell folded into a neighbour maps to the nearest grid."""

    def __init__(self, grids: list[tuple[str, str, int]]):
        self._exact = {(street, cell): code for code, street, cell in grids}
        self._by_street: dict[str, list[tuple[str, float, float]]] = {}
        for code, street, cell in grids:
            lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
            self._by_street.setdefault(street, []).append((code, lat, lng))
        self._memo: dict[tuple[str, int], str] = {}

    @classmethod
    def from_records(cls, records: list[AreaRecord]) -> GridLocator:
        return cls([(g.code, g.parent_code, g.h3_cell) for g in records if g.level == "grid"])

    def grid_for(self, street: str, cell: int) -> str:
        code = self._exact.get((street, cell)) or self._memo.get((street, cell))
        if code is None:
            lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
            code = min(self._by_street[street], key=lambda g: (g[1] - lat) ** 2 + (g[2] - lng) ** 2)[0]
            self._memo[(street, cell)] = code
        return code


def points_to_cells(lon: np.ndarray, lat: np.ndarray, res: int = GRID_RES) -> np.ndarray:
    """H3 cells (int64) for arrays of points; ~1.4 s per million, so done once at write time."""
    f = h3.api.basic_int.latlng_to_cell
    return np.fromiter(
        (f(y, x, res) for x, y in zip(lon.tolist(), lat.tolist())), dtype=np.uint64, count=len(lon)
    ).astype(np.int64)


def random_points_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    """Public wrapper of the rejection sampler (used by the generator)."""
    return _random_points_in(geom, n, rng)
