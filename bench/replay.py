"""Benchmark: one replayed wall frame (推演/回放, issue 16) at 1M incidents, for the city, a district and a street,
at moments spread over the last 30 days of the city's data.

    python -m bench.replay [--incidents 1000000] [--db PATH] [--work PATH] [--moments 8] [--repeat 1]

Works on a *copy* (the migration 0019 indexes are added to it, the source is never written): --db, else
bench/results/bench-N.sqlite (seeded by bench.run if missing). The app's clock stands at the data's end,
as in the other benches. For each moment and scope it times data.wall.replay.replay_frame, server side:
  - cold: nothing of this moment cached (the app cache is cleared, then only the reference data any running
    server holds is read again: area names and tree, heat bins, the indicator catalogue);
  - next: the frame ten minutes later (play mode at 60x with a 10 s refresh), the first one's blocks cached;
  - hit: the same frame again (served from the cache, as a second screen on the same moment).
Reports medians of wall and CPU (this process, SQLite included) milliseconds per level and mode, and writes
bench/results/replay-N.json. Issue 16's target: a frame at most 300 ms server time (median). Run on demand.
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
SCOPES = {"city": "310000", "district": "310115", "street": "310101002"}
STEP = 10  # the refresh step frames are rounded to
NEXT = 600  # seconds between two frames of play mode at 60x


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _timed(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000


def moments(end: int, n: int, days: int = 29) -> list[int]:
    """n moments over the `days` before `end`, at uneven minutes (never on an hour), newest last."""
    span = days * 86400
    return [end - span + (k * span) // n + 1800 + 97 * k for k in range(n)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--db", help="a seeded city to copy (default: bench/results/bench-N.sqlite)")
    p.add_argument("--work", help="where the copy goes (default: bench/results/replay-N.sqlite; removed after)")
    p.add_argument("--moments", type=int, default=8)
    p.add_argument("--repeat", type=int, default=1, help="rounds over all moments")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import END, bench_database

    src = Path(args.db) if args.db else RESULTS / f"bench-{args.incidents}.sqlite"
    if not src.exists():
        src = Path(bench_database(args.incidents).removeprefix("sqlite:///"))
    work = Path(args.work) if args.work else RESULTS / f"replay-{args.incidents}.sqlite"
    _remove(work)
    shutil.copy(src, work)

    import data.read.incidents as incidents_mod
    from app import create_app
    from data.domain.scope import Scope
    from data.domain.timeutil import parse_local
    from data.read import areas, indicators, mapqueries, wallsets
    from data.store.cache import cache
    from data.store.db import get_engine
    from data.store.schema import refresh_statistics, upgrade
    from data.wall.replay import replay_frame

    url = f"sqlite:///{work}"
    upgrade(get_engine(url))  # migration 0019 on the copy: its indexes and their statistics
    refresh_statistics(get_engine(url))
    end = parse_local(END)
    incidents_mod.now_ts = lambda: end + 600  # "which hours are past" follows the data's end, as in bench.tick
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    rules = app.server.config["RULES_FILE"]
    scopes = {level: Scope(code) for level, code in SCOPES.items()}

    def frame(scope, at):
        with app.server.test_request_context():  # one request per frame: data versions read once, as served
            return replay_frame(rules, scope, at, STEP, end + 600)

    def reference():  # what a running server holds whatever the moment
        with app.server.test_request_context():
            areas.area_names()
            wallsets.area_tree()
            indicators.indicator_catalogue()
            for scope in scopes.values():
                mapqueries.heat_index(scope)

    rows: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with app.server.app_context():
        frame(scopes["city"], end - 3 * 86400)  # imports, first connections: not counted
        for _ in range(args.repeat):
            for at in moments(end, args.moments):
                for level, scope in scopes.items():
                    cache.clear()
                    reference()
                    for mode, when in (("cold", at), ("next", at + NEXT), ("hit", at + NEXT)):
                        ms = _timed(lambda s=scope, t=when: frame(s, t))
                        rows.setdefault((level, mode), []).append(ms)
                        print(f"{level:8} {mode:4} at {when}: {ms[0]:7.1f} ms, CPU {ms[1]:7.1f} ms", flush=True)
    result: dict = {"incidents": args.incidents, "moments": args.moments, "repeat": args.repeat, "median_ms": {}}
    print("\n| frame | cold ms (CPU) | next ms (CPU) | hit ms (CPU) |\n|---|---:|---:|---:|")
    for level in SCOPES:
        cells = []
        for mode in ("cold", "next", "hit"):
            wall = statistics.median(w for w, _ in rows[(level, mode)])
            cpu = statistics.median(c for _, c in rows[(level, mode)])
            result["median_ms"][f"{level}_{mode}"] = {"wall": round(wall, 1), "cpu": round(cpu, 1)}
            cells.append(f"{wall:.0f} ({cpu:.0f})")
        print(f"| {level} | " + " | ".join(cells) + " |")
    every = [w for (_, mode), v in rows.items() if mode == "cold" for w, _ in v]
    result["median_ms"]["all_cold"] = round(statistics.median(every), 1)
    print(f"all levels, cold: median {result['median_ms']['all_cold']:.0f} ms (target 300)")
    (RESULTS / f"replay-{args.incidents}.json").write_text(json.dumps(result, indent=1))
    get_engine(url).dispose()
    _remove(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
