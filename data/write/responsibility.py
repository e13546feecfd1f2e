"""The responsibility table (依责承接), replaced as a whole from a city's file: each row names the unit
that handles a category (or one standard code of it) in an area. Checked before anything is written:
the category must exist, the unit must handle it, the code must belong to it and the area be a code."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import Engine, delete, insert

from data.domain import stdcats
from data.domain.vocab import CATEGORIES
from data.store.db import write_session
from data.store.models_loop import Responsibility
from data.write.errors import BadInput

DEFAULT = Path(__file__).resolve().parent.parent / "domain" / "responsibility.csv"
FIELDS = ("category", "std_code", "area_code", "unit", "rank")


def read_file(path: str | Path) -> list[dict]:
    """The rows of a responsibility file (UTF-8 CSV with a header), checked; BadInput names the line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the file ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [f for f in FIELDS if f not in (reader.fieldnames or ())]
    if missing:
        raise BadInput(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {f: (raw.get(f) or "").strip() for f in FIELDS}
        problem = _problem(row)
        if problem:
            raise BadInput(f"{path}: line {line}: {problem}")
        rows.append(dict(row, rank=int(row["rank"] or 0)))
    return rows


def _problem(row: dict) -> str | None:
    cat = CATEGORIES.get(row["category"])
    if cat is None:
        return f"category {row['category']!r} is not one of {', '.join(CATEGORIES)}"
    if row["unit"] not in cat["units"]:
        return f"unit {row['unit']!r} does not handle {row['category']!r} (it handles: {', '.join(cat['units'])})"
    code = row["std_code"]
    if code and not any(e.code == code and e.category == row["category"] for e in stdcats.table().values()):
        return f"standard code {code!r} is not a code of {row['category']!r} in the category table"
    if row["area_code"] and not re.fullmatch(r"31\d{4}(\d{3}){0,2}", row["area_code"]):
        return f"area {row['area_code']!r} is not a district, street or grid code (6, 9 or 12 digits)"
    if row["rank"] and not row["rank"].isdigit():
        return f"rank {row['rank']!r} is not a whole number"
    return None


def replace_table(engine: Engine, rows: list[dict]) -> int:
    """The table becomes exactly these rows, in one transaction; returns how many."""
    for row in rows:
        problem = _problem({**row, "rank": str(row.get("rank", 0))})
        if problem:
            raise BadInput(problem)
    with write_session(engine) as s:
        s.execute(delete(Responsibility))
        if rows:
            s.execute(insert(Responsibility), [{f: row[f] for f in FIELDS} for row in rows])
    return len(rows)
