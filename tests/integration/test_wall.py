"""The command wall in a real headless Chromium: fills the screen offline, refreshes in place,
survives a database failure, rotates its map layers in kiosk mode."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import WebDriverException
from sqlalchemy import select

from components.i18n import t
from components.theme import LEVELS
from data.domain.timeutil import now_ts
from data.store.db import dispose_engine, get_engine
from data.store.models import Incident
from tests.conftest import ARTIFACTS, make_app
from tests.integration.test_smoke import OUTSIDE_REQUESTS

pytestmark = pytest.mark.browser

REFRESH = 1  # s between the walls' refreshes under test (their banner speaks after 2.5 refreshes without data)

FITS = """return [document.documentElement.scrollWidth <= window.innerWidth,
                  document.documentElement.scrollHeight <= window.innerHeight]"""


LABELS_SPREAD = """const box = document.getElementById('wall-map').getBoundingClientRect();
const xs = [...document.querySelectorAll('.wall .area-label')].map(e => e.getBoundingClientRect().x);
return (Math.max(...xs) - Math.min(...xs)) / box.width;"""


def _viewport(dash_duo, width: int, height: int) -> None:
    """Make the page itself width x height CSS pixels (the window size would include browser chrome)."""
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def _open(dash_duo, app, path: str, width: int = 1920, height: int = 1080) -> None:
    """Serve the app, size the page, and open path on it."""
    dash_duo.start_server(app)
    _viewport(dash_duo, width, height)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")


# Resolves once the page holds still after a viewport change: for a real resize, 0.45 s after it (the
# wall refits its map 0.4 s after the last resize event), then no Leaflet zoom animating and the maps'
# panes and the area labels unmoved over three samples 40 ms apart (timers, unlike animation frames,
# also run in a tab that is not in front).
SETTLED = """
const [resized, done] = [arguments[0], arguments[arguments.length - 1]];
const state = () => JSON.stringify([document.querySelector('.leaflet-zoom-anim') !== null,
  [...document.querySelectorAll('.leaflet-map-pane, .leaflet-proxy')].map(e => getComputedStyle(e).transform),
  [...document.querySelectorAll('.area-label')].map(e => [e.getBoundingClientRect().x, e.getBoundingClientRect().y])]);
