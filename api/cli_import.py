"""`cityops import ...`: a source's files into the database through the one write path.

    cityops import incidents FILE --mapping MAPPING.yaml [--url URL] [--dry-run] [--encoding ENC]
                             [--report-json FILE] [--no-progress]
    cityops import readings FILE --mapping MAPPING.yaml [the same options]

Exit codes as every cityops command: 0 done (rejected rows are reported, not a failure), 1 the mapping or
the file cannot be used (nothing written; a sentence on stderr), 2 bad usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from api.cli_common import URL, fail, open_engine
from data.ingest.files import FileError
from data.ingest.mapping import MappingError
from data.store.db import Busy

FILE = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
MAPPING = click.option(
    "--mapping", "mapping", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the YAML mapping"
)
ENCODING = click.option("--encoding", default=None, help="the file's encoding (default: UTF-8, else GB18030)")
DRY_RUN = click.option("--dry-run", is_flag=True, help="read, check and count everything; write nothing")
REPORT_JSON = click.option(
    "--report-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="also write the report as JSON: read, inserted, updated, unchanged, unlocated, rejected",
)
PROGRESS = click.option("--progress/--no-progress", default=None, help="a progress bar (default: on a terminal)")


@click.group("import", help="Load a source's files: ticket exports (incidents) and sensor series (readings).")
def import_cmd() -> None:
    pass


def _bar(path: Path, show: bool | None):
    lines = sum(1 for _ in path.open("rb")) if path.exists() else None
    return tqdm(total=lines, unit=" rows", disable=not sys.stderr.isatty() if show is None else not show)


def _finish(report, report_json: Path | None, default_category: str = "") -> None:
    for line in report.lines(default_category):
        click.echo(line)
    if report_json:
        report_json.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@import_cmd.command("incidents")
@FILE
@MAPPING
@URL
@DRY_RUN
@ENCODING
@REPORT_JSON
@PROGRESS
def incidents(file, mapping, url, dry_run, encoding, report_json, progress):
    """Tickets from CSV (UTF-8, UTF-8 with BOM, GB18030), JSON lines or a JSON array, upserted by (source, id)."""
    from data.ingest.run import import_incidents

    _import("incidents", import_incidents, file, mapping, url, dry_run, encoding, report_json, progress)


@import_cmd.command("readings")
@FILE
@MAPPING
@URL
@DRY_RUN
@ENCODING
@REPORT_JSON
@PROGRESS
def readings(file, mapping, url, dry_run, encoding, report_json, progress):
    """Sensor series (wide: a column per series; long: series, time, value columns), upserted by (indicator,
    area, time); missing values are gaps, never zeros. The JSON report adds `gaps`."""
    from data.ingest.run_readings import import_readings

    _import("readings", import_readings, file, mapping, url, dry_run, encoding, report_json, progress)


def _import(kind, run, file, mapping, url, dry_run, encoding, report_json, progress) -> None:
    """Both commands: load the mapping, open (and migrate) the database, run with a bar, print the report."""
    from data.ingest import mapping as mappings

    try:
        m = mappings.load(mapping, kind)
        engine = open_engine(url)
        with _bar(file, progress) as bar:
            report = run(engine, file, m, encoding=encoding, dry_run=dry_run, actor="cli", progress=bar.update)
    except (MappingError, FileError, Busy) as exc:
        fail(exc)
    _finish(report, report_json, getattr(m, "default_category", ""))
