"""The gate every request passes: who is asking, may they open this page or run this callback, is the
session still alive, and does a POST come from the app's own origin.

Pages and callbacks are checked against data.domain.roles: pages by their path template, callbacks
by the page whose layout holds their outputs (mapped once at start-up from the page registry and
the callback map, so a new page or callback is covered without anyone listing it here).

It also bounds what a request may carry: a body over MAX_CONTENT_LENGTH is 413, a callback body
that is not the shape Dash reads is 400 (before Dash sees it, so no traceback echoes it into the
log), an id in a page's path is a plain integer or the page is not found, and a file Dash does not
serve is 404."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlencode

import dash
from dash.exceptions import DependencyException
from flask import Flask, current_app, g, has_request_context, jsonify, redirect, request, session
from flask_login import current_user as session_user
from flask_login import login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from api import plain_id, well_formed_callback
from api.access import current_user, resolve_scope
from api.auth import audit, login_page, open_wall, same_origin, token_page
from components.i18n import lang_from, t
from components.notfound import create_not_found
from data.domain.roles import LANDING, USERNAME, Account, may_open
from data.domain.scope import ScopeError
from data.domain.timeutil import now_ts
from data.read import exists, users
from data.store.cache import on_primary, primary_engine
from data.write import accounts

PUBLIC = ("/login", "/logout", "/healthz", "/assets/", "/csp-report", "/favicon.ico", "/_favicon.ico")
PUBLIC += ("/manifest.webmanifest", "/sw.js")  # the installable app's: no data, fetched without cookies (api/pwa.py)
KEYED = ("/api/v1/", "/open311/")  # API keys, not sessions (api/keyed.py): every view behind them authenticates
XHR = ("/_dash-", "/geo/", "/_reload-hash", "/_alive", "/incident-photos/")  # not pages: no page lookup
SHELL = "*"  # a callback of the shell (navigation, language): every role
PATTERN_PAGES = {"warn-ack-cell": {"/warnings"}}  # pattern-matching outputs made inside callbacks, not layouts
SEEN_EVERY_S = 60  # how often a wall's "last seen" is written
ID_VARIABLES = ("iid", "pid")  # path variables that name a row by its id: plain integers only
CATCHALL = "/<path:path>"  # Dash's route for every page path

log = logging.getLogger("cityops.gate")


def _templates() -> list[tuple[re.Pattern, str]]:
    out = []
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        pattern = re.sub(r"<([a-z_]+)>", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\<", "<").replace(r"\>", ">"))
        out.append((re.compile(f"^{pattern}$"), template))
    return out


def page_of(path: str) -> tuple[str, dict] | None:
    """The registered page a path opens, as (path template, its variables), or None."""
    for pattern, template in current_app.extensions["cityops_pages"]:
        match = pattern.match(path)
        if match:
            return template, match.groupdict()
    return None


def _output_ids(output_key: str) -> list[str]:
    """The component ids (a pattern-matching id by its type) named by a callback map key."""
    ids = []
    for part in output_key.strip(".").split("..") if output_key.startswith("..") else [output_key]:
        raw = part.rsplit(".", 1)[0]
        if raw.startswith("{"):
            try:
                raw = str(json.loads(raw).get("type", ""))
            except ValueError:
                continue
        ids.append(raw)
    return ids


def owners(page_ids: dict[str, set[str]], shell_ids: set[str]) -> dict[str, set[str]]:
    """{component id: the page templates whose layouts hold it}; SHELL for the shell's own."""
    owner: dict[str, set[str]] = {i: {SHELL} for i in shell_ids | {"_pages_content", "_pages_store", "_pages_dummy"}}
    for template, ids in page_ids.items():
        for i in ids:
            owner.setdefault(i, set()).add(template)
    for i, pages in PATTERN_PAGES.items():
        owner.setdefault(i, set()).update(pages)
    return owner


def callback_pages(app: dash.Dash, key: str) -> set[str] | None:
    """The page templates whose users may run the callback with this map key; None for a key the app
    does not have (Dash adds its pages router at the first request, so this is looked up, not frozen)."""
    if key not in app.callback_map:
        return None
    known = app.server.extensions["cityops_callbacks"]
    if key not in known:  # at most one entry per callback the app has
        owner = app.server.extensions["cityops_owners"]
        known[key] = set().union(*(owner.get(i, set()) for i in _output_ids(key)))
    return known[key]


