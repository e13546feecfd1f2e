"""Who is asking and what they may see: the one place a login plugs in.

Every page layout and every callback resolves its Scope here, on the server, from the request's
user and the area the screen asks for. Nothing the browser sends (a Store, a hidden field, a URL)
widens it: an area outside the user's root, or an unknown one, raises ScopeError."""

from __future__ import annotations

from data.domain.areas import is_area_code
from data.domain.scope import Scope, ScopeError
from data.domain.vocab import CITY_CODE
from data.read import areas

DUTY_OFFICER = {
    "id": "duty-officer",
    "name_zh": "市城运中心值班员",
    "name_en": "City operations duty officer",
    "area": CITY_CODE,
}


def current_user() -> dict:
    """The user of the current request: {'id', 'name_zh', 'name_en', 'area'}. Every write records its id.

    Until login exists, everyone is the city's duty officer."""
    return dict(DUTY_OFFICER)


def resolve_scope(requested: object = None) -> Scope:
    """The Scope a request may read: the requested area if it exists and lies inside the user's
    root, the root itself when nothing is asked for.

    Raises ScopeError for a malformed, unknown or forbidden code (callers show not-found). The
    code is checked for shape before any lookup, so a forged string reaches no cache or log."""
    user = current_user()
    root = Scope(user["area"], user["area"], user["id"])
    if requested is None or requested == "":
        return root
    code = str(requested).strip() if isinstance(requested, (str, int)) else ""
    if not is_area_code(code) or areas.area(code) is None:
        raise ScopeError("unknown area code")
    return root.narrow(code)


def scope_or_root(requested: object) -> Scope:
    """For callbacks: the requested area when the user may see it, else the user's root. A Store can
    only ask; a forged or stale value never widens what the request reads."""
    try:
        return resolve_scope(requested)
    except ScopeError:
        return resolve_scope()


__all__ = ["Scope", "ScopeError", "current_user", "resolve_scope", "scope_or_root"]