let last = null, same = 0;
(function sample() {
  const now = state();
  same = now === last ? same + 1 : 0;
  last = now;
  const floor = resized ? window.__resizedAt + 450 : 0;
  if (same >= 2 && !now.startsWith('[true') && (!resized || window.__resizedAt) && Date.now() >= floor) {
    done(true);
  } else {
    setTimeout(sample, 40);
  }
})();
"""


def _shot(dash_duo, name: str, width: int, height: int) -> None:
    """Size the page, wait for it to settle (the wall's refit included), and save a screenshot."""
    driver = dash_duo.driver
    resized = driver.execute_script(
        "window.__resizedAt = 0; addEventListener('resize', () => { window.__resizedAt = Date.now(); });"
        "return [window.innerWidth, window.innerHeight]"
    ) != [width, height]
    _viewport(dash_duo, width, height)
    driver.set_script_timeout(15)
    assert driver.execute_async_script(SETTLED, resized)
    driver.save_screenshot(str(ARTIFACTS / f"{name}-{width}x{height}.png"))


def _wall_ready(dash_duo) -> None:
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    dash_duo.wait_for_element("#wall-incidents .big-number", timeout=20)
    dash_duo.wait_for_element(".wall .area-label", timeout=20)  # district outlines loaded and labelled


def _big_number(dash_duo) -> int:
    """Today's count on the wall (-1 while the panel is being replaced under the driver)."""
    try:
        return int(dash_duo.find_element("#wall-incidents .big-number").text.replace(",", ""))
    except WebDriverException:
        return -1


def test_wall_fills_the_screen_with_seeded_data_offline(dash_duo, live_city):
    _open(dash_duo, make_app(live_city), "/wall")
    _wall_ready(dash_duo)
    assert len(dash_duo.find_elements("#wall-tiles .tile")) == 12
    assert all(e.text.strip() for e in dash_duo.find_elements("#wall-tiles .tile-value"))
    assert _big_number(dash_duo) > 0
    assert len(dash_duo.find_elements("#wall-warnings .warn-chip")) == 4
    assert len(dash_duo.find_elements("#wall-incidents .funnel-step")) == 6
    assert dash_duo.find_elements("#wall-projects .proj-stat")
    assert dash_duo.find_elements("#wall-ticker .tick-item")
    legend = dash_duo.find_element("#wall-legend").text
    assert "红色 I · 特别严重" in legend and "蓝色 IV · 一般" in legend  # colour paired with text and its meaning
    assert "今日结案" in dash_duo.find_element("#wall-incidents").text  # the funnel's last step is today's, not open
    assert len(dash_duo.find_elements(".wall .area-label")) == 16
    dash_duo.wait_for_contains_text("#wall-weather", "气温")
    assert dash_duo.find_element("#wall-clock").text.count(":") == 2
    for width, height in ((1920, 1080), (3840, 2160)):
        _shot(dash_duo, "wall", width, height)
        assert dash_duo.driver.execute_script(FITS) == [True, True]  # no scrollbars either way
        assert dash_duo.driver.execute_script(LABELS_SPREAD) > 0.3  # the map was refitted to the new size
    sizes = "[...document.querySelectorAll('.wall *')].filter(e => e.childNodes.length && [...e.childNodes].some(n =>"
    sizes += " n.nodeType === 3 && n.textContent.trim())).map(e => [!!e.closest('.area-label.compact'),"
    sizes += " parseFloat(getComputedStyle(e).fontSize)])"
    sizes = dash_duo.driver.execute_script(f"return {sizes}")
    assert min(px for compact, px in sizes if not compact) >= 40  # at 3840x2160: 1rem = 40 px, 20 px at 1080p
    # a district name squeezed into a crowded spot takes its compact form (0.8rem), never smaller
    assert min(px for _, px in sizes) >= 32
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    assert dash_duo.get_logs() == []


# the fill of the district at each district label's anchor (its centre, where the label would be had it not
# moved aside for another: data-dx, data-dy), read from the areas pane's canvas
DISTRICT_FILLS = """
const cv = document.querySelector('.leaflet-areas-pane canvas');
if (!cv) { return null; }
const c = cv.getBoundingClientRect(), ctx = cv.getContext('2d');
const out = {};
document.querySelectorAll('.area-label').forEach(lab => {
  const r = lab.getBoundingClientRect(), dx = +(lab.dataset.dx || 0), dy = +(lab.dataset.dy || 0);
  const x = (r.left + r.width / 2 - dx - c.left) * cv.width / c.width;
  const y = (r.top + r.height / 2 - dy - c.top) * cv.height / c.height;
  out[lab.textContent.trim()] = Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
});
return out;
"""


def test_warning_colours_survive_a_slow_geometry_load(dash_duo, live_copy):
    """dash-leaflet drops a hideout change that arrives while the layer's url is loading: with the
    geometry slowed down, the first tick's colours always arrive mid-load, and must still be drawn."""
    from flask import request

    from data.domain.scope import Scope
    from data.read import areas, warnlist

    _open_red_warnings(live_copy, 2)  # colours to draw whatever the seeded city's hour brought
    app = make_app(live_copy)
    done, slowed = threading.Event(), []

    @app.server.before_request
    def slow_geometry():
        if request.path.startswith("/geo/"):
            slowed.append(request.path)
            done.wait(2)  # released at the end, so no request is still busy when the server stops

    @app.server.teardown_request
    def geometry_sent(_exc):
        if request.path.startswith("/geo/"):
            slowed.remove(request.path)

    with app.server.app_context():
        names = areas.area_names()
        levels = {
            names[code][0]: level for code, level in warnlist.area_colours(Scope("310000")).items() if code != "310000"
        }
    assert sum(level == 1 for level in levels.values()) >= 2
    wanted = {name: [int(LEVELS[level][0][i : i + 2], 16) for i in (1, 3, 5)] for name, level in levels.items()}

    def coloured() -> bool:
        fills = dash_duo.driver.execute_script(DISTRICT_FILLS) or {}
        # the canvas blends the fill over the dark map: the hue's strongest channel must be the warning's
        return len(fills) == len(wanted) and all(
            max(range(3), key=lambda i: fills[n][i]) == max(range(3), key=lambda i: wanted[n][i]) for n in wanted
        )

    _open(dash_duo, app, "/wall")
    _wall_ready(dash_duo)
    until(coloured, timeout=15)
    done.set()
    until(lambda: not slowed, timeout=5)
    assert dash_duo.get_logs() == []


def test_english_district_wall(dash_duo, live_city):
    _open(dash_duo, make_app(live_city), "/wall?area=310115&lang=en")
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    dash_duo.wait_for_contains_text(".wall-scope", "Pudong")
    dash_duo.wait_for_contains_text("#wall-incidents", "By source")
    _shot(dash_duo, "wall-en-pudong", 1920, 1080)
    assert dash_duo.driver.execute_script(FITS) == [True, True]
    assert dash_duo.get_logs() == []


def test_new_incident_shows_on_next_refresh_without_reloading_the_map(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy, REFRESH_SECONDS=REFRESH), "/wall")
    _wall_ready(dash_duo)
    before = _big_number(dash_duo)
    dash_duo.driver.execute_script("document.getElementById('wall-map')._probe = 42;")

    from data.rules.config import load_catalog
    from data.synthetic.simulator import Simulator

    engine = get_engine(live_copy)
    from tests.conftest import ROOT

    sim = Simulator(engine, load_catalog(str(ROOT / "data" / "rules" / "catalog.yaml")), seed=5)
    ids = []
    while not ids:  # the simulator's arrivals are Poisson: step until it reports something
        ids = sim.new_incidents(now_ts(), 60)
    with engine.connect() as conn:
        title = conn.execute(select(Incident.title).where(Incident.id == max(ids))).scalar_one()

    dash_duo.wait_for_contains_text("#wall-ticker", title, timeout=15)
    until(lambda: _big_number(dash_duo) >= before + len(ids), timeout=10)
    assert dash_duo.driver.execute_script("return document.getElementById('wall-map')._probe") == 42  # same map
    geometry_loads = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/geo/')).length"
    )
    assert geometry_loads == 2  # outlines and heat cells, once each: refreshes never resend geometry
    assert dash_duo.get_logs() == []


