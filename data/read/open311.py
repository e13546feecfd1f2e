"""Incidents as Open311 GeoReport v2 serves them (api/open311.py): a page of one window's requests, or the
requests a client names. Not memoized: clients pick arbitrary windows and pages, and a key per pick would only
fill the cache; the indexes on report time (and category) answer each page directly."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.scope import Scope, scoped
from data.store.cache import current_engine
from data.store.models import Incident

COLUMNS = (
    Incident.id,
    Incident.category,
    Incident.title,
    Incident.description,
    Incident.status,
    Incident.status_at,
    Incident.due_at,
    Incident.reported_at,
    Incident.assigned_unit,
    Incident.address,
    Incident.district_code,
    Incident.street_code,
    Incident.lon,
    Incident.lat,
    Incident.reporter_name,  # only to mask it where a description repeats it: never served
    Incident.reporter_phone,
)


@scoped
def requests(
    scope: Scope,
    start: int,
    end: int,
    categories: tuple[str, ...] = (),
    closed: bool | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[dict]:
    """Incidents reported in [start, end] (newest first) in the scope, of these categories (all when empty),
    closed or open (both when None): `limit` rows from `offset`."""
    q = select(*COLUMNS).where(scope.filter(Incident), Incident.reported_at >= start, Incident.reported_at <= end)
    if categories:
        q = q.where(Incident.category.in_(categories))
    if closed is not None:
        q = q.where(Incident.status == "closed" if closed else Incident.status != "closed")
    q = q.order_by(Incident.reported_at.desc(), Incident.id.desc()).offset(offset).limit(limit)
    with current_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


@scoped
def requests_by_id(scope: Scope, ids: tuple[int, ...]) -> list[dict]:
    """The incidents with these ids in the scope, in the order asked (unknown ids are left out)."""
    q = select(*COLUMNS).where(scope.filter(Incident), Incident.id.in_(ids))
    with current_engine().connect() as conn:
        found = {r.id: dict(r._mapping) for r in conn.execute(q)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def incident_id(origin: str, external_id: str) -> int | None:
    """Our id of a source's incident (what Open311 answers a POST with)."""
    q = select(Incident.id).where(Incident.origin == origin, Incident.external_id == external_id)
    with current_engine().connect() as conn:
        return conn.execute(q).scalar()
