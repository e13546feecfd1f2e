"""The README's production command, run for real: gunicorn with deploy/gunicorn.conf.py and 'app:server'."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import free_port
from tests.people import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:server"]


def _env(url: str, tmp_path: Path, port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("LIVE_SIMULATOR", "CACHE_REDIS_URL")}
    env.update(DATABASE_URL=url, PORT=str(port), GUNICORN_WORKERS="2", GUNICORN_THREADS="4", **extra)
    env["CITYOPS_INSTANCE"] = str(tmp_path)  # its own secret key, not the developer's instance/
    return env


def _wait_up(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still importing the app
            pass
        time.sleep(0.3)
    raise AssertionError("gunicorn did not answer /healthz in time")


def test_gunicorn_serves_the_app_from_app_server(mini_copy, tmp_path):
    """Two gthread workers start from 'app:server', a desk user logs in through the form and opens a
    page; the access log carries no query string (a wall's display token travels in one)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        GUNICORN,
        cwd=ROOT,
        env=_env(mini_copy, tmp_path, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_up(base, proc)
        s = requests.Session()
        page = s.get(f"{base}/login", timeout=10)
        assert page.status_code == 200 and "登录" in page.text
        done = s.post(
            f"{base}/login",
            data={"username": "t-dispatcher", "password": PASSWORD},
            headers={"Origin": base},
            timeout=30,
        )
        assert done.status_code == 200 and "/login" not in done.url
        listing = s.get(f"{base}/incidents?secret=abc123", timeout=30)
        assert listing.status_code == 200 and "react-entry-point" in listing.text
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    assert '"GET /incidents" 200' in out and "abc123" not in out  # logged, without the query string
    assert err.count("Booting worker") == 2


def test_gunicorn_refuses_a_simulator_per_worker(mini_copy, tmp_path):
    port = free_port()
    env = _env(mini_copy, tmp_path, port, LIVE_SIMULATOR="1")
    done = subprocess.run(GUNICORN, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "cityops worker" in done.stderr


def test_walls_read_what_the_worker_computes(mini_copy, tmp_path, redis_server):
    """gunicorn's workers beside `cityops worker`, sharing a real Redis: a wall's tick marks its scope
    active, the worker computes that scope every tick and the web tier serves it."""
    import json

    import redis

    from bench.wall import _callback_body
    from tests.conftest import make_app

    url, _proc = redis_server
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(mini_copy, tmp_path, port, CACHE_REDIS_URL=url, TICK_WORKER="external", REFRESH_SECONDS="2")
    cityops = str(Path(sys.executable).parent / "cityops")
    web = subprocess.Popen(GUNICORN, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker = subprocess.Popen(
        [cityops, "worker", "--no-simulate"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = redis.Redis.from_url(url)
    try:
        _wait_up(base, web)
        s = requests.Session()
        s.post(
            f"{base}/login", data={"username": "t-leader", "password": PASSWORD}, headers={"Origin": base}, timeout=30
        )
        body = _callback_body(make_app(mini_copy), "wall-meta.data", 1, {"scope": "310101", "lang": "zh"}, {})
        seen = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(set(seen)) < 3:
            resp = s.post(f"{base}/_dash-update-component", json=body, headers={"Origin": base}, timeout=30)
            assert resp.status_code == 200, resp.text[:300]
            meta = json.loads(resp.text)["response"]["wall-meta"]["data"]
            assert meta["ok"] is True and meta["scope"] == "310101"
            seen.append(meta["tick"])
            time.sleep(1)
        assert len(set(seen)) >= 3, seen  # the ticks move on
        assert store.get("cityops:wall-worker-heartbeat") is not None  # the worker computes them
        assert store.exists("cityops:wall-active:310101") and not store.exists("cityops:wall-active:310115")
    finally:
        for proc in (worker, web):
            proc.terminate()
        _, werr = worker.communicate(timeout=30)
        web.communicate(timeout=30)
    assert worker.returncode in (0, -15), werr[-2000:]
    assert "worker on: wall ticks every 2 s" in werr
