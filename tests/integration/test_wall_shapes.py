"""The command wall at every wall shape it is hung on (16:9 at 1080p and 4K, 32:9, 48:9 LED), loaded
directly at that size in a real headless Chromium: one screen, no scrolling, no panel over another, the
city filling its map with the legend beside it, labels apart, figures big enough to read from ten metres,
and every warning row showing its whole cause."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from data.domain.timeutil import now_ts
from data.rules.engine import indicator_cause
from tests.conftest import ARTIFACTS, ROOT, make_app
from tests.integration.test_wall import DISTRICT_FILLS, SETTLED, _open, _wall_ready

pytestmark = pytest.mark.browser

SHAPES = [(1920, 1080), (3840, 2160), (3840, 1080), (7680, 2160), (5760, 1080)]

# the wall's primary figures: today's incidents, the closure rate and overdue count, the loop funnel,
# the warning counts, the project counts and the vital signs' readings
PRIMARY = ".wall .big-number, .wall .mid-number, .wall .funnel-step .num, .wall .warn-chip .num, .wall .tile-value"

# severe warnings (red, orange) with causes as the rules word them, the newest last: the wall lists the
# most severe first, so all of these are among its rows
OVERDUE = ("超期未办结事件 {n} 件，占在办 {p}%", "{n} incidents past their deadline, {p}% of open ones")
WARNINGS = [
    (2, "310109", "inner_river_level", 3.62),  # 虹口区
    (2, "310115131", "overdue", (15, 30)),  # 惠南镇
    (1, "310106", "rain_1h", 55.0),  # 静安区
    (2, "310115501", "overdue", (17, 35)),  # the free-trade zone: the longest name in the city
    (1, "310115", "river_level", 5.12),  # 浦东新区
]

# the warning rows: their text, whether each is whole in view (a rolling list clips the row its foot would
# cut), partly in view, or cut inside (scrolled, ellipsis, clamped)
ROWS = """
const list = document.querySelector('#wall-warnings .warn-list'), lb = list.getBoundingClientRect();
const clip = list.dataset.roll ? parseFloat(list.style.getPropertyValue('--roll-clip')) || 0 : 0;
const foot = lb.bottom - clip;
return [...list.querySelectorAll('.warn-row')].map(r => {
  const b = r.getBoundingClientRect(), parts = [r, ...r.querySelectorAll('.warn-text, .warn-cause')];
  return {text: r.textContent, inside: b.top >= lb.top - 1 && b.bottom <= foot + 1,
          partial: b.bottom > lb.top + 1 && b.top < foot - 1 && (b.top < lb.top - 1 || b.bottom > foot + 1),
          cut: parts.some(e => { const s = getComputedStyle(e);
            return e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1
              || (s.textOverflow === 'ellipsis' && s.overflowX !== 'visible') || s.webkitLineClamp !== 'none'; })};
});
"""

MEASURE = (
    """
const W = window.innerWidth, H = window.innerHeight;
const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
const shown = e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return s.visibility !== 'hidden' && s.display !== 'none' && +s.opacity > 0 && r.width > 0 && r.height > 0; };
const out = {fits: [document.documentElement.scrollWidth <= W, document.documentElement.scrollHeight <= H]};
out.panels = [...document.querySelectorAll('.wall-header, .wall-panel, .wall-ticker')].map(e => ({
  name: e.className, box: box(e), cut: e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1}));
out.figures = [...document.querySelectorAll(arguments[0])].filter(shown).map(e => parseFloat(getComputedStyle(e).fontSize));
out.tiles_cut = [...document.querySelectorAll('#wall-tiles .tile')].filter(t =>
  [t, ...t.querySelectorAll('.tile-name, .tile-reading, .tile-unit, .tile-value, .tile-status-text')].some(e => e.scrollWidth > e.clientWidth + 1
    || getComputedStyle(e).textOverflow === 'ellipsis')
  || t.scrollHeight > t.clientHeight + 1).map(t => t.textContent);
