"""Sparklines as tiny inline SVG (data: URIs): vector-sharp on a 4K wall, no JS, no chart instance."""

from __future__ import annotations

from urllib.parse import quote


def sparkline_svg(
    values: list[float], colour: str, bands: list[float] | None = None, width: int = 200, height: int = 40
) -> str:
    """A data: URI with the series as a polyline (last point dotted) over a faint band line.

    The y range covers the series (and the first warning threshold when it is near), so the line
    shows the shape of the last 24 h; an empty series gives an empty, equally sized image.
    """
    pad = 3
    if not values:
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"/>'
        return "data:image/svg+xml;utf8," + quote(svg)
    lo, hi = min(values), max(values)
    threshold = bands[0] if bands else None
    if threshold is not None and lo - (hi - lo) <= threshold <= hi + (hi - lo):
        lo, hi = min(lo, threshold), max(hi, threshold)
    span = (hi - lo) or 1.0
    n = len(values)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 1.0)
        y = pad + (height - 2 * pad) * (1 - (v - lo) / span)
        return round(x, 1), round(y, 1)

    points = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in enumerate(values)))
    lx, ly = xy(n - 1, values[-1])
    band = ""
    if threshold is not None and lo <= threshold <= hi:
        _, by = xy(0, threshold)
        band = (
            f'<line x1="{pad}" y1="{by}" x2="{width - pad}" y2="{by}" stroke="#8fa6c8" stroke-width="1" '
            f'stroke-dasharray="4 4" opacity="0.6"/>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'{band}<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.2" '
        f'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
        f'<circle cx="{lx}" cy="{ly}" r="3" fill="{colour}"/></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)
