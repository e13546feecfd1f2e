"""Benchmark: the phone view (/m) on a throttled mobile connection, cold and warm: first paint, the time until
its data shows and the bytes sent, medians of --runs visits (issue 17's offline-measurable figures).

    python -m bench.phone_paint [--url sqlite:///...] [--incidents 50000] [--runs 5] [--down-kbps 1600]
                                [--up-kbps 750] [--rtt-ms 150]

The app runs in this process on waitress (as `make run` serves it, responses compressed), on a city seeded up
to now into a temporary file unless --url names one, signed in as the bench account (bench/account.py). A
headless Chromium at 390x844 opens /m with Chrome's own network throttling (default: 1.6 Mbps down, 750 kbps
up, 150 ms round trip, "Fast 3G"-like) on the tab and on the service worker (the worker fetches for the page
and the tab's throttle does not reach it):

  cold  nothing kept: HTTP cache, service worker, its caches and IndexedDB cleared before each visit
  warm  the service worker installed and its caches filled by two earlier visits; the HTTP cache cleared
        before each visit, so what is not refetched comes from the worker's caches

Per visit: first-paint and first-contentful-paint (the Paint Timing API), "data" (ms from navigation start
until /m's incidents section shows its figures), "bytes" (response bytes the server wrote until then, headers
included, counted by a WSGI wrapper: what crossed the network) and "browser_bytes" (the transferSize the
browser reports for the page and its resources). Prints the medians and writes
bench/results/phone-paint.json. Run on demand, not by the test suite.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.account import PASSWORD, USERNAME, ensure_account

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PHONE = (390, 844)
DATA_SHOWN = """const done = arguments[arguments.length - 1];
const look = () => document.querySelector('#m-incidents .m-big') ? done(performance.now()) : setTimeout(look, 10);
look();"""
PAINTS = """const out = {};
performance.getEntriesByType('paint').forEach(e => { out[e.name] = e.startTime; });
const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
out.browser_bytes = entries.reduce((n, e) => n + (e.transferSize || 0), 0);
out.controlled = !!navigator.serviceWorker.controller;
return out;"""


class ByteCounter:
    """WSGI wrapper: the bytes of every response's status line, headers and body, as sent."""

    def __init__(self, app):
        self.app, self.sent, self.lock = app, 0, threading.Lock()

    def add(self, n: int) -> None:
        with self.lock:
            self.sent += n

    def __call__(self, environ, start_response):
        def counting_start(status, headers, exc_info=None):
            self.add(len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers))
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, counting_start):
            self.add(len(chunk))
            yield chunk


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, instance: Path) -> tuple[str, ByteCounter]:
    from waitress import create_server

    from app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": instance})
    counter = ByteCounter(app.server.wsgi_app)
    app.server.wsgi_app = counter
    port = _free_port()
    server = create_server(app.server, host="127.0.0.1", port=port, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://localhost:{port}", counter  # localhost: a secure context, so the service worker runs


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts)
    driver.set_script_timeout(120)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


class Network:
    """Chrome's throttling on the tab and on every service worker target (each through a session of its own,
    kept attached: detaching would drop the worker's emulation)."""

    def __init__(self, driver, down_kbps: float, up_kbps: float, rtt_ms: float):
        self.driver, self.sessions, self.n = driver, {}, 0
        self.slow = {
            "offline": False,
            "latency": rtt_ms,
            "downloadThroughput": down_kbps * 1000 / 8,
            "uploadThroughput": up_kbps * 1000 / 8,
        }
        self.fast = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}

    def set(self, throttled: bool) -> None:
        conditions = self.slow if throttled else self.fast
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)
        for target in self.driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]:
            if target["type"] == "service_worker" and target["targetId"] not in self.sessions:
                got = self.driver.execute_cdp_cmd(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
                )
                self.sessions[target["targetId"]] = got["sessionId"]
        for session in self.sessions.values():
            for method, params in (("Network.enable", {}), ("Network.emulateNetworkConditions", conditions)):
                self.n += 1
                message = json.dumps({"id": self.n, "method": method, "params": params})
                self.driver.execute_cdp_cmd("Target.sendMessageToTarget", {"sessionId": session, "message": message})


