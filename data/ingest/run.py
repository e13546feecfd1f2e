"""One import, start to end: check the mapping and the whole file before anything is written, then build and
write batch by batch (each its own transaction, retried while the database is busy: the upsert makes a retry
harmless), and account for every row in a report. Used by `cityops import` and the admin page."""

from __future__ import annotations

import contextlib
import csv
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine

from data.domain.timeutil import now_ts
from data.ingest import files
from data.ingest import mapping as mappings
from data.ingest.incidents import IncidentBuilder
from data.ingest.place import Locator
from data.store.db import bulk_writes
from data.write import imports, retry

BATCH = 5_000  # rows per transaction: short enough that an officer's action never waits behind one for long
WINDOW = 10  # batches read, built and sorted by report time together


@dataclass
class Report:
    """Every row accounted for: read = inserted + updated + unchanged + rejected; unlocated are among
    the rows kept (stored at the city level, counted on screens as 未定位)."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    unlocated: int = 0
    rejected: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)  # source category -> rows put in the default category
    rejected_file: str | None = None
    encoding: str = ""
    dry_run: bool = False

    def as_json(self) -> dict:
        """Exactly the keys scripts rely on (issue 14's contract)."""
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "unlocated": self.unlocated,
            "rejected": dict(sorted(self.rejected.items())),
        }

    def lines(self, default_category: str = "") -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [
            f"read {self.read} rows ({self.encoding})",
            f"{would}inserted {self.inserted}, {would}updated {self.updated}, unchanged {self.unchanged}",
            f"unlocated {self.unlocated} (kept at the city level, shown as 未定位)",
            f"rejected {sum(self.rejected.values())}"
            + "".join(f"\n  {reason}: {n}" for reason, n in self.rejected.most_common()),
        ]
        if self.unmapped:
            top = ", ".join(f"{k or '(empty)'} ×{n}" for k, n in self.unmapped.most_common(8))
            out.append(f"category not in the mapping, put in {default_category}: {sum(self.unmapped.values())} ({top})")
        if self.rejected_file:
            out.append(f"rejected rows with their reasons: {self.rejected_file}")
        return out


def _chunks(it: Iterator, n: int) -> Iterator[list]:
    while chunk := list(islice(it, n)):
        yield chunk


def rejected_path(path: Path) -> Path:
    return path.with_name(path.stem + ".rejected.csv")


def import_incidents(
    engine: Engine,
    path: str | Path,
    mapping: str | Path | mappings.IncidentMapping,
    *,
    encoding: str | None = None,
    dry_run: bool = False,
    actor: str = "cli",
    now: int | None = None,
    progress: Callable[[int], object] | None = None,
    batch: int = BATCH,
    file_name: str | None = None,
) -> Report:
    """Raises MappingError or FileError (nothing written) for a mapping or file that cannot be used."""
    m = mapping if isinstance(mapping, mappings.IncidentMapping) else mappings.load(mapping, "incidents")
    src = files.open_source(path, encoding)
    files.check_columns(src, m.source_columns())
    now = now if now is not None else now_ts()
    report = Report(encoding=src.encoding, dry_run=dry_run)
    run_id = imports.start_run(engine, "incidents", m.source, file_name or src.path.name, actor, now, dry_run)
    builder = IncidentBuilder(m, Locator.from_engine(engine), now)
    rejects: list[tuple[int, dict | None, str]] = []
    chunks = _chunks(src.rows(), batch * WINDOW)

    def next_batch():
        """The next window of rows, built and put in report-time order: its batches then each touch a narrow
        stretch of every (…, reported_at) index (a file in random order imported 2x slower without it)."""
        rows = next(chunks, None)
        if rows is None:
            return None
        built = builder.build(rows)
        built.records.sort(key=lambda r: r["reported_at"])
        return rows, built

    # the next batch is read and built while this one is written (SQLite writes outside the GIL)
    pool = ThreadPoolExecutor(1, thread_name_prefix="import-build")
    try:
        with contextlib.nullcontext() if dry_run else bulk_writes(engine):
            ahead = pool.submit(next_batch)
            while (item := ahead.result()) is not None:
                rows, built = item
                ahead = pool.submit(next_batch)
                _count(report, rows, built)
                rejects += built.rejected
                for part in _chunks(iter(built.records), batch):
                    if dry_run:
                        counts = imports.preview(engine, m.source, part)
                    else:
                        counts = retry.background(
                            lambda p=part: imports.upsert(engine, m.source, p, now=now),
                            "import_incidents",
                            rows=len(part),
                        )
                    for k, n in counts.items():
                        setattr(report, k, getattr(report, k) + n)
                if progress:
                    progress(len(rows))
        if rejects:
            report.rejected_file = str(_write_rejects(rejected_path(src.path), src.columns, rejects))
    except Exception as exc:
        imports.finish_run(engine, run_id, "failed", report.as_json(), str(exc)[:500])
        raise
    finally:
        pool.shutdown(cancel_futures=True)
    imports.finish_run(engine, run_id, "done", report.as_json(), None)
    return report


def _count(report: Report, rows: list, built) -> None:
    report.read += len(rows)
    report.unmapped.update(built.unmapped)
    report.rejected.update(reason for _, _, reason in built.rejected)
    report.unlocated += sum(1 for r in built.records if not r["district_code"])


def _write_rejects(path: Path, columns: list[str], rejects) -> Path:
    """The rejected rows as they came, with their line and reason first (UTF-8 with BOM: Excel opens it)."""
    try:
        fh = path.open("w", encoding="utf-8-sig", newline="")
    except OSError:
        path = Path.cwd() / path.name  # the input's folder is read-only: beside us instead
        fh = path.open("w", encoding="utf-8-sig", newline="")
    with fh:
        w = csv.writer(fh)
        w.writerow(["line", "reason", *columns])
        for line, row, reason in rejects:
            w.writerow([line, reason, *((row or {}).get(c, "") for c in columns)])
    return path
