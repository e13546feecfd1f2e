"""Soak test for the wall: hours of refreshes in headless Chromium, JS heap measured over time.

    python -m bench.soak --minutes 60 --refresh 10 [--url sqlite:///...]

Starts the app (waitress, live simulator on) in a subprocess on a seeded database, opens /wall,
and every `--sample` seconds forces a garbage collection and records the JS heap, the DOM node
count and the number of Leaflet layers. Writes bench/results/soak-<minutes>m.json and prints a
summary. Not part of the test suite: a soak is measured on demand, not asserted.
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
    ap.add_argument("--url", help="database URL (default: seed a fresh 300k-incident city)")
    ap.add_argument("--port", type=int, default=8077)
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cityops-soak-"))
    url = args.url
    if not url:
        url = f"sqlite:///{work / 'soak.sqlite'}"
        subprocess.run(
            [sys.executable, "-m", "data.seed", "--url", url, "--days", "30", "--incidents", "300000"],
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
    try:
        _wait_up(base + "/healthz")
        driver = _browser(1920, 1080)
        driver.get(base + "/wall?kiosk=1")
        time.sleep(max(15, 2 * args.refresh))  # first paint, geometry loaded, a couple of ticks
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
