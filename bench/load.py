"""Load test: walls and desk users replaying the requests captured from Chromium (bench/captures/).

    python -m bench.load --setup embedded|production [--walls 100] [--desk 40] [--stages 25,50,100]
                         [--stage-seconds 120] [--last-seconds 600] [--incidents 300000] [--fresh]

Starts the servers itself on 127.0.0.1 (bench/services.py): `embedded` is `make run`'s waitress
process with the simulator inside; `production` is PostgreSQL + Redis + gunicorn
(deploy/gunicorn.conf.py, 2 workers, TICK_WORKER=external as docs/DEPLOY.md says) and one `--sidecar`
process, by default `cityops worker --simulate` (the ticks, the rules and the simulator). The city
is the benches' cached one (bench/results/bench-N.sqlite, or its PostgreSQL dump), whose history
ends at bench.run.END, so the server's "today" holds only what the simulator wrote; --fresh seeds
one up to now instead.
Each stage raises the walls to the stage's count (desk users in proportion) and runs for
--stage-seconds. Every simulated browser is one asyncio task with its own keep-alive connection and
cookies, and sends one request at a time, so no more requests are in flight than browsers.

- A wall opens with a display token of its own scope (all 251 city, district and street scopes in
  turn; its first tick is part of the opening), then posts its tick every REFRESH_SECONDS from a
  random phase.
- A desk user (city duty officers, district and street operators) signs in, then thinks 5-15 s and
  visits an area page, the incident list (and the grid's first block) or an incident in its scope,
  in turn; an open page's own refresh ticks are sent while it thinks.

Bodies are the captured ones with their markers filled in; Stores the server fills (a wall's config
and meta, the list's filters) are carried from the server's answers as the browser's renderer does.
An error is a timeout (30 s), a failed connection, an unexpected status, a redirect to /login or a
wall answer whose meta says ok=false; a request cut off by the server closing a kept-alive connection
is sent once more, as browsers do, and counted apart. Server CPU is the user + system time of the
web server's process tree. Prints a table per stage and the knee of each target (walls, pages): the
first stage that misses it. Writes bench/results/load-<setup>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time

import psutil

from bench.load_browser import Browser, Run
from bench.load_report import GROUP, TARGETS, print_stage, print_summary, summarise
from bench.services import ROOT, Services, tree_cpu

RESULTS = ROOT / "bench" / "results"


def prepare(url: str, desk: int, rng: random.Random) -> tuple[list[tuple[str, str]], list[dict]]:
    """In the database at `url`: a display token per city/district/street scope, and `desk` users
    (a quarter city duty officers, a quarter district operators, half street operators) with the
    areas and some incidents each may see. Returns ([(scope, token)], [user])."""
    from sqlalchemy import select

    from api.auth import hash_password, new_token
    from bench.account import PASSWORD
    from data.store.db import dispose_engine, get_engine
    from data.store.models import Area, Incident
    from data.write import accounts

    engine = get_engine(url)
    with engine.connect() as conn:
        areas = conn.execute(select(Area.code, Area.level).where(Area.level.in_(("city", "district", "street")))).all()
    by_level = {lv: sorted(c for c, level in areas if level == lv) for lv in ("city", "district", "street")}
    order = by_level["district"] + by_level["street"]
    rng.shuffle(order)  # any stage holds every level
    scopes = by_level["city"] + order
    walls = []
    for code in scopes:
        token, digest = new_token()
        accounts.add_token(engine, f"load-{code}", token_hash=digest, area=code, created_by="bench")
        walls.append((code, token))
    digest, users = hash_password(PASSWORD), []
    for i in range(desk):
        level = ("city", "district", "street", "street")[i % 4]
        area = by_level[level][(i * 7) % len(by_level[level])]
        role = "dispatcher" if level == "city" else "operator"
        name = f"load-desk-{i}"
        accounts.add_user(engine, name, role=role, area=area, password_hash=digest, name_zh=name, name_en=name)
        column = {
            "city": Incident.id > 0,
            "district": Incident.district_code == area,
            "street": Incident.street_code == area,
        }
        with engine.connect() as conn:
            seen = conn.execute(
                select(Incident.id, Incident.street_code).where(column[level]).order_by(Incident.id.desc()).limit(40)
            ).all()
        below = by_level["district"] + by_level["street"]
        inside = below if level == "city" else [c for c in below if c.startswith(area)]
        users.append({"name": name, "password": PASSWORD, "areas": inside, "incidents": [tuple(r) for r in seen]})
    dispose_engine(url)
    return walls, users


async def preflight(run: Run, walls: list, users: list) -> None:
    """One wall opened and ticked, one desk user signed in and one page of each kind, before any stage:
    captures the app no longer fits (a callback's outputs changed) fail here, not after 16 minutes."""
    wall, desk = Browser(run), Browser(run)
    scope, token = walls[0]
    values = {"scope": scope, "token": token, "origin": run.base}
    run.samples = []
    await wall.visit("wall_open", "wall open", values)
    for req in run.captures["wall_tick"]:
        run.record("wall tick", *await wall.send(req, values))
    await desk.login(users[0])
    await desk.visit("area", "area page", {"origin": run.base, "scope": users[0]["areas"][0]})
    await desk.visit("incidents", "incidents page", {"origin": run.base})
    await asyncio.gather(wall.client.aclose(), desk.client.aclose())
    if failed := [(kind, err) for kind, _ms, err in run.samples if err]:
        raise SystemExit(f"preflight failed {failed}: if callbacks changed, run `python -m bench.capture` first")


def _cpu(svc: Services) -> tuple[float, ...]:
    """CPU seconds so far: the web server's tree, the other services', this client's, the machine's busy."""
    machine, me = psutil.cpu_times(), psutil.Process().cpu_times()
    return (
        tree_cpu(svc.pids("web")),
        tree_cpu(svc.pids("postgres", "redis", "sidecar")),
        me.user + me.system,
        sum(machine) - machine.idle - machine.iowait,
    )


async def _hold(svc: Services, seconds: float) -> str | None:
    """Wait out a stage, checking every second that the web server still runs; if not, its log's tail."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        await asyncio.sleep(min(1.0, left))
        if not svc.pids("web"):
            return svc.log_tail("web", 1500)
    return None


async def drive(run: Run, svc: Services, walls: list, users: list, args, stages: list[int]) -> list[dict]:
    """Ramp through the stages; returns one summary per stage."""
    rng, browsers, tasks, out = random.Random(2), [], [], []
    cores = psutil.cpu_count()
    try:
        for number, count in enumerate(stages, 1):
            desk = round(args.desk * count / stages[-1])
            walling = sum(1 for b in browsers if b[0] == "wall")
            for i in range(walling, count):
                b = Browser(run)
                browsers.append(("wall", b))
                scope, token = walls[i % len(walls)]
                tasks.append(asyncio.create_task(b.wall(scope, token, rng.uniform(0, run.refresh))))
            for i in range(len(browsers) - count, desk):
                b = Browser(run)
                browsers.append(("desk", b))
                tasks.append(asyncio.create_task(b.desk(users[i % len(users)], rng.uniform(0, 10), random.Random(i))))
            run.samples, run.stage_requests, run.max_inflight, run.retries = [], 0, run.inflight, 0
            cpu0, t0 = _cpu(svc), time.monotonic()
            stopped = await _hold(svc, args.last_seconds if number == len(stages) else args.stage_seconds)
            seconds = time.monotonic() - t0
            web, other, client, busy = (b - a for a, b in zip(cpu0, _cpu(svc)))
            kinds, missed = summarise(run.samples, args.setup)
            stage = {
                "stage": number,
                "walls": count,
                "desk": desk,
                "seconds": round(seconds),
                "kinds": kinds,
                "requests": run.stage_requests,
                "max_inflight": run.max_inflight,
                "resent": run.retries,
                "web_cpu_ms_per_request": round(1000 * web / max(1, run.stage_requests), 1),
                "web_cpu_pct": round(100 * web / seconds / cores, 1),
                "other_cpu_pct": round(100 * other / seconds / cores, 1),
                "client_cpu_pct": round(100 * client / seconds / cores, 1),
                "machine_busy_pct": round(100 * busy / seconds / cores, 1),
                "others_on_machine_pct": round(100 * (busy - web - other - client) / seconds / cores, 1),
                "missed": missed + ["the web server exited"] * bool(stopped),
            }
            if stopped:  # a dead server's CPU is gone from the tree
                stage.update(web_cpu_ms_per_request=None, web_cpu_pct=None, others_on_machine_pct=None)
            assert run.max_inflight <= len(browsers), "more requests in flight than browsers"
            print_stage(stage)
            out.append(stage)
            if stopped:
                print(f"stopped: the web server exited {seconds:.0f} s into stage {number}:\n{stopped}", flush=True)
                break
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(b.client.aclose() for _, b in browsers), return_exceptions=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--setup", choices=("embedded", "production"), required=True)
    p.add_argument("--walls", type=int, default=100, help="walls in the last stage (when --stages is not given)")
    p.add_argument("--desk", type=int, default=40, help="desk users in the last stage; earlier stages in proportion")
    p.add_argument("--stages", help="walls per stage, e.g. 25,50,100 (default: a quarter, half, all of --walls)")
    p.add_argument("--stage-seconds", type=float, default=120)
    p.add_argument("--last-seconds", type=float, help="how long the last stage runs (default: --stage-seconds)")
    p.add_argument("--incidents", type=int, default=300_000)
    p.add_argument("--fresh", action="store_true", help="seed a city up to now (minutes, not cached), not the bench's")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (production)")
    p.add_argument("--sidecar", default="cityops worker --simulate", help="the one process beside gunicorn")
    p.add_argument("--keep-logs", action="store_true", help="keep the servers' logs (their directory is printed)")
    args = p.parse_args(argv)
    args.last_seconds = args.last_seconds or args.stage_seconds
    stages = [int(s) for s in args.stages.split(",")] if args.stages else [args.walls // 4, args.walls // 2, args.walls]
    if not stages or stages != sorted(stages) or stages[0] < 1:
        p.error("--stages: increasing wall counts, e.g. 25,50,100")
    with Services(keep_logs=args.keep_logs) as svc:
        t0 = time.monotonic()
        city = svc.city_sqlite if args.setup == "embedded" else svc.city_postgres
        url = city(args.incidents, fresh=args.fresh)
        walls, users = prepare(url, args.desk, random.Random(1))
        if args.setup == "embedded":
            base, _ = svc.embedded(url)
        else:
            cache = svc.redis()
            base, _ = svc.gunicorn(url, cache, workers=args.workers, TICK_WORKER="external")
            svc.sidecar(args.sidecar, url, cache)
        print(f"{args.setup}: {base}, {args.incidents} incidents, ready in {time.monotonic() - t0:.0f} s", flush=True)
        from config import Config

        run = Run(base, Config(SECRET_KEY="-").REFRESH_SECONDS)
        asyncio.run(preflight(run, walls, users))
        results = asyncio.run(drive(run, svc, walls, users, args, stages))
    print_summary(args.setup, results)
    knees = {  # per group: the first stage where its kinds missed the target or had errors
        group: next(
            (s for s in results if any(GROUP.get(m.rsplit(" ", 1)[0], group) == group for m in s["missed"])), None
        )
        for group in ("wall", "pages")
    }
    report = {
        "setup": args.setup,
        "incidents": args.incidents,
        "city": "seeded up to now" if args.fresh else "bench city (history ends at bench.run.END)",
        "targets_p95_ms": TARGETS[args.setup],
        "command": "python -m bench.load " + " ".join(sys.argv[1:] if argv is None else argv),
        "stages": results,
        "knee": {g: k and {"stage": k["stage"], "walls": k["walls"], "desk": k["desk"]} for g, k in knees.items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{args.setup}.json"
    out.write_text(json.dumps(report, indent=1))
    for group, k in knees.items():
        where = f"stage {k['stage']} ({k['walls']} walls, {k['desk']} desk users)" if k else "none: every stage met"
        print(f"knee of the {group} target: {where}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
