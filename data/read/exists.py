"""Does a page's target exist in the reader's scope? One indexed lookup each, so a page that will say
"not found" answers with HTTP 404 as well (an id outside the scope is as unknown as a missing one)."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.areas import is_area_code
from data.domain.scope import Scope, ScopeError
from data.store.cache import current_engine
from data.store.models import Area, Incident, Indicator, Project


def page_target(template: str, variables: dict[str, str], scope: Scope) -> bool:
    """True when the page `template` opened with `variables` shows something to this scope."""
    value = str(next(iter(variables.values()), ""))[:40]
    try:
        if template == "/area/<code>":
            return is_area_code(value) and scope.contains(value) and _one(select(Area.code).where(Area.code == value))
        if template == "/incidents/<iid>":
            return _digits(value) and _one(select(Incident.id).where(Incident.id == int(value), scope.filter(Incident)))
        if template == "/projects/<pid>":
            if scope.unit is not None:
                return False
            district = True if scope.is_city else Project.district_code == scope.district  # as projectdata reads
            return _digits(value) and _one(select(Project.id).where(Project.id == int(value), district))
        if template == "/indicators/<code>":
            return _one(select(Indicator.code).where(Indicator.code == value))
    except ScopeError:  # a unit's scope reads no projects or areas
        return False
    return True


def _digits(value: str) -> bool:
    return value.isdigit() and len(value) <= 12


def _one(query) -> bool:
    with current_engine().connect() as conn:
        return conn.execute(query.limit(1)).first() is not None
