"""Benchmark: the evaluation page's reads (考核评价) at N incidents, cold (cache cleared) and warm, medians.

    python -m bench.evaluation [--incidents 1000000] [--repeat 3] [--reuse]

One case is what /evaluation reads for a period: the figures of the period and of the one before
(per child area and per unit: move counts, returned dispatches, overdue at the end, time per stage),
on bench/results/bench-N.sqlite (seeded by bench.run if missing: N incidents over the 30 days to
bench.run.END; --reuse takes the file as it is, migrated, even if another generator made it). Also the
monthly report (the page's figures plus worst categories and places and the overdue list), and the
current month while it runs (a minute after the last data: the overdue count at that minute). The reads
use the rollups (data/write/rollups_eval.py); each row says which table the counts came from.
Writes bench/results/evaluation-N.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from bench.account import act_as_bench, ensure_account

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--reuse", action="store_true", help="use bench/results/bench-N.sqlite as it is (migrated)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import END, bench_database

    db = RESULTS / f"bench-{args.incidents}.sqlite"
    if args.reuse and db.exists():
        from data.store.db import get_engine
        from data.store.schema import refresh_statistics, upgrade

        url = f"sqlite:///{db}"
        upgrade(get_engine(url))
        refresh_statistics(get_engine(url))
    else:
        url = bench_database(args.incidents)
    ensure_account(url)

    from flask import g

    from api.access import resolve_scope
    from app import create_app
    from data.domain.timeutil import parse_local
    from data.read import areas, evaluation
    from data.read.evaluation_report import monthly_report
    from data.store.cache import cache, current_engine

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    now = parse_local(END) + 7 * 86400  # a week after the data ends: every period below is closed
    weights = evaluation.parse_weights(None)
    october = evaluation.month_period("2026-10")  # the page's default a week after END
    last30 = evaluation.range_period(date(2026, 10, 21), date(2026, 11, 19))  # (nearly) all of the data
    live = parse_local(END) + 60  # a minute after the last data: November is still running
    cases = {  # name: (area, period, report?, now)
        "city, October (default month)": ("310000", october, False, now),
        "city, 30 days (all the data)": ("310000", last30, False, now),
        "district 310115, 30 days": ("310115", last30, False, now),
        "street 310115005, 30 days": ("310115005", last30, False, now),
        "report: city, October": ("310000", october, True, now),
        "report: district 310115, October": ("310115", october, True, now),
        "city, November so far (running)": ("310000", evaluation.month_period("2026-11"), False, live),
    }
    rows = {}
    with app.server.test_request_context():
        act_as_bench()
        for name, (code, period, report, now) in cases.items():
            scope = resolve_scope(code)
            kids = areas.children(scope.code)
            children = list(kids["code"]) if len(kids) else [scope.code]

            read = monthly_report if report else evaluation.evaluate
            cold, warm = [], []
            for _ in range(args.repeat):
                cache.clear()
                g.pop("_cityops_versions", None)
                t0 = time.perf_counter()
                got = read(scope, period, weights, now, children)
                cold.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                read(scope, period, weights, now, children)
                warm.append((time.perf_counter() - t0) * 1000)
            with current_engine().connect() as conn:
                stmt = evaluation._statements(conn, scope, period.a, min(period.b, now), ("child", "unit"), True)[1]
            rows[name] = {
                "source": str(stmt).split("FROM ")[1].split()[0],
                "cold_ms": round(statistics.median(cold), 1),
                "warm_ms": round(statistics.median(warm), 2),
                "moves_counted": sum(
                    got["total"]["counts"][k] for k in ("reports", "registered", "dispatched", "handled")
                ),
            }
            print(name, rows[name], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"evaluation-{args.incidents}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    print(f"\n| evaluation read at {args.incidents:,} incidents | cold ms | warm ms |\n|---|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['cold_ms']} | {r['warm_ms']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
