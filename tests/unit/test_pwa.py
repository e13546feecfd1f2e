"""The installable app on the server (api/pwa.py): a manifest whose icons exist at the sizes it says, the
manifest, the worker's script and the icons public and typed, /launch taking each role where it should, the
logout clearing what the browser kept, every page's HTML carrying the tags, and the gate refusing the rest."""

from __future__ import annotations

import json
import re

import pytest
from PIL import Image, ImageChops, ImageStat

from api.auth import new_token
from api.pwa import APPLE_ICON, ICONS, JS_TEXTS, WORKER_FILE
from components.i18n import t
from components.theme import BACKGROUND
from config import ROOT
from data.domain.roles import LANDING
from data.store.db import get_engine
from data.write import accounts
from scripts.make_icons import ICONS as DRAWN
from scripts.make_icons import draw_icon
from tests.conftest import make_app
from tests.people import login

ORIGIN = {"Origin": "http://localhost"}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def app(mini_copy):
    return make_app(mini_copy)


def test_the_manifest_names_icons_that_exist_at_the_sizes_it_says(app):
    client = app.server.test_client()
    for query, lang in (("", "zh-CN"), ("?lang=en", "en")):
        resp = client.get(f"/manifest.webmanifest{query}")
        assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
        manifest = json.loads(resp.get_data(as_text=True))
        assert manifest["lang"] == lang and manifest["scope"] == "/" and manifest["display"] == "standalone"
        assert manifest["id"] == "/" and manifest["start_url"] == "/launch" + query
        assert manifest["theme_color"] == manifest["background_color"] == BACKGROUND
        purposes = {}
        for icon in manifest["icons"]:
            assert icon["src"].startswith("/assets/icons/") and icon["type"] == "image/png"
            with Image.open(ROOT / "assets" / icon["src"].removeprefix("/assets/")) as img:
                assert img.format == "PNG" and f"{img.width}x{img.height}" == icon["sizes"]
            purposes.setdefault(icon["purpose"], set()).add(icon["sizes"])
            assert client.get(icon["src"]).mimetype == "image/png"
        assert purposes == {"any": {"192x192", "512x512"}, "maskable": {"512x512"}}
    zh = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    en = json.loads(client.get("/manifest.webmanifest?lang=en").get_data(as_text=True))
    assert (zh["name"], zh["short_name"]) == ("上海城运一网统管", "城运")
    assert not CJK.search(en["name"] + en["short_name"] + en["description"])
    with Image.open(ROOT / "assets" / APPLE_ICON[0]) as img:
        assert img.size == (APPLE_ICON[1], APPLE_ICON[1]) and img.mode == "RGB"  # iOS: opaque, full bleed


