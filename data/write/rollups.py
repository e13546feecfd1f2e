"""Rollup tables: rebuilt in bulk after a load, kept current by every write in the same transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Engine, delete, func, insert, literal_column, select, union_all
from sqlalchemy.orm import Session

from data.domain.timeutil import DAY, HOUR, OFFSET
from data.domain.vocab import OPEN_STATUSES
from data.store.models import (
    Incident,
    LatestReading,
    Reading,
    RollupGridDay,
    RollupIncidentDay,
    RollupIncidentHour,
    RollupOpen,
)
from data.store.models_loop import RollupListDay
from data.write import rollups_list
from data.write.upsert import upsert as _upsert

ROLLUPS = (RollupIncidentHour, RollupIncidentDay, RollupGridDay, RollupOpen, LatestReading, RollupListDay)


def hour_bucket(ts: int) -> int:
    return ts - ts % HOUR


def day_bucket(ts: int) -> int:
    return ts - (ts + OFFSET) % DAY


# ---- incremental ----------------------------------------------------------------------


def incidents_added(session: Session, incidents: Iterable[dict]) -> None:
    """Count newly written incidents (dicts with the Incident columns) into every rollup."""
    incidents = list(incidents)  # read twice
    hourly: Counter = Counter()
    closed: Counter = Counter()
    daily: Counter = Counter()
    opened: Counter = Counter()
    for inc in incidents:
        key = (
            hour_bucket(inc["reported_at"]),
            inc["street_code"],
            inc["category"],
            inc["source"],
            inc["district_code"],
        )
        hourly[key] += 1
        daily[(day_bucket(inc["reported_at"]), inc["grid_code"])] += 1
        if inc["status"] == "closed":
            closed[(hour_bucket(inc["closed_at"]), *key[1:])] += 1
        else:
            opened[
                (inc["grid_code"], inc["status"], hour_bucket(inc["due_at"]), inc["street_code"], inc["district_code"])
            ] += 1
    _incident_hour(session, hourly, closed)
    _upsert(
        session,
        RollupGridDay,
        [{"day": d, "grid_code": g, "reported": c} for (d, g), c in daily.items()],
        ("day", "grid_code"),
        add=("reported",),
    )
    _open(session, opened)
    rollups_list.added(session, incidents)


def status_changed(session: Session, before: dict, after: dict) -> None:
    """Move one incident between open buckets and count a closure (before/after: Incident columns)."""
    delta: Counter = Counter()
    if before["status"] != "closed":
        delta[_open_key(before)] -= 1
    if after["status"] != "closed":
        delta[_open_key(after)] += 1
    _open(session, delta)
    closed: Counter = Counter()
    if after["status"] == "closed" and before["status"] != "closed":
        closed[(hour_bucket(after["closed_at"]), *_hour_key(after))] += 1
    if before["status"] == "closed" and after["status"] != "closed":  # reopened: the closure is undone
        closed[(hour_bucket(before["closed_at"]), *_hour_key(before))] -= 1
    _incident_hour(session, Counter(), closed)
    rollups_list.changed(session, before, after)


def readings_added(session: Session, readings: Iterable[dict]) -> None:
    """Keep the newest value per indicator x area (an older reading never replaces a newer one)."""
    latest: dict[tuple[str, str], dict] = {}
    for r in readings:
        key = (r["indicator_code"], r["area_code"])
        if key not in latest or r["ts"] >= latest[key]["ts"]:
            latest[key] = {
                "indicator_code": r["indicator_code"],
                "area_code": r["area_code"],
                "ts": r["ts"],
                "value": r["value"],
            }
    _upsert(
        session,
        LatestReading,
        list(latest.values()),
        ("indicator_code", "area_code"),
        replace=("ts", "value"),
        newer="ts",
    )


def _hour_key(inc: dict) -> tuple:
    return (inc["street_code"], inc["category"], inc["source"], inc["district_code"])


NO_DUE = 253402300800  # 9999-12-31: the open bucket of a parked incident (挂账), which is never overdue


def _open_key(inc: dict) -> tuple:
    due = NO_DUE if inc["due_at"] is None else hour_bucket(inc["due_at"])
    return (inc["grid_code"], inc["status"], due, inc["street_code"], inc["district_code"])


def _incident_hour(session: Session, reported: Counter, closed: Counter) -> None:
    rows: dict[tuple, dict] = {}
    for counter, field in ((reported, "reported"), (closed, "closed")):
        for (hour, street, cat, src, district), n in counter.items():
            row = rows.setdefault(
                (hour, street, cat, src, district),
                {
                    "hour": hour,
                    "street_code": street,
                    "category": cat,
                    "source": src,
                    "district_code": district,
                    "reported": 0,
                    "closed": 0,
                },
            )
            row[field] += n
    _upsert(
        session,
        RollupIncidentHour,
        list(rows.values()),
        ("hour", "street_code", "category", "source", "district_code"),
        add=("reported", "closed"),
    )
    days: dict[tuple, dict] = {}
    for row in rows.values():
        key = (day_bucket(row["hour"]), row["district_code"], row["category"], row["source"])
        d = days.setdefault(
            key,
            {"day": key[0], "district_code": key[1], "category": key[2], "source": key[3], "reported": 0, "closed": 0},
        )
        d["reported"] += row["reported"]
        d["closed"] += row["closed"]
    _upsert(
        session,
        RollupIncidentDay,
        list(days.values()),
        ("day", "district_code", "category", "source"),
        add=("reported", "closed"),
    )


def _open(session: Session, delta: Counter) -> None:
    rows = [
        {"grid_code": g, "status": s, "due_hour": h, "street_code": st, "district_code": d, "count": n}
        for (g, s, h, st, d), n in delta.items()
        if n
    ]
    _upsert(
        session, RollupOpen, rows, ("grid_code", "status", "due_hour", "street_code", "district_code"), add=("count",)
    )
    if any(n < 0 for n in delta.values()):
        session.execute(delete(RollupOpen).where(RollupOpen.count <= 0))


# ---- full rebuild ---------------------------------------------------------------------


def rebuild_all(session: Session) -> None:
    """Recompute every rollup from the raw tables (after a bulk load; the oracle in tests)."""
    for model in ROLLUPS:
        session.execute(delete(model))
    rollups_list.rebuild(session)
    i = Incident
    events = union_all(  # one row per report and per closure, then one GROUP BY: no Python in the loop
        select(
            (i.reported_at - i.reported_at % HOUR).label("hour"),
            i.street_code,
            i.category,
            i.source,
            i.district_code,
            literal_column("1").label("rep"),
            literal_column("0").label("clo"),
        ),
        select(
            (i.closed_at - i.closed_at % HOUR).label("hour"),
            i.street_code,
            i.category,
            i.source,
            i.district_code,
            literal_column("0"),
            literal_column("1"),
        ).where(i.status == "closed"),
    ).subquery()
    e = events.c
    session.execute(
        insert(RollupIncidentHour).from_select(
            ["hour", "street_code", "category", "source", "district_code", "reported", "closed"],
            select(
                e.hour, e.street_code, e.category, e.source, e.district_code, func.sum(e.rep), func.sum(e.clo)
            ).group_by(e.hour, e.street_code, e.category, e.source, e.district_code),
        )
    )
    h = RollupIncidentHour
    h_day = h.hour - (h.hour + OFFSET) % DAY
    session.execute(
        insert(RollupIncidentDay).from_select(
            ["day", "district_code", "category", "source", "reported", "closed"],
            select(h_day, h.district_code, h.category, h.source, func.sum(h.reported), func.sum(h.closed)).group_by(
                h_day, h.district_code, h.category, h.source
            ),
        )
    )
    day = i.reported_at - (i.reported_at + OFFSET) % DAY
    session.execute(
        insert(RollupGridDay).from_select(
            ["day", "grid_code", "reported"], select(day, i.grid_code, func.count()).group_by(day, i.grid_code)
        )
    )
    due_hour = func.coalesce(i.due_at - i.due_at % HOUR, NO_DUE)  # parked (挂账): no deadline
    session.execute(
        insert(RollupOpen).from_select(
            ["grid_code", "status", "due_hour", "street_code", "district_code", "count"],
            select(i.grid_code, i.status, due_hour, i.street_code, i.district_code, func.count())
            .where(i.status.in_(OPEN_STATUSES))
            .group_by(i.grid_code, i.status, due_hour, i.street_code, i.district_code),
        )
    )
    r = Reading
    newest = (
        select(r.indicator_code, r.area_code, func.max(r.ts).label("ts"))
        .group_by(r.indicator_code, r.area_code)
        .subquery()
    )
    session.execute(
        insert(LatestReading).from_select(
            ["indicator_code", "area_code", "ts", "value"],
            select(r.indicator_code, r.area_code, r.ts, func.max(r.value))
            .join(
                newest,
                (r.indicator_code == newest.c.indicator_code)
                & (r.area_code == newest.c.area_code)
                & (r.ts == newest.c.ts),
            )
            .group_by(r.indicator_code, r.area_code, r.ts),
        )
    )


def snapshot(session: Session) -> dict[str, set[tuple]]:
    """Every rollup's non-zero rows as sets, to compare an incremental state with a rebuild."""
    out = {}
    for model in ROLLUPS:
        cols = [c for c in model.__table__.columns]
        rows = session.execute(select(*cols)).all()
        if model in (RollupIncidentHour, RollupIncidentDay):
            rows = [r for r in rows if r.reported or r.closed]
        if model in (RollupOpen, RollupListDay):
            rows = [r for r in rows if r.count]
        out[model.__tablename__] = set(map(tuple, rows))
    return out


def drift(engine: Engine) -> dict[str, int]:
    """Rows that differ between the kept rollups and a full recomputation, per table ({} = exact).

    The recomputation runs in a transaction that is rolled back: nothing is changed.
    """
    with engine.connect() as conn, Session(bind=conn) as session:
        session.begin()
        kept = snapshot(session)
        rebuild_all(session)
        fresh = snapshot(session)
        session.rollback()
    return {t: len(kept[t] ^ fresh[t]) for t in fresh if kept[t] != fresh[t]}
