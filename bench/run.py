"""Benchmark: seed N incidents into a fresh SQLite file, then time the wall's queries.

    python -m bench.run [--incidents 1000000] [--days 30] [--repeat 7] [--reuse]

Reports the seed's wall time and peak memory, then per query the median cold time (cache
cleared), the median warm time (served from the cache), and, beside it, the same answer
computed from the raw tables without rollups, so the ratio is visible. Results go to stdout
(markdown) and bench/results/queries-<N>.json. Run on demand, not in the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
END = "2026-11-20 16:30"

# The same answers straight from the raw tables (the "no rollups" baseline). Bench-only SQL.
RAW = {
    "incident_counts(city, today)": "SELECT source, count(*) FROM incident WHERE reported_at >= :day0 AND reported_at < :now GROUP BY source",
    "loop_status(city)": "SELECT status, count(*) FROM incident WHERE status != 'closed' GROUP BY status",
    "overdue by district": "SELECT district_code, count(*) FROM incident WHERE status != 'closed' AND due_at < :now GROUP BY district_code",
    "closed_count(city, today)": "SELECT count(*) FROM incident WHERE closed_at >= :day0 AND closed_at <= :now",
    "heat(city, today)": "SELECT grid_code, count(*) FROM incident WHERE reported_at >= :day0 GROUP BY grid_code",
    "incident_counts(district, 7 days)": "SELECT source, count(*) FROM incident WHERE district_code = '310115' AND reported_at >= :week AND reported_at < :now GROUP BY source",
}


def seed_fresh(path: Path, incidents: int, days: int) -> dict:
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "data.seed",
            "--url",
            f"sqlite:///{path}",
            "--incidents",
            str(incidents),
            "--days",
            str(days),
            "--end",
            END,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    path.with_suffix(".generator").write_text(generator_fingerprint())  # which generator made it
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = eval(out.stdout.strip().splitlines()[-1], {})  # the seed prints its report dict
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak_mb),
        "file_mb": round(path.stat().st_size / 2**20),
        **report,
    }


def generator_fingerprint() -> str:
    """A digest of everything that shapes a seeded city: the synthetic package and the catalogue."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "data" / "synthetic").glob("*.py")) + [ROOT / "data" / "rules" / "catalog.yaml"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def bench_database(incidents: int, days: int = 30) -> str:
    """URL of bench/results/bench-N.sqlite: seeded when missing or made by another generator, migrated to
    the newest schema."""
    from data.store.db import get_engine
    from data.store.schema import refresh_statistics, upgrade

    db = RESULTS / f"bench-{incidents}.sqlite"
    stamp = db.with_suffix(".generator")
    if not db.exists() or not stamp.exists() or stamp.read_text() != generator_fingerprint():
        RESULTS.mkdir(parents=True, exist_ok=True)  # a city from an older generator would mislead
        seed_fresh(db, incidents, days)
    url = f"sqlite:///{db}"
    upgrade(get_engine(url))
    refresh_statistics(get_engine(url))  # as python app.py does on start
    return url


def median_ms(fn, repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--reuse", action="store_true", help="reuse bench/results/bench-N.sqlite if present")
    args = p.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / f"bench-{args.incidents}.sqlite"
    result: dict = {"incidents": args.incidents}
    if not (args.reuse and db.exists()):
        result["seed"] = seed_fresh(db, args.incidents, args.days)
        print(f"seed: {result['seed']}", flush=True)

    sys.path.insert(0, str(ROOT))
    from flask import g

    from app import create_app
    from data.domain.scope import Scope
    from data.domain.timeutil import DAY, local_day_start, parse_local
    from data.read import areas, incidents, indicators, projectdata, warnlist
    from data.store.cache import cache, current_engine

    now = parse_local(END)
    day0 = local_day_start(now)
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    wall = {
        "incident_counts(city, today)": lambda: incidents.incident_counts(Scope("310000"), day0, now),
        "incident_counts(city, yesterday)": lambda: incidents.incident_counts(Scope("310000"), day0 - DAY, now - DAY),
        "incident_counts(district, 7 days)": lambda: incidents.incident_counts(Scope("310115"), now - 7 * DAY, now),
        "loop_status(city)": lambda: incidents.loop_status(Scope("310000"), now),
        "loop_status(district)": lambda: incidents.loop_status(Scope("310115"), now),
        "closed_count(city, today)": lambda: incidents.closed_count(Scope("310000"), day0, now),
        "heat(city, today)": lambda: incidents.heat(Scope("310000"), day0, day0),
        "latest_incidents(city)": lambda: incidents.latest_incidents(Scope("310000"), 20, 2),
        "latest_readings(city)": lambda: indicators.latest_readings(Scope("310000"), now),
        "indicator_series(aqi, 24 h)": lambda: indicators.indicator_series("aqi", Scope("310000"), now - DAY, now),
        "active_warnings(city)": lambda: warnlist.active_warnings(Scope("310000")),
        "area_colours(city)": lambda: warnlist.area_colours(Scope("310000")),
        "projects(city)": lambda: projectdata.projects(Scope("310000"), now),
        "outlines(city)": lambda: areas.outlines(Scope("310000")),
    }
    rows = []
    with app.server.test_request_context():

        def clear():
            cache.clear()
            g.pop("_cityops_versions", None)

        def new_request():
            g.pop("_cityops_versions", None)

        for fn in wall.values():  # one pass to load SQLite pages: the OS cache is warm on a live server
            fn()
        for name, fn in wall.items():
            cold = median_ms(fn, args.repeat, clear)
            fn()
            warm = median_ms(fn, args.repeat, new_request)
            row = {"query": name, "cold_ms": cold, "warm_ms": warm}
            if name in RAW:
                with current_engine().connect() as conn:
                    params = {"now": now, "day0": day0, "week": now - 7 * DAY}
                    row["raw_ms"] = median_ms(
                        lambda name=name, params=params: conn.execute(text(RAW[name]), params).all(),
                        max(3, args.repeat // 2),
                    )
                    row["raw_over_cold"] = round(row["raw_ms"] / max(cold, 0.01), 1)
            rows.append(row)
        with current_engine().connect() as conn:
            row = {"query": "overdue by district", "cold_ms": None, "warm_ms": None}
            row["raw_ms"] = median_ms(lambda: conn.execute(text(RAW["overdue by district"]), {"now": now}).all(), 3)
            rows.append(row)
    result["queries"] = rows
    print("\n| query | cold ms (median) | warm ms (median) | raw tables ms | raw / cold |\n|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['query']} | {r['cold_ms'] if r['cold_ms'] is not None else '(in loop_status)'} | "
            f"{r['warm_ms'] if r['warm_ms'] is not None else ''} | {r.get('raw_ms', '')} | {r.get('raw_over_cold', '')} |"
        )
    out = RESULTS / f"queries-{args.incidents}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
