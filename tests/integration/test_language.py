"""Each language with no leak of the other: every page in English shows no Chinese beyond what people
wrote (a report's title, a reporter's name, an officer's comment) and the link back to Chinese; every
page in Chinese shows no English word beyond units, roman numerals and the link to English."""

from __future__ import annotations

import re
import time

import dash
import pytest
from sqlalchemy import func, select

from data.store.db import get_engine
from data.store.models import Incident, Project
from tests.conftest import make_app
from tests.people import street_and_district

pytestmark = pytest.mark.browser
USER_WORDS = [  # people's own words: shown as written, in any language
    ".ag-cell[col-id='title']",  # a report's title in the incident list
    ".incident-page h1",
    ".similar a",
    ".timeline .sub",
    ".facts dd",
    ".shell-lang",  # "中文": the way back to Chinese
    ".lang-link",
]
SHOWN_TEXT = """
const bad = new Set();
arguments[0].forEach(sel => document.querySelectorAll(sel).forEach(e => bad.add(e)));
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const out = [];
while (walker.nextNode()) {
  const node = walker.currentNode;
  let shown = node.parentElement && node.parentElement.getClientRects().length > 0;
  for (let e = node.parentElement; shown && e; e = e.parentElement) {
    if (bad.has(e) || ["SCRIPT", "STYLE", "NOSCRIPT"].includes(e.tagName)) { shown = false; }
  }
  if (shown) { out.push(node.textContent); }
}
return out.join(" ");
"""
CJK = re.compile(r"[^\\s]{0,10}[\u4e00-\u9fff]+[^\\s]{0,10}")


LATIN = re.compile(r"[A-Za-z][A-Za-z.]{2,}")
LATIN_ALLOWED = {"AQI", "MPa", "kPa", "min", "III", "English", "IPv"}  # units, numerals, a project's "IPv6"
ADMIN_DATA = [".hint", "#admin-people", "#admin-access", "#admin-tokens", ".shell-user"]  # usernames, commands


def _pages(url: str) -> list[str]:
    street, district = street_and_district(url)
    with get_engine(url).connect() as conn:
        incident = conn.execute(select(func.min(Incident.id))).scalar()
        project = conn.execute(select(func.min(Project.id))).scalar()
    examples = {"<code>": district, "<iid>": str(incident), "<pid>": str(project)}
    paths = []
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        for slot, value in examples.items():
            path = path.replace(slot, "aqi" if path.startswith("/indicators/") else value)
        paths.append(path)
    return paths


def test_every_page_in_english_shows_no_chinese_interface(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-admin")
    leaks = {}
    for path in _pages(live_city):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}?lang=en")
        dash_duo.wait_for_element("#_pages_content > *", timeout=15)
        time.sleep(2.5)  # the page's first refresh fills its panels
        text = dash_duo.driver.execute_script(SHOWN_TEXT, USER_WORDS)
        found = sorted(set(CJK.findall(text)))
        if found:
            leaks[path] = found[:12]
    assert leaks == {}, leaks


def test_every_page_in_chinese_shows_no_english_interface(dash_duo, live_city):
    dash_duo.start_server(make_app(live_city), user="t-admin")
    leaks = {}
    for path in _pages(live_city):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element("#_pages_content > *", timeout=15)
        time.sleep(2.5)  # the page's first refresh fills its panels
        text = dash_duo.driver.execute_script(SHOWN_TEXT, [*USER_WORDS, *ADMIN_DATA])
        found = sorted(set(LATIN.findall(text)) - LATIN_ALLOWED)
        if found:
            leaks[path] = found[:12]
    assert leaks == {}, leaks
