"""The loop's moves on one incident: the status moves (立案 ... 结案), triage at intake (不予受理, 合并,
自行处置) and the moves in flight (回退, 延期, 挂账, 督办, stages). One move, one transaction: the
incident's columns, its history row (with the move, the next deadline, whether the step ended late and
the unit), its audit row, an extension request or decision, and the rollups commit together."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, update

from data.domain.limits import category_of, step_due
from data.domain.roles import may_move
from data.domain.scope import CITY, Scope
from data.domain.timeutil import now_ts
from data.domain.vocab import ACTIONS, CATEGORIES, MAX_COMMENT
from data.store.db import bump_versions, write_session
from data.store.models import Incident, IncidentAudit, IncidentHistory
from data.store.models_loop import IncidentExtension
from data.write import rollups, rollups_eval
from data.write.errors import BadInput, NotAllowed, NotFound, StaleVersion, actor_scope

DISPOSITION = {"reject": "invalid", "merge": "merged", "self_handle": "self"}
WHILE_PARKED = ("unpark", "supervise", "close")  # a parked incident waits: these are the moves it takes
MAX_EXTENSION = 400 * 86400  # an extension asks for at most this much more time


def _text(comment, action: str, needed: bool) -> str | None:
    if comment is not None and not isinstance(comment, str):
        raise BadInput("a comment is text", action=action, field="comment")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise BadInput(f"a comment has at most {MAX_COMMENT} characters", action=action, field="comment")
    if needed and not comment:
        raise BadInput(f"action {action!r} needs a reason", action=action, field="comment")
    return comment


def _due(inc: dict, status: str, now: int, stage: int | None = None) -> int | None:
    return step_due(
        status,
        now,
        inc["priority"],
        inc.get("std_code"),
        inc.get("kind"),
        inc.get("stage") or 0 if stage is None else stage,
        inc.get("subcategory"),
    )


def _pending(s, incident_id: int):
    return (
        s.execute(
            select(IncidentExtension.__table__).where(
                IncidentExtension.incident_id == incident_id, IncidentExtension.approved.is_(None)
            )
        )
        .mappings()
        .first()
    )


def _check(s, action, before, own, scope, now, unit, new_due, target_id) -> dict:
    """The move's own conditions beyond its statuses; returns the columns it changes."""
    inc_id, _status = before["id"], before["status"]
    if before["parked_at"] is not None and action not in WHILE_PARKED:
        raise NotAllowed(f"incident {inc_id} is parked: unpark it first", reason="parked")
    if action == "dispatch":
        unit = unit.strip() if isinstance(unit, str) else ""
        if unit not in CATEGORIES[before["category"]]["units"]:
            raise BadInput(f"unit {unit[:40]!r} does not handle {before['category']!r}", field="unit", unit=unit[:40])
        return {"assigned_unit": unit}
    if action == "return":
        return {"assigned_unit": None}
    if action == "reopen" and before["disposition"] is not None:
        raise NotAllowed(f"incident {inc_id} ended as {before['disposition']}, not 结案", reason="disposition")
    if action == "merge":
        if type(target_id) is not int or target_id == inc_id:
            raise BadInput("merge needs another incident's id", field="target_id")
        target = s.execute(
            select(Incident.status, Incident.merged_into).where(
                Incident.id == target_id, scope.filter(Incident), own.filter(Incident)
            )
        ).first()
        if target is None or target.status == "closed":
            raise BadInput(f"incident {target_id} is not an open incident you may see", field="target_id")
        return {"merged_into": target_id}
    if action == "request_extension":
        if _pending(s, inc_id) is not None:
            raise NotAllowed("an extension request is already waiting for a decision", reason="pending")
        current = before["due_at"] or now
        if type(new_due) is not int or not current < new_due <= current + MAX_EXTENSION:
            raise BadInput("the new deadline is after the current one, within 400 days", field="new_due")
        return {}
    if action in ("approve_extension", "refuse_extension"):
        if _pending(s, inc_id) is None:
            raise NotAllowed("no extension request is waiting", reason="no_request")
        return {}
    if action == "park":
        return {"parked_at": now}
    if action == "unpark":
        if before["parked_at"] is None:
            raise NotAllowed(f"incident {inc_id} is not parked", reason="not_parked")
        return {"parked_at": None}
    if action == "supervise":
        if before["supervised_at"] is not None:
            raise NotAllowed(f"incident {inc_id} is already supervised", reason="supervised")
        return {}
    if action == "stage_done":
        cat = category_of(before["std_code"], before["kind"], before["subcategory"])
        if cat is None or before["stage"] + 1 >= len(cat.limit):
            raise NotAllowed("this category is handled in one stage, or its last stage is under way", reason="stage")
        return {"stage": before["stage"] + 1}
    return {}


