"""Imported incidents through the one write path: an upsert keyed by (origin, external id), one transaction
per batch, with history, audit, text index, rollups and data versions kept as every other write keeps them.

A row already stored is updated only when the source says its status changed, and only forward in time: a
later export moves an incident on; an older one, or our own officers' newer move, is left alone."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, update

from data.domain.timeutil import hour_of, now_ts
from data.store import textsearch
from data.store.db import bump_versions, read_session, write_session
from data.store.models import Incident, IncidentAudit, IncidentHistory
from data.store.models_access import User
from data.store.models_ingest import ImportRun
from data.write import rollups, rollups_eval

COLUMNS = tuple(c.name for c in Incident.__table__.columns if c.name not in ("id", "version"))


def _bulk(conn, table: str, rows: list[dict]) -> None:
    """executemany straight on the driver (column names are ours, values bound): SQLAlchemy's per-row
    parameter processing costs more than SQLite's insert at 1M rows."""
    cols = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})",
        [tuple(r[c] for c in cols) for r in rows],
    )


def _changed(before: dict, rec: dict) -> bool:
    return rec["status"] != before["status"] and rec["status_at"] >= before["status_at"]


def _classify(session, origin: str, records: list[dict]) -> tuple[list[dict], list[tuple[dict, dict]], int]:
    ids = [r["external_id"] for r in records]
    stored = {
        row["external_id"]: dict(row)
        for row in session.execute(
            select(Incident.__table__).where(Incident.origin == origin, Incident.external_id.in_(ids))
        ).mappings()
    }
    new, moved, same = [], [], 0
    for rec in records:
        before = stored.get(rec["external_id"])
        if before is None:
            new.append(rec)
        elif _changed(before, rec):
            moved.append((before, rec))
        else:
            same += 1
    return new, moved, same


def preview(engine: Engine, origin: str, records: list[dict]) -> dict[str, int]:
    """What upsert would do, read only (the dry run)."""
    with read_session(engine) as s:
        new, moved, same = _classify(s, origin, records)
    return {"inserted": len(new), "updated": len(moved), "unchanged": same}


def ensure_importer(session, origin: str, actor: str) -> None:
    """The account an origin's history rows name: a platform that cannot log in."""
    if session.execute(select(User.id).where(User.id == actor)).first() is None:
        session.execute(
            insert(User).values(
                id=actor, name_zh=f"数据导入：{origin}", name_en=f"Import: {origin}", kind="platform", role="system"
            )
        )


def upsert(engine: Engine, origin: str, records: list[dict], now: int | None = None) -> dict[str, int]:
    """Write one batch of records (data.ingest.incidents); returns inserted/updated/unchanged counts."""
    now = now if now is not None else now_ts()
    if not records:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    actor = records[0]["actor"]
    with write_session(engine) as s:
        ensure_importer(s, origin, actor)
        new, moved, same = _classify(s, origin, records)
        if new:
            rows = [{k: rec.get(k) for k in COLUMNS} | {"version": 1, "stage": 0, "auto_dispatch": 0} for rec in new]
            # one executemany and one read of the new ids: RETURNING in parameter order makes SQLite insert row
            # by row, and the ORM's bulk path splices the results quadratically (minutes at 1M rows)
            conn = s.connection()
            _bulk(conn, Incident.__tablename__, rows)
            got = dict(
                conn.execute(
                    select(Incident.external_id, Incident.id).where(
                        Incident.origin == origin, Incident.external_id.in_([r["external_id"] for r in rows])
                    )
                ).all()
            )
            ids = [got[r["external_id"]] for r in rows]
            _bulk(
                conn,
                IncidentHistory.__tablename__,
                [
                    {
                        "incident_id": i,
                        "from_status": a,
                        "to_status": b,
                        "at": at,
                        "actor": actor,
                        "comment": None,
                        "action": "report" if a is None else "import",  # an import's move is not an officer's
                        "due_at": rec["due_at"] if b == rec["status"] else None,
                        "late": 0,
                        "unit": rec["assigned_unit"],
                    }
                    for i, rec in zip(ids, new)
                    for a, b, at in rec["history"]
                ],
            )
            textsearch.index(
                conn,
                [
                    (i, rec["grams"]) if "grams" in rec else (i, rec["title"], rec["description"])
                    for i, rec in zip(ids, new)
                ],
            )
            rollups.incidents_added(s, rows)
        for before, rec in moved:
            after = dict(
                before,
                status=rec["status"],
                status_at=rec["status_at"],
                due_at=rec["due_at"],
                closed_at=rec["closed_at"],
                assigned_unit=rec["assigned_unit"] or before["assigned_unit"],
                version=before["version"] + 1,
            )
            s.execute(
                update(Incident.__table__)
                .where(Incident.id == before["id"])
                .values(
                    {k: after[k] for k in ("status", "status_at", "due_at", "closed_at", "assigned_unit", "version")}
                )
            )
            s.execute(
                insert(IncidentHistory).values(
                    incident_id=before["id"],
                    from_status=before["status"],
                    to_status=after["status"],
                    at=after["status_at"],
                    actor=actor,
                    comment=None,
                    action="import",
                    due_at=after["due_at"],
                    unit=after["assigned_unit"],
                )
            )
            s.execute(
                insert(IncidentAudit).values(
                    incident_id=before["id"],
                    action="import",
                    actor=actor,
                    at=now,
                    from_status=before["status"],
                    to_status=after["status"],
                    from_version=before["version"],
                    to_version=after["version"],
                    unit=None,
                    comment=None,
                )
            )
            rollups.status_changed(s, before, after)
        rollups_eval.history_added(s, new=ids if new else [], moved=[before["id"] for before, _ in moved])
        if new or moved:
            late = any(r["reported_at"] < hour_of(now) for r in new)
            bump_versions(s, "incidents", *(("history",) if late else ()), now=now)
    return {"inserted": len(new), "updated": len(moved), "unchanged": same}


def start_run(engine: Engine, kind: str, origin: str, file_name: str, actor: str, now: int, dry_run: bool) -> int:
    """Record that an import began (the admin page lists runs with who, when and counts)."""
    with write_session(engine) as s:
        return s.scalar(
            insert(ImportRun)
            .values(
                kind=kind,
                origin=origin,
                file_name=file_name[:200],
                actor=actor[:64],
                started_at=now,
                dry_run=dry_run,
                status="running",
            )
            .returning(ImportRun.id)
        )


def finish_run(engine: Engine, run_id: int, status: str, report: dict, message: str | None) -> None:
    with write_session(engine) as s:
        s.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(status=status, report=report, message=message, finished_at=now_ts())
        )
