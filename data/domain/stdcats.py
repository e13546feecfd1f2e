"""The standard category table (部件/事件 five-digit codes): a data file the app loads and validates.

The built-in table (standard_categories.csv beside this module) follows the national layout quoted in
DOMAIN.md: a 2-digit class and a 3-digit subclass, keyed on (kind, code). A city replaces it with its
own file (setting CATEGORY_TABLE). Each row maps its code to one of the app's categories (what the wall
counts) and carries the handling limit (data.domain.limits reads it): one limit, or several stages
separated by "|" with their names. Errors name the file's line and column; nothing half-loaded is used."""

from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from data.domain.vocab import CATEGORIES

BUILT_IN = Path(__file__).with_name("standard_categories.csv")
LIMIT = re.compile(r"^(\d+(?:\.\d+)?)(m|h|d|wh|wd)$")  # minutes, hours, days (natural); working hours/days
COLUMNS = ("kind", "code", "class_zh", "class_en", "name_zh", "name_en", "category", "subcategory", "limit")


class TableError(ValueError):
    """The table cannot be used; the message names the file, line and column."""


class StdCategory(BaseModel, frozen=True):
    kind: Literal["component", "event"]
    code: str
    class_zh: str
    class_en: str
    name_zh: str
    name_en: str
    category: str
    subcategory: str
    limit: tuple[str, ...]  # one per handling stage
    stage_zh: tuple[str, ...] = ()
    stage_en: tuple[str, ...] = ()
    urgent: bool = False  # an emergency: priority 1, limits in natural minutes
    auto: bool = False  # registered and dispatched by the rules when a sensor or camera reports it

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"\d{5}", v):
            raise ValueError("a code is five digits: 2-digit class + 3-digit subclass")
        return v

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, v):
        parts = tuple(p.strip() for p in str(v).split("|")) if isinstance(v, str) else tuple(v)
        for p in parts:
            if not LIMIT.match(p):
                raise ValueError(f"{p!r} is not a limit such as 30m, 4h, 4wh or 2wd")
        return parts

    @field_validator("stage_zh", "stage_en", mode="before")
    @classmethod
    def _names(cls, v):
        return tuple(p.strip() for p in v.split("|")) if isinstance(v, str) and v.strip() else tuple(v or ())

    @field_validator("urgent", "auto", mode="before")
    @classmethod
    def _flag(cls, v):
        return str(v).strip() in ("1", "true", "yes") if not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _fits_app(self):
        cat = CATEGORIES.get(self.category)
        if cat is None:
            raise ValueError(f"category {self.category!r} is not one of the app's: {', '.join(CATEGORIES)}")
        if self.subcategory not in cat["sub"]:
            raise ValueError(f"subcategory {self.subcategory!r} is not in {self.category!r}")
        n = len(self.limit)
        if n > 1 and (len(self.stage_zh) != n or len(self.stage_en) != n):
            raise ValueError(f"{n} stages need {n} names in stage_zh and stage_en")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.code)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def stage_name(self, stage: int, lang: str) -> str:
        names = self.stage_en if lang == "en" else self.stage_zh
        return names[stage] if 0 <= stage < len(names) else ""


def load(path: str | os.PathLike) -> dict[tuple[str, str], StdCategory]:
    """Read and validate a table; TableError names the line and column of the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(f"{path}: cannot read the category table ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise TableError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    table: dict[tuple[str, str], StdCategory] = {}
    for line, row in enumerate(reader, start=2):
        try:
            entry = StdCategory(**{k: (v or "").strip() for k, v in row.items() if k})
        except ValidationError as exc:
            err = exc.errors()[0]
            col = ".".join(str(p) for p in err["loc"]) or "row"
            raise TableError(f"{path}: line {line}: {col}: {err['msg']}") from None
        if entry.key in table:
            raise TableError(f"{path}: line {line}: {entry.kind} {entry.code} appears twice")
        table[entry.key] = entry
    if not table:
        raise TableError(f"{path}: the table has no rows")
    uncovered = [
        s for c in CATEGORIES.values() for s in c["sub"] if not any(e.subcategory == s for e in table.values())
    ]
    if uncovered:
        raise TableError(f"{path}: no code for the app's subcategories {', '.join(uncovered)}")
    return table


_configured: dict[tuple[str, str], StdCategory] | None = None


def configure(path: str | os.PathLike | None) -> None:
    """Use this table in this process (create_app passes its CATEGORY_TABLE setting); None: the default."""
    global _configured
    _configured = load(path or os.environ.get("CATEGORY_TABLE") or BUILT_IN)
    for_sub.cache_clear()


def table() -> dict[tuple[str, str], StdCategory]:
    """The table in force: CATEGORY_TABLE's file if set, else the built-in one (read once per process)."""
    if _configured is None:
        configure(None)
    return _configured


def entry(kind: str | None, code: str | None) -> StdCategory | None:
    if not code:
        return None
    t = table()
    return t.get((kind or "", code)) or next((e for e in t.values() if e.code == code), None)


@lru_cache(maxsize=256)
def for_sub(subcategory: str) -> StdCategory:
    """The first code of the table that maps to an app subcategory (how generated and unmapped incidents
    get their code)."""
    return next(e for e in table().values() if e.subcategory == subcategory)


def fitting(category: str, subcategory: str | None = None, code: str | None = None, kind: str | None = None):
    """The code an incident of this app category carries: its own code when that code is of this category,
    else the first code of its subcategory, else the category's first code (None for an unknown category)."""
    found = entry(kind, code)
    if found is not None and found.category == category:
        return found
    rows = [e for e in table().values() if e.category == category]
    return next((e for e in rows if e.subcategory == subcategory), rows[0] if rows else None)
