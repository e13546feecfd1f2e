"""The incident desk's loop reads (issue 15): the timeline with each row's move, unit and photos, the waiting
extension request, the duplicates merged into an incident (reporters masked here, on the server), the
brief of a merge's survivor, and the units proposed for dispatch. Never cached: an officer acting on an
incident must see its current state."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.pii import mask_name, mask_phone
from data.domain.scope import Scope, scoped
from data.read import incidentdesk, photos
from data.read.responsibility import proposed_units
from data.read.users import user_names
from data.store.cache import current_engine
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import IncidentExtension

MERGED_SHOWN = 20  # duplicates listed on a survivor
_HISTORY = (
    IncidentHistory.id,
    IncidentHistory.incident_id,
    IncidentHistory.action,
    IncidentHistory.from_status,
    IncidentHistory.to_status,
    IncidentHistory.at,
    IncidentHistory.actor,
    IncidentHistory.comment,
    IncidentHistory.unit,
    IncidentHistory.late,
)


def _name(names: dict, actor: str | None) -> tuple[str, str]:
    return names.get(actor or "", (actor or "—", actor or "—"))


def _history(conn, ids: list[int], names: dict) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    q = select(*_HISTORY).where(IncidentHistory.incident_id.in_(ids)).order_by(IncidentHistory.at, IncidentHistory.id)
    for h in conn.execute(q).mappings():
        out[h["incident_id"]].append(dict(h, actor_name=_name(names, h["actor"])))
    return out


def merged_into(area: Scope, incident_id: int):
    """The duplicates merged into an incident, oldest first, MERGED_SHOWN at most: read through the partial
    index ix_incident_merged (migration 0020), not a scan of every incident."""
    cols = (Incident.id, Incident.title, Incident.reported_at, Incident.reporter_name, Incident.reporter_phone)
    return (
        select(*cols, Incident.source)
        .where(Incident.merged_into == incident_id, area.filter(Incident))
        .order_by(Incident.reported_at)
        .limit(MERGED_SHOWN)
    )


@scoped
def loop_story(scope: Scope, incident_id: int) -> dict | None:
    """For an incident in `scope`: {"history": rows with id, action, unit, late and actor_name, "photos":
    {history id: [photo]}, "waiting": [photos uploaded for a move not yet made], "pending": the waiting
    extension request or None, "extended": an extension was approved, "merged": duplicates merged into it
    (reporter masked, each with its own history)}; None outside scope.

    The duplicates are read within the scope's area, not its unit: a unit that sees the survivor sees who
    else reported it."""
    names = user_names()
    with current_engine().connect() as conn:
        found = conn.execute(select(Incident.id).where(Incident.id == incident_id, scope.filter(Incident))).first()
        if found is None:
            return None
        area = Scope(scope.code, scope.root, scope.user_id)
        merged = [dict(r) for r in conn.execute(merged_into(area, incident_id)).mappings()]
        histories = _history(conn, [incident_id, *(m["id"] for m in merged)], names)
        extensions = (
            conn.execute(
                select(IncidentExtension.__table__)
                .where(IncidentExtension.incident_id == incident_id)
                .order_by(IncidentExtension.id)
            )
            .mappings()
            .all()
        )
    for m in merged:
        m["reporter_name"], m["reporter_phone"] = mask_name(m["reporter_name"]), mask_phone(m["reporter_phone"])
        m["history"] = histories[m["id"]]
    pending = next((dict(e) for e in extensions if e["approved"] is None), None)
    if pending is not None:
        pending["requested_name"] = _name(names, pending["requested_by"])
    shots: dict[int | None, list[dict]] = {}
    for p in photos.incident_photos(scope, incident_id):
        shots.setdefault(p["history_id"], []).append(p)
    return {
        "history": histories[incident_id],
        "photos": {k: v for k, v in shots.items() if k is not None},
        "waiting": shots.get(None, []),
        "pending": pending,
        "extended": any(e["approved"] == 1 for e in extensions),
        "merged": merged,
    }


@scoped
def survivor(scope: Scope, incident_id: int) -> dict | None:
    """The brief (id, title, status) of an incident in `scope`, for a merge's confirmation; None outside."""
    with current_engine().connect() as conn:
        row = conn.execute(
            select(Incident.id, Incident.title, Incident.status).where(
                Incident.id == incident_id, scope.filter(Incident)
            )
        ).first()
    return None if row is None else dict(row._mapping)


def proposals(incident: dict) -> list[tuple[str, int, int]]:
    """The units a dispatch proposes for the incident: (unit, rank, open load), the responsible one first."""
    return list(proposed_units(current_engine(), incident))


@scoped
def desk_story(scope: Scope, incident_id: int, now: int) -> dict | None:
    """Everything the incident page shows: data.read.incidentdesk's story with this module's reads under
    "loop", the units a dispatch proposes under "proposals" and the time it was read under "now"; None
    outside scope."""
    story = incidentdesk.incident_story(scope, incident_id, now)
    loop = loop_story(scope, incident_id) if story is not None else None
    if story is None or loop is None:
        return None
    inc = story["incident"]
    wants_units = inc["status"] == "registered"  # only a dispatch asks
    return dict(story, loop=loop, now=now, proposals=proposals(inc) if wants_units else [])