def _lang() -> str:
    """The language a refusal is said in: the page's ?lang=, else the app's default."""
    return lang_from(request.args.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))


def _unauthenticated(reason: str):
    lang = _lang()
    if request.path.startswith(XHR) or request.method != "GET":
        message = t("token_revoked" if reason == "revoked" else "session_ended", lang)
        return jsonify(reason=reason, message=message, login=f"/login?why=expired&lang={lang}"), 401
    if reason == "revoked":
        return token_page(lang, "token_revoked")
    full = request.full_path.rstrip("?")
    target = f"/login?lang={lang}" + (f"&why={reason}" if reason == "expired" else "")
    return redirect(target + ("&" + urlencode({"next": full[:512]}) if full not in ("/", "") else ""))


def callback_body() -> dict | None:
    """This request's callback body when it has the shape Dash reads, else None (parsed once)."""
    if "callback_body" not in g:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser goes
            body = None
        g.callback_body = body if well_formed_callback(body) else None
    return g.callback_body


def _fits(app: dash.Dash, key: str, body: dict) -> bool:
    """True when the body carries as many inputs, states and outputs as the callback takes."""
    cb, outputs = app.callback_map[key], body["outputs"]
    several = key.startswith("..")  # one entry per output
    fit = not several or (isinstance(outputs, list) and len(outputs) == len(key.strip(".").split("...")))
    return fit and len(body["inputs"]) == len(cb["inputs"]) and len(body.get("state", [])) == len(cb["state"])


def _bad_request(user: Account, why: str):
    """400 and a sentence; one short log line with a fixed reason, never the body."""
    log.info("refused a malformed callback request from %s: %s", user.id, why)
    return jsonify(reason="bad_request", message=t("bad_request", _lang())), 400


def _is_activity() -> bool:
    """A page visit or a callback a person set off (a click, a typed filter), not a timer's tick."""
    if request.path.startswith("/_dash-update-component"):
        changed = (callback_body() or {}).get("changedPropIds") or []
        return any(not p.endswith(".n_intervals") for p in changed)
    return not request.path.startswith(XHR)


def peer_address() -> str | None:
    """The address that connected to us: the proxy itself when FORWARDED_HOPS makes request.remote_addr
    the client's (the single sign-on header is believed from the proxy, never from a client)."""
    return request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR", request.remote_addr)


@on_primary()  # as every account lookup (api/auth.py)
def single_sign_on(claimed: str) -> None:
    """The intranet proxy (统一身份认证) names the user in a header: believe it only from a configured
    proxy address, and only for an active account; otherwise record the refusal (once per session)
    and carry on as if the header were absent."""
    trusted = peer_address() in current_app.config.get("TRUSTED_PROXIES", ())
    account = users.login_account(claimed) if trusted and USERNAME.match(claimed or "") else None
    if account is None:
        if not session.get("sso_refused"):
            session["sso_refused"] = True
            audit("sso_refused", target="untrusted address" if not trusted else "unknown user")
        return
    current = session_user._get_current_object()
    if getattr(current, "id", None) != account.id:
        session.clear()
        login_user(account)
        session.permanent = True
        session["seen"] = now_ts()
        audit("login", user_id=account.id, target="sso")


def _deny(user: Account, target: str):
    audit("denied", user_id=user.id, target=target)
    lang = _lang()
    return jsonify(reason="forbidden", message=t("forbidden_body", lang)), 403


def _public(path: str) -> bool:
    """A PUBLIC folder's files or a PUBLIC path itself (a prefix match let '/loginx' reach a page unasked)."""
    return path in PUBLIC or any(path.startswith(p) for p in PUBLIC if p.endswith("/"))


