"""Sensor rows -> readings. One file line holds one value per series (wide: a column per station or series) or
one value of the series its series column names (long); either way each value becomes one reading of the
series' indicator and area, a gap (a missing value: no reading, so charts break the line instead of drawing a
zero), or a rejection with its reason. Codes and units are checked against the database before any row is
read: a mapping that names an unknown indicator or area, or a unit other than the catalogue's, is refused."""

from __future__ import annotations

import difflib
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from data.domain.timeutil import HOUR
from data.ingest import times
from data.ingest.mapping import MappingError, ReadingMapping, Series, TimeColumns
from data.store.models import Area, Indicator

Line = tuple[int, dict[str, str] | None, str | None]


def unit_key(unit: str) -> str:
    """The same unit however it is typed (µg/m³, μg/m3, ug/m3; DB(A)); never a conversion."""
    u = unicodedata.normalize("NFKC", unit).replace(" ", "").lower()  # NFKC: micro sign -> mu, ³ -> 3
    return u.replace("ug/", "μg/").replace("mcg/", "μg/")


@dataclass(frozen=True)
class Target:
    label: str  # how the report and the rejected file name the series: its column or key, and its indicator
    column: str  # the source column its values are in
    indicator: str
    area: str


@dataclass
class Built:
    readings: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, dict | None, str, str]] = field(default_factory=list)  # line, row, series, reason
    gaps: int = 0
    read: int = 0  # values read: a wide line holds one per series


class ReadingBuilder:
    """Turns a mapping's rows into readings; built once per import (it remembers keys across batches, so a
    (indicator, area, time) given twice in one file is rejected the second time, not written twice)."""

    def __init__(self, m: ReadingMapping, units: dict[str, str], areas: set[str], now: int):
        self.m, self.now = m, now
        self.missing = {x.strip() for x in m.missing}
        self.missing_numbers = {float(x) for x in self.missing if _number(x) is not None}  # -999 is -999.0 too
        self.time = m.time or _column_time(m)
        targets = [_target(m, s) for s in m.series]
        _check(m, targets, units, areas)
        self.wide = targets if m.columns is None else []
        self.by_key: dict[str, list[Target]] = {}
        for s, t in zip(m.series, targets):
            if m.columns is not None:
                self.by_key.setdefault(str(s.key), []).append(t)
        self.seen: set[tuple[str, str, int]] = set()

    @classmethod
    def from_engine(cls, engine: Engine, m: ReadingMapping, now: int) -> ReadingBuilder:
        with engine.connect() as conn:
            units = dict(conn.execute(select(Indicator.code, Indicator.unit)).all())
            areas = set(conn.scalars(select(Area.code)))
        return cls(m, units, areas, now)

    def source_columns(self) -> dict[str, str]:
        """What the mapping reads -> the source column, for files.check_columns."""
        t = self.time
        out = {"time": t.column} if t.column else {"year": t.year, "month": t.month, "day": t.day, "hour": t.hour}
        if self.m.columns is not None:
            out["series"] = self.m.columns.series
        for targets in [self.wide, *self.by_key.values()]:
            out.update({f"series {x.label}": x.column for x in targets})
        return out

    def build(self, lines: list[Line]) -> Built:
        out = Built()
        for line, row, problem in lines:
            targets = self._targets(row) if row is not None else None
            if not targets:  # an unreadable line (a wide one held a value of every series) or an unmapped series
                labels = [t.label for t in self.wide] or ["" if row is None else row.get(self.m.columns.series, "")]
                out.read += len(labels)
                out.rejected += [(line, row, label, problem or "series_not_in_mapping") for label in labels]
                continue
            ts = self._ts(row)
            for t in targets:
                out.read += 1
                reason = self._one(t, row, ts, out)
                if reason:
                    out.rejected.append((line, row, t.label, reason))
        return out

    def _targets(self, row: dict[str, str]) -> list[Target]:
        if self.wide:
            return self.wide
        return self.by_key.get(row.get(self.m.columns.series, "").strip(), [])

    def _one(self, t: Target, row: dict[str, str], ts: int | None, out: Built) -> str | None:
        """Adds the reading (or counts the gap); the reason when the value is rejected."""
        text = str(row.get(t.column, "")).strip()
        value = _number(text)
        if text in self.missing or value in self.missing_numbers:
            out.gaps += 1
            return None
        if ts is None:
            return "bad_time"
        if value is None:
            return "bad_value"
        if ts > self.now + HOUR:
            return "future_time"
        key = (t.indicator, t.area, ts)
        if key in self.seen:
            return "duplicate_time"
        self.seen.add(key)
        out.readings.append({"indicator_code": t.indicator, "area_code": t.area, "ts": ts, "value": value})
        return None

    def _ts(self, row: dict[str, str]) -> int | None:
        t = self.time
        if t.column:
            return times.parse(row.get(t.column), self.m.timezone, self.m.time_format)
        try:
            y, mo, d, h = (int(str(row.get(c, "")).strip()) for c in (t.year, t.month, t.day, t.hour))
            at = datetime(y, mo, d, tzinfo=times.zone(self.m.timezone)) + timedelta(hours=h)
        except (ValueError, OverflowError):
            return None
        return int(at.timestamp()) if 0 <= h <= 24 else None  # some sources count hours 1-24: 24 is midnight


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _column_time(m: ReadingMapping) -> TimeColumns:
    return TimeColumns(column=m.columns.time)


def _target(m: ReadingMapping, s: Series) -> Target:
    """Wide: the series' own column. Long: its `column` if it names one (several measures per line, such as
    PM2.5 and PM10 of one station), else the mapping's value column."""
    if m.columns is None:
        return Target(f"{s.column}/{s.indicator}", str(s.column), s.indicator, s.area)
    return Target(f"{s.key}/{s.indicator}", s.column or m.columns.value, s.indicator, s.area)


def _check(m: ReadingMapping, targets: list[Target], units: dict[str, str], areas: set[str]) -> None:
    """MappingError, one sentence naming the series, for anything that would write a wrong reading."""
    for i, t in enumerate(targets):
        where = f"`series.{i}` ({t.label})"
        if t.indicator not in units:
            near = difflib.get_close_matches(t.indicator, units, n=1)
            hint = f"did you mean {near[0]!r}?" if near else "see the catalogue (/indicators) for the codes"
            raise MappingError(f"{where}: unknown indicator {t.indicator!r}; {hint}")
        if t.area not in areas:
            raise MappingError(f"{where}: unknown area code {t.area!r}")
        given = m.units.get(t.indicator)
        if given is not None and unit_key(given) != unit_key(units[t.indicator]):
            raise MappingError(
                f"{where}: the source measures {t.indicator} in {given!r} but the catalogue in "
                f"{units[t.indicator]!r}; convert the file first (the importer never converts)"
            )
    for code in m.units:
        if code not in units:
            raise MappingError(f"`units.{code}`: unknown indicator {code!r}")
    pairs: dict[tuple[str, str], int] = {}
    for i, t in enumerate(targets):
        j = pairs.setdefault((t.indicator, t.area), i)
        if j != i:
            raise MappingError(
                f"`series.{j}` ({targets[j].label}) and `series.{i}` ({t.label}) both write {t.indicator} in area "
                f"{t.area}; an area has one value at a time"
            )
