"""One readings import, start to end, as data.ingest.run does it for incidents: check the mapping against the
database and the whole file before anything is written, write batch by batch (the upsert makes a retry
harmless), account for every value in a report, then let the rules engine evaluate the imported history so
that the warnings of past days say what their readings were. Used by `cityops import readings`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from data.domain.timeutil import now_ts
from data.ingest import files
from data.ingest import mapping as mappings
from data.ingest.readings import ReadingBuilder
from data.ingest.run import BATCH, Report, _chunks, _write_rejects, rejected_path
from data.rules.config import Catalog, load_catalog
from data.write import imports, reading_imports, retry


@dataclass
class ReadingReport(Report):
    """read = inserted + updated + unchanged + rejected + gaps, counted in values (a wide line holds one per
    series); `unlocated` stays 0 (every series names its area)."""

    gaps: int = 0
    lines_read: int = 0
    warnings: int = 0  # warnings written from the imported history

    def as_json(self) -> dict:
        return {**super().as_json(), "gaps": self.gaps}

    def lines(self, default_category: str = "") -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [
            f"read {self.read} values from {self.lines_read} lines ({self.encoding})",
            f"{would}inserted {self.inserted}, {would}updated {self.updated}, unchanged {self.unchanged}",
            f"gaps {self.gaps} (missing values: no reading written, charts break the line there)",
            f"rejected {sum(self.rejected.values())}"
            + "".join(f"\n  {reason}: {n}" for reason, n in self.rejected.most_common()),
        ]
        if not self.dry_run:
            out.append(f"warnings from the imported history: {self.warnings}")
        if self.rejected_file:
            out.append(f"rejected values with their reasons: {self.rejected_file}")
        return out


def import_readings(
    engine: Engine,
    path: str | Path,
    mapping: str | Path | mappings.ReadingMapping,
    *,
    encoding: str | None = None,
    dry_run: bool = False,
    actor: str = "cli",
    now: int | None = None,
    progress: Callable[[int], object] | None = None,
    batch: int = BATCH,
    file_name: str | None = None,
    catalog: Catalog | None = None,
) -> ReadingReport:
    """Raises MappingError or FileError (nothing written) for a mapping or file that cannot be used. `catalog`
    (default: the app's RULES_FILE) gives the bands the imported history is evaluated against."""
    m = mapping if isinstance(mapping, mappings.ReadingMapping) else mappings.load(mapping, "readings")
    now = now if now is not None else now_ts()
    builder = ReadingBuilder.from_engine(engine, m, now)
    src = files.open_source(path, encoding)
    files.check_columns(src, builder.source_columns())
    report = ReadingReport(encoding=src.encoding, dry_run=dry_run)
    run_id = imports.start_run(engine, "readings", m.source, file_name or src.path.name, actor, now, dry_run)
    rejects: list[tuple[int, dict | None, str]] = []
    spans: dict[tuple, list[int]] = {}
    try:
        for lines in _chunks(src.rows(), batch):
            built = builder.build(lines)
            report.lines_read += len(lines)
            report.read += built.read
            report.gaps += built.gaps
            report.rejected.update(reason for *_, reason in built.rejected)
            rejects += [(line, {"series": label, **(row or {})}, reason) for line, row, label, reason in built.rejected]
            if dry_run:
                counts = reading_imports.preview_readings(engine, built.readings)
            else:
                counts, changed = retry.background(
                    lambda b=built: reading_imports.write_readings(engine, b.readings, now=now),
                    "import_readings",
                    rows=len(built.readings),
                )
                for key, (lo, hi) in changed.items():
                    span = spans.setdefault(key, [lo, hi])
                    span[0], span[1] = min(span[0], lo), max(span[1], hi)
            for k, n in counts.items():
                setattr(report, k, getattr(report, k) + n)
            if progress:
                progress(len(lines))
        if spans:
            if catalog is None:
                from config import Config  # the app's rules file, without importing Dash

                catalog = load_catalog(Config().RULES_FILE)
            report.warnings = retry.background(
                lambda c=catalog: reading_imports.evaluate_history(engine, c, spans, now), "import_readings_history"
            )
        if rejects:
            report.rejected_file = str(_write_rejects(rejected_path(src.path), ["series", *src.columns], rejects))
    except Exception as exc:
        imports.finish_run(engine, run_id, "failed", report.as_json(), str(exc)[:500])
        raise
    imports.finish_run(engine, run_id, "done", report.as_json(), None)
    return report
