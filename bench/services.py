"""Throwaway servers for the load test and the capture: PostgreSQL, Redis, gunicorn, the embedded
waitress server and the live simulator, on free 127.0.0.1 ports, in one temporary directory.

    with Services() as svc:
        url = svc.city_postgres(300_000)  # or svc.city_sqlite(300_000) for svc.embedded(url)
        base, master = svc.gunicorn(url, svc.redis())

Every process is a child of ours that gets SIGTERM if we die (PR_SET_PDEATHSIG), and `Services`
stops them all on exit, Ctrl-C or SIGTERM included. PostgreSQL runs as the `postgres` user when we
are root (it refuses root), like tests/conftest.py's fixture."""

from __future__ import annotations

import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def as_user(user: str | None):
    """preexec_fn: become `user` (if given), then ask for SIGTERM when our process dies (after the
    user change, which would clear it)."""
    ids = pwd.getpwnam(user) if user else None

    def pre() -> None:
        if ids is not None:
            os.setgid(ids.pw_gid)
            os.setuid(ids.pw_uid)
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return pre


def sigterm_is_interrupt(*_) -> None:
    raise KeyboardInterrupt


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    """Wait until `url` answers 200; RuntimeError if the process exits first or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


def tree_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes and all their descendants, living or reaped (a
    reaped child's time lands in its parent's children_* counters, so recycled workers still count)."""
    total, seen = 0.0, set()
    for pid in pids:
        try:
            top = psutil.Process(pid)
            procs = [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for proc in procs:
            if proc.pid in seen:
                continue
            seen.add(proc.pid)
            try:
                t = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += t.user + t.system + t.children_user + t.children_system
    return total


class Services:
    """Starts servers on demand and stops them all, newest first, when the `with` block ends."""

    def __init__(self, keep_logs: bool = False):
        self.dir = Path(tempfile.mkdtemp(prefix="cityops-load-"))
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.keep_logs = keep_logs
        self.secret = secrets.token_hex(32)  # one key for every web process (sessions cross workers)
        self.pg: tuple[Path, int] | None = None
        self.pg_bin: Path | None = None

    def __enter__(self) -> Services:
        self._old_term = signal.signal(signal.SIGTERM, sigterm_is_interrupt)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            signal.signal(signal.SIGTERM, self._old_term)

    def _spawn(self, name: str, args: list[str], env: dict | None = None, user: str | None = None):
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - the child holds it
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=as_user(user),
        )
        log.close()
        self.procs.append((name, proc))
        return proc

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def postgres(self) -> str:
        """A fresh cluster (fsync off, a few more connections than two gunicorn workers need); its URL."""
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
        if not versions:
            raise RuntimeError("PostgreSQL is not installed (scripts/system-deps.sh test installs it)")
        bindir = self.pg_bin = versions[-1].parent
        base = self.dir / "pg"
        base.mkdir()
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(self.dir, user)
            shutil.chown(base, user)
        data, port = base / "data", free_port()
        subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            preexec_fn=as_user(user),
        )
        settings = {"listen_addresses": "", "fsync": "off", "max_connections": "100", "shared_buffers": "256MB"}
        proc = self._spawn(
            "postgres",
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(base)]
            + [a for k, v in settings.items() for a in ("-c", f"{k}={v}")],
            user=user,
        )
        for _ in range(200):
            if (base / f".s.PGSQL.{port}").exists():
                break
            if proc.poll() is not None:
                raise RuntimeError(f"postgres exited: {self.log_tail('postgres')}")
            time.sleep(0.1)
        time.sleep(0.5)  # the socket appears a moment before connections are accepted
        self.pg = (base, port)
        return f"postgresql+psycopg://postgres@/postgres?host={base}&port={port}"

    def _pg(self, tool: str, *args: str) -> None:
        assert self.pg is not None and self.pg_bin is not None
        where = ["-h", str(self.pg[0]), "-p", str(self.pg[1]), "-U", "postgres"]
        subprocess.run([str(self.pg_bin / tool), *where, *args], check=True, stdout=subprocess.DEVNULL)

    def seed(self, url: str, incidents: int, end: str | None, days: int = 30) -> None:
        """python -m data.seed into `url`: history up to `end` ('YYYY-MM-DD HH:MM'), or up to now."""
        args = [sys.executable, "-m", "data.seed", "--url", url, "--incidents", str(incidents), "--days", str(days)]
        print(f"seeding {incidents} incidents up to {end or 'now'} into {url.split(':')[0]}", flush=True)
        with open(self.dir / "seed.log", "ab") as log:
            done = subprocess.run(
                args + (["--end", end] if end else []), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        if done.returncode:
            raise RuntimeError(f"seeding failed: {self.log_tail('seed')}")

    def city_postgres(self, incidents: int, fresh: bool = False) -> str:
        """A seeded city of `incidents` in a database of a fresh cluster; its URL. Fresh: seeded up to
        now. Else restored from bench/results/bench-N.pgdump, which is seeded as bench.run seeds SQLite
        (same end, same generator) and dumped first when missing or made by another generator."""
        from bench.run import END, RESULTS, generator_fingerprint

        url = self.postgres().replace("@/postgres?", "@/cityops?")
        self._pg("psql", "-d", "postgres", "-c", "CREATE DATABASE cityops")
        dump = RESULTS / f"bench-{incidents}.pgdump"
        stamp = dump.with_suffix(".pgdump-generator")
        if fresh:
            self.seed(url, incidents, None)
        elif dump.exists() and stamp.exists() and stamp.read_text() == generator_fingerprint():
            self._pg("pg_restore", "-d", "cityops", "-j", "2", "--no-owner", str(dump))
        else:
            self.seed(url, incidents, END)
            RESULTS.mkdir(parents=True, exist_ok=True)
            self._pg("pg_dump", "-d", "cityops", "-Fc", "-f", str(dump))
            stamp.write_text(generator_fingerprint())
        self._pg("psql", "-d", "cityops", "-c", "ANALYZE")  # a restored database has no planner statistics
        return url

    def city_sqlite(self, incidents: int, fresh: bool = False) -> str:
        """A seeded SQLite city of `incidents`; its URL. Fresh: seeded up to now. Else a private copy of
        bench/results/bench-N.sqlite (bench.run.bench_database seeds it if needed)."""
        from bench.run import bench_database
        from data.store.db import dispose_engine

        dst = self.dir / "city.sqlite"
        if fresh:
            self.seed(f"sqlite:///{dst}", incidents, None)
            return f"sqlite:///{dst}"
        src = bench_database(incidents)
        dispose_engine(src)  # checkpoints the WAL into the file we copy
        shutil.copy(src.removeprefix("sqlite:///"), dst)
        return f"sqlite:///{dst}"

    def redis(self) -> str:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed (scripts/system-deps.sh test installs it)")
        port = free_port()
        proc = self._spawn("redis", [exe, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"])
        import redis

        client = redis.Redis(host=HOST, port=port, protocol=2)
        for _ in range(100):
            try:
                client.ping()
                return f"redis://{HOST}:{port}/0"
            except redis.ConnectionError:
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start: {self.log_tail('redis')}")

    def env(self, url: str, port: int, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("LIVE_SIMULATOR", "CACHE_REDIS_URL", "BUILD_ID")}
        env.update(
            DATABASE_URL=url,
            HOST=HOST,
            PORT=str(port),
            SECRET_KEY=self.secret,
            CITYOPS_INSTANCE=str(self.dir / "instance"),  # not the developer's instance/
            LOGIN_LIMIT_PER_ADDRESS="100000 per minute",  # every simulated browser logs in from 127.0.0.1
            LOGIN_LIMIT_PER_USER="1000 per minute",
            **extra,
        )
        return env

    def embedded(self, url: str, **extra) -> tuple[str, subprocess.Popen]:
        """`make run`'s server (waitress in one process, simulator in-process); (base URL, process)."""
        port = free_port()
        proc = self._spawn("web", [sys.executable, "app.py"], self.env(url, port, LIVE_SIMULATOR="1", **extra))
        base = f"http://{HOST}:{port}"
        self._wait(base, proc)
        return base, proc

    def gunicorn(self, url: str, redis_url: str, workers: int = 2, **extra) -> tuple[str, subprocess.Popen]:
        """docs/DEPLOY.md's web tier: gunicorn 'app:server' with deploy/gunicorn.conf.py; (base URL, master)."""
        port = free_port()
        env = self.env(url, port, CACHE_REDIS_URL=redis_url, GUNICORN_WORKERS=str(workers), **extra)
        args = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:server"]
        args += ["--control-socket", str(self.dir / "gunicorn.ctl")]  # not ~/.gunicorn's, which others share
        proc = self._spawn("web", args, env)
        base = f"http://{HOST}:{port}"
        self._wait(base, proc)
        return base, proc

    def sidecar(self, command: str, url: str, redis_url: str | None = None) -> subprocess.Popen:
        """The one process beside a multi-worker web tier (the live simulator, or a worker): `command`
        is run with the web tier's environment and LIVE_SIMULATOR=1."""
        env = self.env(url, 0, LIVE_SIMULATOR="1", **({"CACHE_REDIS_URL": redis_url} if redis_url else {}))
        args = command.split()
        if args[0] == "python":
            args[0] = sys.executable
        elif not os.path.isabs(args[0]) and (Path(sys.executable).parent / args[0]).exists():
            args[0] = str(Path(sys.executable).parent / args[0])  # a console script of the virtualenv
        return self._spawn("sidecar", args, env)

    def _wait(self, base: str, proc: subprocess.Popen) -> None:
        try:
            wait_up(base + "/healthz", proc)
        except RuntimeError as err:
            raise RuntimeError(f"{err}\n{self.log_tail('web')}") from None

    def pids(self, *names: str) -> list[int]:
        return [p.pid for n, p in self.procs if n in names and p.poll() is None]

    def stop(self) -> None:
        """Newest first: web and simulator, then Redis, then PostgreSQL (fast shutdown); kill stragglers."""
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT if name == "postgres" else signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    for child in psutil.Process(proc.pid).children(recursive=True):
                        child.kill()
                    proc.kill()
                    proc.wait()
        self.procs.clear()
        if self.keep_logs:
            print(f"logs kept in {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
