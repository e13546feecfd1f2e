"""The wall as it was at any moment of the last REPLAY_DAYS days (推演/回放, issue 16).

`AsOf(at)` answers every question of the wall's facts interface (data.wall.facts) as the database stood at
`at`, from history rather than today's rows, so `wall_snapshot(catalog, scope, at, facts=AsOf(at))` is the
snapshot the live wall showed at `at` (tests/unit/test_replay.py holds it to that, field by field).
`replay_frame` is that snapshot cached like a live tick: `at` rounded down to the refresh step, and keyed,
once the moment's hour is over, only on the data versions a late write bumps (a frame of the past never
changes otherwise). `parse_at` turns the page's `?at=` into a moment or a reason it cannot be one.

What has no history is said where it is read: projects keep today's progress and spend (nothing writes
them after the seed; their schedule is judged at `at`), and a street's evaluation scores are the 30 whole
days before `at`'s day, which later moves do not change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from data.domain.scope import Scope, ScopeError
from data.domain.timeutil import DAY, HOUR, from_dt, hour_of, local_day_start, tick_of
from data.domain.vocab import CITY_CODE, OPEN_STATUSES
from data.read import areas, asof, asof_signals, incidents, indicators, mapqueries, projectdata
from data.rules.config import load_catalog
from data.store.cache import cached_query
from data.wall.facts import CityPass, Row
from data.wall.scores import street_scores
from data.wall.snapshot import wall_snapshot

REPLAY_DAYS = 30
WEEK = 7 * DAY  # the snapshot's closure rate: reported since the day's start a week ago
MAX_TEXT = 32  # characters of a moment as the page may write it ("2026-11-22T21:30:00+08:00" is 25)


class BadMoment(ValueError):
    """A moment the replay cannot show; `reason` is "format", "future" or "too_old" (the page's sentence)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def replay_bounds(now: int) -> tuple[int, int]:
    """[earliest, latest] moment a replay may show at `now`."""
    return now - REPLAY_DAYS * DAY, now


def check_at(at: int, now: int) -> int:
    """`at` if a replay may show it at `now`, else BadMoment ("future" or "too_old")."""
    earliest, latest = replay_bounds(now)
    if at > latest:
        raise BadMoment("future")
    if at < earliest:
        raise BadMoment("too_old")
    return at


def parse_at(text, now: int) -> int:
    """The moment `?at=` names ("2026-11-22T21:30", Shanghai time unless it carries an offset; a date alone
    is its midnight), checked against `now`; BadMoment says why not. Pure: no clock, no database."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise BadMoment("format")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadMoment("format") from None
    return check_at(from_dt(moment), now)


class AsOf:
    """The wall's facts as the database stood at `at`. Plain (not a unit's) scopes only. Pass the frame's
    connection (asof.frame_connection) to read every incident figure from one state of the database."""

    def __init__(self, at: int, conn=None):
        self.at = int(at)
        self.conn = conn
        self._memo: dict = {}

    def _once(self, key, build: Callable):
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def _read(self, fn: Callable, *args):
        if self.conn is not None:
            return fn(self.conn, *args)
        with asof.frame_connection() as conn:
            return fn(conn, *args)

    @staticmethod
    def _plain(scope: Scope) -> Scope:
        if scope.unit is not None:
            raise ScopeError("a replay shows areas, not a unit's incidents")
        return scope

    def part(self, key, build: Callable):
        return self._once(("part", key), build)

    names = staticmethod(areas.area_names)
    area = staticmethod(areas.area)
    colours = CityPass.colours  # the live pass's colours, from the warnings active at `at` (self.warnings)

    def _upto(self, end: int) -> int:
        """An exclusive window end no later than `at` (reports at `at` itself had arrived)."""
        return min(end, self.at + 1)

    # ---- incidents: reports (their time never changes), and the loop as history tells it -------------
    def counts(self, scope: Scope, start: int, end: int) -> dict:
        return incidents.incident_counts(self._plain(scope), start, self._upto(end))

    def unlocated(self, scope: Scope, start: int, end: int) -> int:
        return incidents.unlocated_count(self._plain(scope), start, self._upto(end))

    def heat(self, scope: Scope, start: int, end: int) -> list[int]:
        """mapqueries.heat_bins' answer: the reports of the window ending at `at` in the scope's heat bins."""
        index, n_bins = mapqueries.heat_index(self._plain(scope))
        rows = self._read(asof.reported_by_grid, scope, start, self._upto(end))
        return mapqueries._bins_of(rows, index, n_bins)

    def _state(self, scope: Scope, since: int, day0: int) -> dict:
        key = ("state", scope.code, since, day0)
        return self._once(key, lambda: self._read(asof.open_state, self._plain(scope), self.at, since, day0))

    def _week(self) -> int:
        return local_day_start(self.at) - WEEK

    def loop(self, scope: Scope, now: int) -> dict:
        state = self._state(scope, self._week(), local_day_start(self.at))
        by_child = state["overdue_by_child"]
        return {
            "open": {s: state["open"].get(s, 0) for s in OPEN_STATUSES},
            "open_total": sum(state["open"].values()),
            "overdue": sum(by_child.values()),
            "overdue_by_child": dict(by_child),
        }

    def open_since(self, scope: Scope, since: int) -> int:
        return self._state(scope, since, local_day_start(self.at))["since"]

    def closed(self, scope: Scope, start: int, end: int) -> int:
        """Closures from `start`'s hour up to `at` (the snapshot's "closed today")."""
        h0 = start - start % HOUR
        undone = self._state(scope, self._week(), h0)["undone"] if scope.level != "grid" else 0
        return self._once(
            ("closed", scope.code, h0), lambda: self._read(asof.closed_count, self._plain(scope), h0, self.at, undone)
        )

    def supervised(self, scope: Scope) -> int:
        return self._once(
            ("supervised", scope.code), lambda: self._read(asof.supervised_open, self._plain(scope), self.at)
        )

    def latest(self, scope: Scope, limit: int, max_priority: int) -> list[Row]:
        rows = self._once(
            ("latest", scope.code, limit, max_priority),
            lambda: self._read(asof.newest, self._plain(scope), self.at, limit, max_priority),
        )
        return [Row(*r) for r in rows]

    def recent(self, scope: Scope, limit: int, max_priority: int, since: int) -> list[Row]:
        return [r for r in self.latest(scope, limit, max_priority) if r.reported_at >= since]

    def scores(self, scope: Scope, tick: int) -> dict | None:
        return street_scores(scope, self.at)  # the 30 whole days before `at`'s day: fixed by then

    # ---- warnings, readings, projects ---------------------------------------------------------------
    def warnings(self, scope: Scope) -> list:
        return self._once(
            ("warnings", scope.code), lambda: self._read(asof_signals.active_warnings, self._plain(scope), self.at)
        )

    def projects(self, scope: Scope, now: int):
        return projectdata.projects(scope, now)  # today's progress and spend; the schedule judged at `now`

    @staticmethod
    def reading_key(scope: Scope) -> tuple[str, ...]:
        return (scope.code,)

    def _readings_near(self, scope: Scope) -> list[tuple]:
        near = {scope.code, scope.code[:6], CITY_CODE}  # the scope's, its district's and the city's
        return self._once(("readings", scope.code), lambda: self._read(asof_signals.readings_at, near, self.at))

    def readings(self, scope: Scope, now: int):
        return indicators.pick_latest_records(self._readings_near(scope), scope.code, self.at)

    def series(self, pairs: tuple, start: int, end: int) -> dict:
        return indicators.indicator_series_many(pairs, start, min(end, self.at))

    def ages(self, scope: Scope, tick: int) -> tuple[int | None, int | None]:
        newest = self._once(
            ("newest", scope.code), lambda: self._read(asof.newest_reported, self._plain(scope), self.at)
        )
        reading = max((r[2] for r in self._readings_near(scope)), default=None)
        return (self.at - newest if newest else None), (self.at - reading if reading else None)


def _frame(rules_file: str, scope: Scope, at: int) -> dict:
    with asof.frame_connection() as conn:
        return wall_snapshot(load_catalog(rules_file), scope, at, facts=AsOf(at, conn))


_settled = cached_query("history", "areas", "projects")(_frame)  # an hour that is over changes only by late writes
_recent = cached_query("incidents", "readings", "warnings", "history", "areas", "projects")(_frame)


def replay_frame(rules_file: str, scope: Scope, at: int, step: int, now: int) -> dict:
    """One scope's wall as it was at `at`, rounded down to the refresh `step` so that screens share frames,
    cached like a live tick's snapshot. `at` must lie in the last REPLAY_DAYS days before `now` (BadMoment
    otherwise), so the frames a client can ask for are bounded whatever it sends."""
    at = tick_of(check_at(int(at), now), step)
    return (_settled if at < hour_of(now) else _recent)(rules_file, AsOf._plain(scope), at)


def next_red_at(scope: Scope, after: int, now: int) -> int | None:
    """When the next red warning that colours areas started in scope after `after` and by `now` (play mode's
    "jump to the next red warning"), or None."""
    with asof.frame_connection() as conn:
        return asof_signals.next_red(conn, AsOf._plain(scope), after, now)