def test_the_maskable_icon_keeps_its_emblem_inside_the_safe_circle():
    """A launcher may cut the maskable icon to a circle of 80 % of its width: outside it, only the background."""
    with Image.open(ROOT / "assets" / "icons" / "icon-maskable-512.png") as img:
        rgb = img.convert("RGB")
    bg = tuple(int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    size = rgb.width
    for y in range(0, size, 4):
        for x in range(0, size, 4):
            if (x - size / 2) ** 2 + (y - size / 2) ** 2 > (0.4 * size) ** 2:
                assert rgb.getpixel((x, y)) == bg, (x, y)


def test_the_committed_icons_are_what_the_script_draws():
    for file, (size, style) in DRAWN.items():
        with Image.open(ROOT / "assets" / "icons" / file) as committed:
            drawn = draw_icon(size, style)
            assert committed.size == drawn.size and committed.mode == drawn.mode, file
            diff = ImageStat.Stat(ImageChops.difference(committed.convert("RGBA"), drawn.convert("RGBA"))).mean
            assert max(diff) < 1.0, (file, diff)
    assert {f"icons/{f}" for f in DRAWN} == {p for p, _, _ in ICONS} | {APPLE_ICON[0]}


def test_the_worker_is_public_versioned_and_revalidated(app):
    client = app.server.test_client()
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Cache-Control"] == "no-cache" and resp.headers["Service-Worker-Allowed"] == "/"
    body = resp.get_data(as_text=True)
    assert "__BUILD_ID__" not in body and f'const VERSION = "{app.server.config["BUILD_ID"]}";' in body
    assert body.replace(app.server.config["BUILD_ID"], "__BUILD_ID__") == WORKER_FILE.read_text(encoding="utf-8")
    assert client.get("/sw.js", headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304
    assert "Content-Security-Policy" in resp.headers  # the worker runs under the app's policy too


def test_the_worker_held_compressed_is_revalidated_without_compressing_it_again(app, monkeypatch):
    """flask-compress tags the ETag it sends "<etag>:br": a browser's revalidation never matched, so the
    worker was compressed again on every check before flask-compress turned the answer into a 304."""
    from flask_compress import flask_compress

    client = app.server.test_client()
    first = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br" and first.headers["ETag"].endswith(':br"')
    compressed = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda *a: compressed.append(a[2]) or real(*a))
    again = client.get("/sw.js", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data and compressed == []
    assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Service-Worker-Allowed"] == "/"
    stale = client.get("/sw.js", headers={"Accept-Encoding": "br", "If-None-Match": '"0123456789abcdef:br"'})
    assert stale.status_code == 200 and compressed == ["br"]  # another build's worker: sent anew


def test_no_page_loads_the_worker_as_a_page_script_and_every_page_carries_the_tags(app):
    client = app.server.test_client()
    login(client, "t-leader")
    for path, lang in (("/m", "zh"), ("/wall?lang=en", "en"), ("/incidents", "zh")):
        html = client.get(path).get_data(as_text=True)
        assert "sw.js" not in html
        manifest = "/manifest.webmanifest" + ("?lang=en" if lang == "en" else "")
        for tag in (
            f'<link rel="manifest" href="{manifest}">',
            f'<meta name="theme-color" content="{BACKGROUND}">',
            '<link rel="apple-touch-icon" sizes="180x180" href="/assets/icons/apple-touch-icon.png">',
            '<meta name="apple-mobile-web-app-capable" content="yes">',
        ):
            assert tag in html, (path, tag)
        texts = json.loads(re.search(r'<script type="application/json" id="pwa-texts">(.*?)</script>', html)[1])
        assert texts["default"] == "zh"
        assert texts["zh"]["offline_at"] == "离线：显示的是 {time} 的数据"
        assert texts["en"]["offline_at"] == "Offline: showing data from {time}"
        assert set(texts["zh"]) == set(texts["en"]) == set(JS_TEXTS)
        assert not any(CJK.search(v) for v in texts["en"].values())
        assert not any(
            re.search(r"[A-Za-z]{3}", v.replace("{time}", "").replace("{n}", "")) for v in texts["zh"].values()
        )


def test_the_account_mark_is_opaque_and_differs_between_accounts(app):
    marks = []
    for user in ("t-leader", "t-unit"):
        client = app.server.test_client()
        login(client, user)
        html = client.get("/m" if user == "t-leader" else "/incidents").get_data(as_text=True)
        mark = re.search(r'<meta name="cityops-user" content="([0-9a-f]*)">', html)[1]
        assert len(mark) == 24 and user not in html.split('name="cityops-user"')[1][:60]
        marks.append(mark)
    assert marks[0] != marks[1]


@pytest.mark.parametrize(
    ("user", "headers", "query", "target"),
    [
        ("t-unit", {"User-Agent": IPHONE}, "", LANDING["unit"]),
        ("t-unit", {"User-Agent": DESKTOP}, "?lang=en", LANDING["unit"] + "?lang=en"),
        ("t-leader", {"User-Agent": IPHONE}, "", "/m"),
        ("t-dispatcher", {"User-Agent": DESKTOP, "Sec-CH-UA-Mobile": "?1"}, "?lang=en", "/m?lang=en"),
        ("t-dispatcher", {"User-Agent": DESKTOP, "Sec-CH-UA-Mobile": "?0"}, "", "/"),
        ("t-admin", {"User-Agent": DESKTOP}, "?lang=xx", "/"),
    ],
)
def test_launch_opens_where_each_role_works(app, user, headers, query, target):
    client = app.server.test_client()
    login(client, user)
    resp = client.get(f"/launch{query}", headers=headers)
    assert resp.status_code == 302 and resp.headers["Location"] == target


def test_launch_opens_a_walls_wall_and_asks_anyone_else_to_sign_in(app, mini_copy):
    token, digest = new_token()
    accounts.add_token(get_engine(mini_copy), "hall-pwa", token_hash=digest, area="310000", created_by="t-admin")
    wall = app.server.test_client()
    assert wall.get(f"/wall?token={token}").status_code == 302
    resp = wall.get("/launch", headers={"User-Agent": IPHONE})
    assert resp.status_code == 302 and resp.headers["Location"] == "/wall"
    resp = app.server.test_client().get("/launch?lang=en")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?lang=en")


def test_logout_tells_the_browser_to_drop_what_it_kept(app):
    client = app.server.test_client()
    login(client, "t-leader")
    resp = client.post("/logout", headers=ORIGIN)
    assert resp.status_code == 302 and resp.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/m").status_code == 302  # signed out


def test_the_gate_still_refuses_everything_else_without_a_session(app):
    client = app.server.test_client()
    for path in ("/m", "/launch", "/wall", "/tasks", "/", "/incidents/1"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), path
    for path in ("/_dash-layout", "/_dash-dependencies", "/geo/outlines/310000.json"):
        assert client.get(path).status_code == 401, path
    post = client.post("/_dash-update-component", json={"output": "x.children"}, headers=ORIGIN)
    assert post.status_code == 401
    for path in ("/sw.js/x", "/sw.jsx", "/sw.js/", "/manifest.webmanifest/", "/manifest.webmanifest.bak"):
        resp = client.get(path)  # never a page here
        assert resp.status_code in (302, 404) and b"react-entry-point" not in resp.data, path
    for path in ("/loginx", "/logout-now", "/healthzz", "/favicon.icox"):  # a public path's neighbours are not
        resp = client.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), path


def test_the_offline_words_are_in_both_languages_without_a_leak():
    for key in JS_TEXTS.values():
        zh, en = t(key, "zh"), t(key, "en")
        assert CJK.search(zh) and not CJK.search(en), key
        assert not re.search(r"[A-Za-z]{2}", re.sub(r"\{\w+\}", "", zh)), key
    assert t("pwa_offline_at", "zh", time="08:05") == "离线：显示的是 08:05 的数据"
    assert t("pwa_refused", "zh") == "离线，未提交：联网后请再提交"
    assert t("pwa_failed", "zh") == "网络中断，操作未提交，请重试"
    assert t("pwa_queued_n", "zh", n=3) == "3 张照片待上传"


def test_bundles_and_assets_do_not_vary_by_the_session_cookie_but_pages_do(app):
    """The session cookie changes with activity: a bundle marked `Vary: Cookie` was fetched again after each click."""
    client = app.server.test_client()
    assert login(client, "t-dispatcher").status_code == 302
    html = client.get("/m").get_data(as_text=True)
    bundle = re.search(r'src="(/_dash-component-suites/[^"]+)"', html)[1]
    for path in (bundle, "/assets/pwa.js"):
        answer = client.get(path)
        assert answer.status_code == 200 and "cookie" not in answer.headers.get("Vary", "").lower(), path
    assert "cookie" in client.get("/m").headers.get("Vary", "").lower()  # a page is per reader
