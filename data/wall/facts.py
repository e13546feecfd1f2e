"""Where a wall snapshot's figures come from: one scope's own reads, or one pass over the whole city.

`ScopeReads` asks the memoized per-scope reads (a lone screen, a grid's page). `CityPass` answers
the same questions for every active city/district/street scope of one tick from set-based reads
(data.read.wallsets): each aggregate once, grouped by street or grid, rolled up here. The snapshot
code (data.wall.snapshot) is the same for both, so both give the same snapshot; a test holds them to it.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable

import pandas as pd

from data.domain.areas import CODE_LEN, covering, roll_up
from data.domain.scope import Scope
from data.domain.timeutil import DAY
from data.domain.vocab import CITY_CODE, OPEN_STATUSES
from data.read import areas, freshness, incidents, indicators, mapqueries, projectdata, wallsets, warnlist
from data.read.incidents import LATEST_COLUMNS
from data.wall.scores import street_scores

Row = namedtuple("Row", LATEST_COLUMNS)
CITY = Scope(CITY_CODE, CITY_CODE, "system")
COVERED = ("city", "district", "street")


def _rows(df: pd.DataFrame) -> list[Row]:
    return [Row(*r) for r in df[list(LATEST_COLUMNS)].itertuples(index=False, name=None)]


class ScopeReads:
    """Each question answered by the scope's own memoized reads."""

    @staticmethod
    def part(_key, build: Callable):
        return build()

    names = staticmethod(areas.area_names)
    area = staticmethod(areas.area)
    counts = staticmethod(incidents.incident_counts)
    closed = staticmethod(incidents.closed_count)
    unlocated = staticmethod(incidents.unlocated_count)
    loop = staticmethod(incidents.loop_status)
    open_since = staticmethod(incidents.open_reported_since)
    supervised = staticmethod(incidents.supervised_count)
    scores = staticmethod(street_scores)
    colours = staticmethod(warnlist.area_colours)
    projects = staticmethod(projectdata.projects)
    heat = staticmethod(mapqueries.heat_bins)

    @staticmethod
    def readings(scope: Scope, now: int) -> list[dict]:
        return indicators.latest_readings(scope, now).to_dict("records")

    series = staticmethod(indicators.indicator_series_many)

    @staticmethod
    def reading_key(scope: Scope) -> tuple[str, ...]:
        return (scope.code,)

    @staticmethod
    def warnings(scope: Scope) -> list:
        """The active warnings in scope as rows (level, started_at, area_code, colours_area, ...)."""
        return list(warnlist.active_warnings(scope).itertuples(index=False))

    @staticmethod
    def latest(scope: Scope, limit: int, max_priority: int) -> list[Row]:
        return _rows(incidents.latest_incidents(scope, limit=limit, min_priority=max_priority))

    @staticmethod
    def recent(scope: Scope, limit: int, max_priority: int, since: int) -> list[Row]:
        return [r for r in ScopeReads.latest(scope, limit, max_priority) if r.reported_at >= since]

    @staticmethod
    def ages(scope: Scope, tick: int) -> tuple[int | None, int | None]:
        fresh = freshness.freshness(scope, tick)
        return fresh.get("newest_incident_age_s"), fresh.get("newest_reading_age_s")


