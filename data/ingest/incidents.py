"""Rows of a ticket export -> our incidents: each row becomes a record for the write path, or a rejection
with a reason. Nothing here writes; data.ingest.run batches the records into data.write.imports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import h3
import numpy as np

from data.domain import stdcats
from data.domain.areas import GRID_RES
from data.domain.limits import step_due
from data.domain.vocab import CATEGORIES, SOURCES, STATUSES, UNITS
from data.ingest import times
from data.ingest.coords import to_gcj02
from data.ingest.mapping import IncidentMapping
from data.ingest.place import UNLOCATED, Locator
from data.store import textsearch

MAX_ID = 40
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
FUTURE_SLACK = 300  # a report time up to 5 minutes ahead of our clock is a clock skew, not a bad row
ASSIGNED = ("dispatched", "handling", "verifying", "closed")


def importer_id(origin: str) -> str:
    """The account the history rows of an origin's imports name (created by the write path)."""
    return f"import-{origin}"


@dataclass
class Batch:
    records: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, dict | None, str]] = field(default_factory=list)  # (line, row, reason)
    unmapped: Counter = field(default_factory=Counter)  # source category -> rows put in the default


class IncidentBuilder:
    def __init__(self, mapping: IncidentMapping, locator: Locator, now: int):
        self.m = mapping
        self.cols = mapping.source_columns()
        self.locator = locator
        self.now = now
        self.missing = set(mapping.missing)
        self.seen: set[str] = set()  # ids met earlier in this file
        self.actor = importer_id(mapping.source)

    def _fields(self, row: dict) -> dict:
        """Our fields from one source row, stripped, with the mapping's missing values as None."""
        out = {}
        for name, col in self.cols.items():
            v = row.get(col)
            if isinstance(v, str):
                v = v.strip()
            out[name] = None if v is None or v in self.missing else v
        return out

    def _time(self, f: dict, name: str) -> tuple[int | None, bool]:
        """(seconds, present): present but None means the cell holds something that is not a time."""
        v = f.get(name)
        return (None, False) if v is None else (times.parse(v, self.m.timezone, self.m.time_format), True)

    def build(self, rows: list[tuple[int, dict | None, str | None]]) -> Batch:
        out = Batch()
        staged: list[tuple[int, dict, dict]] = []
        for line, row, unreadable in rows:
            if row is None:
                out.rejected.append((line, None, unreadable or "unreadable"))
                continue
            rec, why = self._record(row, out.unmapped)
            if why:
                out.rejected.append((line, row, why))
            else:
                staged.append((line, row, rec))
        self._place(staged)
        out.records = [rec for _, _, rec in staged]
        return out

    def _record(self, row: dict, unmapped: Counter) -> tuple[dict | None, str | None]:
        f = self._fields(row)
        ext = f.get("id")
        if not ext:
            return None, "missing_id"
        ext = str(ext)
        if len(ext) > MAX_ID:
            return None, "id_too_long"
        if ext in self.seen:
            return None, "duplicate_id"
        reported, _ = self._time(f, "reported_at")
        if reported is None:
            return None, "bad_reported_at"
        if reported > self.now + FUTURE_SLACK:
            return None, "reported_in_future"
        closed, has_closed = self._time(f, "closed_at")
        updated, _ = self._time(f, "updated_at")
        if has_closed and closed is None:
            return None, "bad_closed_at"
        raw_status = f.get("status")
        if raw_status is None:
            status = "closed" if closed is not None else "reported"
        else:
            status = self.m.status_map.get(raw_status) or (raw_status if raw_status in STATUSES else None)
            if status is None:
                return None, "unknown_status"
        if status == "closed":
            closed = closed if closed is not None else updated
            if closed is None:
                return None, "closed_without_time"
            if closed < reported:
                return None, "closed_before_reported"
            status_at = closed
        else:
            closed = None
            status_at = max(reported, updated) if updated is not None and status != "reported" else reported
            status_at = min(status_at, self.now)
        raw_cat = f.get("category")
        category = self.m.categories.get(raw_cat) if raw_cat is not None else None
        if category is None:
            category = raw_cat if raw_cat in CATEGORIES else self.m.default_category
            if raw_cat != category:
                unmapped[raw_cat or ""] += 1
        std = stdcats.entry(None, str(f.get("std_code") or "").strip()[:5])  # a known code says the category
        if std is not None:
            category = std.category
        priority = self.m.default_priority
        raw_pri = f.get("priority")
        if raw_pri is not None:
            priority = self.m.priority_map.get(raw_pri) or (int(raw_pri) if raw_pri in ("1", "2", "3") else priority)
        raw_channel = f.get("channel")
        channel = self.m.channel_map.get(raw_channel or "") or (
            raw_channel if raw_channel in SOURCES else self.m.channel
        )
        unit = f.get("unit")
        description = str(f.get("description") or "")[:MAX_DESCRIPTION]
        title = str(f.get("title") or description[:60] or raw_cat or "")[:MAX_TITLE]
        if std is not None and std.urgent:
            priority = 1
        kind = std.kind if std is not None else CATEGORIES[category]["kind"]
        code = std.code if std is not None else None
        sub = std.subcategory if std is not None else ""
        history = [(None, "reported", reported)]
        if status != "reported":
            history.append(("reported", status, status_at))
        self.seen.add(ext)
        rec = {
            "origin": self.m.source,
            "external_id": ext,
            "source": channel,
            "kind": kind,
            "category": category,
            "subcategory": sub,
            "std_code": code,
            "title": title,
            "description": description,
            "reported_at": reported,
            "status": status,
            "status_at": status_at,
            "due_at": step_due(status, status_at, priority, code, kind),
            "closed_at": closed,
            "priority": priority,
            "assigned_unit": unit if unit in UNITS and status in ASSIGNED else None,
            "address": (f.get("address") or None) and str(f.get("address"))[:200],
            "reporter_name": None,
            "reporter_phone": None,
            "history": history,
            "grams": textsearch.grams(f"{title}\n{description}"),  # made here, in the builder's thread
            "actor": self.actor,
            "_where": (
                f.get("lon"),
                f.get("lat"),
                f.get("area"),
                f.get("district"),
                f.get("street"),
            ),
        }
        return rec, None

    def _place(self, staged: list[tuple[int, dict, dict]]) -> None:
        """Coordinates first (converted to GCJ-02), then an area code or name, else unlocated."""
        n = len(staged)
        lon, lat = np.full(n, np.nan), np.full(n, np.nan)
        for k, (_, _, rec) in enumerate(staged):
            x, y = rec["_where"][:2]
            try:
                lon[k], lat[k] = float(x), float(y)
            except (TypeError, ValueError):
                pass
        glon, glat = to_gcj02(self.m.crs, lon, lat)
        places = self.locator.by_point(glon, glat) if n else []
        for k, (_, _, rec) in enumerate(staged):
            where = rec.pop("_where")
            place, point = places[k], True
            if place is None:
                point = False
                place = self.locator.by_area(*where[2:]) or UNLOCATED
            rec.update(
                district_code=place.district,
                street_code=place.street,
                grid_code=place.grid,
                lon=round(float(glon[k]), 6) if point else None,
                lat=round(float(glat[k]), 6) if point else None,
                h3_cell=h3.str_to_int(h3.latlng_to_cell(glat[k], glon[k], GRID_RES)) if point else None,
            )
