"""KPI tiles, five-colour chips and simple bar lists."""
from __future__ import annotations

from dash import html

from components.i18n import t
from components.theme import LEVELS, ROMAN


def create_kpi(label: str, value: str, sub: str | None = None, alert: bool = False, extra=None) -> html.Div:
    """A tile: label, big tabular number, optional sub-line; alert turns the number red."""
    return html.Div(className="kpi alert" if alert else "kpi", children=[
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value num"),
        *([html.Div(sub, className="kpi-sub")] if sub else []),
        *([extra] if extra is not None else []),
    ])


def create_level_chips(counts: dict[int, int], lang: str) -> html.Div:
    """One chip per warning colour with its text label (colour-blind safe) and count."""
    chips = []
    for level in (1, 2, 3, 4):
        colour, key = LEVELS[level]
        chips.append(html.Span(f"{t(key, lang)} {ROMAN[level]} · {counts.get(level, 0)}", className=f"chip {key}",
                               style={"background": colour}))
    return html.Div(chips, className="chips")


def create_bars(items: list[tuple[str, int]]) -> list:
    """Label, proportional bar and value per item, for a bars grid."""
    top = max((v for _, v in items), default=0) or 1
    out = []
    for label, value in items:
        out += [html.Div(label), html.Div(className="bar", style={"width": f"{100 * value / top:.1f}%"}),
                html.Div(f"{value:,}", className="num")]
    return out
