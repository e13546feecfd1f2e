"""What a refused write raises (nothing was changed), and the acting account's rights read in the write's
own transaction. Shared by data.write.writes and data.write.moves."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.scope import Scope
from data.store.db import Busy as Busy  # every write raises it when the database does not take it in time
from data.store.models_access import User


class WriteError(Exception):
    """A rejected write; nothing was changed. `code` is stable for translation in the UI."""

    code = "error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.details = details


class NotFound(WriteError):
    code = "not_found"


class StaleVersion(WriteError):
    code = "stale"


class NotAllowed(WriteError):
    code = "not_allowed"


class BadInput(WriteError):
    code = "bad_input"


def actor_scope(s, actor: str, allowed, **details) -> Scope:
    """The acting account, read in the write's own transaction: NotAllowed unless it exists, is active
    and its role may make this move; returns the area (and unit) it may act in. A disabled user or a
    changed role takes effect on the very next write, whatever the session still holds."""
    who = s.execute(select(User.role, User.area_code, User.unit, User.active).where(User.id == actor)).first()
    if who is None or not who.active or not allowed(who.role):
        raise NotAllowed(f"{actor!r} may not do this", reason="role", actor=actor, **details)
    return Scope(who.area_code, who.area_code, actor, who.unit if who.role == "unit" else None)
