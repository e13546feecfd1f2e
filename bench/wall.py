"""Benchmark: the wall's server work and payload per refresh at 1M incidents.

    python -m bench.wall [--incidents 1000000] [--ticks 15] [--reuse]

Drives the real wall callback through Flask's test client (the same request a browser sends
each tick), with the live simulator writing between ticks as it does in production, on a
*copy* of bench/results/bench-N.sqlite (seeded by bench.run if missing). For each scope it
reports the median time of:
  - a live tick: the first screen of the tick computes the scope's snapshot after new writes;
  - a shared tick: every further screen in the same tick, holding the previous tick as the first did,
    gets the answer the first one got as ready bytes (its CPU is the request alone: server and test
    client, not the bench's decoding and re-gzipping of the answer to measure it);
and the response size per refresh, raw and gzipped: the first load and the steady state (a
screen that got the previous tick). Writes bench/results/wall-N.json. Run on demand.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

from bench.account import ORIGIN, ensure_account, logged_in_client

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCOPES = {"city": "310000", "district": "310115", "street": "310101002"}


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _callback_body(app, marker: str, n: int, config: dict, meta: dict) -> dict:
    """The JSON a browser posts for the page callback whose outputs include `marker` (e.g. wall-meta.data)."""
    key = next(k for k in app.callback_map if marker in k)
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in key.strip(".").split("...")
    ]
    store = marker.split(".")[0].replace("-meta", "-config")
    return {
        "output": key,
        "outputs": outputs,
        "changedPropIds": ["shell-tick.n_intervals"],
        "inputs": [
            {"id": "shell-tick", "property": "n_intervals", "value": n},
            {"id": store, "property": "data", "value": config},
        ],
        "state": [{"id": marker.split(".")[0], "property": "data", "value": meta}],
    }


class Answer(NamedTuple):
    ms: float  # the request's wall time
    cpu_ms: float  # this process's CPU for the request alone (server and test client), not the bench's decoding
    raw: int  # bytes, uncompressed
    gz: int  # bytes, gzipped
    meta: dict  # the page's new meta store


def post_callback(app, client, marker: str, n: int, config: dict, meta: dict) -> Answer:
    """Post one tick of a page callback, as a browser that holds `meta` does."""
    body = json.dumps(_callback_body(app, marker, n, config, meta))
    t0, c0 = time.perf_counter(), time.process_time()
    resp = client.post(
        "/_dash-update-component",
        data=body,
        headers={"Accept-Encoding": "gzip", "Content-Type": "application/json", **ORIGIN},
    )
    ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    assert resp.status_code == 200, resp.data[:300]
    raw = gzip.decompress(resp.data) if resp.headers.get("Content-Encoding") == "gzip" else resp.data
    meta_out = json.loads(raw)["response"][marker.split(".")[0]]["data"]
    if meta_out.get("ok") is not True:  # a failed snapshot answers 200 with a Patch that keeps the panels
        raise RuntimeError(f"the {marker} callback failed (see the log above): {str(meta_out)[:300]}")
    return Answer(ms, cpu_ms, len(raw), len(gzip.compress(raw)), meta_out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--ticks", type=int, default=15)
    p.add_argument("--reuse", action="store_true")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import END, seed_fresh

    RESULTS.mkdir(parents=True, exist_ok=True)
    src = RESULTS / f"bench-{args.incidents}.sqlite"
    if not (args.reuse and src.exists()):
        seed_fresh(src, args.incidents, 30)
    db = RESULTS / f"wall-{args.incidents}.sqlite"
    _remove_db(db)  # a stale -wal beside a fresh copy would corrupt it
    shutil.copy(src, db)  # the simulator writes: keep the seeded file pristine

    import callbacks.wall as wall_cb
    import data.read.incidents as incidents_mod
    from app import create_app
    from data.domain.timeutil import parse_local
    from data.rules.config import load_catalog
    from data.store.cache import cache
    from data.store.db import get_engine
    from data.store.schema import upgrade
    from data.synthetic.simulator import Simulator

    url = f"sqlite:///{db}"
    upgrade(get_engine(url))  # a bench file from an older revision gets the newer indexes
    ensure_account(url)  # every request passes the gate: the bench logs in as its own duty officer
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS, "REFRESH_SECONDS": 10})
    refresh = 10
    clock = {"now": parse_local(END)}

    # the bench drives time: the callback's tick and the reads' "which hours are past" follow it
    # (the gate keeps the real clock for the session's idle time: wall ticks are not activity)
    wall_cb.now_ts = incidents_mod.now_ts = lambda: clock["now"]
    # measure the screen that computes the tick; in service the refresh-ahead thread usually has
    # done it before any screen asks, and every screen pays the "shared tick" figure
    from data.wall.refresh import TickWorker

    TickWorker.start = lambda self: None
    sim = Simulator(get_engine(url), load_catalog(app.server.config["RULES_FILE"]))
    client = logged_in_client(app)
    result: dict = {"incidents": args.incidents, "refresh_s": refresh, "scopes": {}}

    def call(n, config, meta):
        return post_callback(app, client, "wall-meta.data", n, config, meta)

    for label, scope in SCOPES.items():
        config = {"scope": scope, "lang": "zh"}
        cache.clear()
        cold_ms, _cpu, first_raw, first_gz, meta = call(0, config, {})
        live, shared, shared_cpu, steady_raw, steady_gz = [], [], [], [], []
        for n in range(1, args.ticks + 1):
            clock["now"] += refresh
            sim.step(clock["now"], refresh)  # the live writes between two ticks
            first = call(n, config, meta)  # the first screen this tick: computes
            live.append(first.ms)
            steady_raw.append(first.raw)
            steady_gz.append(first.gz)
            other = call(n, config, meta)  # another screen that had the previous tick too: ready bytes
            shared_cpu.append(other.cpu_ms)  # the request's CPU (server and test client), not the bench's
            shared.append(other.ms)
            meta = first.meta
        row = {
            "first_load_ms": round(cold_ms, 1),
            "live_tick_ms_median": round(statistics.median(live), 1),
            "live_tick_ms_max": round(max(live), 1),
            "shared_tick_ms_median": round(statistics.median(shared), 1),
            "shared_tick_cpu_ms_median": round(statistics.median(shared_cpu), 2),
            "first_payload_bytes": first_raw,
            "first_payload_gzip": first_gz,
            "steady_payload_bytes_median": int(statistics.median(steady_raw)),
            "steady_payload_gzip_median": int(statistics.median(steady_gz)),
            "steady_payload_gzip_max": max(steady_gz),
        }
        result["scopes"][label] = row
        print(label, row, flush=True)
    out = RESULTS / f"wall-{args.incidents}.json"
    out.write_text(json.dumps(result, indent=1))
    print(
        "\n| scope | live tick ms (median / max) | shared tick ms (CPU) | first payload gz | steady payload gz (median / max) |"
    )
    print("|---|---:|---:|---:|---:|")
    for label, r in result["scopes"].items():
        print(
            f"| {label} | {r['live_tick_ms_median']} / {r['live_tick_ms_max']} | {r['shared_tick_ms_median']} "
            f"({r['shared_tick_cpu_ms_median']}) | "
            f"{r['first_payload_gzip'] / 1024:.1f} kB | {r['steady_payload_gzip_median'] / 1024:.1f} / "
            f"{r['steady_payload_gzip_max'] / 1024:.1f} kB |"
        )
    get_engine(url).dispose()
    _remove_db(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
