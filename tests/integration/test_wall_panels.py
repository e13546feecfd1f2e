"""The wall's and the desk's panels in a real headless Chromium, as a leader reads them: a vital sign of a
wider area says whose it is, big enough to read, and its sparkline runs across the tile with nothing
over it; a zero count is quiet and the counts say what they count; the English legend keeps the map its
size; a duration stays on one line; English names carry no Chinese brackets."""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until
from sqlalchemy import insert, update

from components.theme import STALE
from data.domain.timeutil import now_ts
from data.store.db import bump_versions, get_engine, write_session
from data.store.models import LatestReading, Warning
from tests.conftest import ARTIFACTS, make_app
from tests.integration.test_wall import _viewport

pytestmark = pytest.mark.browser

# per tile: its badge (text, font size in px), whether the sparkline's box lies clear above the status
# line, the share of the tile's content width that box spans, and whether the tile or its badge overflows
TILES = """
return [...document.querySelectorAll('#wall-tiles .tile')].map(tile => {
  const box = tile.querySelector('.tile-spark').getBoundingClientRect();
  const status = tile.querySelector('.tile-status-text').getBoundingClientRect();
  const badge = tile.querySelector('.tile-scope');
  return {name: tile.querySelector('.tile-name').textContent,
          badge: badge ? [badge.textContent, parseFloat(getComputedStyle(badge).fontSize)] : null,
          clear: box.bottom <= status.top + 0.5 && box.height > 0,
          spans: box.width / tile.querySelector('.tile-name').getBoundingClientRect().width,
          cut: tile.scrollHeight > tile.clientHeight + 1 || (!!badge && badge.scrollHeight > badge.clientHeight + 1)};
});
"""
# the share of each sparkline's box its drawn line spans, read from a screenshot of the page (arguments[0],
# PNG in base64): the columns with a pixel unlike the box's commonest colour
DRAWN = """
const [png, done] = arguments, img = new Image();
img.onload = () => {
  const c = document.createElement('canvas'), ctx = c.getContext('2d'), k = img.width / innerWidth;
  c.width = img.width; c.height = img.height;
  ctx.drawImage(img, 0, 0);
  done([...document.querySelectorAll('#wall-tiles .tile-spark')].map(e => {
    const b = e.getBoundingClientRect(), w = Math.max(1, Math.round(b.width * k)), h = Math.max(1, Math.round(b.height * k));
    const px = ctx.getImageData(Math.round(b.left * k), Math.round(b.top * k), w, h).data, seen = {};
    for (let i = 0; i < px.length; i += 4) { const rgb = px.slice(i, i + 3).join(); seen[rgb] = (seen[rgb] || 0) + 1; }
    const bg = Object.entries(seen).sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
    let lo = w, hi = -1;
    for (let x = 0; x < w; x++) {
      for (let y = 0; y < h; y++) {
        const i = (y * w + x) * 4;
        if (Math.abs(px[i] - bg[0]) + Math.abs(px[i + 1] - bg[1]) + Math.abs(px[i + 2] - bg[2]) > 60) {
          lo = Math.min(lo, x); hi = Math.max(hi, x); break;
        }
      }
    }
    return hi < lo ? 0 : (hi - lo + 1) / w;
  }));
};
img.src = 'data:image/png;base64,' + png;
"""


def _feeds_late(url: str, seconds: int = 1200) -> None:
    """Every vital sign's newest reading `seconds` older: each tile turns grey and says how late it is."""
    with write_session(get_engine(url)) as s:
        s.execute(update(LatestReading).values(ts=LatestReading.ts - seconds))
        bump_versions(s, "readings")


@pytest.mark.parametrize(("lang", "suffix"), [("zh", "数据"), ("en", " data")])
def test_a_street_walls_vital_signs_say_whose_they_are_and_keep_whole_sparklines(dash_duo, live_copy, lang, suffix):
    _feeds_late(live_copy)  # the longest status line ("数据延迟 20 分钟") under each sparkline
    dash_duo.start_server(make_app(live_copy), user="t-operator")  # a street of 黄浦区
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall" + ("?lang=en" if lang == "en" else ""))
    dash_duo.wait_for_element("#wall-tiles .tile .tile-scope", timeout=20)
    dash_duo.wait_for_element("#wall-map .leaflet-pane", timeout=20)
    until(lambda: "stale" in dash_duo.find_element("#wall-tiles .tile").get_attribute("class"), timeout=10)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / f"wall-panels-street-{lang}-1920x1080.png"))
    tiles = dash_duo.driver.execute_script(TILES)
    dash_duo.driver.set_script_timeout(10)
    drawn = dash_duo.driver.execute_async_script(DRAWN, dash_duo.driver.get_screenshot_as_base64())
    assert len(tiles) == 12
    for tile, share in zip(tiles, drawn):
        text, size = tile["badge"]  # a street measures none of them: each is its district's or the city's
        assert text.endswith(suffix) and size >= 1080 / 54 - 0.5, tile  # as big as any text on the wall
        assert tile["clear"] and not tile["cut"], tile  # nothing drawn over the sparkline, nothing cut off
        assert tile["spans"] > 0.95 and share > 0.9, (tile, share)  # the line runs across the tile
    assert dash_duo.get_logs() == []


