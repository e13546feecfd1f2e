"""Scope: which area one read covers, made on the server (api.access.resolve_scope) and never taken
from the browser. Every scoped read takes one; its repr, the area code, is the cache key."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from data.domain.areas import CHILD_LEVEL, contains, level_of
from data.domain.vocab import CITY_CODE


class ScopeError(LookupError):
    """The requested area does not exist or is outside what this user may see."""


@dataclass(frozen=True)
class Scope:
    """An area a request reads (`code`), inside the widest area its user may see (`root`).

    A handling unit's user reads only the incidents dispatched to its unit (`unit`); such a scope
    refuses every read of a table without an assigned unit (counts, rollups, warnings), so a unit's
    screen cannot show more by accident.

    Two scopes over the same area and unit read the same rows, so equality, hashing and the repr
    (which cache keys are made of) use those alone; `root` and `user_id` say for whom it was
    resolved."""

    code: str
    root: str = field(default=CITY_CODE, compare=False)
    user_id: str | None = field(default=None, compare=False)
    unit: str | None = None

    def __post_init__(self):
        level_of(self.code)  # ValueError for a malformed code
        if not contains(self.root, self.code):
            raise ScopeError(f"area {self.code} is outside the scope {self.root}")

    def __repr__(self) -> str:
        return f"Scope({self.code})" if self.unit is None else f"Scope({self.code}, unit={self.unit})"

    @property
    def level(self) -> str:
        return level_of(self.code)

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL[self.level]

    @property
    def is_city(self) -> bool:
        return self.code == CITY_CODE

    @property
    def district(self) -> str | None:
        """The district this scope lies in (None for the city)."""
        return None if self.is_city else self.code[:6]

    def contains(self, code: str | None) -> bool:
        """True when the area `code` lies inside this scope."""
        return bool(code) and contains(self.code, str(code))

    def narrow(self, code: str) -> Scope:
        """The scope of a sub-area for the same user (ScopeError when it lies outside)."""
        if not self.contains(code):
            raise ScopeError(f"area {code} is outside the scope {self.code}")
        return Scope(code, self.root, self.user_id, self.unit)

    def filter(self, model) -> Any:
        """WHERE clause limiting a table with district_code/street_code/grid_code columns to this scope
        (and, for a unit's scope, to the incidents dispatched to that unit)."""
        area = True if self.is_city else getattr(model, f"{self.level}_code") == self.code
        if self.unit is None:
            return area
        if not hasattr(model, "assigned_unit"):
            raise ScopeError(f"a unit's scope reads only its incidents, not {getattr(model, '__name__', model)}")
        return model.assigned_unit == self.unit if area is True else area & (model.assigned_unit == self.unit)

    def prefix(self, column) -> Any:
        """WHERE clause limiting a column of area codes (any level) to this scope."""
        if self.unit is not None:
            raise ScopeError("a unit's scope reads only its incidents")
        return True if self.is_city else column.startswith(self.code, autoescape=True)


def scoped(fn: Callable) -> Callable:
    """Make a read refuse anything but a Scope as its `scope` argument (a bare area string is a bug)."""
    params = list(inspect.signature(fn).parameters)
    if "scope" not in params:
        raise TypeError(f"{fn.__qualname__} has no scope parameter")
    position = params.index("scope")

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        value = kwargs["scope"] if "scope" in kwargs else args[position] if len(args) > position else None
        if not isinstance(value, Scope):
            raise TypeError(f"{fn.__qualname__} needs a Scope, got {type(value).__name__}")
        return fn(*args, **kwargs)

    return wrapper


CITY = Scope(CITY_CODE, CITY_CODE, "system")  # the whole city, for the system's own work (rules, health, workers)
