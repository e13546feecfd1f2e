"""The wall's readings: vital-sign tiles and the weather line, values formatted and coloured by their band."""

from __future__ import annotations

from dash import html

from components.i18n import STRINGS, t
from components.sparkline import sparkline_svg
from components.theme import STALE, level_colour, level_label
from data.domain.names import lang_index, name
from data.domain.vocab import CITY_CODE, unit_text


def format_value(value: float | None, decimals: int) -> str:
    """A reading with the catalogue's decimals and thousands separators; an em dash when missing."""
    return "—" if value is None else f"{value:,.{decimals}f}"


def compact(n: int, lang: str) -> str:
    """12,345 -> '1.2万' (zh) / '12.3k' (en) when a number must fit a narrow cell (at most 5 characters)."""
    if n < 1_000:
        return str(n)
    if lang == "en":
        return f"{n / 1000:.1f}k" if n < 1_000_000 else f"{n / 1_000_000:.1f}M"
    if n < 10_000:
        return str(n)
    return f"{n / 10_000:.1f}万" if n < 100_000_000 else f"{n / 100_000_000:.1f}亿"


def late_text(age_s: int | None, lang: str) -> str:
    if age_s is None:
        return t("no_reading", lang)
    minutes = age_s // 60
    return t("data_late", lang, n=minutes) if minutes < 120 else t("data_late_h", lang, n=minutes // 60)


def reading_status(level: int, late: bool, age_s: int | None, lang: str) -> tuple[str, str]:
    """A reading's colour and status text: its warning colour and label, or grey and how late it is."""
    return (STALE, late_text(age_s, lang)) if late else (level_colour(level), level_label(level, lang))


def render_tile(tile: dict, lang: str, scope: str | None = None) -> html.Div:
    """One vital sign: name, value and unit, 24 h sparkline, and its band as colour *and* text.
    A late feed turns grey and says how late ("数据延迟 N 分钟"). On a district's or a street's wall, a
    reading measured only for a wider area says so ("全市" / "全区"), so nobody reads it as local."""
    stale = tile["stale"] or tile["value"] is None
    colour, status = reading_status(tile["level"], stale, tile["age_s"], lang)
    wider = tile.get("area_code")
    # the tag sits on the status line, which has room, so that the name keeps its line
    tag = (
        [html.Span(t("tile_city" if wider == CITY_CODE else "tile_district", lang), className="tile-scope")]
        if scope and wider and wider != scope
        else []
    )
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
                        **{"data-count": f"tile-{tile['code']}"},  # counted up by assets/wall.js
                    ),
                    html.Span(unit_text(tile["unit"], lang), className="tile-unit"),
                ],
            ),
            html.Img(src=sparkline_svg(tile["series"], colour, tile.get("bands")), className="tile-spark", alt=""),
            html.Div(
                [html.Span(status, className="tile-status-text", style={"color": colour}), *tag],
                className="tile-status",
            ),
        ],
    )


def render_weather(weather: list[dict], lang: str) -> list:
    """The header's weather line: a condition word from the rainfall, then each configured reading."""
    by_code = {w["code"]: w for w in weather}
    items = []
    rain = by_code.get("rain_1h", {}).get("value")
    if rain is not None:
        condition = (
            ("晴", "Dry")
            if rain < 0.1
            else ("小雨", "Light rain")
            if rain < 2.5
            else ("中雨", "Rain")
            if rain < 8
            else ("大雨", "Heavy rain")
            if rain < 16
            else ("暴雨", "Rainstorm")
        )
        items.append(html.Span(condition[lang_index(lang)], className="wx-cond"))
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
