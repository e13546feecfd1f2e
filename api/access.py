"""Who is asking and what they may see.

Every page layout and every callback resolves its Scope here, on the server, from the request's
logged-in account (api.auth) and the area the screen asks for. Nothing the browser sends (a Store,
a hidden field, a URL) widens it: an area outside the account's root, or an unknown one, raises
ScopeError, which screens show exactly like an unknown code."""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user as _login_user

from data.domain.areas import is_area_code
from data.domain.roles import SYSTEM, Account
from data.domain.scope import Scope, ScopeError
from data.domain.vocab import CITY_CODE
from data.read import areas

OUTSIDE_REQUESTS = Account("system", SYSTEM, CITY_CODE, "系统", "System")  # start-up, CLI, workers


class NotLoggedIn(ScopeError):
    """A request without a valid session reached a read (the gate should have stopped it)."""


def current_user() -> Account:
    """The account of the current request. Outside a request (start-up, the CLI, workers) it is the
    system; inside one without a valid session, NotLoggedIn."""
    if not has_request_context():
        return OUTSIDE_REQUESTS
    user = _login_user._get_current_object()
    if not isinstance(user, Account):
        raise NotLoggedIn("no valid session")
    return user


def user_scope(user: Account) -> Scope:
    """The widest Scope an account reads: its area root, and for a unit its unit's incidents."""
    return Scope(user.area, user.area, user.id, user.unit if user.role == "unit" else None)


def resolve_scope(requested: object = None) -> Scope:
    """The Scope a request may read: the requested area if it exists and lies inside the user's
    root, the root itself when nothing is asked for.

    Raises ScopeError for a malformed, unknown or forbidden code (callers show not-found). The
    code is checked for shape before any lookup, so a forged string reaches no cache or log."""
    root = user_scope(current_user())
    if requested is None or requested == "":
        return root
    code = str(requested).strip() if isinstance(requested, (str, int)) else ""
    if not is_area_code(code) or not root.contains(code) or areas.area(code) is None:
        raise ScopeError("unknown area code")
    return root.narrow(code)


def scope_or_root(requested: object) -> Scope:
    """For callbacks: the requested area when the user may see it, else the user's root. A Store can
    only ask; a forged or stale value never widens what the request reads."""
    try:
        return resolve_scope(requested)
    except NotLoggedIn:
        raise
    except ScopeError:
        return resolve_scope()


__all__ = ["NotLoggedIn", "Scope", "ScopeError", "current_user", "resolve_scope", "scope_or_root", "user_scope"]
