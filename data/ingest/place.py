"""Placing imported rows in the area tree: by coordinates (point in street, then point in grid), else by an
area code or a district/street name, else unlocated. Built once per import from the database's own areas,
so a city that loaded its real street boundaries places rows in them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import Engine, select

from data.store.models import Area

NEAR_DEG = 0.003  # ~300 m: a point in a district but in a sliver between simplified street outlines joins the nearest
_SUFFIX = re.compile(r"(街道|镇|新区|区|乡|办事处|subdistrict|town|district|new area)$", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    district: str
    street: str
    grid: str


UNLOCATED = Place("", "", "")


def _key(name: str) -> str:
    """A name as people write it: without 街道/镇/区 and spaces, case-folded (陆家嘴街道 = 陆家嘴 = Lujiazui)."""
    s = re.sub(r"[\s·'’()（）-]", "", str(name)).casefold()
    return _SUFFIX.sub("", s) or s


class Locator:
    def __init__(self, areas: list[dict]):
        self.codes = {a["code"]: a["level"] for a in areas}
        districts = [a for a in areas if a["level"] == "district"]
        streets = [a for a in areas if a["level"] == "street"]
        grids = [a for a in areas if a["level"] == "grid"]
        self._district_codes = np.array([a["code"] for a in districts])
        self._districts = shapely.STRtree([shape(a["geometry"]) for a in districts])
        self._street_codes = np.array([a["code"] for a in streets])
        self._streets = shapely.STRtree([shape(a["geometry"]) for a in streets])
        self._grid_codes = np.array([a["code"] for a in grids])
        self._grids = shapely.STRtree([shape(a["geometry"]) for a in grids])
        self._names: dict[str, set[str]] = {}
        for a in districts + streets:
            for n in (a["name_zh"], a["name_en"]):
                self._names.setdefault(_key(n), set()).add(a["code"])

    @classmethod
    def from_engine(cls, engine: Engine) -> Locator:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Area.code, Area.level, Area.name_zh, Area.name_en, Area.geometry).where(Area.level != "city")
            )
            return cls([dict(r._mapping) for r in rows])

    def by_point(self, lon: np.ndarray, lat: np.ndarray) -> list[Place | None]:
        """GCJ-02 points -> their place; None for a point outside the city, at (0, 0) or not a number."""
        n = len(lon)
        out: list[Place | None] = [None] * n
        ok = np.isfinite(lon) & np.isfinite(lat) & ~((lon == 0) & (lat == 0))
        idx = np.flatnonzero(ok)
        if not len(idx):
            return out
        pts = shapely.points(lon[idx], lat[idx])
        pi, di = self._districts.query(pts, predicate="within")
        district = np.full(len(idx), "", dtype=object)
        district[pi] = self._district_codes[di]
        street = np.full(len(idx), "", dtype=object)
        pi, si = self._streets.query(pts, predicate="within")
        street[pi] = self._street_codes[si]
        # in the city but between simplified street outlines: the nearest street of the same district
        gap = np.flatnonzero((district != "") & (street == ""))
        if len(gap):
            gi, si = self._streets.query_nearest(pts[gap], max_distance=NEAR_DEG)
            for g, s in zip(gi, si):
                if self._street_codes[s].startswith(district[gap[g]]):
                    street[gap[g]] = self._street_codes[s]
        grid = np.full(len(idx), "", dtype=object)
        pi, gi = self._grids.query(pts, predicate="within")
        grid[pi] = self._grid_codes[gi]
        for k, i in enumerate(idx):
            s = street[k]
            if not s:
                continue
            g = grid[k] if grid[k].startswith(s) else self._grid_in(s, lon[i], lat[i])
            out[i] = Place(s[:6], s, g)
        return out

    def _grid_in(self, street: str, lon: float, lat: float) -> str:
        """The street's grid nearest the point (grids are clipped hexagons: a point on an edge may miss)."""
        near = self._grids.query_nearest(shapely.points(lon, lat), max_distance=NEAR_DEG, all_matches=True)
        for j in np.atleast_1d(near):
            if self._grid_codes[j].startswith(street):
                return str(self._grid_codes[j])
        return ""

    def by_area(self, area: str | None, district: str | None = None, street: str | None = None) -> Place | None:
        """A place from an area code or names (grid codes keep their grid); None when nothing matches."""
        hint = None
        if district:
            hint = self._resolve(district, "district")
        for value, level in ((street, "street"), (area, None)):
            if not value:
                continue
            code = self._resolve(value, level, within=hint.district if hint else None)
            if code:
                return code
        return hint

    def _resolve(self, value: str, level: str | None, within: str | None = None) -> Place | None:
        v = str(value).strip()
        if v.isdigit() and v in self.codes:
            code = v
        else:
            found = sorted(c for c in self._names.get(_key(v), ()) if not within or c.startswith(within))
            found = [c for c in found if level is None or self.codes[c] == level]
            if len(found) != 1:  # unknown, or a street name several districts share: not a place
                return None
            code = found[0]
        lvl = self.codes[code]
        if level and lvl != level:
            return None
        return Place(code[:6], code[:9] if lvl in ("street", "grid") else "", code if lvl == "grid" else "")
