"""A canary reporter's name and phone never reach the browser: not in any page, not in any
callback response, on every page a user can open."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.conftest import make_app
from tests.integration.test_incident import CANARY_NAME, CANARY_PHONE, _canary

pytestmark = pytest.mark.browser

# record every response body the page fetches (Dash callbacks, layouts, geometry)
RECORD = """
window.__bodies = [];
window.__inflight = 0;
window.__lastSettled = Date.now();
const realFetch = window.fetch;
window.fetch = function(...args) {
  window.__inflight += 1;
  return realFetch.apply(this, args).then(resp => {
    resp.clone().text().then(t => window.__bodies.push(t)).catch(() => {}).finally(() => {
      window.__inflight -= 1; window.__lastSettled = Date.now();
    });
    return resp;
  }, err => { window.__inflight -= 1; window.__lastSettled = Date.now(); throw err; });
};
"""
# the page's callbacks have all answered and nothing new started for 600 ms
QUIET = "return window.__bodies.length > 0 && window.__inflight === 0 && Date.now() - window.__lastSettled > 600"


def test_no_page_or_callback_ever_carries_the_reporters_personal_data(dash_duo, live_copy):
    inc_id, _ = _canary(live_copy)
    dash_duo.start_server(make_app(live_copy))
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD})
    pages = [
        "/",
        "/wall",
        "/area/310000",
        "/indicators",
        "/warnings",
        "/projects",
        "/incidents",
        "/incidents?window=7d&q=金丝雀",
        f"/incidents/{inc_id}",
        f"/incidents/{inc_id}?lang=en",
    ]
    seen = 0
    for path in pages:
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        until(lambda: dash_duo.driver.execute_script(QUIET), timeout=20)  # every callback of the page has answered
        bodies = dash_duo.driver.execute_script("return window.__bodies || []")
        seen += len(bodies)
        for text in [dash_duo.driver.page_source, *bodies]:
            assert CANARY_NAME not in text and CANARY_PHONE not in text, path
    assert seen > 20  # the check looked at real traffic
    masked = dash_duo.driver.page_source
    assert "139****4321" in masked  # the detail page shows the masked phone
    assert dash_duo.get_logs() == []