# each tile's sparkline: how many <svg> its box holds, its line's points and colour; and any <img> in the tiles
SPARKS = """
const boxes = [...document.querySelectorAll('#wall-tiles .tile-spark')];
return {imgs: document.querySelectorAll('#wall-tiles img').length,
        lines: boxes.map(b => { const svg = b.querySelector('svg'), line = svg && svg.querySelector('polyline');
          return svg && [b.querySelectorAll('svg').length, line.getAttribute('points'), line.getAttribute('stroke')]; })};
"""


def _documents(driver) -> int:
    """The page's live documents after a full garbage collection: the page's own (3 here: the page and the
    SVG icons its style sheets name), plus one per distinct SVG image shown by an <img>."""
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    return driver.execute_cdp_cmd("Memory.getDOMCounters", {})["documents"]


def test_a_sparkline_is_redrawn_in_place_and_a_new_series_adds_no_document(dash_duo, live_copy):
    """The soak's city wall grew by image documents: each sparkline was an <img> with an SVG data URI, and
    Blink gives every distinct one a page and a document. Now a new series is an inline <svg>'s attributes."""
    dash_duo.start_server(make_app(live_copy, REFRESH_SECONDS=1), user="t-leader")
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    until(lambda: all(dash_duo.driver.execute_script(SPARKS)["lines"] or [None]), timeout=20)
    first = dash_duo.driver.execute_script(SPARKS)
    docs = _documents(dash_duo.driver)
    assert first["imgs"] == 0 and len(first["lines"]) == 12 and docs < 12, (first, docs)
    assert all(points.count(",") >= 2 and stroke.startswith("#") for _m, points, stroke in first["lines"]), first
    _feeds_late(live_copy, 6 * 3600)  # every tile turns grey (hourly feeds too): each is sent again, a new colour
    until(lambda: {s for _m, _p, s in dash_duo.driver.execute_script(SPARKS)["lines"]} == {STALE}, timeout=15)
    then = dash_duo.driver.execute_script(SPARKS)
    assert [n for n, _p, _s in then["lines"]] == [1] * 12  # one <svg> a box, however often it is drawn
    assert then["imgs"] == 0 and _documents(dash_duo.driver) == docs
    assert dash_duo.get_logs() == []


MAP_AREAS = """
try {
  const h = window.dash_component_api.getLayout('wall-areas').props.hideout || {};
  return {held: window.cityops.wall.heldAreas('wall-areas'), rev: h.rev || 0, levels: h.levels || {}};
} catch (e) { return {held: 0, rev: 0, levels: {}}; }  // the wall is not drawn yet
"""


def test_a_recoloured_map_lets_go_of_its_old_areas(dash_duo, live_copy):
    """The soak's city wall grew by 0.9 MB whenever a district's colour changed: dash-leaflet draws every
    area anew on a new hideout, and assets/wall.js kept the old ones. It now holds what is on the map."""
    dash_duo.start_server(make_app(live_copy, REFRESH_SECONDS=1), user="t-leader")
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    until(lambda: dash_duo.driver.execute_script(MAP_AREAS)["rev"] > 0, timeout=20)  # the districts in colour
    first = dash_duo.driver.execute_script(MAP_AREAS)
    assert len(first["levels"]) == 16, first
    for level, code in enumerate(("310101", "310104", "310105"), start=2):  # three recolourings by the server
        with write_session(get_engine(live_copy)) as s:
            s.execute(
                insert(Warning).values(level=level, area_code=code, kind="spike", subject="drainage",
                                       rule_id="incident-spike", value=3.0, cause_zh="测试", cause_en="test",
                                       started_at=now_ts())
            )  # fmt: skip
            bump_versions(s, "warnings")
        until(lambda c=code, lv=level: dash_duo.driver.execute_script(MAP_AREAS)["levels"].get(c) == lv, timeout=20)
    time.sleep(2)  # the last recolouring drawn
    then = dash_duo.driver.execute_script(MAP_AREAS)
    assert then["rev"] > first["rev"], (first, then)
    assert then["held"] == 16, (first, then)  # was 16 more per recolouring: 80 here
    assert dash_duo.get_logs() == []


def _end_severe_warnings(url: str) -> None:
    """End every red and orange warning, so that the wall counts zero of each."""
    with write_session(get_engine(url)) as s:
        s.execute(update(Warning).where(Warning.level <= 2, Warning.ended_at.is_(None)).values(ended_at=now_ts()))
        bump_versions(s, "warnings")


