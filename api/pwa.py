"""The installable app (issue 17): the web manifest, the service worker's script, where an installed app
opens (/launch), and the tags every page's HTML carries for them.

The manifest, the worker's script and the icons (under /assets/icons/) carry no data and are public
(api/gate.py PUBLIC): a browser fetches a manifest without cookies. /launch is behind the login like
every page. The worker itself (assets/sw.js) keeps the app's shell and the last answers of its
refreshes for a flaky network; what it keeps is per origin, not per user, so it is *clearing* that keeps
one user's answers from another: the logout response carries Clear-Site-Data (api/auth.py), and the
worker drops what it kept when a page posts "clear", when the login page is opened, when a request
answers 401 (a session that ended) and when a page's account mark (user_tag) is not the one it kept for."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json

from flask import Blueprint, Response, current_app, redirect, request

from api.access import ScopeError, current_user
from api.conditional import not_modified, revalidated
from components.i18n import LANGS, lang_from, t
from components.ids import PWA
from components.theme import BACKGROUND
from config import ROOT
from data.domain.roles import LANDING

pwa = Blueprint("pwa", __name__)

MANIFEST = "/manifest.webmanifest"
WORKER = "/sw.js"
WORKER_FILE = ROOT / "assets" / "sw.js"  # in assets/ for deployment; app.py keeps Dash from loading it as a page script
START = "/launch"
ICONS = (  # (path under /assets/, size in px, purpose): drawn by scripts/make_icons.py
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/icon-maskable-512.png", 512, "maskable"),
)
APPLE_ICON = ("icons/apple-touch-icon.png", 180)
PHONE_HOME = "/m"  # where /launch takes a role without a landing of its own, on a phone
# the words assets/pwa.js says, in both languages: the page's language can change without a reload
JS_TEXTS = {
    "offline_at": "pwa_offline_at",
    "offline": "pwa_offline",
    "refused": "pwa_refused",
    "failed": "pwa_failed",
    "queued_one": "pwa_queued_one",
    "queued_n": "pwa_queued_n",
    "sent_one": "pwa_sent_one",
    "sent_n": "pwa_sent_n",
    "photo_refused": "pwa_photo_refused",
    "queue_full": "pwa_queue_full",
    "logout_queued": "pwa_logout_queued",
}


def _default_lang() -> str:
    return current_app.config.get("DEFAULT_LANG", "zh")


def _with_lang(path: str, lang: str) -> str:
    """The path as the default language opens it, or with ?lang= for the other one."""
    return path if lang == _default_lang() else f"{path}?lang={lang}"


def manifest(lang: str) -> dict:
    """The web app manifest in one language: names, colours, where it starts and its icons."""
    return {
        "id": "/",  # one app whatever the language it was installed in
        "name": t("pwa_name", lang),
        "short_name": t("pwa_short_name", lang),
        "description": t("pwa_description", lang),
        "lang": "en" if lang == "en" else "zh-CN",
        "dir": "ltr",
        "start_url": _with_lang(START, lang),
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": BACKGROUND,
        "icons": [
            {"src": f"/assets/{path}", "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
            for path, size, purpose in ICONS
        ],
    }


@pwa.get(MANIFEST)
def web_manifest():
    lang = lang_from(request.args.get("lang"), _default_lang())
    body = json.dumps(manifest(lang), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/manifest+json", headers={"Cache-Control": "no-cache"})


@functools.cache
def _worker_source(path: str, build: str) -> tuple[bytes, str]:
    """The worker's script with this build's id as its version (a new build: new caches, old ones dropped),
    and its ETag. One entry per build."""
    text = (ROOT / path).read_text(encoding="utf-8").replace("__BUILD_ID__", json.dumps(build)[1:-1])
    body = text.encode()
    return body, hashlib.sha1(body).hexdigest()[:16]


@pwa.get(WORKER)
def service_worker():
    """assets/sw.js from the root, so its scope is the whole app; revalidated on every check (no-cache)."""
    body, etag = _worker_source(str(WORKER_FILE.relative_to(ROOT)), current_app.config.get("BUILD_ID", ""))
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
    held = revalidated(etag)  # as the browser holds it: flask-compress sent it as "<etag>:br"
    if held:
        return not_modified(held, headers)
    resp = Response(body, mimetype="text/javascript", headers=headers)
    resp.set_etag(etag)
    return resp


@pwa.get(f"{MANIFEST}<path:rest>")
@pwa.get(f"{MANIFEST}/<path:rest>")
@pwa.get(f"{WORKER}<path:rest>")
@pwa.get(f"{WORKER}/<path:rest>")
def _no_such_file(rest: str = ""):
    """The gate lets every path that starts like a public one through: anything longer is not found here,
    never a page served without a session."""
    return Response(status=404)


pwa.add_url_rule(f"{MANIFEST}/", "no_such_folder", _no_such_file, methods=["GET"])
pwa.add_url_rule(f"{WORKER}/", "no_such_worker_folder", _no_such_file, methods=["GET"])


def on_a_phone() -> bool:
    """The browser says it is a phone: the Sec-CH-UA-Mobile client hint (Chromium sends it with every
    request over HTTPS or to localhost) or, for Safari and others, "Mobi" in the user agent."""
    return request.headers.get("Sec-CH-UA-Mobile") == "?1" or "Mobi" in request.headers.get("User-Agent", "")


@pwa.get(START)
def launch():
    """Where the installed app opens (the manifest's start_url): a unit's queue, a wall's wall, everyone
    else's phone view on a phone and the overview elsewhere. Behind the login (api/gate.py)."""
    lang = lang_from(request.args.get("lang"), _default_lang())
    role = current_user().role
    target = LANDING.get(role) or (PHONE_HOME if on_a_phone() else "/")
    return redirect(_with_lang(target, lang))


def user_tag() -> str:
    """An opaque mark of the signed-in account for this page (an HMAC with the app's secret): photos queued
    offline are sent only from a page of the same account. Empty without one."""
    try:
        account_id = current_user().get_id()
    except ScopeError:
        return ""
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, f"pwa-user:{account_id}".encode(), hashlib.sha256).hexdigest()[:24]


def _json_in_html(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def head_tags(lang: str) -> str:
    """What every page's <head> carries: the manifest in the page's language, the theme colour, the iOS
    home-screen tags and icon, the account's mark and the words of assets/pwa.js (both languages, for a
    page whose language changes without a reload; the default named, as lang_from reads it)."""
    texts = {code: {k: t(key, code) for k, key in JS_TEXTS.items()} for code in LANGS}
    texts["default"] = _default_lang()
    return "\n".join(
        [
            f'<link rel="manifest" href="{_with_lang(MANIFEST, lang)}">',
            f'<meta name="theme-color" content="{BACKGROUND}">',
            '<meta name="mobile-web-app-capable" content="yes">',
            '<meta name="apple-mobile-web-app-capable" content="yes">',
            '<meta name="apple-mobile-web-app-status-bar-style" content="black">',
            f'<meta name="apple-mobile-web-app-title" content="{t("pwa_short_name", lang)}">',
            f'<link rel="apple-touch-icon" sizes="{APPLE_ICON[1]}x{APPLE_ICON[1]}" href="/assets/{APPLE_ICON[0]}">',
            f'<meta name="cityops-user" content="{user_tag()}">',
            f'<script type="application/json" id="{PWA["texts"]}">{_json_in_html(texts)}</script>',
        ]
    )
