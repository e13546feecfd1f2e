"""The maps do not mislead, in a real headless Chromium: every area's name stands on its own area on every
load (never thrown across the city), the same way each time; the street wall names its grids, outlines
its street, says its shapes are approximate and keeps their colours visible under the heat; a desk map
names its warned streets first, and on a phone its note covers no name."""

from __future__ import annotations

import math

import pytest
from dash.testing.wait import until

from tests.conftest import ARTIFACTS, make_app
from tests.integration.test_wall import _viewport
from tests.integration.test_wall_shapes import _add_warnings

pytestmark = pytest.mark.browser

# every Leaflet map the page makes, found independently of the app's own scripts: Leaflet's init hook,
# installed as dash-leaflet defines window.L
MAPS_HOOK = """
let leaflet;
Object.defineProperty(window, 'L', {configurable: true, get() { return leaflet; }, set(v) {
  leaflet = v;
  if (v && v.Map && v.Map.addInitHook && !v.__testHooked) {
    v.__testHooked = true;
    v.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
  }
}});
"""

# each visible area name on the map in container #id: its text, its box's centre and size, and its area's
# polygon rings projected to the same container pixels by the page's own Leaflet map
NAMES = """
const map = (window.__maps || []).find(m => m._loaded && m.getContainer().id === arguments[0]);
if (!map) { return null; }
const box = map.getContainer().getBoundingClientRect(), out = [];
map.eachLayer(layer => {
  const tip = layer.feature && layer.getTooltip && layer.getTooltip();
  const el = tip && tip.getElement && tip.getElement();
  if (!el || !el.isConnected || getComputedStyle(el).visibility === 'hidden') { return; }
  const r = el.getBoundingClientRect();
  let ll = layer.getLatLngs();
  if (!Array.isArray(ll[0])) { ll = [ll]; }
  if (!Array.isArray(ll[0][0])) { ll = [ll]; }
  out.push({name: el.textContent, code: layer.feature.id, w: r.width, h: r.height, led: el.classList.contains('led'),
            pole: [Number(el.dataset.dx || 0), Number(el.dataset.dy || 0)],
            centre: [r.left + r.width / 2 - box.left, r.top + r.height / 2 - box.top],
            rings: ll.flat(1).map(ring => ring.map(p => { const q = map.latLngToContainerPoint(p); return [q.x, q.y]; }))});
});
return out;
"""


def _inside(x: float, y: float, rings: list) -> bool:
    hit = False
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1]):
            if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
                hit = not hit
    return hit


def _distance(x: float, y: float, rings: list) -> float:
    """Pixels from the point to the nearest edge of the rings."""
    best = math.inf
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1]):
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
            best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


def _misplaced(names: list[dict]) -> list[str]:
    """The names whose centre is neither inside their own area nor within one name's height of its edge, or
    outside their area's bounds (widened by that height). A name with a line leading into its area (a crowded
    centre's) may stand up to three heights out, and its line must end inside its own area."""
    bad = []
    for n in names:
        (x, y), reach = n["centre"], (3 * n["h"] if n["led"] else n["h"]) + 2
        if n["led"] and not _inside(x - n["pole"][0], y - n["pole"][1], n["rings"]):
            bad.append(f"{n['name']}'s line ends outside its area")
        xs = [p[0] for ring in n["rings"] for p in ring]
        ys = [p[1] for ring in n["rings"] for p in ring]
        in_bounds = min(xs) - reach <= x <= max(xs) + reach and min(ys) - reach <= y <= max(ys) + reach
        near = _inside(x, y, n["rings"]) or _distance(x, y, n["rings"]) <= reach
        if not (in_bounds and near):
            bad.append(f"{n['name']} at ({x:.0f}, {y:.0f})")
    return bad


def _settled_names(dash_duo, map_id: str, at_least: int) -> list[dict]:
    """The map's names once at least `at_least` show and none has moved for half a second."""
    seen: list = [None, 0, []]

    def still() -> bool:
        names = dash_duo.driver.execute_script(NAMES, map_id) or []
        key = sorted((n["name"], round(n["centre"][0]), round(n["centre"][1])) for n in names)
        seen[1] = seen[1] + 1 if key == seen[0] and len(names) >= at_least else 0
        seen[0], seen[2] = key, names
        return seen[1] >= 5

    until(still, timeout=30, poll=0.1)
    return seen[2]


def _overlap(a: dict, b: dict) -> float:
    (ax, ay), (bx, by) = a["centre"], b["centre"]
    return max(0.0, (a["w"] + b["w"]) / 2 - abs(ax - bx)) * max(0.0, (a["h"] + b["h"]) / 2 - abs(ay - by))