def test_dashs_undo_history_stays_short_on_a_wall_left_running(dash_duo, live_copy):
    """Every interval tick added an entry to the renderer's undo history, never dropped (plotly/dash#727):
    the wall's JS heap grew with every refresh in the soak. assets/dash-history.js keeps it short."""
    _open(dash_duo, make_app(live_copy, REFRESH_SECONDS=REFRESH), "/wall")
    _wall_ready(dash_duo)
    past = "return window.store.getState().history.past.length"
    grown = [dash_duo.driver.execute_script(past)]
    # the renderer does record an entry per tick (so this test can fail) ...
    until(lambda: grown.append(dash_duo.driver.execute_script(past)) or max(grown) > 2, timeout=10)
    until(lambda: dash_duo.driver.execute_script(past) <= 2, timeout=5)  # ... and a sweep cuts it back
    for _ in range(3):  # and it stays bounded while the ticks go on
        dash_duo.driver.execute_script("return new Promise(r => setTimeout(r, 2500))")
        assert dash_duo.driver.execute_script(past) <= 2 + 2 * 3  # at most a sweep's worth of ticks
    assert dash_duo.get_logs() == []


def test_a_tick_worker_running_behind_shows_its_data_and_says_how_old(dash_duo, live_copy):
    """The worker (another process here, TICK_WORKER=external) is still on a pass begun long ago: the wall
    shows the newest snapshot it wrote at once, and the banner says from when, as for a lost connection."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from data.domain.scope import Scope
    from data.rules.config import load_catalog
    from data.store.cache import backend
    from data.wall.shared import HEARTBEAT_KEY, snapshot_key
    from data.wall.snapshot import wall_snapshot

    app = make_app(live_copy, REFRESH_SECONDS=REFRESH, TICK_WORKER="external")
    old = now_ts() - 40
    with app.server.app_context():
        city = Scope("310000")
        backend().set(snapshot_key(city), wall_snapshot(load_catalog(app.server.config["RULES_FILE"]), city, old), 300)
        backend().set(HEARTBEAT_KEY, {"tick": old + 20, "last": old}, timeout=300)  # its pass began 20 s ago
    _open(dash_duo, app, "/wall")
    _wall_ready(dash_duo)  # drawn from the worker's snapshot, not computed by the screen's request
    since = datetime.fromtimestamp(old, ZoneInfo("Asia/Shanghai")).strftime("%H:%M:%S")
    dash_duo.wait_for_contains_text("#wall-banner", f"数据未按时更新，显示的是 {since} 的数据", timeout=15)
    with app.server.app_context():
        assert backend().get(snapshot_key(city))["tick"] == old  # nobody computed a newer one
    assert dash_duo.get_logs() == []


def test_database_failure_keeps_panels_and_shows_since_when(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy, REFRESH_SECONDS=REFRESH), "/wall")
    _wall_ready(dash_duo)
    shown = dash_duo.find_element("#wall-incidents .big-number").text
    path = Path(live_copy.removeprefix("sqlite:///"))
    aside = path.with_suffix(".away")
    os.rename(path, aside)
    path.mkdir()  # the database file is now a directory: every new connection fails
    dispose_engine(live_copy)  # and the open ones close (first, a query in between could open one that lasts)
    try:
        dash_duo.wait_for_contains_text("#wall-banner", "数据未按时更新", timeout=15)
        assert dash_duo.find_element("#wall-incidents .big-number").text == shown  # last good data stays
        assert len(dash_duo.find_elements("#wall-tiles .tile")) == 12
        _shot(dash_duo, "wall-stale", 1920, 1080)
    finally:
        path.rmdir()
        os.rename(aside, path)
    dash_duo.wait_for_class_to_equal("#wall-banner", "wall-banner hidden", timeout=15)
    assert dash_duo.get_logs() == []  # the failure was handled on the server: no failed requests


def test_kiosk_hides_chrome_and_the_carousel_rotates_layers(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy, REFRESH_SECONDS=REFRESH), "/wall?kiosk=1&rotate=5&area=999")
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=20)
    dash_duo.wait_for_contains_text("#wall-notice", "参数“area”无效")  # bad area: the city, with a notice
    assert dash_duo.find_elements(".wall-links") == [] and dash_duo.find_elements(".leaflet-control-zoom") == []
    assert dash_duo.driver.execute_script("return getComputedStyle(document.querySelector('.wall')).cursor") == "none"
    dash_duo.wait_for_class_to_equal("#wall-map-box", "wall-panel wall-map mode-warnings", timeout=12)
    dash_duo.wait_for_class_to_equal("#wall-map-box", "wall-panel wall-map mode-heat", timeout=12)
    dash_duo.wait_for_text_to_equal("#wall-map-title", t("wall_map_heat", "zh"))  # the title names the layer

    from sqlalchemy import insert

    from data.store.db import bump_versions, write_session
    from data.store.models import Warning

    with write_session(get_engine(live_copy)) as s:  # a new red warning opens in 崇明区
        s.execute(
            insert(Warning).values(
                level=1,
                area_code="310151",
                kind="indicator",
                subject="rain_1h",
                rule_id="indicator-bands",
                value=55.0,
                cause_zh="小时雨量 55 mm",
                cause_en="Hourly rainfall 55 mm",
                started_at=now_ts(),
            )
        )
        bump_versions(s, "warnings")
    dash_duo.wait_for_contains_text("#wall-callout", "新增红色预警：崇明区", timeout=15)  # the carousel jumps to it
    assert "mode-warnings" in dash_duo.find_element("#wall-map-box").get_attribute("class")
    _shot(dash_duo, "wall-new-red", 1920, 1080)
    assert dash_duo.get_logs() == []


def test_open_wall_recovers_from_a_restart_and_reloads_after_a_redeploy(dash_br, live_copy, tmp_path):
    """A real server process is stopped and started again under the open page, a wall signed in once
    with its display token (nobody logs a wall in again after a restart)."""
    import subprocess
    import sys
    import urllib.request

    from api.auth import new_token
    from data.write import accounts
    from tests.conftest import ROOT, free_port

    port = free_port()
    env = dict(os.environ, DATABASE_URL=live_copy, PORT=str(port), REFRESH_SECONDS=str(REFRESH), BUILD_ID="release-1")
    env["CITYOPS_INSTANCE"] = str(tmp_path)  # its secret key, kept there, outlives the process
    env.pop("SECRET_KEY", None)
    token, digest = new_token()
    accounts.add_token(get_engine(live_copy), "hall-restart", token_hash=digest, area="310000", created_by="t-admin")

    def start():
        proc = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "server.log", "a"),  # noqa: SIM115
        )
        until(lambda: _healthy(f"http://127.0.0.1:{port}/healthz"), timeout=30)
        return proc

    def _healthy(url):
        try:
            return urllib.request.urlopen(url, timeout=1).status == 200
        except OSError:
            return False

    banner = "return document.getElementById('wall-banner').className"
    server = start()
    try:
        dash_br.driver.get(f"http://127.0.0.1:{port}/wall?token={token}")
        dash_br.wait_for_element("#wall-tiles .tile", timeout=30)
        assert "token" not in dash_br.driver.current_url
        dash_br.driver.execute_script("window._same_page = true;")
        server.terminate()
        server.wait(timeout=20)
        until(lambda: "hidden" not in dash_br.driver.execute_script(banner), timeout=20)  # says data is stale
        assert dash_br.find_elements("#wall-tiles .tile")  # and keeps showing the last data
        server = start()
        until(lambda: "hidden" in dash_br.driver.execute_script(banner), timeout=20)  # recovered by itself
        assert dash_br.driver.execute_script("return window._same_page") is True  # without a reload
        server.terminate()
        server.wait(timeout=20)
        env["BUILD_ID"] = "release-2"
        server = start()
        until(lambda: dash_br.driver.execute_script("return window._same_page") is None, timeout=30)  # reloaded
        dash_br.wait_for_element("#wall-tiles .tile", timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=20)


# a warning count: assets/wall.js counts it up when a refresh changes it
COUNTED = "#wall-warnings .warn-chip.red .num"

# every value the element shows, sampled once a frame after the frame's scripts have run
RECORD = """
const sel = arguments[0];
window.__shown = [];
(function sample() {
  requestAnimationFrame(() => setTimeout(() => {
    const e = document.querySelector(sel), v = e && e.textContent;
    if (v && v !== window.__shown[window.__shown.length - 1]) { window.__shown.push(v); }
    sample();
  }, 0));
})();
"""


def _open_red_warnings(url: str, n: int) -> None:
    """n new red warnings, one per district (the same ones again on a second call)."""
    from sqlalchemy import insert

    from data.store.db import bump_versions, write_session
    from data.store.models import Warning

    with write_session(get_engine(url)) as s:
        for i, code in enumerate(("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112")[:n]):
            s.execute(
                insert(Warning).values(
                    level=1,
                    area_code=code,
                    kind="indicator",
                    subject="rain_1h",
                    rule_id="indicator-bands",
                    value=55.0 + i,
                    cause_zh=f"小时雨量 {55 + i}.0mm，高于红色预警阈值 50.0mm",
                    cause_en=f"Hourly rainfall {55 + i}.0 mm, above the red threshold of 50.0 mm",
                    started_at=now_ts(),
                )
            )
        bump_versions(s, "warnings")


def test_a_changed_big_number_counts_up_to_exactly_its_new_value(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy, REFRESH_SECONDS=REFRESH), "/wall")
    _wall_ready(dash_duo)
    for reduced, added in ((False, 5), (True, 3)):
        if reduced:  # the reader asked for no animation: the number just changes
            dash_duo.driver.execute_cdp_cmd(
                "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
            )
        before = int(dash_duo.find_element(COUNTED).text)
        dash_duo.driver.execute_script(RECORD, COUNTED)
        _open_red_warnings(live_copy, added)
        dash_duo.wait_for_text_to_equal(COUNTED, str(before + added), timeout=15)
        until(lambda: dash_duo.driver.execute_script("return window.__shown")[-1] == str(before + added), timeout=5)
        shown = [int(v) for v in dash_duo.driver.execute_script("return window.__shown")]
        between = [v for v in shown if before < v < before + added]
        assert (between == []) if reduced else (len(between) >= 2 and between == sorted(between)), shown
        assert dash_duo.find_element(COUNTED).text == str(before + added)  # and it stays there
    assert dash_duo.get_logs() == []


# Dash writes a number twice, the second time while the first count is still running (as a refresh
# landing mid-count would): the count turns towards the newer value and ends on it exactly
WRITTEN_TWICE = """
const [sel, first, second, done] = arguments;
const el = document.querySelector(sel), node = el.firstChild, shown = [];
const sample = () => requestAnimationFrame(() => setTimeout(() => {  // what the frame painted
  shown.push(el.textContent);
  if (shown.length < 200) { sample(); }
}, 0));
node.nodeValue = first;
sample();
setTimeout(() => { node.nodeValue = second; }, 400);
setTimeout(() => done([el.textContent, shown]), 2500);
"""


def test_a_number_written_again_mid_count_ends_on_the_newest_value(dash_duo, live_copy):
    _open(dash_duo, make_app(live_copy), "/wall")
    _wall_ready(dash_duo)
    dash_duo.wait_for_element(COUNTED)
    dash_duo.driver.set_script_timeout(10)
    final, shown = dash_duo.driver.execute_async_script(WRITTEN_TWICE, COUNTED, "40", "7")
    assert final == "7"
    values = [int(v) for v in shown]
    assert any(7 < v < 40 for v in values) and max(values) < 40  # it was counting up when the second came
    assert dash_duo.get_logs() == []
