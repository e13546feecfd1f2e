"""Logging in and out, and walls opening with a display token.

flask-login keeps the session (a signed, HttpOnly cookie); argon2-cffi hashes passwords;
flask-limiter slows repeated failures from one address or for one username. Display tokens are long
random strings stored as their SHA-256: a lookup, not a password check, at a wall's one exchange.

Every account, password and token lookup reads the primary (`on_primary`), never a read replica: a
disabled account or a revoked token stops working at once on every host, and a new one works at once."""

from __future__ import annotations

import hashlib
import logging
import secrets
from urllib.parse import urlencode

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, Flask, current_app, redirect, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, login_user, logout_user
from flask_login import current_user as session_user
from limits import parse as parse_limit
from sqlalchemy.exc import SQLAlchemyError

from components.i18n import lang_from, t
from data.domain.roles import LANDING, USERNAME, Account
from data.domain.timeutil import now_ts
from data.read import users
from data.store.cache import on_primary, primary_engine
from data.write import accounts

log = logging.getLogger("cityops.auth")
HASHER = PasswordHasher()
_UNKNOWN = HASHER.hash(secrets.token_hex(16))  # verified against for unknown names: the same time either way
MAX_PASSWORD = 1024  # argon2 over megabytes would be a denial of service
NOTICES = ("expired", "out")  # why the login page was opened: a fixed set, never echoed from the URL

bp = Blueprint("auth", __name__, template_folder="templates")  # the login and wall-refused pages


def hash_password(password: str) -> str:
    if not 8 <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"a password has 8 to {MAX_PASSWORD} characters")
    return HASHER.hash(password)


