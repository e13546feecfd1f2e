"""The shift handover's writes (交接班, issue 16): an outgoing officer's note on an area's shift, and the incoming
officer's confirmation of it. Each is one transaction that reads the actor's role and area in it, checks the
shift against the configured starts, and appends one row that says who and when (the tables are append-only:
they are their own audit). A refusal raises and writes nothing."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from data.domain.scope import Scope
from data.domain.timeutil import now_ts
from data.read.handover_record import BadShift, Shift, check_shift
from data.store.db import write_session
from data.store.models_handover import HandoverConfirm, HandoverNote
from data.write.errors import BadInput, NotAllowed, NotFound, actor_scope

WRITERS = frozenset({"operator", "dispatcher", "leader", "admin"})  # not a handling unit, not a wall
MAX_NOTE = 2000  # characters in one note
CONFIRM_EARLY = 3600  # the incoming officer may confirm from an hour before the shift ends


def _shift(shift_start: object, now: int, starts: tuple[int, ...]) -> Shift:
    if type(shift_start) is not int:
        raise BadInput("a shift is its start in Unix seconds", field="shift")
    try:
        return check_shift(shift_start, now, starts)
    except BadShift as exc:
        raise BadInput(f"not a shift of the last days: {exc.reason}", field="shift", reason=exc.reason) from None


def _own(s, actor: str, scope: Scope, what: str) -> None:
    """NotAllowed for a role that may not write the handover, NotFound for an area outside the actor's."""
    own = actor_scope(s, actor, lambda role: role in WRITERS, action=what)
    if not own.contains(scope.code) or own.unit is not None:
        raise NotFound(f"area {scope.code} is not {actor}'s", area=scope.code)


def _confirmed(s, scope: Scope, start: int):
    c = HandoverConfirm
    where = (c.area_code == scope.code, c.shift_start == start)
    return s.execute(select(c.confirmed_by, c.confirmed_at).where(*where)).first()


def add_note(
    engine: Engine, scope: Scope, shift_start: int, body: object, *, actor: str, starts: tuple[int, ...], now=None
) -> dict:
    """Save an outgoing officer's note (stripped, 1..MAX_NOTE characters) on the scope's area for the shift
    starting at shift_start; returns the row. BadInput (field note: empty or too_long; field shift),
    NotAllowed (role; reason confirmed: the record is signed), NotFound (area outside the actor's) or Busy:
    nothing is written then."""
    now = now if now is not None else now_ts()
    if not isinstance(body, str):
        raise BadInput("a note is text", field="note", reason="empty")
    text = body.strip()
    if not text:
        raise BadInput("a note says something", field="note", reason="empty")
    if len(text) > MAX_NOTE:
        raise BadInput(f"a note has at most {MAX_NOTE} characters", field="note", reason="too_long")
    shift = _shift(shift_start, now, starts)
    with write_session(engine) as s:
        _own(s, actor, scope, "handover_note")
        done = _confirmed(s, scope, shift.start)
        if done is not None:
            raise NotAllowed(
                "the handover is confirmed", reason="confirmed", by=done.confirmed_by, at=done.confirmed_at
            )
        row = {"area_code": scope.code, "shift_start": shift.start, "author": actor, "at": now, "body": text}
        row["id"] = s.execute(insert(HandoverNote).values(**row).returning(HandoverNote.id)).scalar_one()
    return row


def confirm(engine: Engine, scope: Scope, shift_start: int, *, actor: str, starts: tuple[int, ...], now=None) -> dict:
    """The incoming officer confirms the handover of the scope's area for the shift starting at shift_start:
    once per (area, shift), after at least one note, by someone other than the only note author (a handover
    passes the duty from one officer to another: signing one's own would certify nothing), from
    CONFIRM_EARLY before the shift ends. Returns the row. NotAllowed (reason role, confirmed (by, at),
    no_notes, self, early), NotFound, BadInput (field shift) or Busy: nothing is written then."""
    now = now if now is not None else now_ts()
    shift = _shift(shift_start, now, starts)
    if now < shift.end - CONFIRM_EARLY:
        raise NotAllowed("the shift is not near its end", reason="early", end=shift.end)
    n = HandoverNote
    try:
        with write_session(engine) as s:
            _own(s, actor, scope, "handover_confirm")
            done = _confirmed(s, scope, shift.start)
            if done is not None:
                raise NotAllowed("already confirmed", reason="confirmed", by=done.confirmed_by, at=done.confirmed_at)
            mine = (n.area_code == scope.code, n.shift_start == shift.start)
            authors = list(dict.fromkeys(s.scalars(select(n.author).where(*mine).order_by(n.at, n.id))))
            if not authors:
                raise NotAllowed("nobody has handed this shift over", reason="no_notes")
            if authors == [actor]:
                raise NotAllowed("an officer does not take over from themselves", reason="self")
            row = {"area_code": scope.code, "shift_start": shift.start, "shift_end": shift.end, "handed_by": authors}
            row |= {"confirmed_by": actor, "confirmed_at": now}
            s.execute(insert(HandoverConfirm).values(**row))
    except IntegrityError:  # PostgreSQL: another officer confirmed between our read and our write
        with engine.connect() as conn:
            done = _confirmed(conn, scope, shift.start)
        raise NotAllowed(
            "already confirmed", reason="confirmed", by=done and done.confirmed_by, at=done and done.confirmed_at
        ) from None
    return row