def _login(driver, base: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login?next=/m")
    driver.find_element(By.ID, "login-username").send_keys(USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    deadline = time.monotonic() + 30
    while "/login" in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)


def _forget_everything(driver, base: str) -> None:
    """A phone that never opened the app (but is signed in): no HTTP cache, no worker, no kept data."""
    types = "service_workers,cache_storage,indexeddb"
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": base, "storageTypes": types})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})


def _visit(driver, base: str, counter: ByteCounter) -> dict:
    driver.get("about:blank")
    counter.sent = 0
    driver.get(f"{base}/m")
    data = driver.execute_async_script(DATA_SHOWN)
    sent = counter.sent
    figures = driver.execute_script(PAINTS)
    return {
        "first_paint": figures.get("first-paint"),
        "first_contentful_paint": figures.get("first-contentful-paint"),
        "data": data,
        "bytes": sent,
        "browser_bytes": figures["browser_bytes"],
        "controlled": figures["controlled"],
    }


def _wait_for_worker(driver) -> None:
    driver.execute_async_script("navigator.serviceWorker.ready.then(() => arguments[0]())")


def run(url: str, runs: int, down_kbps: float, up_kbps: float, rtt_ms: float, instance: Path) -> dict:
    base, counter = _serve(url, instance)
    driver = _browser()
    net = Network(driver, down_kbps, up_kbps, rtt_ms)
    try:
        _login(driver, base)
        cold = []
        for _ in range(runs):
            net.set(False)
            _forget_everything(driver, base)
            net.sessions.clear()  # the old worker is gone with its target
            net.set(True)
            cold.append(_visit(driver, base, counter))
        net.set(False)  # warm: install the worker and fill its caches at full speed, twice
        _forget_everything(driver, base)
        net.sessions.clear()
        driver.get(f"{base}/m")
        driver.execute_async_script(DATA_SHOWN)
        _wait_for_worker(driver)
        _visit(driver, base, counter)
        time.sleep(1.5)  # the answers it keeps are written after they are handed to the page
        warm = []
        for _ in range(runs):
            net.set(False)
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            net.set(True)
            warm.append(_visit(driver, base, counter))
    finally:
        driver.quit()
    return {"cold": cold, "warm": warm}


def _median(visits: list[dict], key: str) -> float | None:
    values = [v[key] for v in visits if v.get(key) is not None]
    return round(statistics.median(values), 1) if values else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a seeded city (SQLite or PostgreSQL); default: seed one up to now")
    ap.add_argument("--incidents", type=int, default=50_000, help="incidents of the fresh city (without --url)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--down-kbps", type=float, default=1600)
    ap.add_argument("--up-kbps", type=float, default=750)
    ap.add_argument("--rtt-ms", type=float, default=150)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="phone-paint-") as tmp:
        url = args.url
        if url is None:
            from data.synthetic.seed import seed

            url = f"sqlite:///{Path(tmp) / 'city.sqlite'}"
            print(f"seeding {args.incidents} incidents over 7 days up to now ...", flush=True)
            seed(url, days=7, incidents=args.incidents)
        ensure_account(url)
        result = run(url, args.runs, args.down_kbps, args.up_kbps, args.rtt_ms, Path(tmp))
    network = {"down_kbps": args.down_kbps, "up_kbps": args.up_kbps, "rtt_ms": args.rtt_ms}
    keys = ("first_paint", "first_contentful_paint", "data", "bytes", "browser_bytes")
    summary = {mode: {k: _median(visits, k) for k in keys} for mode, visits in result.items()}
    print(f"/m at {PHONE[0]}x{PHONE[1]}, {network}, medians of {args.runs}:")
    print(f"{'':6}{'first paint':>13}{'FCP':>10}{'data shown':>12}{'bytes sent':>12}{'browser says':>14}")
    for mode, s in summary.items():
        print(
            f"{mode:6}{s['first_paint']:>10} ms{s['first_contentful_paint']:>7} ms{s['data']:>9} ms"
            f"{s['bytes']:>12,}{s['browser_bytes']:>14,}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "phone-paint.json"
    out.write_text(json.dumps({"network": network, "summary": summary, "visits": result}, indent=1))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
