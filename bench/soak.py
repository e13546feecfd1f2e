"""Soak test for the wall: hours of refreshes in headless Chromium, JS heap measured over time.

    python -m bench.soak --minutes 60 --refresh 10 [--url sqlite:///...] [--incidents 300000]

Starts the app (waitress, live simulator on) in a subprocess on a seeded database, opens /wall
signed in as walls are, with a display token made for the run (`/wall?token=...` once; the token
is revoked at the end), and every `--sample` seconds forces a garbage collection and records the JS
heap, the DOM node count and the number of Leaflet layers. Writes
bench/results/soak-<minutes>m-<refresh>s.json and prints a summary. Not part of the test suite: a soak is measured on demand, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def _wall_token(url: str) -> tuple[str, str]:
    """A new display token for the city in the database at `url`: (its name, the token itself)."""
    from api.auth import new_token
    from data.store.db import get_engine
    from data.write import accounts

    name = f"soak-{int(time.time())}"  # token names are unique for good (a revoked one keeps its name)
    token, digest = new_token()
    accounts.add_token(get_engine(url), name, token_hash=digest, area="310000", created_by="bench")
    return name, token


def _revoke(url: str, name: str) -> None:
    from data.store.db import get_engine
    from data.write import accounts

    accounts.revoke_token(get_engine(url), name)
    get_engine(url).dispose()


def _browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--enable-precise-memory-info",
        "--js-flags=--expose-gc",
        f"--window-size={width},{height}",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


SAMPLE_JS = """
if (window.gc) { window.gc(); }
return {heap: performance.memory.usedJSHeapSize, nodes: document.getElementsByTagName('*').length,
        paths: document.querySelectorAll('.leaflet-interactive, .leaflet-marker-icon').length,
        tick: (document.getElementById('wall-clock') || {}).textContent,
        banner: !document.getElementById('wall-banner').classList.contains('hidden')};
"""


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--refresh", type=int, default=10, help="REFRESH_SECONDS for the app under test")
    ap.add_argument("--sample", type=float, default=60, help="seconds between heap samples")
    ap.add_argument("--url", help="database URL (default: seed a fresh city of --incidents incidents)")
    ap.add_argument("--incidents", type=int, default=300_000, help="incidents of the fresh city (without --url)")
    ap.add_argument("--port", type=int, default=8077)
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cityops-soak-"))
    url = args.url
    if not url:
        url = f"sqlite:///{work / 'soak.sqlite'}"
        subprocess.run(
            [sys.executable, "-m", "data.seed", "--url", url, "--days", "30", "--incidents", str(args.incidents)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    env = dict(
        os.environ,
        DATABASE_URL=url,
        LIVE_SIMULATOR="1",
        REFRESH_SECONDS=str(args.refresh),
        PORT=str(args.port),
        INSTANCE_PATH=str(work),
        CITYOPS_INSTANCE=str(work),  # where config.py looks: the server's secret key stays out of instance/
    )
    server = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "server.log", "w"),  # noqa: SIM115 - lives as long as the server
    )
    base = f"http://127.0.0.1:{args.port}"
    samples = []
    driver = None
    token_name = None
    try:
        _wait_up(base + "/healthz")  # public; the server has migrated the database by now
        token_name, token = _wall_token(url)
        driver = _browser(1920, 1080)
        driver.get(base + f"/wall?token={token}&kiosk=1")  # the wall's one exchange, then /wall?kiosk=1
        time.sleep(max(15, 2 * args.refresh))  # first paint, geometry loaded, a couple of ticks
        if not driver.find_elements("id", "wall-banner"):
            raise RuntimeError(f"the wall did not open ({driver.current_url}); see {work / 'server.log'}")
        start = time.time()
        while True:
            sample = driver.execute_script(SAMPLE_JS)
            sample["t_s"] = round(time.time() - start, 1)
            samples.append(sample)
            print(
                f"{sample['t_s']:>7.0f} s  heap {sample['heap'] / 1e6:7.2f} MB  nodes {sample['nodes']:>5}  "
                f"layers {sample['paths']:>5}  banner {sample['banner']}",
                flush=True,
            )
            if time.time() - start >= args.minutes * 60:
                break
            time.sleep(args.sample)
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=20)
        if token_name is not None:
            _revoke(url, token_name)
    first, last = samples[0], samples[-1]
    result = {
        "minutes": args.minutes,
        "refresh_s": args.refresh,
        "refreshes": int(args.minutes * 60 / args.refresh),
        "heap_start_mb": round(first["heap"] / 1e6, 2),
        "heap_end_mb": round(last["heap"] / 1e6, 2),
        "heap_max_mb": round(max(s["heap"] for s in samples) / 1e6, 2),
        "nodes_start": first["nodes"],
        "nodes_end": last["nodes"],
        "console_errors": len(errors),
        "samples": samples,
    }
    out = RESULTS / f"soak-{int(args.minutes)}m-{args.refresh}s.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}))
    return result


if __name__ == "__main__":
    main()
