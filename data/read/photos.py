"""Handling photos as readers may see them: one photo's file when its incident lies in the reader's scope
(for a unit's reader, only its own unit's incidents), and an incident's photos for its timeline and form.

Never cached: a photo is asked for by id, and who may see it can change with the incident's unit."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.scope import Scope, scoped
from data.store.cache import current_engine
from data.store.models import Incident
from data.store.models_loop import IncidentPhoto

_COLUMNS = (
    IncidentPhoto.id,
    IncidentPhoto.incident_id,
    IncidentPhoto.history_id,
    IncidentPhoto.phase,
    IncidentPhoto.file_name,
    IncidentPhoto.mime,
    IncidentPhoto.width,
    IncidentPhoto.height,
    IncidentPhoto.uploaded_by,
    IncidentPhoto.uploaded_at,
)


@scoped
def photo_in_scope(scope: Scope, photo_id: int) -> dict | None:
    """The photo (file name, mime, incident) if its incident lies in `scope`; None otherwise, the same
    answer as for a photo that does not exist."""
    q = (
        select(*_COLUMNS)
        .join(Incident, Incident.id == IncidentPhoto.incident_id)
        .where(IncidentPhoto.id == photo_id, scope.filter(Incident))
    )
    with current_engine().connect() as conn:
        row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


@scoped
def incident_photos(scope: Scope, incident_id: int) -> list[dict]:
    """Every photo of the incident in `scope`, oldest first: attached ones carry their history row's id,
    waiting ones (uploaded for a move not yet made) None."""
    q = (
        select(*_COLUMNS)
        .join(Incident, Incident.id == IncidentPhoto.incident_id)
        .where(IncidentPhoto.incident_id == incident_id, scope.filter(Incident))
        .order_by(IncidentPhoto.id)
    )
    with current_engine().connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]
