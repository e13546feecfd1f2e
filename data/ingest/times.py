"""Times as sources write them: ISO 8601 with or without an offset, 2024/1/5 13:45, 2024年1月5日 13时45分,
or Unix seconds/milliseconds, or a strptime format the mapping names. A naive time is read in the mapping's zone; one with an offset keeps it."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

_LOOSE = re.compile(
    r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?分?)?\s*$"
)


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse(text: str | None, tz: str, fmt: str | None = None) -> int | None:
    """Unix seconds, or None when the text is not a time. `fmt` (strptime, e.g. "%m/%d/%Y %I:%M:%S %p" for
    NYC 311) is tried first."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    if fmt:
        try:
            dt = datetime.strptime(s, fmt)
            return int((dt if dt.tzinfo else dt.replace(tzinfo=zone(tz))).timestamp())
        except ValueError:
            pass
    if s.isdigit() and len(s) in (10, 13):
        return int(s) // (1000 if len(s) == 13 else 1)
    try:
        dt = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s)
    except ValueError:
        m = _LOOSE.match(s)
        if not m:
            return None
        try:
            dt = datetime(*(int(g) if g else 0 for g in m.groups()))
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone(tz))
    return int(dt.timestamp())
