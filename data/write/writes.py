"""The only way data changes after a load: each write updates rollups and data versions atomically."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, tuple_, update

from data.domain import stdcats
from data.domain.limits import step_due
from data.domain.roles import may_ack
from data.domain.scope import CITY, Scope
from data.domain.timeutil import hour_of, now_ts
from data.store import textsearch
from data.store.db import bump_versions, write_session
from data.store.models import Incident, IncidentHistory, Reading, Warning
from data.write import rollups, rollups_eval
from data.write.errors import BadInput, Busy, NotAllowed, NotFound, StaleVersion, WriteError, actor_scope  # noqa: F401
from data.write.moves import apply_action  # noqa: F401  (the loop's moves live there; callers import it from here too)

INCIDENT_COLUMNS = tuple(c.name for c in Incident.__table__.columns if c.name != "id")


def add_incidents(
    engine: Engine,
    records: list[dict],
    actor_of=lambda rec: "system",
    now: int | None = None,
    *,
    skip_existing: bool = False,
) -> list[int]:
    """Insert new incidents (dicts of Incident columns) with their first history row; returns the ids.

    A new incident is always 'reported': status, step start, deadline and version are set here. With
    `skip_existing`, a record whose (origin, external_id) is already stored is left as it is and its id
    returned: a batch written again after a failure whose outcome was unknown lands once.
    """
    now = now if now is not None else now_ts()
    rows = []
    for rec in records:
        row = {k: rec.get(k) for k in INCIDENT_COLUMNS}
        if row["priority"] not in (1, 2, 3) or not isinstance(row["reported_at"], int):
            raise BadInput("a new incident needs priority 1-3 and an integer reported_at")
        cat = stdcats.fitting(row["category"], row.get("subcategory"), row.get("std_code"), row.get("kind"))
        row.update(
            origin=rec.get("origin") or "cityops",
            status="reported",
            status_at=row["reported_at"],
            closed_at=None,
            version=1,
            assigned_unit=None,
            std_code=cat.code if cat else None,
            kind=cat.kind if cat else row.get("kind"),
            priority=1 if cat and cat.urgent else row["priority"],
            stage=0,
            disposition=None,
            merged_into=None,
            parked_at=None,
            supervised_at=None,
            supervised_by=None,
            auto_dispatch=0,
        )
        row["due_at"] = step_due("reported", row["reported_at"], row["priority"], row["std_code"], row["kind"])
        rows.append(row)
    with write_session(engine) as s:
        known = {}
        if skip_existing and rows:
            keys = {(row["origin"], row["external_id"]) for row in rows}
            found = s.execute(
                select(Incident.origin, Incident.external_id, Incident.id).where(
                    tuple_(Incident.origin, Incident.external_id).in_(keys)
                )
            )
            known = {(src, ext): i for src, ext, i in found}
        ids, added = [], []
        for rec, row in zip(records, rows):
            if (row["origin"], row["external_id"]) in known:
                ids.append(known[row["origin"], row["external_id"]])
                continue
            new_id = s.execute(insert(Incident).values(**row).returning(Incident.id)).scalar_one()
            s.execute(
                insert(IncidentHistory).values(
                    incident_id=new_id,
                    from_status=None,
                    to_status=row["status"],
                    at=row["reported_at"],
                    actor=actor_of(rec),
                    comment=None,
                    action="report",
                    due_at=row["due_at"],
                )
            )
            ids.append(new_id)
            added.append((new_id, row))
        if added:
            textsearch.index(s.connection(), [(i, row["title"], row["description"]) for i, row in added])
            rollups.incidents_added(s, [row for _, row in added])
            rollups_eval.history_added(s, new=[i for i, _ in added])
            late = any(row["reported_at"] < hour_of(now) for _, row in added)
            bump_versions(s, "incidents", *(("history",) if late else ()), now=now)
    return ids


def add_readings(engine: Engine, rows: list[dict], now: int | None = None) -> None:
    """Insert indicator readings ({indicator_code, area_code, ts, value}) and update the latest values."""
    if not rows:
        return
    with write_session(engine) as s:
        s.execute(insert(Reading), rows)
        rollups.readings_added(s, rows)
        bump_versions(s, "readings", now=now if now is not None else now_ts())


def acknowledge_warning(
    engine: Engine, warning_id: int, *, actor: str, now: int | None = None, scope: Scope = CITY
) -> dict:
    """Record that `actor` has seen an active warning (who and when), once.

    Raises NotFound for an unknown id (or one outside `scope`), NotAllowed when the warning has ended or was already
    acknowledged (by someone else first: their name is in the details), Busy when the database does not
    take the write in time; nothing changes then."""
    now = now if now is not None else now_ts()
    with write_session(engine) as s:
        own = actor_scope(s, actor, may_ack, action="acknowledge")
        w = (
            s.execute(
                select(Warning.__table__).where(
                    Warning.id == warning_id, scope.prefix(Warning.area_code), own.prefix(Warning.area_code)
                )
            )
            .mappings()
            .first()
        )
        if w is None:
            raise NotFound(f"warning {warning_id} does not exist", warning_id=warning_id)
        if w["ended_at"] is not None:
            raise NotAllowed(f"warning {warning_id} ended at {w['ended_at']}", warning_id=warning_id, reason="ended")
        if w["acknowledged_at"] is not None:
            raise NotAllowed(
                f"warning {warning_id} was acknowledged by {w['acknowledged_by']}",
                warning_id=warning_id,
                reason="acknowledged",
                by=w["acknowledged_by"],
            )
        changed = s.execute(
            update(Warning)
            .where(Warning.id == warning_id, Warning.acknowledged_at.is_(None))
            .values(acknowledged_at=now, acknowledged_by=actor)
        ).rowcount
        if changed != 1:  # PostgreSQL: someone acknowledged it between our read and our write
            raise NotAllowed(
                f"warning {warning_id} was acknowledged meanwhile",
                warning_id=warning_id,
                reason="acknowledged",
                by=None,
            )
        bump_versions(s, "warnings", now=now)
    return dict(w, acknowledged_at=now, acknowledged_by=actor)
