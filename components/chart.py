"""One look for every Plotly figure: the dark theme on a transparent page, the title and legend
placement, the grid, date axes that read in the page's language, and the Graph config that makes
Plotly's own words (the modebar's tooltips) Chinese.

The zh-CN locale is served from assets/plotly-locale-zh-cn.js; its month names are bare numerals
("十一"), so Chinese date ticks and hovers are formatted here (11月14日, 2026年11月). English keeps
Plotly's own formats and words."""

from __future__ import annotations

from components.theme import BORDER, FONT, TEXT

MINUTE, DAY = 60_000, 86_400_000  # Plotly measures a date axis' tick spacing (dtick) in ms, months as "M1"
# by tick spacing, coarsest first: Plotly takes the first stop whose range holds the spacing (ends included)
ZH_DATE_TICKS = [
    {"dtickrange": ["M12", None], "value": "%Y年"},
    {"dtickrange": ["M1", "M12"], "value": "%Y年%-m月"},
    {"dtickrange": [DAY, "M1"], "value": "%-m月%-d日"},
    {"dtickrange": [MINUTE, DAY], "value": "%H:%M<br>%-m月%-d日"},
    {"dtickrange": [None, MINUTE], "value": "%H:%M:%S"},
]
ZH_DATE_HOVER = "%Y年%-m月%-d日 %H:%M"
CLEAR = "rgba(0,0,0,0)"
LEGEND_ROOM = 30  # px under the x axis' ticks for the legend's row


ZH_LOCALE = "zh-CN"  # registered by assets/plotly-locale-zh-cn.js


def graph_config(lang: str, **config) -> dict:
    """A dcc.Graph config: the modebar in the page's language (Plotly's default locale is English),
    without Plotly's logo or its "Share chart..." button (which would post the chart to Plotly's cloud);
    keywords add to or override it."""
    return {"displaylogo": False, "showSendToCloud": False, **({} if lang == "en" else {"locale": ZH_LOCALE}), **config}


def date_axis(lang: str, **axis) -> dict:
    """A date axis on the house grid, its ticks and hovers in Chinese unless the page is in English."""
    out = {"type": "date", "gridcolor": BORDER}
    if lang != "en":
        out.update(tickformatstops=ZH_DATE_TICKS, hoverformat=ZH_DATE_HOVER)
    return {**out, **axis}


def base_layout(
    title: str,
    height: int,
    lang: str,
    *,
    left: int = 60,
    top: int = 50,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout,
) -> dict:
    """The layout every figure starts from (pass it to fig.update_layout): a left-aligned title, the
    legend centred along the figure's foot (above the plot it ran into the title on a phone), the dark
    palette and font, a date x axis and a y axis on the grid. xaxis/yaxis add to (or override) those
    axes; other keywords are layout properties of the figure."""
    return {
        "title": {"text": title, "x": 0.01},
        "height": height,
        "paper_bgcolor": CLEAR,
        "plot_bgcolor": CLEAR,
        "font": {"color": TEXT, "family": FONT},
        "margin": {"l": left, "r": 20, "t": top, "b": 40 + LEGEND_ROOM},
        "legend": {"orientation": "h", "x": 0.5, "xanchor": "center", "yref": "container", "y": 0, "yanchor": "bottom"},
        "xaxis": date_axis(lang, **(xaxis or {})),
        "yaxis": {"gridcolor": BORDER, **(yaxis or {})},
        **layout,
    }
