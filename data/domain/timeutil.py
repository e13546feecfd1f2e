"""Time helpers: all stored times are integer Unix seconds; Shanghai is UTC+8 with no DST."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
OFFSET = 8 * 3600
HOUR = 3600
DAY = 86400


def now_ts() -> int:
    """The current time as Unix seconds."""
    return int(time.time())


def tick_of(ts: int, seconds: int) -> int:
    """The start of ts's refresh tick: screens in one tick share one cache entry instead of missing it
    every second."""
    return ts - ts % max(1, int(seconds))


def hour_of(ts: int) -> int:
    """The start (Unix seconds) of the hour containing ts."""
    return ts - ts % HOUR


def local_day_start(ts: int) -> int:
    """The start (Unix seconds) of the Shanghai calendar day containing ts."""
    return ts - (ts + OFFSET) % DAY


def to_dt(ts: int | None) -> datetime | None:
    """Unix seconds to an aware Shanghai datetime."""
    return None if ts is None else datetime.fromtimestamp(ts, SHANGHAI)


def from_dt(dt: datetime) -> int:
    """An aware datetime (naive means Shanghai local) to Unix seconds."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return int(dt.timestamp())


def parse_local(text: str) -> int:
    """'YYYY-MM-DD[ HH:MM[:SS]]' in Shanghai time to Unix seconds."""
    return from_dt(datetime.fromisoformat(text))