// the city as drawn: the areas canvas's painted pixels inside the map, and the share the legend hides
const m = document.getElementById('wall-map').getBoundingClientRect();
const cv = document.querySelector('.leaflet-areas-pane canvas'), c = cv.getBoundingClientRect();
const lg = document.getElementById('wall-legend').getBoundingClientRect();
const x0 = Math.max(c.left, m.left), y0 = Math.max(c.top, m.top);
const x1 = Math.min(c.right, m.right), y1 = Math.min(c.bottom, m.bottom);
const sx = cv.width / c.width, sy = cv.height / c.height;
const img = cv.getContext('2d').getImageData(Math.round((x0 - c.left) * sx), Math.round((y0 - c.top) * sy),
  Math.round((x1 - x0) * sx), Math.round((y1 - y0) * sy));
let city = 0, hidden = 0, bx0 = 1e9, by0 = 1e9, bx1 = -1e9, by1 = -1e9;
for (let py = 0; py < img.height; py += 3) {
  for (let px = 0; px < img.width; px += 3) {
    if (img.data[(py * img.width + px) * 4 + 3] === 0) { continue; }
    const x = x0 + px / sx, y = y0 + py / sy;
    city += 1;
    if (x >= lg.left && x <= lg.right && y >= lg.top && y <= lg.bottom && lg.width > 0) { hidden += 1; }
    bx0 = Math.min(bx0, x); by0 = Math.min(by0, y); bx1 = Math.max(bx1, x); by1 = Math.max(by1, y);
  }
}
out.legend_hides = city ? hidden / city : 1;
out.city_fill = city ? (bx1 - bx0) * (by1 - by0) / (m.width * m.height) : 0;
out.labels = [...document.querySelectorAll('.wall .area-label')].filter(shown).map(e => [e.textContent, box(e)]);
out.rows = (() => {"""
    + ROWS
    + """})();
return out;
"""
)

# a rolling list's next step, and its rows then
STEP = "cityops.wall.rollStep();" + ROWS


def _add_warnings(url: str) -> list[tuple[str, str]]:
    """Open WARNINGS now (through the table the rules engine writes); returns their (zh, en) causes."""
    from sqlalchemy import insert

    from data.rules.config import load_catalog
    from data.store.db import bump_versions, get_engine, write_session
    from data.store.models import Warning

    catalog = load_catalog(str(ROOT / "data" / "rules" / "catalog.yaml"))
    causes, now = [], now_ts()
    with write_session(get_engine(url)) as s:
        for i, (level, area, subject, value) in enumerate(WARNINGS):
            if subject == "overdue":
                n, p = value
                zh, en = (text.format(n=n, p=p) for text in OVERDUE)
                kind, rule, value = "overdue", "overdue-backlog", p / 100
            else:
                zh, en = indicator_cause(catalog.indicator(subject), value, level)
                kind, rule = "indicator", "indicator-bands"
            s.execute(
                insert(Warning).values(
                    level=level,
                    area_code=area,
                    kind=kind,
                    subject=subject,
                    rule_id=rule,
                    value=value,
                    cause_zh=zh,
                    cause_en=en,
                    started_at=now - (len(WARNINGS) - 1 - i),  # newer than the seeded city's
                )
            )
            causes.append((zh, en))
        bump_versions(s, "warnings")
    return causes


def _overlap(a: list[float], b: list[float]) -> float:
    """The area two boxes (left, top, right, bottom) share, in square pixels."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _reads_right(dash_duo, width: int, height: int, causes: list[str], rows_at_once: int) -> None:
    """Every check of one shape, on the wall as it stands."""
    got = dash_duo.driver.execute_script(MEASURE, PRIMARY)
    assert got["fits"] == [True, True]  # no scrollbars
    panels = got["panels"]
    for p in panels:
        left, top, right, bottom = p["box"]
        assert left >= 0 and top >= 0 and right <= width + 0.5 and bottom <= height + 0.5, p["name"]
        assert not p["cut"], f"content cut in {p['name']}"
    for i, a in enumerate(panels):
        for b in panels[i + 1 :]:
            assert _overlap(a["box"], b["box"]) < 1, (a["name"], b["name"])
    assert got["tiles_cut"] == []  # every vital sign shows its whole name, value and unit
    assert min(got["figures"]) >= height / 40, sorted(got["figures"])[:3]
    assert got["legend_hides"] < 0.01  # the legend hides none of the city
    assert got["city_fill"] > 0.5  # the city fills its map: no field of empty navy beside it
    labels = got["labels"]
    assert len(labels) >= 16
    for i, (name_a, a) in enumerate(labels):
        for name_b, b in labels[i + 1 :]:
            assert _overlap(a, b) < 4, (name_a, name_b)  # district names apart, readable
    rows = got["rows"]
    assert len(rows) >= len(causes)  # all five newest severe warnings (and the city's others): none left off
    for cause in causes:
        assert any(cause in r["text"] for r in rows), cause  # the whole sentence, in the row
    assert not [r["text"] for r in rows if r["cut"]]  # no ellipsis, nothing clipped inside a row
    assert not [r["text"] for r in rows if r["partial"]]  # no row half in view
    assert sum(r["inside"] for r in rows) >= rows_at_once
    seen = {i for i, r in enumerate(rows) if r["inside"]}
    for _ in range(2 * len(rows)):
        if len(seen) == len(rows):
            break
        stepped = dash_duo.driver.execute_script(STEP)
        assert not [r["text"] for r in stepped if r["partial"]]
        seen |= {i for i, r in enumerate(stepped) if r["inside"]}
    assert len(seen) == len(rows)  # each row comes into full view in turn