def new_token() -> tuple[str, str]:
    """A display token and the SHA-256 that is stored (the token itself is shown once)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@on_primary()
def check_password(username: str, password: str) -> Account | None:
    """The account when the password matches an active person's, else None (in about the same time)."""
    known = USERNAME.match(username) is not None and len(password) <= MAX_PASSWORD
    stored = users.password_hash(username) if known else None
    try:
        HASHER.verify(stored or _UNKNOWN, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    return users.login_account(username) if stored else None


def audit(event: str, user_id: str | None = None, target: str | None = None) -> None:
    """An access-log row for this request (address from the connection, not from a header)."""
    try:
        accounts.record_access(primary_engine(), event, user_id=user_id, addr=request.remote_addr, target=target)
    except Exception:  # the database is down: the log line still says it
        log.exception("could not record %s for %s", event, user_id)
    log.info("access %s user=%s addr=%s target=%s", event, user_id, request.remote_addr, target)


def safe_next(value: str | None) -> str | None:
    """A local path to return to after login, or None (never another site: no '//' or scheme)."""
    if not value or len(value) > 512 or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def same_origin() -> bool:
    """True when the request's Origin (browsers send one on every POST) is this server's own."""
    origin = request.headers.get("Origin")
    allowed = {request.host_url.rstrip("/"), *current_app.config.get("ALLOWED_ORIGINS", ())}
    return origin is not None and origin in allowed


def landing(user: Account, lang: str) -> str:
    return f"{LANDING.get(user.role, '/')}?lang={lang}"


def _username_bucket() -> str:
    """The per-username throttle key: a hash bucket of the name typed, so no typed string grows the
    limiter's storage (65,536 buckets at most)."""
    typed = (request.form.get("username") or "").strip().lower()[:64]
    return "user:" + hashlib.sha256(typed.encode()).hexdigest()[:4]


def login_page(lang: str, message: str | None = None, status: int = 200, next_path: str | None = None):
    other = "en" if lang == "zh" else "zh"
    switch = "/login?" + urlencode({"lang": other, **({"next": next_path} if next_path else {})})
    body = render_template(
        "login.html",
        lang=lang,
        t=lambda key, **kw: t(key, lang, **kw),
        message=t(message, lang) if message else None,
        next_path=next_path or "",
        switch=switch,
        switch_label=t("lang_switch", lang),
        build=current_app.config.get("BUILD_ID", ""),
    )
    return body, status, {"Cache-Control": "no-store"}


@on_primary()
def login():
    lang = lang_from(request.values.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        why = request.args.get("why")
        return login_page(lang, f"login_{why}" if why in NOTICES else None, next_path=next_path)
    if not same_origin():
        audit("denied", target="login:origin")
        return login_page(lang, "login_bad_origin", 403, next_path)
    username = (request.form.get("username") or "").strip().lower()[:64]
    account = check_password(username, request.form.get("password") or "")
    if account is None:
        exists = USERNAME.match(username) is not None and users.password_hash(username) is not None
        audit("login_failed", user_id=username if exists else None)
        return login_page(lang, "login_failed", 401, next_path)
    session.clear()  # no state from before the login survives it (session fixation)
    login_user(account)
    session.permanent = True
    session["seen"] = now_ts()
    accounts.logged_in(primary_engine(), account.id)
    audit("login", user_id=account.id)
    return redirect(next_path or landing(account, lang))


def logout():
    lang = lang_from(request.values.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))
    if not same_origin():
        return login_page(lang, "login_bad_origin", 403)
    user = session_user._get_current_object()
    if isinstance(user, Account):
        audit("logout", user_id=user.id)
    logout_user()
    session.clear()
    response = redirect(f"/login?why=out&lang={lang}")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'  # what the service worker kept (api/pwa.py)
    return response


@on_primary()
def open_wall():
    """`/wall?token=...`: check the token once, start a long-lived read-only wall session bound to the
    token's scope, and reload the wall without the token in the address bar."""
    lang = lang_from(request.args.get("lang"), current_app.config.get("DEFAULT_LANG", "zh"))
    raw = request.args.get("token", "")
    limiter: Limiter = current_app.extensions["cityops_limiter"]
    tries = parse_limit(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
    if not limiter.limiter.test(tries, "token", request.remote_addr or "-"):
        return token_page(lang, "login_throttled", 429)  # guessing tokens: slowed, and not logged row by row
    found = users.token_by_hash(token_hash(raw)) if 20 <= len(raw) <= 128 else None
    now = now_ts()
    account = users.wall_account(found[0], now - now % 60) if found else None
    if account is None:
        limiter.limiter.hit(tries, "token", request.remote_addr or "-")
        audit("token_refused")
        return token_page(lang, "token_invalid")
    logout_user()
    session.clear()
    login_user(account)
    session.permanent = True
    session["wall_token"] = account.token_id
    accounts.token_seen(primary_engine(), account.token_id, request.remote_addr, now)
    audit("token_opened", user_id=account.id)
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    return redirect("/wall" + (f"?{urlencode(rest)}" if rest else ""))


def token_page(lang: str, message: str, status: int = 401):
    """A wall that may not show: one sentence, large, in the wall's language (not a blank screen)."""
    body = render_template("wall_refused.html", lang=lang, message=t(message, lang), title=t("app_title", lang))
    return body, status, {"Cache-Control": "no-store"}


_LAST_KNOWN: dict[str, Account] = {}  # session id -> account, only ever real ones: used while the database is down


@on_primary()
def _account_of(session_id: str) -> Account | None:
    """The account a session names: a person's, or a wall's display token ('token:N')."""
    if session_id.startswith("token:"):
        number = session_id.removeprefix("token:")
        if number.isdigit() and len(number) <= 12:
            now = now_ts()
            return users.wall_account(int(number), now - now % 60)
        return None
    return users.login_account(session_id) if USERNAME.match(session_id) else None


def init_auth(server: Flask) -> None:
    """Sessions, the login views and their throttle on this server."""
    manager = LoginManager()
    manager.session_protection = None  # walls sit behind NAT and proxies that change; the gate checks idleness
    manager.init_app(server)

    @manager.user_loader
    def _load(session_id: str) -> Account | None:
        try:
            account = _account_of(session_id)
        except SQLAlchemyError:  # the database is down: screens keep their last data and say so
            return _LAST_KNOWN.get(session_id)
        if account is None:
            _LAST_KNOWN.pop(session_id, None)
        else:
            _LAST_KNOWN[session_id] = account
        return account

    limiter = Limiter(get_remote_address, app=server, storage_uri=server.config["RATELIMIT_STORAGE_URI"])
    server.extensions["cityops_limiter"] = limiter
    failed = dict(deduct_when=lambda response: response.status_code == 401, methods=["POST"])
    per_address = limiter.limit(server.config["LOGIN_LIMIT_PER_ADDRESS"], **failed)
    per_user = limiter.limit(server.config["LOGIN_LIMIT_PER_USER"], key_func=_username_bucket, **failed)
    server.add_url_rule("/login", "login", per_address(per_user(login)), methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    server.register_blueprint(bp)  # its templates

    @server.errorhandler(RateLimitExceeded)
    def _throttled(_exc):
        lang = lang_from(request.values.get("lang"), server.config.get("DEFAULT_LANG", "zh"))
        audit("login_failed", target="throttled")
        return login_page(lang, "login_throttled", 429, safe_next(request.values.get("next")))