COUNTS = """
const q = s => document.querySelector(s), box = e => e.getBoundingClientRect();
const chips = [...document.querySelectorAll('#wall-warnings .warn-chip')].map(c =>
  [c.textContent, getComputedStyle(c).backgroundColor, c.classList.contains('zero')]);
const tops = [...document.querySelectorAll('#wall-legend .legend-title, #wall-legend .legend-row')]
  .filter(e => e.getClientRects().length).map(e => box(e).top).sort((a, b) => a - b);
const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;  // items a pixel apart share a line
const caption = q('#wall-warnings .warn-caption');
return {chips, caption: caption && caption.textContent,
        caption_in_title: !!caption && box(caption).bottom <= box(q('#wall-warnings .warn-chips')).top,
        legend_title: q('#wall-legend .legend-title').textContent, legend_lines: lines,
        funnel: [...document.querySelectorAll('#wall-incidents .funnel-step .num')].map(e => e.textContent),
        freshness: q('#wall-freshness').textContent};
"""


@pytest.mark.parametrize(("lang", "lines"), [("zh", 3), ("en", 4)])
def test_the_city_walls_counts_say_what_they_count_and_a_zero_is_quiet(dash_duo, live_copy, lang, lines):
    _end_severe_warnings(live_copy)
    dash_duo.start_server(make_app(live_copy), user="t-leader")
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall" + ("?lang=en" if lang == "en" else ""))
    dash_duo.wait_for_element("#wall-warnings .warn-chip", timeout=20)
    dash_duo.wait_for_element("#wall-legend .legend-title", timeout=20)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / f"wall-panels-city-{lang}-1920x1080.png"))
    got = dash_duo.driver.execute_script(COUNTS)
    red, orange = got["chips"][:2]
    assert red[0].endswith("0") and orange[0].endswith("0")
    assert red[1] != "rgb(229, 57, 53)" and orange[1] != "rgb(251, 140, 0)"  # a zero is not a block of red
    assert red[2] and orange[2]
    assert got["caption"] == ("各等级生效预警（条）" if lang == "zh" else "Active warnings per level")
    assert got["caption_in_title"]  # beside the panel's title, taking no line from the rows
    assert got["legend_title"] == ("区域预警等级 · 区数" if lang == "zh" else "Districts by level")  # not warnings
    assert got["legend_lines"] <= lines  # the English legend, too, leaves the map its size
    assert all(n.isdigit() for n in got["funnel"]), got["funnel"]  # 3783, not 3.8k
    assert got["freshness"].startswith("最新事件" if lang == "zh" else "Last incident")
    assert dash_duo.get_logs() == []


# the area's warnings table (level, area, cause, open for): each row's lines in its last cell, its cause's width
DESK_CELLS = """
const lines = td => {  // the lines its text takes: the distinct tops of the text's boxes
  const range = document.createRange();
  range.selectNodeContents(td);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
};
const rows = [...document.querySelectorAll('#area-active table')[0].querySelectorAll('tbody tr')];
return rows.map(r => [r.textContent, lines(r.cells[r.cells.length - 1]), r.cells[2].getBoundingClientRect().width]);
"""


def test_the_desks_durations_stay_on_one_line_and_causes_wrap_on_a_phone(dash_duo, live_copy):
    cause = "近1小时事件 9 件，为基线 2.7 件的 3.3 倍，持续高于黄色预警阈值，请街镇城运中心在 1 小时内响应处置"
    with write_session(get_engine(live_copy)) as s:  # open for 15 h 22 min: "15 小时 22 分" broke in two
        s.execute(
            insert(Warning).values(level=3, area_code="310115", kind="spike", subject="drainage", rule_id="incident-spike",
                                   value=3.3, cause_zh=cause, cause_en=cause, started_at=now_ts() - 55_320)
        )  # fmt: skip
        bump_versions(s, "warnings")
    dash_duo.start_server(make_app(live_copy), user="t-leader")
    for width, height in ((1920, 1080), (390, 844)):
        _viewport(dash_duo, width, height)
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/area/310115")
        dash_duo.wait_for_contains_text("#area-active", "15 小时 22 分", timeout=20)
        dash_duo.driver.execute_script("document.getElementById('area-active').scrollIntoView()")
        dash_duo.driver.save_screenshot(str(ARTIFACTS / f"wall-panels-desk-active-{width}x{height}.png"))
        rows = dash_duo.driver.execute_script(DESK_CELLS)
        assert rows and all(n == 1 for _text, n, _w in rows), rows
        if width < 600:  # the cause wraps in its cell instead of running the table off the phone's screen
            assert all(w < width for _text, _n, w in rows), rows
    assert dash_duo.get_logs() == []


def test_english_names_on_the_desk_carry_no_chinese_brackets(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-leader")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/area/310115501?lang=en")  # the free-trade zone
    dash_duo.wait_for_contains_text(".area-page h1", "Shanghai", timeout=20)
    shown = [dash_duo.find_element(".area-page h1").text, dash_duo.find_element(".breadcrumbs").text]
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/area/310115?lang=en")
    dash_duo.wait_for_element("#area-ranking .ag-row", timeout=20)
    names = dash_duo.driver.execute_script(
        "const out = []; dash_ag_grid.getApi('area-ranking').forEachNode(n => out.push(n.data.name_en)); return out;"
    )
    assert any("Shanghai" in n for n in names), names
    assert not [s for s in [*shown, *names] if "（" in s or "）" in s], shown
    assert dash_duo.get_logs() == []
