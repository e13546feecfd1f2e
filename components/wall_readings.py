"""The wall's readings: vital-sign tiles and the weather line, values formatted and coloured by their band,
and the times of events as a wall reads them."""

from __future__ import annotations

from dash import html

from components.i18n import STRINGS, t
from components.sparkline import sparkline_props
from components.theme import STALE, level_colour, level_label
from data.domain.names import name
from data.domain.timeutil import DAY, local_day_start, now_ts, to_dt
from data.domain.vocab import CITY_CODE, unit_text


def counted(key: str) -> dict:
    """Marks a big number for assets/wall.js, which counts it up to its new value when a refresh changes it."""
    return {"data-count": key}


def rolling(rows: list, css: str) -> html.Div:
    """A list that rolls, a row at a time (assets/wall.js), when it holds more rows than its panel shows."""
    return html.Div(html.Div(rows, className="roll-track"), className=f"{css} roll")


def format_value(value: float | None, decimals: int) -> str:
    """A reading with the catalogue's decimals and thousands separators; an em dash when missing."""
    return "—" if value is None else f"{value:,.{decimals}f}"


def compact(n: int, lang: str) -> str:
    """12,345 -> '1.2万' (zh) / '12.3k' (en) when a number must fit a narrow cell (at most 5 characters);
    below 10,000 the whole figure in both languages (a leader asks about the figure, not its size)."""
    if n < 10_000:
        return str(n)
    if lang == "en":
        return f"{n / 1000:.1f}k" if n < 100_000 else f"{n // 1000}k" if n < 1_000_000 else f"{n / 1_000_000:.1f}M"
    return f"{n / 10_000:.1f}万" if n < 100_000_000 else f"{n / 100_000_000:.1f}亿"


def clock_text(ts: int, lang: str, now: int | None = None) -> str:
    """When something happened, as a wall reads it: '15:07' today, '昨天 15:07' / 'Yesterday 15:07',
    '11-29 15:07' earlier (a bare time of an earlier day reads as later today)."""
    day = local_day_start(now_ts() if now is None else now)
    time = to_dt(ts).strftime("%H:%M")
    if ts >= day:
        return time
    if ts >= day - DAY:
        return t("yesterday_at", lang, time=time)
    return to_dt(ts).strftime("%m-%d %H:%M")


def late_text(age_s: int | None, lang: str) -> str:
    if age_s is None:
        return t("no_reading", lang)
    minutes = age_s // 60
    return t("data_late", lang, n=minutes) if minutes < 120 else t("data_late_h", lang, n=minutes // 60)


def reading_status(level: int, late: bool, age_s: int | None, lang: str) -> tuple[str, str]:
    """A reading's colour and status text: its warning colour and label, or grey and how late it is."""
    return (STALE, late_text(age_s, lang)) if late else (level_colour(level), level_label(level, lang))


def scope_badge(tile: dict, lang: str, scope: str | None) -> list:
    """On a district's or a street's wall, whose reading a tile is when it was measured for a wider area:
    '全市数据', or the district by name ('黄浦区数据' / 'Huangpu data') when the snapshot names it."""
    wider = tile.get("area_code")
    if not scope or not wider or wider == scope:
        return []
    if wider == CITY_CODE:
        return [html.Span(t("tile_data_city", lang), className="tile-scope city")]
    if tile.get("area"):  # the district's short name, so that the tab fits a tile's height: 浦东数据, Huangpu data
        area = name(tile["area"], lang)
        for suffix in (" District", " New Area", "新区"):
            area = area.removesuffix(suffix)
        text = t("tile_data_of", lang, area=area)
    else:
        text = t("tile_data_district", lang)
    return [html.Span(text, className="tile-scope district")]


def render_tile(tile: dict, lang: str, scope: str | None = None) -> html.Div:
    """One vital sign: name, value and unit, a 24 h sparkline across the tile, and its band as colour *and*
    text; on a district's or a street's wall, whose reading it is when a wider area's. A late feed turns
    grey and says how late ("数据延迟 N 分钟") on its own line under the sparkline, never over it."""
    stale = tile["stale"] or tile["value"] is None
    colour, status = reading_status(tile["level"], stale, tile["age_s"], lang)
    return html.Div(
        className=f"tile lvl-{tile['level']}" + (" stale" if stale else ""),
        children=[
            html.Div(name(tile, lang), className="tile-name"),
            html.Div(
                className="tile-reading",
                children=[
                    html.Span(
                        format_value(tile["value"], tile["decimals"]),
                        className="tile-value num",
                        **counted(f"tile-{tile['code']}"),
                    ),
                    html.Span(unit_text(tile["unit"], lang), className="tile-unit"),
                ],
            ),
            # the line fills a box of its own: a wrapped name or unit makes it lower, never narrower
            html.Div(
                html.Div(className="tile-spark", **sparkline_props(tile["series"], colour, tile.get("bands"))),
                className="tile-spark-box",
            ),
            html.Div(html.Span(status, className="tile-status-text", style={"color": colour}), className="tile-status"),
            *scope_badge(tile, lang, scope),  # a tab down the tile's right edge: it takes no line from the sparkline
        ],
    )


def render_weather(weather: list[dict], lang: str) -> list:
    """The header's weather line: a condition word from the rainfall, then each configured reading."""
    by_code = {w["code"]: w for w in weather}
    items = []
    rain = by_code.get("rain_1h", {}).get("value")
    if rain is not None:
        word = (
            "wx_clear"
            if rain < 0.1
            else "wx_light_rain"
            if rain < 2.5
            else "wx_rain"
            if rain < 8
            else "wx_heavy_rain"
            if rain < 16
            else "wx_rainstorm"
        )
        items.append(html.Span(t(word, lang), className="wx-cond"))
    for w in weather:
        if w["value"] is None:
            continue
        key = f"wx_{w['code']}"
        label = t(key, lang) if key in STRINGS else (name(w, lang))
        items.append(
            html.Span(
                [
                    f"{label} ",
                    html.B(format_value(w["value"], w["decimals"]), className="num"),
                    f" {unit_text(w['unit'], lang)}",
                ],
                className="wx-item" + (" stale" if w["stale"] else ""),
            )
        )
    return items


def day_delta(today: int, yday: int) -> str:
    """Today against yesterday at this hour: '+12 (+3%)' (no share when yesterday had none)."""
    diff = today - yday
    return f"{diff:+,}" + (f" ({diff / yday:+.0%})" if yday else "")
