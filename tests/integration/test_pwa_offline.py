"""The installable app in a real headless Chromium at 390x844: the service worker registers and controls the page
after a reload; offline (Chrome's own network emulation, which the worker's fetches obey too) the banner says so
in the page's language, /m reloaded offline shows its last data, a write button refuses with a sentence and the
typed comment stays, a dropped network says the move was not submitted, a photo taken offline waits and is sent
once when the phone is online again; back online the banner goes."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from sqlalchemy import func, select

from components.i18n import t
from data.domain.timeutil import now_ts
from data.store.db import get_engine
from data.store.models import IncidentHistory
from data.store.models_loop import IncidentPhoto
from data.write import writes
from tests.conftest import ARTIFACTS, make_app
from tests.integration.test_incident import _canary
from tests.integration.test_incident_triage import UNIT, _incidents, _picture
from tests.integration.test_phone import PHONES
from tests.integration.test_wall import _viewport

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
SECTIONS = ("#m-status", "#m-incidents", "#m-vitals", "#m-projects")
BANNER = "const b = document.getElementById('pwa-banner'); return b && !b.hidden ? b.textContent : null"
CONTROLLED = "return !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
READY = """const done = arguments[arguments.length - 1];
Promise.race([navigator.serviceWorker.ready.then(() => 'ready'), new Promise(r => setTimeout(() => r('not ready'), 30000))])
  .then(done);"""
KEPT_ANSWERS = """const done = arguments[arguments.length - 1];
caches.keys().then(async names => {
  let n = 0;
  for (const name of names.filter(x => x.startsWith('cityops-data-'))) {
    n += (await (await caches.open(name)).keys()).filter(r => r.url.includes('/__pwa/cb/')).length;
  }
  done(n);
});"""
FIRST_TIME = re.compile(r"(\d\d:\d\d)")


PROBE = """const done = arguments[arguments.length - 1];
fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})
  .then(r => done(r.status), () => done(0));"""  # through the worker, never kept: 400 online, 0 offline


def _network(dash_duo, online: bool) -> None:
    """Chrome's offline switch for the tab and for the service worker: the tab's emulation does not reach the
    worker's own fetches, so the worker's target gets it too, through a session of its own (attached once,
    kept while the test runs: detaching would drop the emulation)."""
    driver = dash_duo.driver
    conditions = {"offline": not online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)
    sessions = dash_duo.__dict__.setdefault("pwa_worker_sessions", {})
    for target in driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]:
        if target["type"] == "service_worker" and target["targetId"] not in sessions:
            attached = driver.execute_cdp_cmd(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
            )
            sessions[target["targetId"]] = attached["sessionId"]
    for n, session in enumerate(sessions.values()):
        for i, (method, params) in enumerate(
            (("Network.enable", {}), ("Network.emulateNetworkConditions", conditions))
        ):
            message = json.dumps(
                {"id": int(time.time() * 1000) % 10**9 + 10 * n + i, "method": method, "params": params}
            )
            driver.execute_cdp_cmd("Target.sendMessageToTarget", {"sessionId": session, "message": message})
    until(lambda: driver.execute_script("return navigator.onLine") == online, timeout=5)
    if sessions:  # the worker's own fetches fail offline and get through online
        until(lambda: (driver.execute_async_script(PROBE) == 400) == online, timeout=10)


def _banner(dash_duo) -> str | None:
    return dash_duo.driver.execute_script(BANNER)


def _shanghai_minutes() -> set[str]:
    """This minute and the two before it, as HH:MM in Shanghai: a time the banner may show for data just read."""
    now = now_ts() + 8 * 3600
    return {time.strftime("%H:%M", time.gmtime(now - back)) for back in (0, 60, 120)}


def _controlled_after_reload(dash_duo) -> None:
    """The worker registered by assets/pwa.js: ready, then in control of the page once it is reloaded."""
    driver = dash_duo.driver
    driver.set_script_timeout(40)
    assert driver.execute_async_script(READY) == "ready"
    driver.refresh()
    until(lambda: driver.execute_script(CONTROLLED), timeout=20)


def _m_ready(dash_duo) -> dict[str, str]:
    dash_duo.wait_for_element("#m-status .m-worst", timeout=30)
    dash_duo.wait_for_element("#m-incidents .m-big", timeout=30)
    return {s: dash_duo.find_element(s).text for s in SECTIONS}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_phone_view_installs_and_shows_its_last_data_offline(dash_duo, live_city, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    dash_duo.start_server(make_app(live_city, REFRESH_SECONDS=2), user="t-leader")
    driver, query = dash_duo.driver, "?lang=en" if lang == "en" else ""
    _viewport(dash_duo, *PHONES[0])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m{query}")
    _m_ready(dash_duo)
    head = driver.execute_script(
        "return [document.querySelector('link[rel=manifest]').getAttribute('href'),"
        " document.querySelector('meta[name=theme-color]').content,"
        " document.querySelector('link[rel=apple-touch-icon]').getAttribute('href'),"
        " document.querySelector('meta[name=apple-mobile-web-app-capable]').content]"
    )
    assert head == [f"/manifest.webmanifest{query}", "#071428", "/assets/icons/apple-touch-icon.png", "yes"]

    _controlled_after_reload(dash_duo)
    shown = _m_ready(dash_duo)
    until(lambda: driver.execute_async_script(KEPT_ANSWERS) >= 2, timeout=15)  # the page's and the refresh's
    time.sleep(2.5)  # one more refresh: the kept answer is what the screen shows now
    shown = _m_ready(dash_duo)
    assert _banner(dash_duo) is None
    driver.save_screenshot(str(SHOTS / f"17d_m_online_{lang}.png"))

    _network(dash_duo, online=False)
    until(lambda: _banner(dash_duo) is not None, timeout=5)
    said = _banner(dash_duo)
    at = FIRST_TIME.search(said)
    assert at and said == t("pwa_offline_at", lang, time=at[1]) and at[1] in _shanghai_minutes(), said

    driver.refresh()  # a page opened offline: the shell, the page and its last answers from the worker
    again = _m_ready(dash_duo)
    until(lambda: _banner(dash_duo) is not None, timeout=10)
    said = _banner(dash_duo)
    at = FIRST_TIME.search(said)
    assert at and said == t("pwa_offline_at", lang, time=at[1]) and at[1] in _shanghai_minutes(), said
    for section in SECTIONS:
        assert again[section] and again[section] == shown[section], section
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONES[0][0]
    driver.save_screenshot(str(SHOTS / f"17d_m_offline_{lang}.png"))
    driver.save_screenshot(str(ARTIFACTS / f"pwa-m-offline-{lang}-390x844.png"))

    driver.get(f"{dash_duo.server_url}/launch{query}")  # the installed app opened offline: where it last landed
    until(lambda: driver.current_url == f"{dash_duo.server_url}/m{query}", timeout=10)
    assert _m_ready(dash_duo) == shown

    _network(dash_duo, online=True)
    until(lambda: _banner(dash_duo) is None, timeout=10)  # and the next refresh comes from the server again
    until(lambda: driver.execute_async_script(KEPT_ANSWERS) >= 2, timeout=10)
    driver.get_log("browser")  # what the offline minutes logged (resources that failed to load)
    time.sleep(2.5)
    assert dash_duo.get_logs() == []


def _history(url: str, inc_id: int) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(select(func.count()).where(IncidentHistory.incident_id == inc_id)).scalar()


def test_a_move_offline_is_stopped_with_a_sentence_and_the_comment_stays(dash_duo, live_copy):
    inc_id, _category = _canary(live_copy)
    dash_duo.start_server(make_app(live_copy), user="t-dispatcher")
    driver = dash_duo.driver
    _viewport(dash_duo, *PHONES[0])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents/{inc_id}")
    dash_duo.wait_for_contains_text(".incident-page h1", "金丝雀路测试井盖缺失", timeout=20)
    next(e for e in dash_duo.find_elements("#inc-action label") if e.text == "督办").click()
    dash_duo.find_element("#inc-comment").send_keys("请街道今日到场")
    before = _history(live_copy, inc_id)

    _network(dash_duo, online=False)
    submit = dash_duo.find_element("#inc-submit")
    assert "needs-network" in submit.get_attribute("class")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    note = dash_duo.wait_for_element(".pwa-note", timeout=5)
    assert note.text == t("pwa_refused", "zh") and t("pwa_refused", "zh") in _banner(dash_duo)
    assert dash_duo.find_element("#inc-comment").get_attribute("value") == "请街道今日到场"
    time.sleep(0.5)  # nothing went out: no answer comes, nothing is written
    assert dash_duo.find_element("#inc-result").text == "" and _history(live_copy, inc_id) == before
    driver.save_screenshot(str(ARTIFACTS / "pwa-move-refused-offline-390x844.png"))

    # online, but the connection drops: the move is said not submitted
    _network(dash_duo, online=True)
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/_dash-update-component*"]})
    submit.click()
    until(lambda: t("pwa_failed", "zh") in (_banner(dash_duo) or ""), timeout=10)
    assert _history(live_copy, inc_id) == before
    assert dash_duo.find_element("#inc-comment").get_attribute("value") == "请街道今日到场"

    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    submit.click()  # the same form, sent once the network is back
    dash_duo.wait_for_contains_text("#inc-result", "已督办", timeout=10)
    assert _history(live_copy, inc_id) == before + 1
    until(lambda: _banner(dash_duo) is None, timeout=15)
    driver.get_log("browser")  # the blocked request's own line


def test_a_photo_taken_offline_waits_and_is_sent_once_online(dash_duo, mini_copy, tmp_path):
    iid = _incidents(mini_copy, {"job": "测试离线拍照"})["job"]
    engine = get_engine(mini_copy)
    version = 1
    for action, unit in (("register", None), ("dispatch", UNIT)):
        done = writes.apply_action(engine, iid, action, actor="t-dispatcher", expected_version=version, unit=unit)
        version = done["version"]
    dash_duo.start_server(make_app(mini_copy), user="t-unit")
    driver = dash_duo.driver
    _viewport(dash_duo, *PHONES[0])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents/{iid}")
    dash_duo.wait_for_contains_text(".incident-page h1", "测试离线拍照", timeout=20)
    until(lambda: any(e.text == "开始处置" for e in dash_duo.find_elements("#inc-action label")), timeout=10)
    next(e for e in dash_duo.find_elements("#inc-action label") if e.text == "开始处置").click()
    camera = dash_duo.wait_for_element(".photo-pick label.photo-btn[data-capture] input[type=file]", timeout=10)

    _network(dash_duo, online=False)
    camera.send_keys(_picture(tmp_path, "before.jpg", (120, 90, 40)))  # the phone's camera, offline
    until(lambda: t("pwa_queued_one", "zh") in (_banner(dash_duo) or ""), timeout=15)
    assert driver.execute_async_script("window.cityopsQueue.count().then(arguments[0])") == 1
    driver.save_screenshot(str(ARTIFACTS / "pwa-photo-queued-390x844.png"))

    _network(dash_duo, online=True)  # sent by itself, once
    until(lambda: t("pwa_sent_one", "zh") in (_banner(dash_duo) or ""), timeout=15)
    with engine.connect() as conn:
        rows = conn.execute(select(IncidentPhoto.client_key).where(IncidentPhoto.incident_id == iid)).all()
    assert len(rows) == 1 and rows[0][0]
    assert driver.execute_async_script("window.cityopsQueue.count().then(arguments[0])") == 0
    # the same photo again under its key (a queue that sent it twice): the server keeps one
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/assets/icons/icon-192.png').then(r => r.blob())"
        ".then(b => window.cityopsPhotos.send(arguments[0], 'before', b, arguments[1], 'zh')).then(r => done(r.status))",
        iid,
        rows[0][0],
    )
    assert status == 201
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(IncidentPhoto.incident_id == iid)).scalar() == 1
    driver.get_log("browser")


def test_the_wall_says_it_is_offline_in_a_small_box_that_moves_nothing(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-leader")
    driver = dash_duo.driver
    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/wall")
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=30)
    _controlled_after_reload(dash_duo)
    dash_duo.wait_for_element("#wall-tiles .tile", timeout=30)
    box = "const r = document.getElementById('wall-root').getBoundingClientRect(); return [r.top, r.height]"
    before = driver.execute_script(box)

    _network(dash_duo, online=False)
    until(lambda: _banner(dash_duo) is not None, timeout=5)
    banner = dash_duo.find_element("#pwa-banner")
    assert "pwa-small" in banner.get_attribute("class") and banner.value_of_css_property("position") == "fixed"
    assert banner.size["height"] < 40 and float(banner.value_of_css_property("font-size")[:-2]) >= 14
    assert driver.execute_script(box) == before  # the wall's own layout stays where it was
    driver.save_screenshot(str(ARTIFACTS / "pwa-wall-offline-1920x1080.png"))
    _network(dash_duo, online=True)
    until(lambda: _banner(dash_duo) is None, timeout=20)
    driver.get_log("browser")


def test_signing_out_drops_what_the_phone_kept(dash_duo, mini_city):
    dash_duo.start_server(make_app(mini_city, REFRESH_SECONDS=2), user="t-leader")
    driver = dash_duo.driver
    _viewport(dash_duo, *PHONES[0])
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/m")
    _controlled_after_reload(dash_duo)
    _m_ready(dash_duo)
    until(lambda: driver.execute_async_script(KEPT_ANSWERS) >= 1, timeout=15)
    dash_duo.find_element("#shell-menu-button").click()
    dash_duo.wait_for_element("#shell-logout-button", timeout=5).click()
    until(lambda: "/login" in driver.current_url, timeout=10)
    dash_duo.wait_for_element("#login-username", timeout=10)
    kept = "const done = arguments[arguments.length - 1]; caches.keys().then(done);"
    until(lambda: driver.execute_async_script(kept) == [], timeout=10)
    assert driver.execute_async_script(KEPT_ANSWERS) == 0
    assert dash_duo.get_logs() == []
