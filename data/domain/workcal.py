"""The working calendar: which days are working days and which hours of them count as 工作时.

Days follow China's public holidays and adjusted working days (the chinese-calendar package tracks the
State Council's yearly schedule), plus the city's own days off and on (settings WORK_DAYS_OFF and
WORK_DAYS_ON). Years the package does not know yet count Monday-Friday, less the fixed-date statutory holidays (元旦, 劳动节, 国庆) and the city's days off: add a
new year's lunar holidays to WORK_DAYS_OFF until the package catches up. Working hours are Shanghai time
(setting WORK_HOURS, default 09:00-12:00,13:00-17:00); a working day (工作日) is that many working hours.

Times are Unix seconds. Arithmetic is on a table of working seconds before each day (2004-2040), so a
deadline costs a binary search, and numpy does a million at once for the generator."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re

import chinese_calendar
import numpy as np

log = logging.getLogger("cityops.workcal")
SHANGHAI = 8 * 3600
DAY = 86400
FIRST = dt.date(2004, 1, 1)  # the first year chinese-calendar knows
LAST = dt.date(2040, 12, 31)
_FIRST_DAY = (FIRST - dt.date(1970, 1, 1)).days
DEFAULT_HOURS = "09:00-12:00,13:00-17:00"
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}  # statutory, same date every year


def _clock(text: str) -> int:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m[1]) > 24 or int(m[2]) > 59:
        raise ValueError(f"{text!r} is not a time of day such as 09:00")
    return int(m[1]) * 3600 + int(m[2]) * 60


def parse_hours(text: str) -> tuple[tuple[int, int], ...]:
    """'09:00-12:00,13:00-17:00' -> ((32400, 43200), (46800, 61200)); ordered, not overlapping."""
    periods = []
    for part in (p for p in text.split(",") if p.strip()):
        if "-" not in part:
            raise ValueError(f"working hours {part!r}: write them as 09:00-12:00")
        a, b = (_clock(x) for x in part.split("-", 1))
        if b <= a or (periods and a < periods[-1][1]):
            raise ValueError(f"working hours {part!r} end before they start or overlap the previous ones")
        periods.append((a, b))
    if not periods:
        raise ValueError("working hours are empty")
    return tuple(periods)


def parse_days(text: str) -> frozenset[dt.date]:
    out = set()
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        try:
            out.add(dt.date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"{part!r} is not a date such as 2027-01-01") from None
    return frozenset(out)


class WorkCalendar:
    def __init__(self, hours: str = DEFAULT_HOURS, days_off: str = "", days_on: str = ""):
        self.periods = parse_hours(hours)
        self.day_len = sum(b - a for a, b in self.periods)
        off, on = parse_days(days_off), parse_days(days_on)
        n = (LAST - FIRST).days + 1
        work = np.zeros(n, dtype=bool)
        unknown = set()
        for i in range(n):
            d = FIRST + dt.timedelta(days=i)
            if d in off or d in on:
                work[i] = d in on
                continue
            try:
                work[i] = chinese_calendar.is_workday(d)
            except NotImplementedError:  # a year the package does not know yet: weekends and the fixed days
                unknown.add(d.year)
                work[i] = d.weekday() < 5 and (d.month, d.day) not in FIXED_HOLIDAYS
        self.unknown_years = tuple(sorted(unknown))
        self.work = work
        self.prefix = np.concatenate(([0], np.cumsum(work.astype(np.int64) * self.day_len)))
        self._starts = np.array([a for a, _ in self.periods], dtype=np.int64)
        self._ends = np.array([b for _, b in self.periods], dtype=np.int64)
        self._cum = np.concatenate(([0], np.cumsum(self._ends - self._starts)))

    def is_workday(self, day: dt.date) -> bool:
        i = (day - FIRST).days
        return bool(self.work[i]) if 0 <= i < len(self.work) else day.weekday() < 5

    def worked(self, ts):
        """Working seconds from 2004-01-01 to each time (the calendar's clock)."""
        t = np.asarray(ts, dtype=np.int64) + SHANGHAI
        day = np.clip(t // DAY - _FIRST_DAY, 0, len(self.work) - 1)
        sec = (t - (day + _FIRST_DAY) * DAY)[..., None]
        within = np.clip(sec - self._starts, 0, self._ends - self._starts).sum(axis=-1)
        return self.prefix[day] + within * self.work[day]

    def at(self, worked):
        """The first moment the calendar's clock reads `worked` (inverse of worked(); ends of periods)."""
        w = np.asarray(worked, dtype=np.int64)
        day = np.clip(np.searchsorted(self.prefix, w, side="left") - 1, 0, len(self.work) - 1)
        rest = w - self.prefix[day]  # in (0, day_len] on a working day
        k = np.clip(np.searchsorted(self._cum, rest, side="left") - 1, 0, len(self.periods) - 1)
        return (day + _FIRST_DAY) * DAY - SHANGHAI + self._starts[k] + (rest - self._cum[k])

    def add_working(self, ts, seconds):
        """Each time plus that many working seconds (0 seconds: the time itself)."""
        ts = np.asarray(ts, dtype=np.int64)
        seconds = np.asarray(seconds, dtype=np.int64)
        due = self.at(self.worked(ts) + seconds)
        return np.where(seconds > 0, due, ts)

    def working_between(self, a: int, b: int) -> int:
        """Working seconds from a to b (negative when b is before a)."""
        return int(self.worked(b) - self.worked(a))


_configured: WorkCalendar | None = None


def configure(hours: str, days_off: str = "", days_on: str = "") -> WorkCalendar:
    """Set this process's calendar from settings (create_app does; tools read the same environment)."""
    global _configured
    _configured = WorkCalendar(hours, days_off, days_on)
    if _configured.unknown_years:
        log.info("chinese-calendar has no schedule for %s: Monday-Friday less WORK_DAYS_OFF", _configured.unknown_years)
    return _configured


def calendar() -> WorkCalendar:
    if _configured is None:
        env = os.environ
        return configure(
            env.get("WORK_HOURS", DEFAULT_HOURS), env.get("WORK_DAYS_OFF", ""), env.get("WORK_DAYS_ON", "")
        )
    return _configured
