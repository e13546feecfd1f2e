"""api/conditional.py: a browser's If-None-Match is matched as we sent the tag, plain or as flask-compress
tagged it after encoding, and only for this body."""

from __future__ import annotations

from flask import Flask

from api.conditional import not_modified, revalidated

APP = Flask(__name__)


def held(header: str | None, etag: str = "abc123") -> str | None:
    headers = {"If-None-Match": header} if header is not None else {}
    with APP.test_request_context(headers=headers):
        return revalidated(etag)


def test_the_tag_is_matched_plain_or_with_its_encoding_and_nothing_else():
    assert held('"abc123"') == "abc123"
    assert held('"abc123:br"') == "abc123:br"
    assert held('W/"x", "abc123:gzip"') == "abc123:gzip"
    assert held(None) is None
    assert held('"abc1234:br"') is None  # another body whose tag starts the same
    assert held('"abc12"') is None and held('"xyz:br"') is None


def test_a_304_repeats_the_held_tag_with_the_routes_headers():
    resp = not_modified("abc123:br", {"Cache-Control": "no-cache"})
    assert resp.status_code == 304 and resp.headers["ETag"] == '"abc123:br"'
    assert resp.headers["Cache-Control"] == "no-cache" and not resp.get_data()
