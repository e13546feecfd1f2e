"""Sparklines as inline SVG drawn by assets/sparkline.js from a shape computed here: vector-sharp on a 4K
wall, no chart instance. Not an <img> with an SVG data URI: Blink gives every distinct SVG image a page
and a document of its own, a tile's URI changed whenever its series moved, and a city wall left running
grew by several documents every few minutes (the soak's heap snapshots)."""

from __future__ import annotations

import json

WIDTH, HEIGHT, PAD = 200, 40, 3  # the viewBox; the SVG is stretched over its box (preserveAspectRatio none)


def sparkline_shape(values: list[float], bands: list[float] | None = None) -> dict:
    """The series as polyline points in the viewBox, its last point, and the first warning threshold's
    height when it lies in range ({} for an empty series: an empty, equally sized box).

    The y range covers the series (and that threshold when it is near), so the line shows the shape of
    the last 24 h."""
    if not values:
        return {}
    lo, hi = min(values), max(values)
    threshold = bands[0] if bands else None
    if threshold is not None and lo - (hi - lo) <= threshold <= hi + (hi - lo):
        lo, hi = min(lo, threshold), max(hi, threshold)
    span = (hi - lo) or 1.0
    n = len(values)

    def xy(i: int, v: float) -> list[float]:
        x = PAD + (WIDTH - 2 * PAD) * (i / (n - 1) if n > 1 else 1.0)
        y = PAD + (HEIGHT - 2 * PAD) * (1 - (v - lo) / span)
        return [round(x, 1), round(y, 1)]

    shape = {"points": " ".join(f"{x:g},{y:g}" for x, y in (xy(i, v) for i, v in enumerate(values)))}
    shape["last"] = xy(n - 1, values[-1])
    if threshold is not None and lo <= threshold <= hi:
        shape["band"] = xy(0, threshold)[1]
    return shape


def sparkline_props(values: list[float], colour: str, bands: list[float] | None = None) -> dict:
    """The data-spark attribute assets/sparkline.js draws from: the shape and its colour, as JSON."""
    return {"data-spark": json.dumps({**sparkline_shape(values, bands), "colour": colour}, separators=(",", ":"))}
