"""Past imports for the admin page: who loaded which file, when, dry run or not, and with what outcome."""

from __future__ import annotations

from sqlalchemy import select

from data.store.cache import current_engine
from data.store.models_ingest import ImportRun

RECENT = 50  # the page lists this many; older runs stay in the table for the record


def recent_runs(limit: int = RECENT) -> list[dict]:
    """The newest import runs first (at most `limit`, itself capped at RECENT): id, kind, origin,
    file_name, actor, started_at, finished_at, dry_run, status, report (the counts) and message.
    Never cached: a run's status changes while the page watches it."""
    limit = max(1, min(int(limit), RECENT))
    newest = select(ImportRun.__table__).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(limit)
    with current_engine().connect() as conn:
        return [dict(r) for r in conn.execute(newest).mappings()]
