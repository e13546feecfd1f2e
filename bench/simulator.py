"""Does the live city continue its history? One simulated hour against the same hour of past weekdays.

    python -m bench.simulator [--incidents 300000] [--step 5] [--fresh]

On a copy of bench/results/bench-N.sqlite (seeded by bench.run when missing; --fresh reseeds it, as
after a change to the generator), the simulator runs from the seed's end (a Friday, 16:30) for one
hour in steps of --step seconds of simulated time (the app's default is 5). It reports, per stage of
the loop, the moves in that hour beside the mean of the same hour on past weekdays; the overdue count
before and after; each step's server time (median and p95); and the city's metro entries at 00:30 live
and in history (the night profile). Results go to bench/results/simulator-N.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.run import END, RESULTS, bench_database, seed_fresh
from data.domain.timeutil import DAY, HOUR, parse_local
from data.domain.vocab import CITY_CODE, OPEN_STATUSES
from data.rules.config import load_catalog
from data.store.db import dispose_engine, get_engine
from data.store.models import Incident, IncidentHistory, Reading
from data.synthetic.simulator import Simulator

PAST_WEEKDAYS = (1, 2, 3, 4, 7)  # END is a Friday: Thursday back to Monday, and last Friday
STAGES = ("reported", "registered", "dispatched", "handling", "verifying", "closed")


def _moves(conn, start: int, end: int) -> dict[str, int]:
    q = (
        select(IncidentHistory.to_status, func.count())
        .where(IncidentHistory.at >= start, IncidentHistory.at < end)
        .group_by(IncidentHistory.to_status)
    )
    return dict(conn.execute(q).all())


def _overdue(conn, at: int) -> int:
    return conn.execute(select(func.count()).where(Incident.status.in_(OPEN_STATUSES), Incident.due_at < at)).scalar()


def _metro(conn, start: int) -> float | None:
    q = select(func.avg(Reading.value)).where(
        Reading.indicator_code == "metro_flow",
        Reading.area_code == CITY_CODE,
        Reading.ts >= start,
        Reading.ts < start + HOUR,
    )
    return conn.execute(q).scalar()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.simulator", description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=300_000)
    p.add_argument("--step", type=float, default=5.0, help="simulated seconds per step (default 5, as the app)")
    p.add_argument("--fresh", action="store_true", help="reseed bench/results/bench-N.sqlite first")
    args = p.parse_args(argv)
    src = RESULTS / f"bench-{args.incidents}.sqlite"
    if args.fresh:
        seed_fresh(src, args.incidents, 30)
    bench_database(args.incidents)
    end = parse_local(END)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sim.sqlite"
        shutil.copy(src, db)
        url = f"sqlite:///{db}"
        engine = get_engine(url)
        with engine.connect() as conn:
            history = [_moves(conn, end - d * DAY, end - d * DAY + HOUR) for d in PAST_WEEKDAYS]
            overdue_before = _overdue(conn, end)
            metro_past = statistics.mean(_metro(conn, end + 8 * HOUR - d * DAY) or 0 for d in PAST_WEEKDAYS)
        sim = Simulator(engine, load_catalog("data/rules/catalog.yaml"), seed=1, rng_seed=1)
        step_ms = []
        steps = int(HOUR / args.step)
        for k in range(1, steps + 1):
            now = end + int(k * args.step)
            t0 = time.perf_counter()
            sim.new_incidents(now, args.step)
            sim.advance_incidents(now, args.step)
            sim.new_readings(now)
            step_ms.append((time.perf_counter() - t0) * 1000)
        for k in range(1, 8 * 6 + 2):  # readings on through the night, every ten minutes
            sim.new_readings(end + HOUR + k * 600)
        with engine.connect() as conn:
            live = _moves(conn, end + 1, end + HOUR + 1)
            overdue_after = _overdue(conn, end + HOUR)
            metro_live = _metro(conn, end + 8 * HOUR)
        dispose_engine(url)
    stages = {
        s: {"live": live.get(s, 0), "history_mean": round(statistics.mean(h.get(s, 0) for h in history), 1)}
        for s in STAGES
    }
    for v in stages.values():
        v["ratio"] = round(v["live"] / v["history_mean"], 3) if v["history_mean"] else None
    out = {
        "incidents": args.incidents,
        "hour": f"{END} + 1 h, steps of {args.step:g} s",
        "stages": stages,
        "overdue": {"before": overdue_before, "after": overdue_after},
        "step_ms": {
            "median": round(statistics.median(step_ms), 1),
            "p95": round(sorted(step_ms)[int(0.95 * len(step_ms))], 1),
        },
        "metro_00_30": {"live": round(metro_live or 0, 2), "history_mean": round(metro_past, 2)},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"simulator-{args.incidents}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
