"""Soak test: hours of accelerated wall refreshes; server RSS, JS heap and connections at start and end.

    python -m bench.soak [--setup embedded|production] [--minutes 480] [--walls 3] [--refresh 2]
                         [--sample 60] [--url sqlite:///...] [--incidents 300000]

`embedded` is `make run`'s server: waitress in one process with the tick thread and the live simulator
inside. `production` is docs/DEPLOY.md's tier on SQLite: a redis-server on a free 127.0.0.1 port,
gunicorn -c deploy/gunicorn.conf.py app:server with 2 workers (TICK_WORKER=external) and one
`cityops worker --simulate`. The database is a fresh city seeded up to now, or a private copy of
--url's SQLite file. Every process started here stops at the end, on Ctrl-C and SIGTERM too; a run
stopped early (Ctrl-C, a server that exits) still reports its samples. Every run that does not pass
keeps its logs (a stalled wall or a browser error has its server side there; the worker logs every
pass slower than half the refresh).

--walls headless Chromiums (the city, then a district, a street of it, the next district...) each open
/wall with a display token of its own area (revoked at the end), the servers refreshing every
--refresh seconds. Every --sample seconds: RSS and open TCP connections of each server process tree,
and per wall the JS heap after a forced GC, DOM nodes, Leaflet layers and whether its tick moved.
Start is the median of the first 3 samples after a 10-minute warm-up, end the median of the last 3;
a metric passes when end/start is within 10 % (connections: or within 2). Prints the table and writes
bench/results/soak-<setup>-<minutes>m.json. Measured on demand, not asserted by the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.services import as_user, free_port, sigterm_is_interrupt
from bench.soak_probe import Wall, judge, print_report, sample

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
CITY, FIRST_DISTRICT = "310000", "310115"  # Pudong first: the largest district


class Servers:
    """The processes of one set-up, stopped newest first (web and worker before Redis)."""

    def __init__(self, work: Path):
        self.work, self.procs = work, {}

    def spawn(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        with open(self.work / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=as_user(None),  # SIGTERM to the child when the soak dies, even by SIGKILL
            )  # fmt: skip
        self.procs[name] = proc
        return proc

    def tail(self, name: str, chars: int = 2000) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def check(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")

    def wait_up(self, name: str, url: str, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check()
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{url} did not come up in {seconds:.0f} s:\n{self.tail(name)}")

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()  # its children got SIGTERM from PR_SET_PDEATHSIG
                    proc.wait()


def _database(args, work: Path) -> str:
    """A fresh city seeded up to now, or a consistent private copy of --url's SQLite file (the soak's
    simulator writes for hours; the original stays as it was). Other URLs are used as they are."""
    url = f"sqlite:///{work / 'soak.sqlite'}"
    if args.url and args.url.startswith("sqlite:///"):
        with sqlite3.connect(args.url.removeprefix("sqlite:///")) as src, sqlite3.connect(url[10:]) as dst:
            src.backup(dst)
        return url
    if args.url:
        return args.url
    t0 = time.monotonic()
    with open(work / "seed.log", "wb") as log:
        cmd = [sys.executable, "-m", "data.seed", "--url", url, "--days", "30", "--incidents", str(args.incidents)]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=log, stderr=subprocess.STDOUT)
    print(f"seeded {args.incidents} incidents in {time.monotonic() - t0:.0f} s", flush=True)
    return url


def _wall_areas(url: str, n: int) -> list[str]:
    """The city, then districts (Pudong first), each followed by its first street: n codes."""
    from sqlalchemy import text

    from data.store.db import get_engine

    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT code, level, parent_code FROM area WHERE level IN ('district', 'street')"))
        rows = sorted(rows.all())
    districts = sorted((c for c, lv, _ in rows if lv == "district"), key=lambda c: (c != FIRST_DISTRICT, c))
    codes = [CITY]
    for d in districts:
        codes += [d] + [c for c, lv, p in rows if lv == "street" and p == d][:1]
    return codes[:n]


def _wall_token(url: str, area: str, name: str) -> str:
    """A new display token for `area` in the database at `url`, named `name`; the token itself."""
    from api.auth import new_token
    from data.store.db import get_engine
    from data.write import accounts

    token, digest = new_token()
    accounts.add_token(get_engine(url), name, token_hash=digest, area=area, created_by="bench")
    return token


def _revoke(url: str, names: list[str]) -> None:
    from data.store.db import get_engine
    from data.write import accounts

    for name in names:
        accounts.revoke_token(get_engine(url), name)
    get_engine(url).dispose()


def server_env(url: str, refresh: int, work: Path, build: str) -> dict:
    """The servers' environment: this one's, on the database at `url`, with ticks every `refresh` s."""
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_REDIS_URL", "GUNICORN_WORKERS")}
    env.update(
        DATABASE_URL=url,
        HOST=HOST,
        REFRESH_SECONDS=str(refresh),
        SECRET_KEY=secrets.token_hex(32),  # one key for every process: sessions cross gunicorn workers
        CITYOPS_INSTANCE=str(work / "instance"),  # not the developer's instance/
        BUILD_ID=build,  # others editing the checkout must not make the walls reload
        WALL_RELOAD_HOURS="0",  # no scheduled reload: the soak measures what the page itself keeps
    )
    return env


def _start(setup: str, servers: Servers, env: dict, work: Path) -> tuple[str, dict]:
    """Start the set-up; its base URL and the pid of each server process tree by role."""
    port = free_port()
    env = dict(env, PORT=str(port))
    base = f"http://{HOST}:{port}"
    if setup == "embedded":
        web = servers.spawn("web", [sys.executable, "app.py"], dict(env, TICK_WORKER="thread", LIVE_SIMULATOR="1"))
        servers.wait_up("web", base + "/healthz")
        return base, {"web": web.pid}
    redis_port = free_port()
    redis = servers.spawn(
        "redis",
        [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", HOST]
        + ["--save", "", "--appendonly", "no", "--dir", str(work)],
    )
    for _ in range(100):
        servers.check()
        try:
            socket.create_connection((HOST, redis_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise RuntimeError(f"redis-server did not start:\n{servers.tail('redis')}")
    env = dict(env, TICK_WORKER="external", LIVE_SIMULATOR="0", CACHE_REDIS_URL=f"redis://{HOST}:{redis_port}/0")
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:server"]
    gunicorn += ["--control-socket", str(work / "gunicorn.ctl")]  # not ~/.gunicorn/'s, which every gunicorn shares
    web = servers.spawn("web", gunicorn, dict(env, GUNICORN_WORKERS="2"))
    servers.wait_up("web", base + "/healthz")  # the master has migrated the schema: the worker may start
    cityops = str(Path(sys.executable).parent / "cityops")
    worker = servers.spawn("worker", [cityops, "worker", "--simulate"], env)
    return base, {"web": web.pid, "worker": worker.pid, "redis": redis.pid}


class Rig:
    """What one soak or heap run started: servers, walls, their tokens; `keep` keeps the logs."""

    def __init__(self, work: Path):
        self.work, self.servers = work, Servers(work)
        self.url, self.base, self.pids = None, None, {}
        self.walls, self.tokens, self.keep = [], [], True  # a run that breaks keeps its logs

    def open_wall(self, area: str, prefix: str) -> Wall:
        """A display token of `area` (revoked on exit) and a wall opened with it, waiting for its first tick."""
        self.tokens.append(f"{prefix}-{int(time.time())}-{len(self.tokens)}")  # unique for good: a revoked
        token = _wall_token(self.url, area, self.tokens[-1])  # token keeps its name
        self.walls.append(Wall(area))
        self.walls[-1].open(self.base, token)
        return self.walls[-1]


@contextlib.contextmanager
def rig(args, prefix: str):
    """The servers of --setup on --url's copy (or a fresh city) at --refresh s, in a new work directory.
    On exit, Ctrl-C and SIGTERM too: walls closed, servers stopped, tokens revoked; the logs removed
    unless `keep` is still set (a caller clears it when its run passed)."""
    work = Path(tempfile.mkdtemp(prefix=f"cityops-{prefix}-"))
    old_term = signal.signal(signal.SIGTERM, sigterm_is_interrupt)
    run = Rig(work)
    try:
        run.url = _database(args, work)
        env = server_env(run.url, args.refresh, work, f"{prefix}-{int(time.time())}")
        run.base, run.pids = _start(args.setup, run.servers, env, work)
        yield run
    finally:
        for wall in run.walls:
            wall.close()
        run.servers.stop()
        if run.tokens and run.url:
            _revoke(run.url, run.tokens)
        signal.signal(signal.SIGTERM, old_term)
        if run.keep:
            print(f"logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _soak(args, servers: Servers, pids: dict, walls: list[Wall]) -> tuple[list[dict], str | None]:
    """Sample until --minutes have passed; the samples, and why it stopped early (a Ctrl-C, a server
    that exited) or None: hours of samples are reported even when the last hour went wrong."""
    samples, t0 = [], time.monotonic()
    try:
        while True:
            servers.check()
            s = sample(t0, pids, walls)
            samples.append(s)
            conns = " ".join(f"{r} {(c or {}).get('open')}" for r, c in s["conns"].items())
            walls_now = " ".join(
                f"{w['heap_mb']:.1f}/{w['nodes']}/{w['layers']}{'' if w['updated'] else '!'}" for w in s["walls"]
            )
            print(f"{s['t_s']:>6.0f} s  RSS {s['rss_mb']}  TCP {conns}  heap/nodes/layers {walls_now}", flush=True)
            if s["t_s"] >= args.minutes * 60:
                return samples, None
            time.sleep(max(0.0, t0 + len(samples) * args.sample - time.monotonic()))
    except (KeyboardInterrupt, RuntimeError) as err:
        if not samples:
            raise
        why = str(err).splitlines()[0] if str(err) else "interrupted"
        print(f"stopped early ({why}): reporting the samples so far", file=sys.stderr)
        return samples, why


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", choices=("embedded", "production"), default="embedded")
    ap.add_argument("--minutes", type=float, default=480, help="from the walls' first sample (8 hours by default)")
    ap.add_argument("--walls", type=int, default=3, help="walls open at once, each in its own Chromium")
    ap.add_argument("--refresh", type=int, default=2, help="REFRESH_SECONDS of the servers (accelerated)")
    ap.add_argument("--sample", type=float, default=60, help="seconds between samples")
    ap.add_argument("--url", help="database to copy (SQLite) or use; default: seed a fresh city up to now")
    ap.add_argument("--incidents", type=int, default=300_000, help="incidents of the fresh city (without --url)")
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with rig(args, "soak") as run:
        areas = _wall_areas(run.url, args.walls)
        for area in areas:
            run.open_wall(area, "soak")
        print(f"{args.setup}: {len(areas)} walls {areas} on {run.base}, refresh {args.refresh} s; logs in {run.work}")
        samples, stopped = _soak(args, run.servers, run.pids, run.walls)
        errors = {w.area: w.console_errors() for w in run.walls}  # a browser error's server side is in the logs
        table, stalls, restarts = judge(samples, list(run.pids), areas)
        passed = stopped is None and not any(errors.values())
        passed = passed and all(r["verdict"] != "FAIL" for r in table) and not any(stalls.values())
        run.keep = not passed  # a stalled wall's cause is in the worker's log
    print_report(table, stalls, restarts, errors, passed)
    result = {
        "setup": args.setup,
        "minutes": args.minutes,
        "refresh_s": args.refresh,
        "sample_s": args.sample,
        "walls": areas,
        "incidents": None if args.url else args.incidents,
        "table": table,
        "stalled_samples": stalls,
        "process_changes": restarts,
        "console_errors": errors,
        "pass": passed,
        "stopped_early": stopped,
        "samples": samples,
    }
    out = RESULTS / f"soak-{args.setup}-{int(args.minutes)}m.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"wrote {out.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main()
