"""Resolve the area scope of the current request: the one place access control will plug in."""
from __future__ import annotations

from data import queries
from data.models import CITY_CODE


class ScopeError(LookupError):
    """The requested area does not exist or is outside what this user may see."""


def allowed_root() -> str:
    """The widest area the current user may see. Today everyone sees the city; a login will narrow it."""
    return CITY_CODE


def resolve_scope(requested: str | None = None) -> str:
    """The area code to query: the requested one if it exists and is visible, else the user's root.

    Raises ScopeError for an unknown or forbidden code (callers show a not-found page).
    """
    root = allowed_root()
    if requested is None or requested == "":
        return root
    code = str(requested).strip()
    if not code.isdigit() or queries.area(code) is None:
        raise ScopeError(f"unknown area code {requested!r}")
    if root != CITY_CODE and not code.startswith(root):
        raise ScopeError(f"area {code} is outside the user's scope {root}")
    return code
