"""Benchmark: the desktop pages' server work at 1M incidents with a cold cache.

    python -m bench.pages [--incidents 1000000] [--repeat 5]

For /area/CODE at each level: the page layout (what the browser gets when it opens the URL) and
its refresh callback (panels, map colours, ranking, week-on-week, warnings); for the indicator
catalogue its refresh callback, for an indicator's detail its layout (the page is built from the
URL). The cache is cleared before every run, on bench/results/bench-N.sqlite (seeded by bench.run if missing).
Then the /area visits as in service (live writes between visits, the scope's snapshot computed by
the tick worker), as CPU time. Reports medians; writes bench/results/pages-N.json. Run on demand.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.account import ORIGIN, act_as_bench, ensure_account, logged_in_client

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
AREAS = {"city": "310000", "district": "310115", "street": "310115005", "grid": "310115005001"}


def _catalogue(app, client) -> None:
    """The catalogue page's refresh callback, as the browser posts it."""
    key = next(k for k in app.callback_map if "ind-catalogue.children" in k)
    body = {
        "output": key,
        "outputs": {"id": "ind-catalogue", "property": "children"},
        "changedPropIds": ["shell-tick.n_intervals"],
        "inputs": [
            {"id": "shell-tick", "property": "n_intervals", "value": 1},
            {"id": "shell-location", "property": "search", "value": ""},
        ],
    }
    resp = client.post(
        "/_dash-update-component", data=json.dumps(body), headers={"Content-Type": "application/json", **ORIGIN}
    )
    assert resp.status_code == 200, resp.data[:300]


