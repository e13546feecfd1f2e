"""What a list can be filtered and sorted by: shared by the read layer (SQL) and the pages (URLs).
No SQLAlchemy here, so components import it freely."""

from __future__ import annotations

from typing import NamedTuple

from data.domain.timeutil import DAY
from data.domain.vocab import CITY_CODE

# the incident list
WINDOWS = {"today": None, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "all": None}  # by report time
SORTABLE = ("reported_at", "priority", "status", "due_at", "category", "source", "street_code", "assigned_unit", "id")


class IncidentFilters(NamedTuple):
    window: str = "today"
    status: str | None = None
    source: str | None = None
    category: str | None = None
    area: str = CITY_CODE
    priority: int | None = None
    unit: str | None = None
    overdue: bool = False
    q: str | None = None
    flag: str | None = None  # parked (挂账, listed with their age), supervised (督办), extension (延期 waiting)
    ev: str | None = None  # the incidents behind an evaluation figure (data.read.evaluation_sql.parse_behind)


INCIDENT_FLAGS = ("parked", "supervised", "extension")


# the warnings page
WARNING_SORTS = ("newest", "oldest", "severity")

# the projects pages
PROJECT_PHASES = ("approval", "tender", "build", "acceptance", "operation")
PROJECT_STATUS_ORDER = {"late": 0, "at_risk": 1, "on_track": 2}
