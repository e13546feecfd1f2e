"""The wall's and the desk's panels say what they count and when things happened: warning rows of every
level, muted zeros, whose data a vital sign is, the day of an earlier time, whole figures, project slips
apart from the area's warnings, and English place names without Chinese brackets."""

from __future__ import annotations

import json

import pytest

from components.area_layout import ranking_rows, render_active
from components.i18n import t
from components.wall_panels import render_incidents, render_legend, render_ticker, render_warnings
from components.wall_readings import clock_text, render_tile, render_weather
from data.domain.names import english_place_name, name
from data.domain.timeutil import parse_local

NOW = parse_local("2026-12-01 11:00")
TODAY, YESTERDAY, EARLIER = (parse_local(d) for d in ("2026-12-01 09:12", "2026-11-30 15:07", "2026-11-29 15:07"))


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def _text(component) -> str:
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def _with_class(tree, css: str) -> list:
    trees = tree if isinstance(tree, list) else [tree]
    return [c for t_ in trees for c in _walk(t_) if css in (getattr(c, "className", None) or "").split()]


def _warning(i: int, level: int, started_at: int, cause: str = "超期未办结事件 11 件") -> dict:
    return {
        "id": i,
        "level": level,
        "area_code": "310115",
        "area": {"zh": "浦东新区", "en": "Pudong New Area"},
        "kind": "overdue",
        "cause_zh": f"{cause} #{i}",
        "cause_en": f"{cause} #{i}",
        "started_at": started_at,
    }


def test_the_panel_lists_every_level_worst_first_and_newest_first_within_a_level():
    rows = [_warning(1, 4, TODAY), _warning(2, 3, TODAY - 60), _warning(3, 4, TODAY + 60), _warning(4, 3, TODAY)]
    _, listed = render_warnings({"by_level": {"3": 2, "4": 2}, "rows": rows, "newest": []}, "zh", NOW)
    order = [_text(r).split("#")[1][0] for r in _with_class(listed, "warn-row")]
    assert order == ["4", "2", "3", "1"]  # yellow before blue; within a colour, the newest first
    levels = [_text(r) for r in _with_class(listed, "warn-tag")]
    assert levels == ["黄色 III", "黄色 III", "蓝色 IV", "蓝色 IV"]


def test_without_rows_the_panel_falls_back_to_the_newest_severe_ones():
    newest = [_warning(1, 2, TODAY), _warning(2, 1, TODAY - 60)]
    _, listed = render_warnings({"by_level": {"1": 1, "2": 1}, "newest": newest}, "zh", NOW)
    assert [_text(tag) for tag in _with_class(listed, "warn-tag")] == ["红色 I", "橙色 II"]
    _, none = render_warnings({"by_level": {"3": 2}, "newest": []}, "zh", NOW)
    assert "当前无红色、橙色预警" in _text(none)  # true of what it lists: red and orange only
    _, none = render_warnings({"by_level": {}, "newest": [], "rows": []}, "en", NOW)
    assert _text(none) == "No active warnings"


def test_a_zero_count_is_muted_and_the_counts_say_they_count_warnings():
    counts, _ = render_warnings({"by_level": {"3": 2, "4": 18}, "newest": []}, "zh", NOW)
    chips = _with_class(counts, "warn-chip")
    assert ["zero" in c.className.split() for c in chips] == [True, True, False, False]
    assert [_text(c) for c in chips] == ["红色 I0", "橙色 II0", "黄色 III2", "蓝色 IV18"]
    assert t("warn_chips_caption", "zh") in _text(counts) and "条" in t("warn_chips_caption", "zh")
    counts, _ = render_warnings({"by_level": {}, "newest": []}, "en", NOW)
    assert "Active warnings per level" in _text(counts)


