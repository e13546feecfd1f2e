"""Indicator pages: the catalogue cards, the history chart with warning bands, by-district table."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import dcc, html

from components.chart import base_layout
from components.i18n import format_age, t
from components.kpi import level_tag
from components.links import href
from components.theme import ACCENT, MUTED, level_colour, level_label
from components.wall_readings import format_value, reading_status
from components.warnings_view import warning_table
from data.domain.names import name
from data.domain.timeutil import DAY, local_day_start, parse_local, to_dt
from data.domain.vocab import CITY_CODE, unit_text
from data.read.indicators import MAX_POINTS

BAND_OPACITY = 0.2


RANGES = {"24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY}
MAX_CUSTOM_DAYS = 92


def parse_range(key: str | None, start: str | None, end: str | None, now: int) -> tuple[str, int, int, bool]:
    """(range key, start ts, end ts, valid) from URL values; anything invalid falls back to 24 h.

    Custom ranges are whole Shanghai days, start and end inclusive, at most 92 days, not in the future."""
    if key in (None, "", "24h") or key in RANGES:
        key = key or "24h"
        return key, now - RANGES[key], now, True
    if key == "custom":
        try:
            a = parse_local(str(start))
            b = parse_local(str(end))
        except (TypeError, ValueError):
            return "24h", now - DAY, now, False
        a, b = local_day_start(a), min(local_day_start(b) + DAY, now)
        if a < b <= now and b - a <= MAX_CUSTOM_DAYS * DAY:
            return "custom", a, b, True
    return "24h", now - DAY, now, False


def ind_href(code: str, lang: str, **params) -> str:
    return href(f"/indicators/{code}", lang, **params)


def render_catalogue(items: list[dict], lang: str, scope: str | None = None) -> list:
    """One section per category; each indicator a card with value, level (colour and text), freshness.
    For a district or street, a value measured only for a wider area says so (全区 / 全市)."""
    sections, current, cards = [], None, []

    def close():
        if current is not None:
            sections.append(
                html.Section(
                    className="ind-cat",
                    children=[html.H2(t(f"cat_{current}", lang)), html.Div(cards, className="ind-cards")],
                )
            )

    for ind in items:
        if ind["category"] != current:
            close()
            current, cards = ind["category"], []
        late = ind["stale"] or ind["value"] is None
        colour, status = reading_status(ind["level"], late, ind["age_s"], lang)
        cards.append(
            dcc.Link(
                href=ind_href(ind["code"], lang),
                className="ind-card" + (" stale" if late else ""),
                style={"borderLeftColor": colour},
                children=[
                    html.Div([name(ind, lang), *_wider(ind.get("area_code"), scope, lang)], className="ind-card-name"),
                    html.Div(
                        [
                            html.Span(format_value(ind["value"], ind["decimals"]), className="num ind-card-value"),
                            html.Span(unit_text(ind["unit"], lang), className="tile-unit"),
                        ]
                    ),
                    html.Div(
                        [
                            html.Span(status, style={"color": colour}, className="ind-card-status"),
                            html.Span(
                                t("updated_ago", lang, age=format_age(ind["age_s"], lang))
                                if ind["age_s"] is not None and not late
                                else "",
                                className="ind-card-age",
                            ),
                        ]
                    ),
                ],
            )
        )
    close()
    return sections


def with_gaps(points: list[tuple[int, float]], interval: int | None, start: int, end: int) -> list:
    """The points with a (ts, None) wherever readings are missing, so the line breaks there (Plotly does not
    connect over None) instead of joining the hours either side as if they had been measured. A missing
    reading is a step longer than the indicator's interval; on ranges the read layer thins (every k-th
    reading of at most MAX_POINTS), longer than k intervals."""
    if not interval or len(points) < 2:
        return points
    k = max(1, math.ceil((end - start) / interval / (MAX_POINTS - 1)))
    out = [points[0]]
    for ts, v in points[1:]:
        if ts - out[-1][0] > interval * (k + 0.5):
            out.append((out[-1][0] + interval, None))
        out.append((ts, v))
    return out


def lone_markers(points: list, colour: str) -> dict:
    """A line trace's mode and markers: a reading with gaps on both sides has no neighbour to draw a line to,
    so it gets a dot (and only it), instead of vanishing from the chart."""
    ys = [None, *(v for _, v in points), None]
    lone = [ys[i] is not None and ys[i - 1] is None and ys[i + 1] is None for i in range(1, len(ys) - 1)]
    if not any(lone):
        return {"mode": "lines"}
    return {"mode": "lines+markers", "marker": {"color": colour, "size": [6 if x else 0 for x in lone]}}


def history_figure(
    ind: dict, points: list[tuple[int, float]], last_week: list[tuple[int, float]], lang: str, start: int, end: int
) -> go.Figure:
    """The series over [start, end] with the warning bands as coloured stripes behind it and the same
    period last week (shifted forward 7 days) as a dashed line. Plain go objects: no px overhead."""

    def xs(pts, shift=0):
        return [to_dt(ts + shift).replace(tzinfo=None) for ts, _ in pts]

    points = with_gaps(points, ind.get("interval_s"), start, end)
    last_week = with_gaps(last_week, ind.get("interval_s"), start, end)
    fig = go.Figure()
    if last_week:
        fig.add_trace(
            go.Scatter(
                x=xs(last_week, 7 * 86400),
                y=[v for _, v in last_week],
                name=t("series_last_week", lang),
                line={"color": MUTED, "width": 1.5, "dash": "dash"},
                **lone_markers(last_week, MUTED),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=xs(points),
            y=[v for _, v in points],
            name=t("series_now", lang),
            line={"color": ACCENT, "width": 2.2},
            **lone_markers(points, ACCENT),
        )
    )
    values = [v for _, v in points + last_week if v is not None]
    bands = ind.get("bands")
    if bands and values:
        lo, hi = min(values + [bands[0]]), max(values + [bands[0]])
        pad = (hi - lo) * 0.08 or 1
        lo, hi = lo - pad, hi + pad
        up = ind["direction"] == "up"
        edges = list(bands) + [hi if up else lo]
        for i, level in enumerate((4, 3, 2, 1)):  # blue .. red, from each threshold to the next
            a, b = edges[i], edges[i + 1]
            y0, y1 = (a, b) if up else (b, a)
            y0, y1 = max(y0, lo), min(y1, hi)
            if y1 > y0:
                fig.add_hrect(
                    y0=y0,
                    y1=y1,
                    fillcolor=level_colour(level),
                    opacity=BAND_OPACITY,
                    line_width=0,
                    layer="below",
                    annotation_text=level_label(level, lang),
                    annotation_position="top left",
                    annotation_font={"color": level_colour(level), "size": 12},
                )
        fig.update_yaxes(range=[lo, hi])
    title = (
        t("chart_title", lang, name=name(ind, lang), unit=unit_text(ind["unit"], lang))
        if ind["unit"]
        else name(ind, lang)
    )
    fig.update_layout(
        base_layout(
            title,
            420,
            lang,
            hovermode="x unified",
            yaxis={"title": {"text": unit_text(ind["unit"], lang)}},
            xaxis={"range": [to_dt(start).replace(tzinfo=None), to_dt(end).replace(tzinfo=None)]},
        )
    )
    return fig


def render_district_table(rows: list[dict], ind: dict, lang: str) -> html.Table:
    return html.Table(
        className="desk-table",
        children=[
            html.Thead(
                html.Tr([html.Th(t("col_area", lang)), html.Th(t("col_value", lang)), html.Th(t("col_level", lang))])
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(name(r, lang)),
                            html.Td(
                                f"{format_value(r['value'], ind['decimals'])} {unit_text(ind['unit'], lang)}",
                                className="num",
                            ),
                            html.Td(level_tag(r["level"], lang)),
                        ]
                    )
                    for r in sorted(rows, key=lambda r: (r["level"], r["code"]))
                ]
            ),
        ],
    )


def render_raised(warnings: list[dict], names: dict, lang: str):
    return warning_table(
        warnings,
        ("col_level", "col_area", "col_cause", "col_started", "col_ended"),
        lang,
        empty="no_ind_warnings",
        names=names,
    )


def _wider(area_code: str | None, scope: str | None, lang: str) -> list:
    if not scope or not area_code or area_code == scope:
        return []
    return [html.Span(t("tile_city" if area_code == CITY_CODE else "tile_district", lang), className="tile-scope")]
