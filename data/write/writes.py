"""The only way data changes after a load: each write updates rollups and data versions atomically."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, tuple_, update

from data.domain.roles import may_ack, may_move
from data.domain.scope import CITY, Scope
from data.domain.timeutil import hour_of, now_ts
from data.domain.vocab import ACTIONS, CATEGORIES, MAX_COMMENT, step_due
from data.store import textsearch
from data.store.db import Busy as Busy  # every write here raises it when the database does not take it in time
from data.store.db import bump_versions, write_session
from data.store.models import Incident, IncidentAudit, IncidentHistory, Reading, Warning
from data.store.models_access import User
from data.write import rollups

INCIDENT_COLUMNS = tuple(c.name for c in Incident.__table__.columns if c.name != "id")


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


def _actor_scope(s, actor: str, allowed, **details) -> Scope:
    """The acting account, read in the write's own transaction: NotAllowed unless it exists, is active
    and its role may make this move; returns the area (and unit) it may act in. A disabled user or a
    changed role takes effect on the very next write, whatever the session still holds."""
    who = s.execute(select(User.role, User.area_code, User.unit, User.active).where(User.id == actor)).first()
    if who is None or not who.active or not allowed(who.role):
        raise NotAllowed(f"{actor!r} may not do this", reason="role", actor=actor, **details)
    return Scope(who.area_code, who.area_code, actor, who.unit if who.role == "unit" else None)


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
        row.update(
            origin=rec.get("origin") or "cityops",
            status="reported",
            status_at=row["reported_at"],
            closed_at=None,
            version=1,
            assigned_unit=None,
            due_at=step_due("reported", row["reported_at"], row["priority"]),
        )
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
                )
            )
            ids.append(new_id)
            added.append((new_id, row))
        if added:
            textsearch.index(s.connection(), [(i, row["title"], row["description"]) for i, row in added])
            rollups.incidents_added(s, [row for _, row in added])
            late = any(row["reported_at"] < hour_of(now) for _, row in added)
            bump_versions(s, "incidents", *(("history",) if late else ()), now=now)
    return ids


def apply_action(
    engine: Engine,
    incident_id: int,
    action: str,
    *,
    actor: str,
    expected_version: int,
    comment: str | None = None,
    unit: str | None = None,
    now: int | None = None,
    scope: Scope = CITY,
) -> dict:
    """Move an incident one step of the closed loop in one transaction.

    The actor's account is read in the same transaction: its role must be allowed this move (the
    allowed-moves table), and the incident must lie in its area (and, for a unit, be dispatched to it).
    Raises NotFound (also for an incident outside `scope` or the actor's area), NotAllowed, BadInput (a missing
    reason, or one that is not text or longer than MAX_COMMENT; a unit that does not handle the
    incident's category), StaleVersion (someone else changed it first) or Busy (the database did not take
    the write within a few seconds); on any error nothing is written. The status change, its history row and its audit row commit together. Returns the
    incident's new columns.
    """
    if not isinstance(action, str) or action not in ACTIONS:
        raise NotAllowed("unknown action", action=str(action)[:40])
    allowed_from, to_status, needs_comment, _roles = ACTIONS[action]
    if comment is not None and not isinstance(comment, str):
        raise BadInput("a comment is text", action=action, field="comment")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise BadInput(f"a comment has at most {MAX_COMMENT} characters", action=action, field="comment")
    if needs_comment and not comment:
        raise BadInput(f"action {action!r} needs a reason", action=action)
    now = now if now is not None else now_ts()
    with write_session(engine) as s:
        own = _actor_scope(s, actor, lambda role: may_move(role, action), action=action)
        inc = (
            s.execute(
                select(Incident.__table__).where(
                    Incident.id == incident_id, scope.filter(Incident), own.filter(Incident)
                )
            )
            .mappings()
            .first()
        )
        if inc is None:
            raise NotFound(f"incident {incident_id} does not exist", incident_id=incident_id)
        before = dict(inc)
        if before["version"] != expected_version:
            raise StaleVersion(
                f"incident {incident_id} is at version {before['version']}, not {expected_version}",
                incident_id=incident_id,
            )
        if before["status"] not in allowed_from:
            raise NotAllowed(f"cannot {action} an incident that is {before['status']}", status=before["status"])
        if action == "dispatch":
            unit = unit.strip() if isinstance(unit, str) else ""
            if unit not in CATEGORIES[before["category"]]["units"]:
                raise BadInput(
                    f"unit {unit[:40]!r} does not handle {before['category']!r}", action=action, unit=unit[:40]
                )
        after = dict(
            before,
            status=to_status,
            status_at=now,
            due_at=step_due(to_status, now, before["priority"]),
            closed_at=now if to_status == "closed" else None,
            version=before["version"] + 1,
        )
        if action == "dispatch":
            after["assigned_unit"] = unit.strip()
        changed = s.execute(
            update(Incident.__table__)
            .where(Incident.id == incident_id, Incident.version == expected_version)
            .values(
                status=after["status"],
                status_at=now,
                due_at=after["due_at"],
                closed_at=after["closed_at"],
                assigned_unit=after["assigned_unit"],
                version=after["version"],
            )
        ).rowcount
        if changed != 1:  # only possible without BEGIN IMMEDIATE (PostgreSQL): the version moved under us
            raise StaleVersion(f"incident {incident_id} changed while being updated", incident_id=incident_id)
        s.execute(
            insert(IncidentHistory).values(
                incident_id=incident_id,
                from_status=before["status"],
                to_status=to_status,
                at=now,
                actor=actor,
                comment=comment,
            )
        )
        s.execute(
            insert(IncidentAudit).values(
                incident_id=incident_id,
                action=action,
                actor=actor,
                at=now,
                from_status=before["status"],
                to_status=to_status,
                from_version=before["version"],
                to_version=after["version"],
                unit=unit if action == "dispatch" else None,
                comment=comment,
            )
        )
        rollups.status_changed(s, before, after)
        bump_versions(s, "incidents", now=now)
    return after


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
        own = _actor_scope(s, actor, may_ack, action="acknowledge")
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