def live_area_visits(src_url: str, repeat: int, now: int) -> dict:
    """/area visits as in service: the live simulator writes between visits and the tick worker has
    computed the scope's snapshot (and its map's) for the tick, as it does for every watched scope.
    On a copy of the bench database (the simulator writes). {label: {layout, refresh CPU, total} medians}."""
    import shutil

    import dash

    import callbacks.area as area_cb
    import callbacks.wall as wall_cb
    import data.read.incidents as incidents_mod
    from app import create_app
    from bench.wall import _remove_db, post_callback
    from data.domain.scope import Scope
    from data.read import areas
    from data.rules.config import load_catalog
    from data.store.cache import backend
    from data.store.db import get_engine
    from data.synthetic.simulator import Simulator
    from data.wall.shared import SNAPSHOT_TTL, snapshot_key
    from data.wall.snapshot import all_snapshots

    db = RESULTS / "pages-live.sqlite"
    _remove_db(db)
    shutil.copy(src_url.removeprefix("sqlite:///"), db)
    url = f"sqlite:///{db}"
    ensure_account(url)  # the account may still sit in the source's WAL, which a file copy leaves behind
    clock = {"now": now}
    area_cb.now_ts = incidents_mod.now_ts = wall_cb.now_ts = lambda: clock["now"]
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    catalog = load_catalog(app.server.config["RULES_FILE"])
    sim = Simulator(get_engine(url), catalog)
    layout = next(pg["layout"] for pg in dash.page_registry.values() if pg["path_template"] == "/area/<code>")
    client = logged_in_client(app)
    out = {}
    for label, code in AREAS.items():
        layout_ms, cpu_ms = [], []
        for n in range(repeat + 1):
            clock["now"] += 10
            sim.step(clock["now"], 10)
            tick = clock["now"] // 10 * 10
            with app.server.test_request_context():
                act_as_bench()
                shown = areas.map_area(Scope(code))
                snaps = all_snapshots(catalog, list({Scope(code), shown}), tick)  # the worker's pass
                backend().set_many({snapshot_key(s): v for s, v in snaps.items()}, timeout=SNAPSHOT_TTL)
                c0 = time.process_time()
                layout(code=code)
                lay = (time.process_time() - c0) * 1000
            answer = post_callback(app, client, "area-meta.data", 0, {"scope": code, "lang": "zh"}, {})
            if n:  # the first visit warms the caches of whole past hours
                layout_ms.append(lay)
                cpu_ms.append(answer.cpu_ms)  # the request alone, not the bench's decoding of it
        out[label] = {
            "layout_cpu_ms_median": round(statistics.median(layout_ms), 1),
            "refresh_cpu_ms_median": round(statistics.median(cpu_ms), 1),
            "total_cpu_ms_median": round(statistics.median(a + b for a, b in zip(layout_ms, cpu_ms)), 1),
        }
        print(f"{label} (live, worker)", out[label], flush=True)
    get_engine(url).dispose()
    _remove_db(db)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import END, bench_database

    url = bench_database(args.incidents)
    ensure_account(url)  # every request passes the gate, every layout asks who is looking

    import dash
    from flask import g

    import callbacks.area as area_cb
    import callbacks.indicators as ind_cb
    import data.read.incidents as incidents_mod
    from app import create_app
    from bench.wall import post_callback
    from data.domain.scope import Scope
    from data.domain.timeutil import parse_local
    from data.domain.vocab import CITY_CODE
    from data.store.cache import cache
    from data.wall.refresh import TickWorker

    now = parse_local(END)

    # the seeded data ends at END: every "now" the pages read follows it
    area_cb.now_ts = incidents_mod.now_ts = ind_cb.now_ts = lambda: now
    TickWorker.start = lambda self: None
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    for module in (
        "pages.indicator",
        "pages.projects",
        "pages.project",
        "pages.warnings",
        "pages.incident",
        "pages.incidents",
    ):
        sys.modules[module].now_ts = lambda: now  # imported by Dash with the app
    layout = next(pg["layout"] for pg in dash.page_registry.values() if pg["path_template"] == "/area/<code>")
    client = logged_in_client(app)
    rows = {}
    for label, code in AREAS.items():
        layout_ms, tick_ms = [], []
        for _ in range(args.repeat):
            with app.server.test_request_context():
                cache.clear()
                g.pop("_cityops_versions", None)
                act_as_bench()  # the layout asks who is looking (a cold cache: the account is read again)
                t0 = time.perf_counter()
                layout(code=code)
                layout_ms.append((time.perf_counter() - t0) * 1000)
            cache.clear()
            tick_ms.append(post_callback(app, client, "area-meta.data", 0, {"scope": code, "lang": "zh"}, {}).ms)
        rows[label] = {
            "layout_ms_median": round(statistics.median(layout_ms), 1),
            "refresh_ms_median": round(statistics.median(tick_ms), 1),
            "total_ms_median": round(statistics.median(a + b for a, b in zip(layout_ms, tick_ms)), 1),
        }
        print(label, rows[label], flush=True)
    pages = {pg["path_template"] or pg["path"]: pg["layout"] for pg in dash.page_registry.values()}
    with app.server.test_request_context():  # an incident that exists at any size (999000 did only at 1M)
        act_as_bench()
        iid = str(int(incidents_mod.latest_incidents(Scope(CITY_CODE), limit=1)["id"].iloc[0]))
    other = {
        "/indicators (catalogue)": lambda: _catalogue(app, client),
        "/indicators/rain_1h?range=24h": lambda: pages["/indicators/<code>"](code="rain_1h"),
        "/indicators/temperature?range=30d&area=310115": lambda: pages["/indicators/<code>"](
            code="temperature", range="30d", area="310115"
        ),
        "/warnings (active, by severity)": lambda: pages["/warnings"](),
        "/projects": lambda: pages["/projects"](),
        "/projects?status=late": lambda: pages["/projects"](status="late"),
        "/projects/5": lambda: pages["/projects/<pid>"](pid="5"),
        "/warnings?status=history&page=40": lambda: pages["/warnings"](status="history", page="40"),
        "/incidents (today, counts and filters)": lambda: pages["/incidents"](),
        "/incidents/<newest> (story, map, repeats)": lambda: pages["/incidents/<iid>"](iid=iid),
    }
    for label, fn in other.items():
        times = []
        for _ in range(args.repeat):
            with app.server.test_request_context():
                cache.clear()
                g.pop("_cityops_versions", None)
                act_as_bench()
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1000)
        rows[label] = {"total_ms_median": round(statistics.median(times), 1)}
        print(label, rows[label], flush=True)
    live = live_area_visits(url, args.repeat, now)
    out = RESULTS / f"pages-{args.incidents}.json"
    out.write_text(
        json.dumps({"incidents": args.incidents, "cold_cache": True, "pages": rows, "area_live": live}, indent=1)
    )
    print("\n| /area visit, live, snapshot from the worker | layout CPU ms | refresh CPU ms | total CPU ms (median) |")
    print("|---|---:|---:|---:|")
    for label, r in live.items():
        print(f"| {label} | {r['layout_cpu_ms_median']} | {r['refresh_cpu_ms_median']} | {r['total_cpu_ms_median']} |")
    print("\n| page | layout ms | refresh callback ms | total ms (median, cold cache) |\n|---|---:|---:|---:|")
    for label, r in rows.items():
        name = f"/area at {label}" if label in AREAS else label
        print(
            f"| {name} | {r.get('layout_ms_median', '')} | {r.get('refresh_ms_median', '')} | {r['total_ms_median']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