# how many warning rows each shape shows at once: two on a 16:9 wall (the rest roll), all on the wide ones
AT_ONCE = {(1920, 1080): 2, (3840, 2160): 2, (3840, 1080): 5, (7680, 2160): 5, (5760, 1080): 5}


@pytest.mark.parametrize(("width", "height"), SHAPES, ids=[f"{w}x{h}" for w, h in SHAPES])
def test_wall_reads_right_at_every_wall_shape(dash_duo, live_copy, width, height):
    causes = [zh for zh, _en in _add_warnings(live_copy)]
    _at_rest(dash_duo)
    _open(dash_duo, make_app(live_copy), "/wall", width, height)
    _wall_ready(dash_duo)
    until(lambda: len(dash_duo.find_elements("#wall-warnings .warn-row")) >= len(causes), timeout=20)
    _settled(dash_duo)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / f"wall-shape-{width}x{height}.png"))
    _reads_right(dash_duo, width, height, causes, AT_ONCE[width, height])
    assert dash_duo.get_logs() == []


def test_english_wall_reads_right_at_1080p(dash_duo, live_copy):
    causes = [en for _zh, en in _add_warnings(live_copy)]
    _at_rest(dash_duo)
    _open(dash_duo, make_app(live_copy), "/wall?lang=en", 1920, 1080)
    _wall_ready(dash_duo)
    until(lambda: len(dash_duo.find_elements("#wall-warnings .warn-row")) >= len(causes), timeout=20)
    _settled(dash_duo)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / "wall-shape-en-1920x1080.png"))
    _reads_right(dash_duo, 1920, 1080, causes, 1)
    assert dash_duo.get_logs() == []


def _at_rest(dash_duo) -> None:
    """No motion (prefers-reduced-motion): rolling rows step without sliding and numbers do not count, so
    every measurement sees the wall at rest."""
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )


def _settled(dash_duo) -> None:
    """Waits until the map is in its warning colours (Pudong, with a red warning, drawn red) and it and its
    labels have stopped moving."""

    def pudong_red() -> bool:
        fills = dash_duo.driver.execute_script(DISTRICT_FILLS) or {}
        rgb = fills.get("浦东新区") or fills.get("Pudong New Area")
        return bool(rgb) and rgb[0] > 1.5 * max(rgb[1], rgb[2])

    until(pudong_red, timeout=15)
    dash_duo.driver.set_script_timeout(15)
    assert dash_duo.driver.execute_async_script(SETTLED, False)
