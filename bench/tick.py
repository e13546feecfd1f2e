"""Benchmark: the whole wall tick for every city, district and street scope, at 1M incidents.

    python -m bench.tick [--incidents 1000000] [--ticks 7] [--refresh 10]

On a copy of bench/results/bench-N.sqlite, with the live simulator writing between ticks as in
service, computes every one of the 251 scopes' snapshots per tick two ways and reports the median
CPU seconds per tick (this process's user + system time) and wall time of each:
  - per scope: each scope's own memoized reads (what a screen or the old refresh-ahead did);
  - one pass: data.wall.snapshot.all_snapshots (set-based reads once, rolled up per scope);
and checks on the first tick that both give the same snapshots. Writes bench/results/tick-N.json.
Issue 13's target: the one pass at most 1 s of CPU per tick. Run on demand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _timed(fn) -> tuple[float, float, object]:
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--ticks", type=int, default=7)
    p.add_argument("--refresh", type=int, default=10)
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import END, bench_database
    from bench.wall import _remove_db

    src = Path(bench_database(args.incidents).removeprefix("sqlite:///"))
    db = RESULTS / f"tick-{args.incidents}.sqlite"
    _remove_db(db)
    shutil.copy(src, db)  # the simulator writes: keep the seeded file pristine

    import data.read.incidents as incidents_mod
    from app import create_app
    from data.domain.scope import Scope
    from data.domain.timeutil import parse_local
    from data.read import areas
    from data.rules.config import load_catalog
    from data.store.cache import cache
    from data.store.db import get_engine
    from data.synthetic.simulator import Simulator
    from data.wall.refresh import freeze_heap
    from data.wall.snapshot import all_snapshots, wall_snapshot

    url = f"sqlite:///{db}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    clock = {"now": parse_local(END)}
    incidents_mod.now_ts = lambda: clock["now"]  # "which hours are past" follows the bench's clock
    catalog = load_catalog(app.server.config["RULES_FILE"])
    sim = Simulator(get_engine(url), catalog)
    rows: dict[str, list] = {"one_pass": [], "per_scope": []}
    with app.server.app_context():
        codes = ["310000"]
        for district in areas.children("310000").code:
            codes += [district, *areas.children(district).code]
        scopes = [Scope(c) for c in codes]
        modes = {
            "one_pass": lambda t: all_snapshots(catalog, scopes, t),
            "per_scope": lambda t: {s: wall_snapshot(catalog, s, t) for s in scopes},
        }
        for mode, compute in modes.items():  # apart, so one mode's cache entries do not slow the other
            cache.clear()
            for n in range(args.ticks + 1):
                clock["now"] += args.refresh
                sim.step(clock["now"], args.refresh)  # the live writes between two ticks
                tick = clock["now"] // args.refresh * args.refresh
                cpu, wall, snaps = _timed(lambda t=tick, f=compute: f(t))
                if n == 0:  # the first tick warms the caches of whole past hours: not counted
                    freeze_heap()  # as the tick worker does after its first tick
                    if mode == "one_pass":
                        same = snaps == {s: wall_snapshot(catalog, s, tick) for s in scopes}
                        print(f"{len(scopes)} scopes; one pass equals per scope: {same}", flush=True)
                    continue
                rows[mode].append((cpu, wall))
                print(f"{mode} tick {n}: {cpu:.3f} s CPU, {wall:.3f} s", flush=True)
    result = {"incidents": args.incidents, "scopes": len(scopes), "ticks": args.ticks, "equal": same}
    for mode, pairs in rows.items():
        result[mode] = {
            "cpu_s_median": round(statistics.median(c for c, _ in pairs), 3),
            "wall_s_median": round(statistics.median(w for _, w in pairs), 3),
        }
    result["ratio_cpu"] = round(result["per_scope"]["cpu_s_median"] / result["one_pass"]["cpu_s_median"], 1)
    (RESULTS / f"tick-{args.incidents}.json").write_text(json.dumps(result, indent=1))
    print("\n| all 251 scopes per tick | CPU s (median) | wall s (median) |\n|---|---:|---:|")
    for mode in rows:
        print(f"| {mode.replace('_', ' ')} | {result[mode]['cpu_s_median']} | {result[mode]['wall_s_median']} |")
    print(f"ratio (CPU): {result['ratio_cpu']}x")
    get_engine(url).dispose()
    _remove_db(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
