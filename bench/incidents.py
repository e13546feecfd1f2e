"""Benchmark: incident-list queries at 1M incidents, cold (cache cleared) and warm, medians.

    python -m bench.incidents [--incidents 1000000] [--repeat 5] [--actions 15]

Each case is one grid block (100 rows, sorted in SQL) plus the status counts for the same filters,
on bench/results/bench-N.sqlite (seeded by bench.run if missing). Writes bench/results/incidents-N.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.account import USERNAME, act_as_bench, ensure_account

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--actions", type=int, default=15, help="registered incidents to dispatch (writes to the bench db)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import END, bench_database

    url = bench_database(args.incidents)
    ensure_account(url)  # the actions' actor: the write path reads its role and area

    from flask import g

    from api.access import resolve_scope
    from app import create_app
    from data.domain.filters import IncidentFilters
    from data.domain.timeutil import parse_local
    from data.read.incidentlist import page, status_counts
    from data.store.cache import cache

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    now = parse_local(END)
    cases = {  # name: (filters, sort column, descending, first row)
        "today, city, newest first": (IncidentFilters(), "reported_at", True, 0),
        "7 days, one district, newest first": (IncidentFilters(window="7d", area="310115"), "reported_at", True, 0),
        "7 days, one street, overdue only": (
            IncidentFilters(window="7d", area="310115005", overdue=True),
            "due_at",
            False,
            0,
        ),
        "30 days, city, status handling": (IncidentFilters(window="30d", status="handling"), "reported_at", True, 0),
        "30 days, city, sorted by priority": (IncidentFilters(window="30d"), "priority", False, 0),
        "30 days, city, nearest deadline first": (IncidentFilters(window="30d"), "due_at", False, 0),
        "30 days, city, by category, descending": (IncidentFilters(window="30d"), "category", True, 0),
        "30 days, one district, by priority": (IncidentFilters(window="30d", area="310115"), "priority", False, 0),
        "30 days, city, by unit": (IncidentFilters(window="30d"), "assigned_unit", False, 0),
        "30 days, city, by unit, rows 900000-900100": (IncidentFilters(window="30d"), "assigned_unit", False, 900_000),
        "all time, city, overdue only, nearest deadline first": (
            IncidentFilters(window="all", overdue=True),
            "due_at",
            False,
            0,
        ),
        "7 days, city, text 井盖": (IncidentFilters(window="7d", q="井盖"), "reported_at", True, 0),
        "30 days, city, text 井盖缺失": (IncidentFilters(window="30d", q="井盖缺失"), "reported_at", True, 0),
        "today, city, block 5 (rows 500-600)": (IncidentFilters(), "reported_at", True, 500),
    }
    rows = {}
    with app.server.test_request_context():
        act_as_bench()  # the city's duty officer: reads are scoped to what the account may see
        for name, (f, sort, desc, start) in cases.items():
            scope = resolve_scope(f.area)  # as the page and the grid's callback resolve it
            cold, warm = [], []
            for _ in range(args.repeat):
                cache.clear()
                g.pop("_cityops_versions", None)
                t0 = time.perf_counter()
                page(scope, f, now, sort, desc, start, start + 100)
                status_counts(scope, f, now)
                cold.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                page(scope, f, now, sort, desc, start, start + 100)
                status_counts(scope, f, now)
                warm.append((time.perf_counter() - t0) * 1000)
            rows[name] = {"cold_ms": round(statistics.median(cold), 1), "warm_ms": round(statistics.median(warm), 2)}
            print(name, rows[name], flush=True)
        acts = _actions(url, now, args.actions)
    (RESULTS / f"incidents-{args.incidents}.json").write_text(
        json.dumps({"lists": rows, "actions": acts}, indent=1, ensure_ascii=False)
    )
    print("\n| list query (100 rows + status counts) | cold ms | warm ms |\n|---|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['cold_ms']} | {r['warm_ms']} |")
    print(
        f"\none action (dispatch: status, history, audit, rollups, versions in one transaction) and the page re-read, "
        f"{acts['n']} incidents: median {acts['median_ms']} ms, max {acts['max_ms']} ms"
    )
    return 0


def _actions(url: str, now: int, n: int) -> dict:
    """What the action callback does at 1M: apply_action as the bench's duty officer, then the story and
    repeats re-read. It writes: n registered incidents of the bench database (a scratch copy) get dispatched.
    Runs inside a request context acting as the bench account."""
    from sqlalchemy import select

    from api.access import resolve_scope
    from data.domain.vocab import CATEGORIES
    from data.read.incidentdesk import incident_story, similar
    from data.store.db import get_engine
    from data.store.models import Incident
    from data.write.writes import apply_action

    engine = get_engine(url)
    scope = resolve_scope()
    with engine.connect() as conn:
        todo = conn.execute(
            select(Incident.id, Incident.version, Incident.category)
            .where(Incident.status == "registered")
            .order_by(Incident.reported_at.desc())
            .limit(n)
        ).all()
    times = []
    for inc_id, version, category in todo:
        t0 = time.perf_counter()
        apply_action(
            engine,
            inc_id,
            "dispatch",
            actor=USERNAME,
            expected_version=version,
            now=now + 60,
            unit=CATEGORIES[category]["units"][0],
            scope=scope,
        )
        story = incident_story(scope, inc_id, now + 60)
        similar(scope, story["incident"], now + 60)
        times.append((time.perf_counter() - t0) * 1000)
    return {"n": len(times), "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


if __name__ == "__main__":
    sys.exit(main())
