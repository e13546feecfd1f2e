"""Dash's first-request set-up runs in create_app, before any request (app.py `_set_up_before_serving`).

Dash sets a flag, then does the work (the scripts HTML, the pages router, its page-title script). On a
threaded server a second request arriving meanwhile skipped it. A soak caught a gunicorn worker whose
CSP had been hashed before the title script existed: every page it served had that script blocked."""

from __future__ import annotations

import base64
import hashlib
import re

from tests.conftest import make_app
from tests.people import login

INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.S)


def _unhashed(html: str, csp: str) -> list[str]:
    """The inline scripts of a page whose hash the page's CSP does not carry."""
    digest = lambda s: "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"  # noqa: E731
    live = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # Dash's <!--[if IE]> alert never runs
    return [s[:80] for s in INLINE.findall(live) if digest(s) not in csp]


def test_nothing_is_left_for_the_first_request_to_set_up(mini_copy):
    app = make_app(mini_copy)
    assert all(app._got_first_request.values())  # Dash's own flags: set up already
    client = app.server.test_client()
    login(client, "t-leader")
    for path in ("/wall", "/incidents", "/area/310000"):
        page = client.get(path)
        scripts = INLINE.findall(page.get_data(as_text=True))
        assert page.status_code == 200 and any("document.title" in s for s in scripts)  # the title script
        assert not _unhashed(page.get_data(as_text=True), page.headers["Content-Security-Policy"])
