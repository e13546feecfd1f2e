"""The first rows of a source's file as they would be imported, for the admin page's preview, and the
mappings the page offers. Nothing here writes.

A ticket row shows its source id, report time, status, our category and place, or why it would be
rejected; a readings line shows the values it gives each series, its gaps and its rejections. The file
passes the same checks as an import (whole-file decode, header, the mapping's columns), so a preview that
shows rows promises an import that starts. The whole file's counts come from the dry run
(data.ingest.run.import_incidents or run_readings.import_readings with dry_run=True), which the page runs
in the background and which is recorded as a dry run in the import_run table."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import yaml
from sqlalchemy import Engine

from data.domain.timeutil import now_ts
from data.ingest import files
from data.ingest import mapping as mappings
from data.ingest.incidents import IncidentBuilder
from data.ingest.place import Locator
from data.ingest.readings import ReadingBuilder

PREVIEW_ROWS = 20
SHOWN_TEXT = 40  # a raw cell shown beside a rejection is cut to this many characters
MAPPING_TEXT_MAX = 64 * 1024
SHIPPED = Path(__file__).resolve().parent / "mappings"


@dataclass(frozen=True)
class Row:
    """One ticket row."""

    line: int  # the file's line (CSV, JSON lines) or item number (a JSON array)
    source_id: str  # as the source wrote it ("" when the row has none)
    reported_at: int | None  # Unix seconds; None when the row is rejected
    reported_text: str  # the source's report time as written (what a bad_reported_at row held)
    status: str | None  # ours
    category: str | None  # ours
    unmapped: str | None  # the source's category when the mapping did not name it ("" when empty)
    district: str  # area codes; both empty: unlocated (kept at the city level)
    street: str
    reason: str | None  # why the import would reject the row; None when it would be kept


@dataclass(frozen=True)
class ReadingLine:
    """One line of a readings file: a value per series in a wide file, one value in a long one."""

    line: int
    ts: int | None  # the line's time when any value is kept
    values: list[tuple[str, str, float]]  # (indicator, area, value) of each reading it would write
    gaps: int  # missing values: no reading, a gap in the chart
    rejected: list[tuple[str, str]]  # (series, reason)


@dataclass(frozen=True)
class Preview:
    kind: str  # incidents | readings
    rows: list[Row] | list[ReadingLine]
    encoding: str
    layout: str  # csv | jsonl | json


def shipped() -> list[tuple[str, str]]:
    """The example mappings that ship with the app: (name, kind), by name."""
    out = []
    for path in sorted(SHIPPED.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((path.stem, kind_of(raw)))
    return out


def shipped_text(name: object) -> str | None:
    """A shipped mapping's YAML, comments included; None for any name that is not one of them."""
    if not isinstance(name, str) or name not in {n for n, _ in shipped()}:  # never a path from the browser
        return None
    return (SHIPPED / f"{name}.yaml").read_text(encoding="utf-8")


def kind_of(raw: object) -> str:
    """A readings mapping names its series; a ticket mapping does not."""
    return "readings" if isinstance(raw, dict) and "series" in raw else "incidents"


def mapping_from_text(text: str, name: str = "mapping.yaml"):
    """(kind, mapping) from YAML typed or edited on the page, validated as data.ingest.mapping.load validates
    a file; MappingError with one sentence otherwise. Anchors and aliases are refused: a few lines of them
    expand into millions of nodes."""
    if len(text) > MAPPING_TEXT_MAX:
        raise mappings.MappingError(f"{name} is longer than {MAPPING_TEXT_MAX} characters")
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise mappings.MappingError(f"{name}: anchors and aliases (& and *) are not accepted")
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise mappings.MappingError(f"{name} is not valid YAML{line}") from None
    kind = kind_of(raw)
    return kind, mappings.parse(raw, kind, Path(name))


def _cell(row: dict | None, column: str | None) -> str:
    value = (row or {}).get(column) if column else None
    return "" if value is None else str(value).strip()[:SHOWN_TEXT]


def first_rows(
    engine: Engine,
    path: str | Path,
    mapping: mappings.IncidentMapping,
    n: int = PREVIEW_ROWS,
    *,
    encoding: str | None = None,
    now: int | None = None,
    locator: Locator | None = None,
) -> Preview:
    """The first `n` ticket rows as the import would take them. Raises FileError as the import would;
    rows the import would reject come back with their reason."""
    src = files.open_source(path, encoding)
    cols = mapping.source_columns()
    files.check_columns(src, cols)
    builder = IncidentBuilder(mapping, locator or Locator.from_engine(engine), now if now is not None else now_ts())
    out = []
    for line, row, unreadable in islice(src.rows(), n):
        built = builder.build([(line, row, unreadable)])  # one at a time: each result keeps its line
        source_id, reported = _cell(row, cols.get("id")), _cell(row, cols.get("reported_at"))
        if built.rejected:
            out.append(Row(line, source_id, None, reported, None, None, None, "", "", built.rejected[0][2]))
            continue
        rec = built.records[0]
        out.append(
            Row(
                line,
                rec["external_id"],
                rec["reported_at"],
                reported,
                rec["status"],
                rec["category"],
                next(iter(built.unmapped), None),
                rec["district_code"],
                rec["street_code"],
                None,
            )
        )
    return Preview("incidents", out, src.encoding, src.layout)


def first_readings(
    engine: Engine,
    path: str | Path,
    mapping: mappings.ReadingMapping,
    n: int = PREVIEW_ROWS,
    *,
    encoding: str | None = None,
    now: int | None = None,
) -> Preview:
    """The first `n` lines of a readings file as the import would take them. Raises MappingError (an
    unknown indicator or area, a unit other than the catalogue's) or FileError as the import would."""
    builder = ReadingBuilder.from_engine(engine, mapping, now if now is not None else now_ts())
    src = files.open_source(path, encoding)
    files.check_columns(src, builder.source_columns())
    out = []
    for line, row, unreadable in islice(src.rows(), n):
        built = builder.build([(line, row, unreadable)])
        values = [(r["indicator_code"], r["area_code"], r["value"]) for r in built.readings]
        ts = built.readings[0]["ts"] if built.readings else None
        out.append(ReadingLine(line, ts, values, built.gaps, [(label, why) for _, _, label, why in built.rejected]))
    return Preview("readings", out, src.encoding, src.layout)
