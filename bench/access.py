"""Benchmark: what the access checks cost per request on the server.

    python -m bench.access [--incidents 1000000] [--repeat 7] [--requests 200]

On bench/results/bench-N.sqlite (seeded by bench.run if missing), with the app as built and a Flask
test client logged in as the bench's duty officer (bench.account), for a cheap callback (the shell's
navigation links, posted as a click and as a timer's tick) and for page GETs (/wall, /incidents,
/incidents/ID, whose gate also looks the incident up in the reader's scope):

  - the full request, with the checks and then with the gate (api.gate.gate) taken out of the
    server's before_request functions. Without the gate nothing asks who is logged in on a page GET,
    so flask-login loads no user; the shell callback still loads it (it names the user);
  - the gate alone, api.gate.gate() called inside app.server.test_request_context(...) carrying the
    client's session cookie: with the session's user loaded by the gate (as in a request) and with
    the user loaded beforehand (the gate's own checks), and the user loading alone.

Each of R repeats times K requests one by one with time.perf_counter after a warm-up, the two
configurations interleaved; a figure is the median over the repeats of each repeat's median.
Prints a table and writes bench/results/access.json. Run on demand, not in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from bench.account import ORIGIN, USERNAME, ensure_account, logged_in_client

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
COOKIE = "cityops_session"  # config.py: SESSION_COOKIE_NAME


def _shell_request(app, changed: str) -> dict:
    """The shell callback's request as a browser posts it (tests/unit/test_access.py::_shell_tick)."""
    key = next(k for k in app.callback_map if "shell-links.children" in k)
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [
            {"id": "shell-location", "property": "pathname", "value": "/wall"},
            {"id": "shell-location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": [changed],
    }
    return {
        "method": "POST",
        "path": "/_dash-update-component",
        "data": json.dumps(body),
        "headers": {"Content-Type": "application/json", **ORIGIN},
    }


def _page_request(path: str) -> dict:
    return {"method": "GET", "path": path, "data": None, "headers": {}}


@contextlib.contextmanager
def without_gate(server):
    """The server with the gate taken out of its before_request functions (put back at its place after)."""
    from api.gate import gate

    funcs = server.before_request_funcs[None]
    at = funcs.index(gate)
    funcs.pop(at)
    try:
        yield
    finally:
        funcs.insert(at, gate)


def _median_of_medians(batches: list[list[float]]) -> float:
    return statistics.median(statistics.median(b) for b in batches)


def _spread_ms(batches: list[list[float]]) -> list[float]:
    """The lowest and highest of the repeats' medians, in ms: how far one repeat can be trusted."""
    medians = [statistics.median(b) for b in batches]
    return [round(min(medians) * 1e3, 3), round(max(medians) * 1e3, 3)]


def _full_batch(client, req: dict, k: int) -> list[float]:
    """K requests through the test client, each timed (seconds); every answer must be a 200."""
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        resp = client.open(req["path"], method=req["method"], data=req["data"], headers=req["headers"])
        resp.get_data()
        times.append(time.perf_counter() - t0)
        if resp.status_code != 200:
            raise RuntimeError(f"{req['method']} {req['path']} answered {resp.status_code}: {resp.data[:200]!r}")
    return times


def _gate_batch(server, req: dict, cookie: str, k: int, preload: bool) -> tuple[list[float], list[float]]:
    """K calls of the gate, each in a fresh request context carrying the session cookie: (gate times,
    user-loading times). With `preload` the session's user is loaded (and timed) before the gate runs,
    so the gate's time is its own checks; without, the gate loads the user as in a real request."""
    from flask_login import current_user as session_user

    from api.gate import gate
    from data.domain.roles import Account

    headers = {**req["headers"], "Cookie": f"{COOKIE}={cookie}"}
    gate_times, load_times = [], []
    for _ in range(k):
        with server.test_request_context(req["path"], method=req["method"], data=req["data"], headers=headers):
            if preload:
                t0 = time.perf_counter()
                user = session_user._get_current_object()
                load_times.append(time.perf_counter() - t0)
                if not isinstance(user, Account):
                    raise RuntimeError("the session cookie names no user")
            t0 = time.perf_counter()
            answer = gate()
            gate_times.append(time.perf_counter() - t0)
            if answer is not None:
                raise RuntimeError(f"the gate answered {req['method']} {req['path']} itself: {answer!r}")
    return gate_times, load_times


def _newest_incident(url: str) -> int:
    from sqlalchemy import func, select

    from data.store.db import get_engine
    from data.store.models import Incident

    with get_engine(url).connect() as conn:
        return conn.execute(select(func.max(Incident.id))).scalar_one()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--requests", type=int, default=200, help="requests timed per case, configuration and repeat")
    p.add_argument("--warmup", type=int, default=30, help="untimed requests per case and configuration first")
    args = p.parse_args(argv)
    from bench.run import bench_database

    url = bench_database(args.incidents)
    ensure_account(url)

    from app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": RESULTS})
    server = app.server
    client = logged_in_client(app)
    incident = _newest_incident(url)
    cases = {
        "shell callback (click)": _shell_request(app, "shell-location.pathname"),
        "shell callback (timer tick)": _shell_request(app, "shell-tick.n_intervals"),
        "GET /wall": _page_request("/wall"),
        "GET /incidents": _page_request("/incidents"),
        f"GET /incidents/{incident}": _page_request(f"/incidents/{incident}"),
    }
    k = args.requests
    rows = {}
    for name, req in cases.items():
        _full_batch(client, req, args.warmup)  # the first requests build caches, Dash's routes, templates
        with without_gate(server):
            _full_batch(client, req, args.warmup)
        _gate_batch(server, req, client.get_cookie(COOKIE).value, args.warmup, preload=False)
        with_checks, without_checks, gate_times, checks_times, load_times = [], [], [], [], []
        for r in range(args.repeat):
            gc.collect()
            if r % 2 == 0:  # alternate which configuration goes first: drift falls on both alike
                with_checks.append(_full_batch(client, req, k))
                with without_gate(server):
                    without_checks.append(_full_batch(client, req, k))
            else:
                with without_gate(server):
                    without_checks.append(_full_batch(client, req, k))
                with_checks.append(_full_batch(client, req, k))
            cookie = client.get_cookie(COOKIE).value  # the newest: a click or a page visit renews "seen"
            gate_times.append(_gate_batch(server, req, cookie, k, preload=False)[0])
            checks, loads = _gate_batch(server, req, cookie, k, preload=True)
            checks_times.append(checks)
            load_times.append(loads)
        full, bare = _median_of_medians(with_checks), _median_of_medians(without_checks)
        rows[name] = {
            "method": req["method"],
            "path": req["path"],
            "with_checks_ms": round(full * 1e3, 3),
            "without_checks_ms": round(bare * 1e3, 3),
            "with_checks_ms_spread": _spread_ms(with_checks),
            "without_checks_ms_spread": _spread_ms(without_checks),
            "difference_us": round((full - bare) * 1e6, 1),
            "ratio": round(full / bare, 3),
            "gate_us": round(_median_of_medians(gate_times) * 1e6, 1),
            "gate_checks_us": round(_median_of_medians(checks_times) * 1e6, 1),
            "user_load_us": round(_median_of_medians(load_times) * 1e6, 1),
        }
        print(name, rows[name], flush=True)
    result = {
        "incidents": args.incidents,
        "repeat": args.repeat,
        "requests": k,
        "user": USERNAME,
        "statistic": "median over repeats of each repeat's median per request",
        "cases": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "access.json"
    out.write_text(json.dumps(result, indent=1))
    print(
        f"\n{args.repeat} repeats x {k} requests per case and configuration, {args.incidents} incidents; "
        "medians of the repeats' medians\n"
    )
    print(
        "| request | with checks ms | without gate ms | difference µs | ratio | gate alone µs "
        "| gate, user preloaded µs | user loading µs |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['with_checks_ms']:.3f} | {r['without_checks_ms']:.3f} | {r['difference_us']:.1f} | "
            f"{r['ratio']:.3f} | {r['gate_us']:.1f} | {r['gate_checks_us']:.1f} | {r['user_load_us']:.1f} |"
        )
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
