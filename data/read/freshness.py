"""How fresh a Scope's data is: when each data domain last changed, the newest incident and reading."""

from __future__ import annotations

from sqlalchemy import func, select

from data.domain.scope import Scope, scoped
from data.domain.vocab import CITY_CODE
from data.store.cache import current_engine
from data.store.models import DataVersion, Incident, LatestReading


@scoped
def freshness(scope: Scope, now: int) -> dict:
    """Each data domain's version, last change and age; the age of the newest incident in scope and of
    the newest reading for its area (or its district's, or the city's). Never cached: it is the check."""
    areas = {scope.code, scope.district or CITY_CODE, CITY_CODE}
    with current_engine().connect() as conn:
        rows = conn.execute(select(DataVersion.domain, DataVersion.version, DataVersion.updated_at)).all()
        newest_incident = conn.execute(select(func.max(Incident.reported_at)).where(scope.filter(Incident))).scalar()
        newest_reading = conn.execute(
            select(func.max(LatestReading.ts)).where(LatestReading.area_code.in_(areas))
        ).scalar()
    out = {d: {"version": v, "updated_at": u, "age_s": now - u if u else None} for d, v, u in rows}
    out["newest_incident_age_s"] = now - newest_incident if newest_incident else None
    out["newest_reading_age_s"] = now - newest_reading if newest_reading else None
    return out
