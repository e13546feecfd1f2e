"""Area-code arithmetic: city 310000 > district (6 digits) > street/town (9) > grid (12 = street + 3)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from data.domain.vocab import CITY_CODE

LEVEL_BY_LEN = {6: "district", 9: "street", 12: "grid"}
CODE_LEN = {"district": 6, "street": 9, "grid": 12}
CHILD_LEVEL = {"city": "district", "district": "street", "street": "grid", "grid": None}
GRID_RES = 8  # H3 resolution of grid cells
HEAT_RES = 7  # H3 resolution the city-wide heat layer bins grids into


def level_of(code: str) -> str:
    """'city', 'district', 'street' or 'grid' from the code's shape (ValueError for anything else)."""
    if code == CITY_CODE:
        return "city"
    try:
        level = LEVEL_BY_LEN[len(code)]
    except (KeyError, TypeError):
        raise ValueError(f"not an area code: {code!r}") from None
    if not (code.isascii() and code.isdigit()) or not code.startswith(CITY_CODE[:2]):
        raise ValueError(f"not an area code: {code!r}")
    return level


def is_area_code(code: object) -> bool:
    """True for a string shaped like an area code (it may still not exist)."""
    try:
        level_of(code)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def contains(outer: str, inner: str) -> bool:
    """True when area `inner` lies inside (or is) area `outer`."""
    return outer == CITY_CODE or inner.startswith(outer)


def ancestor(code: str, level: str) -> str:
    """The code of `code`'s ancestor at `level` ('city' gives the city)."""
    return CITY_CODE if level == "city" else code[: CODE_LEN[level]]


def covering(code: str) -> tuple[str, ...]:
    """The place and every wider wall scope holding it (street -> street, district, city; a grid counts
    in its street). An unlocated incident's place is "": it keys its own count (the wall's 未定位) and the city's."""
    if code == CITY_CODE:
        return (CITY_CODE,)
    if not code:
        return ("", CITY_CODE)
    return tuple(dict.fromkeys(c for c in (code[:9] if len(code) >= 9 else None, code[:6], CITY_CODE) if c))


def roll_up(items: Iterable[tuple[str, object, int]]) -> dict[str, dict]:
    """{area: {key: n}} for every area covering the items' places, from (place, key, n) items: summed
    per place first, then each of those totals once into the areas covering it. Plain dicts (picklable)."""
    own: dict[tuple, int] = defaultdict(int)
    for code, key, n in items:
        own[(code, key)] += n
    out: dict[str, dict] = {}
    for (code, key), n in own.items():
        for area in covering(code):
            table = out.setdefault(area, {})
            table[key] = table.get(key, 0) + n
    return out
