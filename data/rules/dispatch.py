"""Automatic dispatch (智能派单): reports of categories flagged `auto` in the standard table that come
from sensors or cameras are registered and dispatched by the rules, without a person, to the unit the
responsibility table names; the incident is marked auto_dispatch and its history names the system."""

from __future__ import annotations

import logging

from sqlalchemy import select

from data.domain import stdcats
from data.read.responsibility import proposed_units
from data.store.models import Incident
from data.write.errors import WriteError
from data.write.moves import apply_action

log = logging.getLogger("cityops.rules.dispatch")
SOURCES = ("iot", "video")  # a person reported the rest: a person registers them
BATCH = 500  # per run; the next run takes the rest


def auto_dispatch(engine, now: int) -> int:
    """Register and dispatch waiting auto-dispatch reports; returns how many were dispatched."""
    codes = sorted({e.code for e in stdcats.table().values() if e.auto})
    if not codes:
        return 0
    cols = [c for c in Incident.__table__.columns if c.name not in ("reporter_name", "reporter_phone")]
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(*cols)
                .where(
                    Incident.status == "reported",
                    Incident.source.in_(SOURCES),
                    Incident.std_code.in_(codes),
                    Incident.reported_at <= now,
                )
                .order_by(Incident.reported_at)
                .limit(BATCH)
            )
            .mappings()
            .all()
        )
    done = 0
    for row in rows:
        try:
            unit = proposed_units(engine, dict(row))[0][0]
            after = apply_action(
                engine, row["id"], "register", actor="system", expected_version=row["version"], now=now
            )
            apply_action(
                engine,
                row["id"],
                "dispatch",
                actor="system",
                expected_version=after["version"],
                unit=unit,
                now=now,
                auto=True,
            )
            done += 1
        except WriteError as exc:  # a duty officer moved it first, or the database is busy: the next run sees it
            log.debug("auto dispatch skipped incident %s: %s", row["id"], exc)
    return done