def apply_action(
    engine: Engine,
    incident_id: int,
    action: str,
    *,
    actor: str,
    expected_version: int,
    comment: str | None = None,
    unit: str | None = None,
    new_due: int | None = None,
    target_id: int | None = None,
    now: int | None = None,
    scope: Scope = CITY,
    auto: bool = False,
) -> dict:
    """Make one move of the loop on one incident, in one transaction, and return its new columns.

    The actor's account is read in the same transaction: its role must be allowed this move (the
    allowed-moves table vocab.ACTIONS), and the incident must lie in its area (and, for a unit, be
    dispatched to it). `unit` is the dispatch's unit, `new_due` an extension's requested deadline (Unix
    seconds), `target_id` a merge's surviving incident; `auto` marks a dispatch the rules made. Raises NotFound (also outside `scope` or the
    actor's area), NotAllowed (role, status or the move's own condition; details["reason"]), BadInput
    (details["field"] names the input: comment, unit, new_due, target_id), StaleVersion or Busy; on any
    error nothing is written."""
    if not isinstance(action, str) or action not in ACTIONS:
        raise NotAllowed("unknown action", action=str(action)[:40])
    allowed_from, to_status, needs_comment, _roles = ACTIONS[action]
    comment = _text(comment, action, needs_comment)
    now = now if now is not None else now_ts()
    with write_session(engine) as s:
        own = actor_scope(s, actor, lambda role: may_move(role, action), action=action)
        where = (Incident.id == incident_id, scope.filter(Incident), own.filter(Incident))
        inc = s.execute(select(Incident.__table__).where(*where)).mappings().first()
        if inc is None:
            raise NotFound(f"incident {incident_id} does not exist", incident_id=incident_id)
        before = dict(inc)
        if before["version"] != expected_version:
            raise StaleVersion(f"incident {incident_id} is at version {before['version']}", incident_id=incident_id)
        if before["status"] not in allowed_from:
            raise NotAllowed(f"cannot {action} an incident that is {before['status']}", status=before["status"])
        changes = _check(s, action, before, own, scope, now, unit, new_due, target_id)
        after = dict(before, **changes, version=before["version"] + 1)
        moved = to_status is not None and to_status != before["status"]
        if to_status is not None:  # a status move: a new step and its deadline
            after.update(status=to_status, status_at=now, closed_at=now if to_status == "closed" else None)
            after.update(disposition=DISPOSITION.get(action), parked_at=None)
            after["due_at"] = _due(after, to_status, now)
        elif action == "approve_extension":
            after["due_at"] = _pending(s, incident_id)["new_due"]
        elif action == "park":
            after["due_at"] = None
        elif action in ("unpark", "stage_done"):
            after["due_at"] = _due(after, after["status"], now)
        if action == "supervise":
            after.update(supervised_at=now, supervised_by=actor)
        if action == "dispatch" and auto:
            after["auto_dispatch"] = 1
        ends_step = moved or action == "stage_done"
        late = int(
            ends_step and before["due_at"] is not None and before["parked_at"] is None and now > before["due_at"]
        )
        cols = ("status", "status_at", "due_at", "closed_at", "assigned_unit", "version", "stage", "disposition")
        cols += ("merged_into", "parked_at", "supervised_at", "supervised_by", "auto_dispatch")
        changed = s.execute(
            update(Incident.__table__)
            .where(Incident.id == incident_id, Incident.version == expected_version)
            .values({c: after[c] for c in cols})
        ).rowcount
        if changed != 1:  # only possible without BEGIN IMMEDIATE (PostgreSQL): the version moved under us
            raise StaleVersion(f"incident {incident_id} changed while being updated", incident_id=incident_id)
        history = {"from_status": before["status"], "to_status": after["status"], "at": now, "actor": actor}
        history.update(comment=comment, action=action, due_at=after["due_at"], late=late, unit=after["assigned_unit"])
        s.execute(insert(IncidentHistory).values(incident_id=incident_id, **history))
        s.execute(
            insert(IncidentAudit).values(
                incident_id=incident_id,
                action=action,
                actor=actor,
                at=now,
                from_status=before["status"],
                to_status=after["status"],
                from_version=before["version"],
                to_version=after["version"],
                unit=after["assigned_unit"] if action == "dispatch" else None,
                comment=comment,
            )
        )
        _extension(s, action, incident_id, actor, now, comment, before, new_due)
        rollups.status_changed(s, before, after)
        rollups_eval.history_added(s, moved=[incident_id])
        bump_versions(s, "incidents", now=now)
    return after


def _extension(s, action, incident_id, actor, now, comment, before, new_due) -> None:
    if action == "request_extension":
        s.execute(
            insert(IncidentExtension).values(
                incident_id=incident_id,
                requested_by=actor,
                requested_at=now,
                reason=comment,
                old_due=before["due_at"],
                new_due=new_due,
            )
        )
    elif action in ("approve_extension", "refuse_extension"):
        s.execute(
            update(IncidentExtension)
            .where(IncidentExtension.incident_id == incident_id, IncidentExtension.approved.is_(None))
            .values(
                decided_by=actor, decided_at=now, approved=int(action == "approve_extension"), decision_note=comment
            )
        )