class CityPass:
    """Every question for the scopes of one tick, from one set of city-wide reads (memoized here for
    the tick). Only plain city, district and street scopes: anything else goes to ScopeReads."""

    def __init__(self, scopes, tick: int):
        self.tick = tick
        self.codes = sorted({s.code for s in scopes if self.covers(s)})
        self._memo: dict = {}

    @staticmethod
    def covers(scope: Scope) -> bool:
        return scope.unit is None and scope.level in COVERED

    def _once(self, key, build: Callable):
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def part(self, key, build: Callable):
        """A part of the snapshot that is the same for several scopes (a district's projects on each
        of its streets' walls): built once per tick."""
        return self._once(("part", key), build)

    def names(self) -> dict:
        return self._once("names", lambda: {**areas.area_names(), **wallsets.grid_names()})

    def area(self, code: str) -> dict | None:
        return self._once(("area", code), lambda: areas.area(code))

    def counts(self, scope: Scope, start: int, end: int) -> dict:
        table = self._once(("reported", start, end), lambda: wallsets.reported_rolled(start, end))
        return incidents.counts_of(table.get(scope.code, {}))

    def unlocated(self, scope: Scope, start: int, end: int) -> int:
        if not scope.is_city:
            return 0
        table = self._once(("reported", start, end), lambda: wallsets.reported_rolled(start, end))
        return sum(table.get("", {}).values())

    def closed(self, scope: Scope, start: int, end: int) -> int:
        table = self._once(
            ("closed", start, end), lambda: roll_up((st, 0, n) for st, n in wallsets.closed_by_street(start, end))
        )
        return table.get(scope.code, {}).get(0, 0)

    def _overdue(self, now: int) -> dict[str, dict[str, int]]:
        """{area: {child area: overdue}} from the overdue count per grid."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        street_len, grid_len = CODE_LEN["street"], CODE_LEN["grid"]
        for place, n in wallsets.overdue_by_grid(now):  # a grid; or a street, district or "" placed no deeper
            district, street = place[: CODE_LEN["district"]], place[:street_len]
            out[CITY_CODE][district] += n
            if district:
                out[district][street if len(place) >= street_len else ""] += n
            if len(place) >= street_len:
                out[street][place if len(place) == grid_len else ""] += n
        return out

    def loop(self, scope: Scope, now: int) -> dict:
        per_status = self._once(
            ("open", now), lambda: roll_up((st, s, n) for st, s, n in wallsets.open_by_street(now))
        ).get(scope.code, {})
        per_status = {s: n for s, n in per_status.items() if n}
        by_child = self._once(("overdue", now), lambda: self._overdue(now)).get(scope.code, {})
        by_child = {k: v for k, v in by_child.items() if v}
        return {
            "open": {s: per_status.get(s, 0) for s in OPEN_STATUSES},
            "open_total": sum(per_status.values()),
            "overdue": sum(by_child.values()),
            "overdue_by_child": by_child,
        }

    def open_since(self, scope: Scope, since: int) -> int:
        table = self._once(
            ("open_since", since),
            lambda: roll_up((st, 0, n) for st, n in wallsets.open_reported_by_street(since)),
        )
        return table.get(scope.code, {}).get(0, 0)

    def supervised(self, scope: Scope) -> int:
        table = self._once("supervised", lambda: roll_up((st, 0, n) for st, n in wallsets.supervised_by_street()))
        return table.get(scope.code, {}).get(0, 0)

    @staticmethod
    def scores(scope: Scope, tick: int) -> dict | None:
        return street_scores(scope, tick)

    def latest(self, scope: Scope, limit: int, max_priority: int) -> list[Row]:
        """The newest rows of every scope of the pass, read together; a scope added later (first shown
        mid-tick) is read then."""
        table = self._once(("latest", limit, max_priority), dict)
        if scope.code not in table:
            missing = [c for c in dict.fromkeys([*self.codes, scope.code]) if c not in table]
            table.update({c: [] for c in missing})
            for code, *row in wallsets.newest_in(missing, limit, max_priority):
                table[code].append(Row(*row))
        return table[scope.code]

    def recent(self, scope: Scope, limit: int, max_priority: int, since: int) -> list[Row]:
        def build():
            out: dict[str, list[Row]] = defaultdict(list)
            for row in map(Row._make, wallsets.urgent_since(since, max_priority)):  # newest first
                for area in covering(row.street_code or row.district_code):
                    if len(out[area]) < limit:
                        out[area].append(row)
            return out

        return self._once(("recent", limit, max_priority, since), build).get(scope.code, [])

    def _warnings_by_area(self) -> dict[str, list]:
        out: dict[str, list] = defaultdict(list)
        for w in warnlist.active_warnings(CITY).itertuples(index=False):  # most severe, newest first
            for area in covering(w.area_code):
                out[area].append(w)
        return out

    def warnings(self, scope: Scope) -> list:
        return self._once("warnings", self._warnings_by_area).get(scope.code, [])

    def colours(self, scope: Scope) -> dict[str, int]:
        """warnlist.area_colours from the city's active warnings."""
        child = scope.child_level
        tree = self._once("tree", wallsets.area_tree) if child else {}
        out = {c: 5 for c in [scope.code, *tree.get(scope.code, [])]}
        for w in self.warnings(scope):
            if not w.colours_area:
                continue
            out[scope.code] = min(out[scope.code], int(w.level))
            if child:
                key = w.area_code[: CODE_LEN[child]]
                if key in out:
                    out[key] = min(out[key], int(w.level))
        return out

    def projects(self, scope: Scope, now: int) -> pd.DataFrame:
        city = self._once("projects", lambda: projectdata.projects(CITY, now))
        if scope.is_city or not len(city):
            return city
        return self._once(
            ("projects", scope.district),
            lambda: city[city.district_code == scope.district].reset_index(drop=True),
        )

    def heat(self, scope: Scope, start: int, end: int) -> list[int]:
        def build():
            by_street: dict[str, list] = defaultdict(list)
            for grid, n in wallsets.reported_by_grid(start, end):
                by_street[grid[: CODE_LEN["street"]]].append((grid, n))
            return by_street

        by_street = self._once(("heat", start, end), build)
        index, n_bins = mapqueries.heat_index(scope)
        if scope.level == "street":
            pairs = by_street.get(scope.code, [])
        else:
            pairs = (p for st, rows in by_street.items() if scope.contains(st) for p in rows)
        out = [0] * n_bins
        for grid, n in pairs:
            i = index.get(grid)
            if i is not None:
                out[i] += n
        return out

    def _latest_rows(self) -> list[tuple]:
        return self._once("readings", wallsets.latest_readings_all)

    def readings(self, scope: Scope, now: int) -> list[dict]:
        near = {scope.code, scope.code[:6], CITY_CODE}
        catalogue = self._once("catalogue", indicators.catalogue_rows)
        return self._once(
            ("latest", self.reading_key(scope), now),
            lambda: indicators.pick_latest_records(
                [r for r in self._latest_rows() if r[1] in near], scope.code, now, catalogue
            ),
        )

    def reading_key(self, scope: Scope) -> tuple[str, ...]:
        """The areas whose readings a scope's tiles show: scopes with the same key show the same tiles."""
        have = self._once("reading_areas", lambda: {r[1] for r in self._latest_rows()})
        near = tuple(dict.fromkeys(c for c in (scope.code, scope.code[:6], CITY_CODE) if c in have))
        return (*near, scope.code in have)  # a tile names the wider area it shows: own readings or not

    def series(self, pairs: tuple, start: int, end: int) -> dict:
        return self._once(("series", pairs, start, end), lambda: indicators.indicator_series_many(pairs, start, end))

    def ages(self, scope: Scope, tick: int) -> tuple[int | None, int | None]:
        newest = self._once("newest", lambda: self._roll_max(wallsets.newest_reported_by_street(tick - DAY)))
        ts = newest.get(scope.code)
        if ts is None:  # nothing reported in the last day: ask the area itself
            ts = self._once(("newest", scope.code), lambda: wallsets.newest_reported(scope.code))
        near = {scope.code, scope.district or CITY_CODE, CITY_CODE}
        reading = max((r[2] for r in self._latest_rows() if r[1] in near), default=None)
        return (tick - ts if ts else None), (tick - reading if reading else None)

    @staticmethod
    def _roll_max(by_street: dict[str, int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for street, ts in by_street.items():
            for area in covering(street):
                out[area] = max(out.get(area, ts), ts)
        return out
