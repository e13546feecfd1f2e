"""Every page's browser tab title is in the page's language: in the HTML Dash writes and when its router
swaps pages in the browser (an English reader's tab never says 指挥大屏)."""

from __future__ import annotations

import json
import re

import dash

from data.domain.roles import may_open
from tests.conftest import make_app
from tests.people import login

ORIGIN = {"Content-Type": "application/json", "Origin": "http://localhost"}
HAN = re.compile(r"[\u4e00-\u9fff]")
EXAMPLES = {"<code>": "310101", "<iid>": "1", "<pid>": "1"}
ROUTER = ".._pages_content.children..._pages_store.data.."


def _pages() -> list[tuple[str, str]]:
    """(path template, an example path) of every page the admin account opens."""
    out = []
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        if may_open("admin", template):
            path = template
            for slot, value in EXAMPLES.items():
                path = path.replace(slot, value)
            out.append((template, path))
    return out


def _html_title(client, path: str, lang: str) -> str:
    html = client.get(f"{path}?lang={lang}").get_data(as_text=True)
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, path
    return found[1].strip()


def _router_title(client, path: str, lang: str) -> str:
    body = {
        "output": ROUTER,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": f"?lang={lang}"},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    answer = client.post("/_dash-update-component", data=json.dumps(body), headers=ORIGIN)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_json()["response"]["_pages_store"]["data"]["title"]


def test_each_page_title_speaks_the_page_language(small_city):
    app = make_app(small_city)
    client = app.server.test_client()
    assert login(client, "t-admin").status_code == 302
    pages = _pages()
    assert len(pages) >= 15
    for template, path in pages:
        for read in (_html_title, _router_title):
            zh, en = read(client, path, "zh"), read(client, path, "en")
            assert HAN.search(zh), (template, read.__name__, zh)
            assert en and not HAN.search(en), (template, read.__name__, en)
    assert _html_title(client, "/wall", "de") == _html_title(client, "/wall", "zh")  # unknown: the default
