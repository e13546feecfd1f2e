"""Real tickets in: Boston's Open311 GeoReport v2 requests of one December week (PDDL; source and cut in
tests/data/real/README.md), imported with the Open311 mapping, against pandas on the same file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select

from data.ingest.run import import_incidents
from data.store.db import get_engine
from data.store.models import Incident

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
TICKETS = REAL / "boston311_open311_2019-12-01_07.jsonl"
OURS = {  # the mapping's categories, for pandas to count the same way
    "Sidewalk Not Shoveled": "sanitation",
    "Illegal Parking": "traffic_order",
    "Abandoned Vehicle": "traffic_order",
    "Unsafe Dangerous Conditions": "safety_hazard",
}


def _pandas():
    df = pd.read_json(TICKETS, lines=True, dtype={"service_request_id": str})
    requested = pd.to_datetime(df.requested_datetime, utc=True)
    updated = pd.to_datetime(df.updated_datetime, utc=True)
    closed = df.status == "closed"
    return {
        "rows": len(df),
        "by_category": df.service_name.map(OURS).value_counts().to_dict(),
        "closed": int(closed.sum()),
        "median_close_s": (updated[closed] - requested[closed]).dt.total_seconds().median(),
    }


def test_a_real_week_of_boston_311_lands_whole(mini_copy, tmp_path):
    sample = tmp_path / TICKETS.name  # the rejected rows' file goes beside the input: not into the repo
    sample.write_bytes(TICKETS.read_bytes())
    engine = get_engine(mini_copy)
    report = import_incidents(engine, sample, REAL / "boston311_open311.yaml")
    expected = _pandas()
    assert report.as_json() == {
        "read": expected["rows"],
        "inserted": expected["rows"],
        "updated": 0,
        "unchanged": 0,
        "unlocated": expected["rows"],  # Boston is not in Shanghai: kept, at the city level
        "rejected": {},
    }
    assert not report.unmapped
    with engine.connect() as conn:
        rows = pd.DataFrame(
            conn.execute(
                select(Incident.category, Incident.status, Incident.reported_at, Incident.closed_at).where(
                    Incident.origin == "boston311"
                )
            ).all()
        )
    assert rows.category.value_counts().to_dict() == expected["by_category"]
    closed = rows[rows.status == "closed"]
    assert len(closed) == expected["closed"]
    assert (closed.closed_at - closed.reported_at).median() == expected["median_close_s"]  # 6 h 38 min 22 s
    assert expected["median_close_s"] == 6 * 3600 + 38 * 60 + 22
    again = import_incidents(engine, sample, REAL / "boston311_open311.yaml")
    assert (again.inserted, again.unchanged) == (0, expected["rows"])
