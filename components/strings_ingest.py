"""UI strings of real data coming in: the admin imports page and the unlocated count (zh, en).

components/strings.py merges these into STRINGS after its own table."""

from __future__ import annotations

INGEST: dict[str, tuple[str, str]] = {
    # incidents an import could not place: kept at the city level, counted, never dropped
    "unlocated": ("未定位", "Unlocated"),
}
