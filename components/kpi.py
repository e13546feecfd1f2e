"""The small widgets every page shares: KPI tiles, five-colour chips and tags, and bar rows."""

from __future__ import annotations

from dash import html

from components.theme import LEVELS, level_label


def create_kpi(label: str, value: str, sub: str | None = None, alert: bool = False, extra=None) -> html.Div:
    """A tile: label, big tabular number, optional sub-line; alert turns the number red."""
    return html.Div(
        className="kpi alert" if alert else "kpi",
        children=[
            html.Div(label, className="kpi-label"),
            html.Div(value, className="kpi-value num"),
            *([html.Div(sub, className="kpi-sub")] if sub else []),
            *([extra] if extra is not None else []),
        ],
    )


def create_level_chips(counts: dict[int, int], lang: str) -> html.Div:
    """One chip per warning colour with its text label (colour-blind safe) and count."""
    return html.Div(
        [
            html.Span(
                f"{level_label(level, lang)} · {counts.get(level, 0)}",
                className=f"chip {LEVELS[level][1]}",
                style={"background": LEVELS[level][0]},
            )
            for level in (1, 2, 3, 4)
        ],
        className="chips",
    )


def level_tag(level: int, lang: str) -> html.Span:
    """A warning level in a table cell: its text label on its colour (.warn-tag.lvl-N in desk.css)."""
    return html.Span(level_label(level, lang), className=f"warn-tag lvl-{level}")


def _share(value: float, top: float) -> str:
    return f"{100 * value / top:.1f}%"


def bar_track(value: float, top: float = 1, mark: float | None = None) -> html.Div:
    """A track filled to value/top, with a tick at mark/top (yesterday, last week) when one is given."""
    inside = [html.Div(className="bar-fill", style={"width": _share(value, top)})]
    if mark is not None:
        inside.append(html.Div(className="bar-mark", style={"left": _share(mark, top)}))
    return html.Div(inside, className="bar-track")


def create_bars(rows: list[tuple], top: float | None = None, delta: bool = False) -> list:
    """The one bar widget: per row (label, value) or (label, value, mark), the label, the number (and
    its change against the mark when `delta`) and a track, as the cells of a bars grid: `.bars` on the
    home page (label | bar | number), `.wall-bars` on the wall and the desks (the track under them).
    Bars are scaled to `top`, by default the largest value or mark."""
    if top is None:
        top = max([max(row[1:]) for row in rows] + [1])
    cells = []
    for label, value, *mark in rows:
        cells += [html.Div(label, className="bar-label"), html.Div(f"{value:,}", className="bar-value num")]
        if delta:
            change = value - mark[0]
            cells.append(html.Div(f"{change:+,}", className="bar-delta num " + ("up" if change > 0 else "down")))
        cells.append(bar_track(value, top, mark[0] if mark else None))
    return cells
