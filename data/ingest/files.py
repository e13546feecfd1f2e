"""Reading a source's file: CSV (UTF-8, UTF-8 with BOM or GB18030), JSON lines, or a JSON array (an Open311
requests.json). The whole file is decoded and its header checked before any row is used, so a wrong encoding
or a missing column stops the import before anything is written, with a sentence that names the line or
column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

ENCODINGS = ("utf-8-sig", "gb18030")  # tried in this order; utf-8-sig also reads plain UTF-8
csv.field_size_limit(1 << 20)  # a description of up to 1 MB is one cell, not a broken file


class FileError(ValueError):
    """The file cannot be imported as it is; nothing was written."""


@dataclass
class SourceFile:
    path: Path
    encoding: str
    columns: list[str]
    text: str
    layout: str  # csv | jsonl | json

    def rows(self) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
        """(line number, {column: text}, why it is unreadable). A row that cannot be read comes as
        (line, None, reason) so the caller counts and reports it; the rest of the file goes on."""
        if self.layout == "csv":
            yield from _csv_rows(self.text, self.columns)
        elif self.layout == "jsonl":
            for n, line in enumerate(self.text.splitlines(), 1):
                if line.strip():
                    obj = _json_object(line)
                    yield (n, obj, None) if obj is not None else (n, None, "bad_json")
        else:
            for n, obj in enumerate(orjson.loads(self.text), 1):
                yield (n, _flat(obj), None) if isinstance(obj, dict) else (n, None, "bad_json")


def _csv_rows(text: str, columns: list[str]):
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    width = len(columns)
    for values in reader:
        line = reader.line_num
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != width:
            yield line, None, "wrong_field_count"
            continue
        yield line, dict(zip(columns, values)), None


def _flat(obj: dict) -> dict[str, str]:
    """Values as text (the mapping's maps compare text); nested objects as dotted keys."""
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update({f"{k}.{kk}": vv for kk, vv in _flat(v).items()})
        else:
            out[str(k)] = "" if v is None else v if isinstance(v, str) else orjson.dumps(v).decode()
    return out


def _json_object(line: str) -> dict | None:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return _flat(obj) if isinstance(obj, dict) else None


def decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """The file's text and the encoding that read it; FileError naming the first bad line otherwise."""
    tried = (encoding,) if encoding else ENCODINGS
    first_error = None
    for enc in tried:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError) as exc:
            first_error = first_error or exc
    if isinstance(first_error, LookupError):
        raise FileError(f"unknown encoding {encoding!r}")
    line = data[: first_error.start].count(b"\n") + 1
    names = " or ".join(tried)
    raise FileError(f"{name}: line {line} is not {names} text; give the file's encoding with --encoding")


def open_source(path: str | Path, encoding: str | None = None) -> SourceFile:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(f"cannot read {path}: {exc.strerror}") from None
    text, enc = decode(data, encoding, path.name)
    head = text.lstrip("\ufeff").lstrip()
    if not head:
        raise FileError(f"{path.name} is empty")
    if head[0] == "[":
        try:
            items = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise FileError(f"{path.name} is not valid JSON: {exc}") from None
        columns = sorted({k for obj in items if isinstance(obj, dict) for k in _flat(obj)})
        return SourceFile(path, enc, columns, text, "json")
    if head[0] == "{":
        keys: dict[str, None] = {}
        for line in text.splitlines():
            obj = _json_object(line) if line.strip() else None
            keys.update(dict.fromkeys(obj or ()))
        return SourceFile(path, enc, list(keys), text, "jsonl")
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), [])
    columns = [c.strip() for c in header]
    if not columns or any(not c for c in columns) or "\x00" in text[:4096]:
        raise FileError(f"{path.name}: line 1 is not a header of column names")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise FileError(f"{path.name}: the header names column {dupes[0]!r} twice")
    return SourceFile(path, enc, columns, text.lstrip("\ufeff"), "csv")


def check_columns(src: SourceFile, wanted: dict[str, str]) -> None:
    """FileError naming the first column the mapping asks for that the file does not have."""
    have = set(src.columns)
    for field, col in wanted.items():
        if col not in have:
            shown = ", ".join(src.columns[:12]) + (" ..." if len(src.columns) > 12 else "")
            raise FileError(
                f"the mapping reads {field} from column {col!r}, which {src.path.name} does not have "
                f"(its columns: {shown})"
            )