def test_district_names_stand_on_their_districts_on_every_load(dash_duo, live_city):
    """A declutter pass that measured the names while Leaflet was still moving them threw 普陀区 into
    Pudong and 浦东新区 into the sea on about one load in three, until the next resize."""
    dash_duo.start_server(make_app(live_city))
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": MAPS_HOOK})
    _viewport(dash_duo, 1920, 1080)
    placements = []
    for load in range(5):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
        names = _settled_names(dash_duo, "wall-map", 16)
        assert len(names) == 16, [n["name"] for n in names]  # every district named
        assert _misplaced(names) == [], load
        assert all(_overlap(a, b) < 4 for i, a in enumerate(names) for b in names[i + 1 :])
        placements.append(sorted((n["code"], n["name"], round(n["centre"][0]), round(n["centre"][1])) for n in names))
    assert all(p == placements[0] for p in placements)  # the same placement every time
    dash_duo.driver.save_screenshot(str(ARTIFACTS / "wall-map-names-1920x1080.png"))

    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall?lang=en")  # longer names, the same rule
    names = _settled_names(dash_duo, "wall-map", 16)
    assert len(names) == 16 and _misplaced(names) == []
    dash_duo.driver.save_screenshot(str(ARTIFACTS / "wall-map-names-en-1920x1080.png"))
    assert dash_duo.get_logs() == []


# the share of the areas canvas's painted pixels that the heat canvas paints over, in the map's box
HEAT_COVER = """
const cv = [...document.querySelectorAll('#wall-map .leaflet-areas-pane canvas, #wall-map .leaflet-heat-pane canvas')];
if (cv.length !== 2 || !cv[1].width) { return null; }
const [a, h] = cv.map(c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
if (a.length !== h.length) { return null; }
let area = 0, both = 0;
for (let i = 3; i < a.length; i += 8) { if (a[i] > 0) { area += 1; if (h[i] > 0) { both += 1; } } }
return area ? [both / area, both] : null;
"""


def _reports_in(url: str, street: str, n: int = 40) -> None:
    """n reports in the street's grids in the last hour: the heat is drawn whatever hour the city was seeded
    (a small live city's street may have had one report in the last 24 h)."""
    from sqlalchemy import select

    from data.domain.timeutil import now_ts
    from data.store.db import get_engine
    from data.store.models import Area
    from data.write.writes import add_incidents
    from tests.unit.tiny_city import incident

    engine = get_engine(url)
    with engine.connect() as conn:
        grids = conn.execute(select(Area.code, Area.lon, Area.lat).where(Area.parent_code == street)).all()
    now = now_ts()
    rows = [
        incident(g.code, now - 60 * (k + 1), lon=g.lon, lat=g.lat, external_id=f"HEAT{g.code}{k}")
        for k in range(n)
        for g in [grids[k % len(grids)]]
    ]
    add_incidents(engine, rows, now=now)


def test_the_street_wall_names_outlines_and_shows_its_grids_colours(dash_duo, live_copy):
    from tests.people import street_and_district

    live_city = live_copy
    street, _district = street_and_district(live_city)
    _reports_in(live_city, street)
    dash_duo.start_server(make_app(live_city), user="t-operator")
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": MAPS_HOOK})
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    names = _settled_names(dash_duo, "wall-map", 1)
    assert names and all(n["name"].startswith("第") and n["name"].endswith("网格") for n in names), names
    assert _misplaced(names) == []
    dash_duo.wait_for_contains_text("#wall-map .map-note", "网格边界为示意", timeout=10)  # derived shapes say so
    outlined = (
        "const m = window.__maps.find(m => m.getContainer().id === 'wall-map'); return !!m.getPane('scope') &&"
        " [...m.getPane('scope').querySelectorAll('canvas')].some(c => c.width > 0)"
    )
    until(lambda: dash_duo.driver.execute_script(outlined), timeout=10)  # the street's own boundary

    def heat_drawn():
        cover = dash_duo.driver.execute_script(HEAT_COVER)
        return cover if cover and cover[1] > 0 else None

    cover = until(heat_drawn, timeout=30)
    assert cover[0] < 0.4, cover  # the heat is dots: the grids' own colours show between them
    dash_duo.driver.save_screenshot(str(ARTIFACTS / "wall-street-map-1920x1080.png"))
    assert street  # the operator's wall is their street's
    assert dash_duo.get_logs() == []


def test_a_desk_map_names_its_warned_streets_and_a_phone_note_covers_no_name(dash_duo, live_copy):
    _add_warnings(live_copy)  # among them 惠南镇 and the free-trade zone orange: small streets, long names
    warned = {"310115131", "310115501"}
    dash_duo.start_server(make_app(live_copy), user="t-leader")
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": MAPS_HOOK})
    for width, height in ((1920, 1080), (390, 844)):
        _viewport(dash_duo, width, height)
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/area/310115")
        dash_duo.wait_for_element("#area-map .area-label", timeout=30)
        dash_duo.driver.execute_script("document.getElementById('area-map').scrollIntoView({block: 'center'})")
        names: list[dict] = []

        def warned_named() -> bool:  # once their colours have arrived, the warned streets win their names' room
            names[:] = _settled_names(dash_duo, "area-map", 8)
            return warned <= {n["code"] for n in names}

        try:
            until(warned_named, timeout=30)
        except Exception as err:
            raise AssertionError(f"named at {width}: {sorted(n['name'] for n in names)}") from err
        assert _misplaced(names) == []
        dash_duo.driver.save_screenshot(str(ARTIFACTS / f"area-map-names-{width}x{height}.png"))
    note, box = (dash_duo.find_element(sel).rect for sel in (".area-page .map-note", "#area-map"))
    assert note["y"] + note["height"] <= box["y"] + 1  # on a phone the note stands above the map
    assert dash_duo.get_logs() == []
