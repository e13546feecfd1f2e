"""Indicator pages' data shaping: range parsing, the catalogue, the history chart, districts, warnings."""

from __future__ import annotations

from components.indicator_views import history_figure, parse_range
from data.domain.scope import CITY
from data.domain.timeutil import DAY, parse_local
from data.read import indicators
from tests.conftest import SMALL_END


def test_range_parsing_accepts_presets_and_whole_day_custom_ranges_only():
    now = SMALL_END
    assert parse_range(None, None, None, now) == ("24h", now - DAY, now, True)
    assert parse_range("7d", None, None, now)[:3] == ("7d", now - 7 * DAY, now)
    key, a, b, ok = parse_range("custom", "2026-11-12", "2026-11-13", now)
    assert (key, ok) == ("custom", True) and a == parse_local("2026-11-12") and b == parse_local("2026-11-14")
    for bad in (
        ("custom", "2026-11-13", "2026-11-12"),
        ("custom", "yesterday", "2026-11-12"),
        ("custom", "2026-01-01", "2026-11-12"),
        ("custom", None, None),
        ("1y", None, None),
    ):
        assert parse_range(*bad, now) == ("24h", now - DAY, now, False), bad
    assert parse_range("custom", "2026-11-19", "2027-01-01", now)[2] == now  # the future is cut at now


def test_catalogue_lists_every_indicator_with_status(small_city, app_for):
    app_for(small_city)
    items = indicators.catalogue_status(CITY, SMALL_END)
    assert len(items) == 40 and items[0]["category"] == "weather"
    stale = {i["code"] for i in items if i["stale"]}
    assert {"water_quality", "crowd_disney"} <= stale  # the seeded broken feeds
    assert all(i["value"] is not None for i in items)


def test_history_chart_draws_bands_behind_and_last_week_shifted(small_city, app_for):
    app_for(small_city)
    ind = indicators.indicator("rain_1h")
    start, end = SMALL_END - 7 * DAY, SMALL_END
    now_pts = indicators.history("rain_1h", CITY, start, end)
    week_pts = indicators.history("rain_1h", CITY, start - 7 * DAY, end - 7 * DAY)
    fig = history_figure(ind, now_pts, week_pts, "zh", start, end)
    assert [t.name for t in fig.data] == ["上周同期", "本期"]
    from data.domain.timeutil import to_dt

    first_shifted = to_dt(week_pts[0][0] + 7 * DAY).replace(tzinfo=None)
    assert fig.data[0].x[0] == first_shifted and first_shifted >= to_dt(start).replace(tzinfo=None)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert rects and all(s.layer == "below" for s in rects)  # the bands sit behind the line
    assert fig.layout.title.text == "小时雨量（mm）"
    assert len(now_pts) <= indicators.MAX_POINTS


def test_districts_and_raised_warnings(small_city, app_for):
    app_for(small_city)
    rows = indicators.by_district("temperature", CITY)
    assert len(rows) == 16 and all(1 <= r["level"] <= 5 for r in rows)
    assert indicators.by_district("humidity", CITY) == []  # a city-wide series
    raised = indicators.raised("rain_1h", CITY)
    assert raised and [w["started_at"] for w in raised] == sorted((w["started_at"] for w in raised), reverse=True)
    assert indicators.indicator("../../x") is None


def test_charts_share_one_layout_and_read_dates_in_the_pages_language():
    from components.chart import ZH_DATE_HOVER, ZH_DATE_TICKS

    ind = {"name_zh": "气温", "name_en": "Temperature", "unit": "", "bands": None, "direction": "up"}
    pts = [(SMALL_END - 3600 * i, 20.0 + i) for i in range(24, 0, -1)]
    zh = history_figure(ind, pts, [], "zh", SMALL_END - DAY, SMALL_END).layout
    en = history_figure(ind, pts, [], "en", SMALL_END - DAY, SMALL_END).layout
    assert zh.paper_bgcolor == en.paper_bgcolor == "rgba(0,0,0,0)" and zh.title.text == "气温"
    assert zh.xaxis.type == "date" and zh.xaxis.hoverformat == ZH_DATE_HOVER
    formats = [s.value for s in zh.xaxis.tickformatstops]
    assert formats == [s["value"] for s in ZH_DATE_TICKS] and all("月" in f or "年" in f for f in formats[:4])
    assert en.xaxis.tickformatstops == () and en.xaxis.hoverformat is None  # English keeps Plotly's own
