"""Query-string checking shared by the desktop pages: keep the valid values, name the invalid ones."""
from __future__ import annotations

from collections.abc import Callable


def is_area_code(v: str) -> bool:
    """A district (6), street (9) or grid (12) code in form; whether it exists is the page's question."""
    return v.isdigit() and len(v) in (6, 9, 12)


def pick(params: dict, checks: dict[str, Callable[[str], bool]]) -> tuple[dict[str, str], list[str]]:
    """({name: value} for the values that pass their check, [names of those that do not]).

    Absent or empty parameters are neither; every page falls back to its default for both."""
    values, bad = {}, []
    for name, ok in checks.items():
        raw = params.get(name)
        if raw in (None, ""):
            continue
        raw = str(raw)
        if ok(raw):
            values[name] = raw
        else:
            bad.append(name)
    return values, bad