def test_the_legend_says_which_areas_it_counts_and_writes_each_count_in_its_swatch():
    districts = {"310101": 2, "310104": 4, "310105": 4}
    legend = render_legend(districts, [2, 5], "zh", scope_level=2)
    assert "区域预警等级 · 区数" in _text(legend)
    swatches = {c.className.split()[3]: c for c in _with_class(legend, "legend-n")}
    assert _text(swatches["lvl-4"]) == "2" and _text(swatches["lvl-2"]) == "1"
    assert "zero" in swatches["lvl-1"].className and "zero" not in swatches["lvl-4"].className
    assert "Streets by level" in _text(render_legend({"310101002": 5}, [], "en"))
    assert "网格数" in _text(render_legend({"310101002001": 5}, [], "zh"))


@pytest.mark.parametrize(
    ("when", "zh", "en"),
    [(TODAY, "09:12", "09:12"), (YESTERDAY, "昨天 15:07", "Yesterday 15:07"), (EARLIER, "11-29 15:07", "11-29 15:07")],
)
def test_a_time_of_an_earlier_day_carries_its_day(when, zh, en):
    assert clock_text(when, "zh", NOW) == zh and clock_text(when, "en", NOW) == en
    item = {"at": when, "street": {"zh": "外滩街道", "en": "Waitan"}, "category": "drainage", "subcategory": None,
            "title": "雨水口堵塞", "status": "reported", "priority": 2}  # fmt: skip
    assert _text(render_ticker([item], "zh", NOW)).startswith(zh)  # the ticker: "15:07" read as later today
    _, listed = render_warnings({"by_level": {"3": 1}, "rows": [_warning(1, 3, when)]}, "en", NOW)
    assert _text(_with_class(listed, "warn-time")[0]) == en


def _incidents(**extra) -> dict:
    return {"today": 1080, "yesterday": 1185, "closure_rate_7d": 0.84, "overdue": 3, "by_source": {},
            "by_category": [], "funnel": {"handling": 3783}, "closed_today": 2045, **extra}  # fmt: skip


def test_the_funnel_shows_whole_figures_and_says_closed_today_includes_earlier_reports():
    for lang in ("zh", "en"):
        panel = render_incidents(_incidents(), lang)
        figures = [_text(c) for c in _with_class(panel, "num") if "funnel" in str(c.to_plotly_json()["props"])]
        assert "3783" in figures and "2045" in figures, figures  # not "3.8k"
    assert "含往日上报" in _text(render_incidents(_incidents(), "zh"))
    assert "incl. earlier reports" in _text(render_incidents(_incidents(), "en"))


def test_yesterdays_comparison_breaks_only_between_its_two_parts():
    panel = render_incidents(_incidents(), "zh")
    whole = [_text(c) for c in _with_class(panel, "nowrap")]
    assert whole == ["昨日同期 1,185", "-105 (-9%)"]  # the percentage never stands alone on a line


def _tile(**extra) -> dict:
    return {"code": "congestion", "name_zh": "道路拥堵指数", "name_en": "Congestion index", "unit": "", "decimals": 1,
            "value": 2.6, "level": 5, "stale": True, "age_s": 1200, "series": [1.0, 2.0, 1.5], "bands": None,
            "area_code": "310101", **extra}  # fmt: skip


def test_a_tile_of_a_wider_area_names_it_in_a_badge_of_its_own_not_on_the_status_line():
    street = "310101002"
    named = render_tile(_tile(area={"zh": "黄浦区", "en": "Huangpu District"}), "zh", street)
    badge = _with_class(named, "tile-scope")
    assert [_text(b) for b in badge] == ["黄浦区数据"] and badge[0] in named.children  # a child of the tile
    assert not _with_class(_with_class(named, "tile-status"), "tile-scope")  # not beside "数据延迟 20 分钟"
    assert _text(_with_class(render_tile(_tile(area={"zh": "黄浦区", "en": "Huangpu District"}), "en", street),
                             "tile-scope")) == "Huangpu data"  # fmt: skip
    assert _text(_with_class(render_tile(_tile(area_code="310000"), "en", street), "tile-scope")) == "City data"
    pudong = _tile(area_code="310115", area={"zh": "浦东新区", "en": "Pudong New Area"})
    assert _text(_with_class(render_tile(pudong, "zh", "310115501"), "tile-scope")) == "浦东数据"  # fits a tile
    assert _text(_with_class(render_tile(_tile(), "zh", street), "tile-scope")) == "全区数据"  # no name given
    assert not _with_class(render_tile(_tile(area_code="310000"), "zh", "310000"), "tile-scope")  # the city's own


