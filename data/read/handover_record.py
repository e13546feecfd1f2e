"""Shifts and the handover record (交接班, issue 16): the configured shift starts (SHIFT_STARTS, Shanghai time;
a shift runs from one start to the next) and their arithmetic, an area's notes and confirmation for one shift,
and who is on duty in each area now (the walls' header). Never cached: the record must show what was just
written, and the walls read their duty officers once per tick for every scope together."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import NamedTuple

from flask import current_app, has_app_context
from sqlalchemy import select

from data.domain.scope import Scope, scoped
from data.domain.timeutil import DAY, from_dt, local_day_start, to_dt
from data.domain.vocab import CITY_CODE
from data.read.users import user_names
from data.store.cache import current_engine
from data.store.models_handover import HandoverConfirm, HandoverNote

log = logging.getLogger("cityops.handover")
DEFAULT_STARTS = "08:00,20:00"
KEEP_DAYS = 30  # how far back a shift may be asked for


class Shift(NamedTuple):
    start: int
    end: int

    @property
    def key(self) -> str:
        """The shift as ?shift= writes it: its start, 2026-11-22T20:00 (Shanghai)."""
        return f"{to_dt(self.start):%Y-%m-%dT%H:%M}"


class BadShift(ValueError):
    """A ?shift= that is not a shift start of the last KEEP_DAYS days; `reason`: format, not_a_start, too_old,
    future."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> tuple[int, ...] | None:
    minutes = set()
    for part in text.split(","):
        hh, colon, mm = part.strip().partition(":")
        if not (
            colon
            and (hh + mm).isascii()
            and hh.isdigit()
            and mm.isdigit()
            and len(mm) == 2
            and int(hh) < 24
            and int(mm) < 60
        ):
            log.warning("SHIFT_STARTS %r is not HH:MM[,HH:MM...]: using %s", text[:60], DEFAULT_STARTS)
            return None
        minutes.add(int(hh) * 60 + int(mm))
    return tuple(sorted(minutes))


def parse_starts(text: object) -> tuple[int, ...]:
    """'08:00,20:00' -> the shift starts in minutes after midnight, ascending (the default when malformed)."""
    return _parsed(str(text)) or _parsed(DEFAULT_STARTS)


def configured_starts() -> tuple[int, ...]:
    """The app's SHIFT_STARTS (outside an app: the default)."""
    return parse_starts(current_app.config.get("SHIFT_STARTS", DEFAULT_STARTS) if has_app_context() else DEFAULT_STARTS)


def shift_at(ts: int, starts: tuple[int, ...]) -> Shift:
    """The shift that contains the moment ts."""
    day0 = local_day_start(ts)
    bounds = [day0 + d * DAY + m * 60 for d in (-1, 0, 1) for m in starts]
    start = max(b for b in bounds if b <= ts)
    return Shift(start, min(b for b in bounds if b > start))


def previous(shift: Shift, starts: tuple[int, ...]) -> Shift:
    return shift_at(shift.start - 1, starts)


def default_shift(now: int, starts: tuple[int, ...]) -> Shift:
    """The shift that just ended (at 09:00 with 08:00/20:00 starts: yesterday 20:00 to 08:00)."""
    return previous(shift_at(now, starts), starts)


def check_shift(start: int, now: int, starts: tuple[int, ...]) -> Shift:
    """The shift starting at `start` if it is a shift start, not after the current shift's and at most
    KEEP_DAYS days old; else BadShift."""
    shift = shift_at(start, starts)
    if shift.start != start:
        raise BadShift("not_a_start")
    if start > shift_at(now, starts).start:
        raise BadShift("future")
    if start < now - KEEP_DAYS * DAY:
        raise BadShift("too_old")
    return shift


def parse_shift(text: object, now: int, starts: tuple[int, ...]) -> Shift:
    """?shift=2026-11-22T20:00 (Shanghai) checked as check_shift does; BadShift("format") for anything else."""
    if not isinstance(text, str) or len(text) > 20:
        raise BadShift("format")
    try:
        start = from_dt(datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M"))
    except ValueError:
        raise BadShift("format") from None
    return check_shift(start, now, starts)


# ---- the record: notes, the confirmation, the walls' duty officers ---------------------------------------


@scoped
def record(scope: Scope, shift_start: int) -> dict:
    """The record of the scope's area for the shift starting at shift_start: {"notes": [{id, author, at,
    body}] oldest first, "outgoing": the note authors (first note first), "confirm": {confirmed_by,
    confirmed_at, handed_by} or None}."""
    n, c = HandoverNote, HandoverConfirm
    with current_engine().connect() as conn:
        mine = (n.area_code == scope.code, n.shift_start == shift_start)
        notes = conn.execute(select(n.id, n.author, n.at, n.body).where(*mine).order_by(n.at, n.id)).mappings().all()
        confirm = (
            conn.execute(
                select(c.confirmed_by, c.confirmed_at, c.handed_by).where(
                    c.area_code == scope.code, c.shift_start == shift_start
                )
            )
            .mappings()
            .first()
        )
    notes = [dict(r) for r in notes]
    outgoing = list(dict.fromkeys(r["author"] for r in notes))
    return {"notes": notes, "outgoing": outgoing, "confirm": dict(confirm) if confirm else None}


def duty_officers(now: int, starts: tuple[int, ...] | None = None) -> dict[str, dict]:
    """{area code: who is on duty there now}: the latest confirmation of a shift handed over at the start of the
    current shift or of the previous one (while nobody has taken the current one over), as {"zh", "en",
    "start", "end"}: the officer's names and the shift they took over. One small read for all walls of a tick."""
    starts = starts or configured_starts()
    current = shift_at(now, starts)
    ends = (current.start, previous(current, starts).start)
    c = HandoverConfirm
    with current_engine().connect() as conn:
        rows = conn.execute(
            select(c.area_code, c.confirmed_by, c.shift_end)
            .where(c.shift_end.in_(ends), c.confirmed_at <= now)  # a replay at `now` shows no later confirmation
            .order_by(c.confirmed_at, c.id)
        ).all()
    names = user_names() if rows else {}
    out = {}
    for area, who, took in rows:  # the later confirmation of an area wins
        zh, en = names.get(who, (who, who))
        out[area] = {"zh": zh, "en": en, "start": int(took), "end": shift_at(int(took), starts).end}
    return out


def duty_for(code: str, officers: dict[str, dict]) -> dict | None:
    """The duty officer of an area: its own, else its nearest enclosing area's; None when none has one."""
    return next((officers[c] for c in dict.fromkeys((code, code[:9], code[:6], CITY_CODE)) if c in officers), None)
