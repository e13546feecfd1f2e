"""The incident desk's reads: one incident's story (personal data masked here, on the server), its
timeline and audit, the deadline of the current step, and nearby or similar incidents."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from data.domain.pii import mask_name, mask_phone
from data.domain.scope import Scope, scoped
from data.domain.timeutil import DAY
from data.read.users import user_names
from data.store.cache import current_engine
from data.store.models import Incident, IncidentAudit, IncidentHistory

SAFE_COLUMNS = [c for c in Incident.__table__.columns if c.name not in ("reporter_name", "reporter_phone")]


def _name(names: dict, actor: str | None) -> tuple[str, str]:
    """(zh, en) of an actor: its user record, or the stored value itself when it has none."""
    return names.get(actor or "", (actor or "—", actor or "—"))


@scoped
def incident_story(scope: Scope, incident_id: int, now: int) -> dict | None:
    """The incident (reporter masked), its timeline and audit, and its current deadline; None if unknown
    or outside scope (the same answer, so existence does not leak).

    Never cached: a duty officer acting on it must see the current version."""
    with current_engine().connect() as conn:
        row = (
            conn.execute(
                select(*SAFE_COLUMNS, Incident.reporter_name, Incident.reporter_phone).where(
                    Incident.id == incident_id, scope.filter(Incident)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        history = (
            conn.execute(
                select(
                    IncidentHistory.from_status,
                    IncidentHistory.to_status,
                    IncidentHistory.at,
                    IncidentHistory.actor,
                    IncidentHistory.comment,
                )
                .where(IncidentHistory.incident_id == incident_id)
                .order_by(IncidentHistory.at, IncidentHistory.id)
            )
            .mappings()
            .all()
        )
        audit = (
            conn.execute(
                select(
                    IncidentAudit.action,
                    IncidentAudit.actor,
                    IncidentAudit.at,
                    IncidentAudit.unit,
                    IncidentAudit.from_version,
                    IncidentAudit.to_version,
                )
                .where(IncidentAudit.incident_id == incident_id)
                .order_by(IncidentAudit.id)
            )
            .mappings()
            .all()
        )
    inc = {k: v for k, v in row.items() if k not in ("reporter_name", "reporter_phone")}
    inc["reporter_name"] = mask_name(row["reporter_name"])
    inc["reporter_phone"] = mask_phone(row["reporter_phone"])
    due = inc["due_at"]
    names = user_names()
    history = [dict(h, actor_name=_name(names, h["actor"])) for h in history]
    audit = [dict(a, actor_name=_name(names, a["actor"])) for a in audit]
    return {
        "incident": inc,
        "history": history,
        "audit": audit,
        "due_in_s": None if due is None else int(due - now),
        "overdue": due is not None and due < now,
    }


@scoped
def similar(scope: Scope, incident: dict, now: int, limit: int = 10) -> list[dict]:
    """Incidents in scope in the same grid, or the same street and category, in the last 7 days (repeats).
    An incident placed no deeper than its district, or unlocated, has no neighbours to compare with."""
    i = Incident
    if not incident["street_code"]:
        return []
    q = (
        select(i.id, i.title, i.category, i.status, i.reported_at, i.grid_code, i.street_code, i.lon, i.lat)
        .where(
            i.id != incident["id"],
            i.reported_at >= now - 7 * DAY,
            scope.filter(i),
            or_(
                and_(i.grid_code == incident["grid_code"], i.grid_code != ""),
                and_(i.street_code == incident["street_code"], i.category == incident["category"]),
            ),
        )
        .order_by(i.reported_at.desc())
        .limit(limit)
    )
    with current_engine().connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]