def test_a_sparkline_is_an_inline_shape_not_an_image():
    """No <img> with an SVG data URI (an image document per distinct series in Blink): the box carries the
    shape, assets/sparkline.js draws it; the browser test checks it spans the tile."""
    tile = render_tile(_tile(), "zh")
    box = _with_class(tile, "tile-spark")[0]
    spark = json.loads(getattr(box, "data-spark"))
    assert spark["points"] and spark["colour"].startswith("#") and not box.children
    assert "Img" not in repr(tile)


def test_no_rain_reads_clear():
    rain = {"code": "rain_1h", "name_zh": "雨量", "name_en": "Rain", "unit": "mm", "decimals": 1, "value": 0.0,
            "stale": False}  # fmt: skip
    assert _text(render_weather([rain], "en")).startswith("Clear")
    assert _text(render_weather([rain], "zh")).startswith("晴")


def test_the_freshness_line_is_about_the_latest_incident():
    assert t("freshness_line", "zh", inc="3 小时前", ind="5 分钟前").startswith("最新事件 3 小时前")
    assert t("freshness_line", "en", inc="3 h ago", ind="5 min ago").startswith("Last incident 3 h ago")


def test_project_slips_are_listed_apart_from_the_areas_warnings_without_a_colour_badge():
    area = dict(_warning(1, 3, NOW - 3600), kind="spike", colours_area=True)
    slip = dict(_warning(2, 1, NOW - 55320, "数据资源中心建设：进度绩效 0.56"), kind="project", colours_area=False)
    legacy_slip = {
        k: v for k, v in dict(slip, id=3, cause_zh="政务云扩容：进度绩效 0.7").items() if k != "colours_area"
    }
    table, title, projects = render_active([slip, area, legacy_slip], NOW, "zh")
    assert "进度绩效" not in _text(table) and "#1" in _text(table)
    assert [_text(b) for b in _with_class(table, "warn-tag")] == ["黄色 III"]  # "red" means what it means on the wall
    assert _text(title) == "项目进度预警（不计入区域颜色）"
    assert "数据资源中心建设" in _text(projects) and "政务云扩容" in _text(projects)  # by kind when no flag
    assert not _with_class(projects, "warn-tag") and "15 小时 22 分" in _text(projects)
    assert len(render_active([area], NOW, "zh")) == 1  # no slips: no second list


def test_english_place_names_are_readable_with_ascii_brackets():
    assert english_place_name("中国（上海）自由贸易试验区（保税片区）") == (
        "China (Shanghai) Pilot Free Trade Zone (Bonded Area)"
    )
    assert english_place_name("金杨新村街道") == "Jinyang Xincun Subdistrict"
    assert english_place_name("南京东路街道") == "Nanjing East Road Subdistrict"
    assert english_place_name("长桥街道") == "Changqiao Subdistrict"
    assert english_place_name("唐镇") == "Tangzhen Town" and english_place_name("曹路镇") == "Caolu Town"
    assert (
        english_place_name("外滩街道") == "Waitan Subdistrict"
        and english_place_name("静安寺街道") == "Jing'ansi Subdistrict"
    )
    stored = {
        "zh": "中国（上海）自由贸易试验区（保税片区）",
        "en": "Zhongguo（Shanghai）Ziyoumaoyishiyanqu（Baoshuipianqu）",
    }
    assert name(stored, "en") == "Zhongguo (Shanghai) Ziyoumaoyishiyanqu (Baoshuipianqu)"  # a city seeded before
    assert name(stored, "zh") == stored["zh"]
    row = {"code": "310115501", "name_zh": stored["zh"], "name_en": stored["en"], "level": 5}
    assert "（" not in ranking_rows([row], "en")[0]["name_en"]  # the ranking grid reads the field itself