def gate():
    """before_request: let a request through, or answer it here."""
    path = request.path
    if _public(path) or path.startswith(KEYED):  # keyed: no session cookie, so no same-origin check
        return None
    if request.method not in ("GET", "HEAD") and not same_origin():
        user = session_user._get_current_object()
        audit("denied", user_id=getattr(user, "id", None), target="origin")
        return jsonify(reason="origin", message=t("login_bad_origin", _lang())), 403
    if path == "/wall" and "token" in request.args:
        return open_wall()
    if current_app.config.get("TRUSTED_HEADER") and request.headers.get(current_app.config["TRUSTED_HEADER"]):
        single_sign_on(request.headers[current_app.config["TRUSTED_HEADER"]])
    user = session_user._get_current_object()
    if not isinstance(user, Account):
        return _unauthenticated("revoked" if session.get("wall_token") else "login")
    now = now_ts()
    if user.token_id is None:
        idle = current_app.config["IDLE_MINUTES"] * 60
        if now - int(session.get("seen", 0)) > idle:
            audit("expired", user_id=user.id)
            logout_user()
            session.clear()
            return _unauthenticated("expired")
        if _is_activity():
            session["seen"] = now
    elif now - int(session.get("seen", 0)) >= SEEN_EVERY_S:
        session["seen"] = now
        try:
            accounts.token_seen(primary_engine(), user.token_id, request.remote_addr, now)
        except SQLAlchemyError:  # the wall shows its last data and says so; being seen can wait
            pass
    if path == "/_dash-update-component":
        body = callback_body()
        if body is None:
            return _bad_request(user, "not a callback body")
        key = body["output"][:2000]
        app = current_app.extensions["cityops_dash"]
        pages = callback_pages(app, key)
        if pages is None or not (SHELL in pages or any(may_open(user.role, p) for p in pages)):
            return _deny(user, "callback:" + (key[:80] if pages is not None else "unknown"))
        if not _fits(app, key, body):
            return _bad_request(user, "inputs, states or outputs do not fit the callback")
        return None
    if path.startswith(XHR):
        rule = request.url_rule
        return _not_found() if rule is None or rule.rule == CATCHALL else None  # never a page
    found = page_of(path)
    if found is None:
        g.page_status = 404
        return None
    template, variables = found
    if template == "/" and user.role in LANDING:
        return redirect(
            LANDING[user.role] + (f"?{request.query_string.decode()[:200]}" if request.query_string else "")
        )
    if not may_open(user.role, template):
        audit("denied", user_id=user.id, target="page:" + template)
        g.page_status = 403
    elif any(plain_id(variables[v]) is None for v in ID_VARIABLES if v in variables):
        g.page_status = 404  # not found without a lookup: no '１２' read as 12, no '²' crash
    elif variables:
        try:
            if not exists.page_target(template, variables, resolve_scope()):
                g.page_status = 404
        except SQLAlchemyError:  # the page itself says the data is unavailable
            pass
    return None


def set_page_status(response):
    """after_request: a page that is not found or not permitted says so in its status too."""
    status = g.get("page_status")
    if status and response.status_code == 200:
        response.status_code = status
    return response


def _not_found(_exc=None):
    """404 for a path Dash serves no file at (its message would echo the path into the log)."""
    return jsonify(reason="not_found"), 404


def _too_large(_exc):
    """413 and a sentence: the login page says it there, anything else in JSON."""
    if request.path == "/login":
        return login_page(_lang(), "too_large", 413)
    return jsonify(reason="too_large", message=t("too_large", _lang())), 413


def guard_layouts() -> None:
    """Wrap every page's layout: a role that may not open the page gets the not-permitted block."""
    for page in dash.page_registry.values():
        layout = page["layout"]
        if getattr(layout, "guarded", False) or not callable(layout):
            continue
        page["layout"] = _guarded(layout, page.get("path_template") or page["path"])


def _guarded(layout, template: str):
    def guarded(*args, **kwargs):
        if has_request_context():
            try:
                user = current_user()
            except ScopeError:
                user = None
            if user is None or not may_open(user.role, template):
                lang = lang_from(kwargs.get("lang"))
                return create_not_found(lang, title=t("forbidden_title", lang), body=t("forbidden_body", lang))
        return layout(*args, **kwargs)

    guarded.guarded = True
    return guarded


def init_gate(app: dash.Dash, page_ids: dict[str, set[str]], shell_ids: set[str]) -> None:
    server: Flask = app.server
    server.extensions["cityops_pages"] = _templates()
    server.extensions["cityops_dash"] = app
    server.extensions["cityops_owners"] = owners(page_ids, shell_ids)
    server.extensions["cityops_callbacks"] = {}
    guard_layouts()
    server.before_request(gate)
    server.after_request(set_page_status)
    server.register_error_handler(413, _too_large)
    server.register_error_handler(DependencyException, _not_found)
