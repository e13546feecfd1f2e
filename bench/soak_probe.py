"""What the soak measures and how it judges: each wall in its own headless Chromium, the server
processes through psutil, and start against end.

Each wall gets its own browser (its own profile, so its own session cookie: tabs of one browser would
share the last display token's session and all show one scope).
"""

from __future__ import annotations

import statistics
import time

import psutil

WARMUP_S, EDGE = (
    600,
    3,
)  # start: the median of EDGE samples after the warm-up (caches fill for their 300 s timeout and gunicorn settles in ~9 min); end: of the last EDGE

# a forced GC first, so the heap is what the page keeps, not what it has not collected yet
SAMPLE_JS = """
if (window.gc) { window.gc(); }
let meta = null;
try {
  const node = window.dash_component_api.getLayout('wall-meta');
  meta = ((node && node.props) || node || {}).data || null;
} catch (e) { meta = null; }
const clock = document.getElementById('wall-clock');
const banner = document.getElementById('wall-banner');
return {heap: performance.memory.usedJSHeapSize, nodes: document.getElementsByTagName('*').length,
        layers: document.querySelectorAll('.leaflet-interactive, .leaflet-marker-icon').length,
        history: window.store ? window.store.getState().history.past.length : null,  // assets/dash-history.js
        tick: meta ? meta.tick : null, scope: meta ? meta.scope : null, ok: meta ? meta.ok : null,
        clock: clock ? clock.textContent : null,
        banner: banner ? !banner.classList.contains('hidden') : null};
"""


class Wall:
    """One wall: a headless Chromium opened with a display token, sampled on demand."""

    def __init__(self, area: str, width: int = 1920, height: int = 1080):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options

        self.area, self.last_tick, self.pids = area, None, []
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
        self.driver = webdriver.Chrome(options=opts)
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        try:  # chromedriver and its browser, to kill whatever a Ctrl-C leaves behind
            driver_proc = psutil.Process(self.driver.service.process.pid)
            self.pids = [driver_proc.pid] + [p.pid for p in driver_proc.children(recursive=True)]
        except (AttributeError, psutil.Error):
            pass

    def open(self, base: str, token: str, seconds: float = 90) -> None:
        """The wall's one token exchange (then /wall?kiosk=1), and wait for its first tick."""
        self.driver.get(f"{base}/wall?token={token}&kiosk=1")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.driver.find_elements("id", "wall-banner") and self.driver.execute_script(SAMPLE_JS)["tick"]:
                return
            time.sleep(1)
        raise RuntimeError(f"the wall for {self.area} showed no tick in {seconds:.0f} s ({self.driver.current_url})")

    def sample(self) -> dict:
        s = self.driver.execute_script(SAMPLE_JS)
        s["heap_mb"] = round(s.pop("heap") / 1e6, 2)
        s["updated"] = s["tick"] is not None and s["tick"] != self.last_tick  # a new tick since the last sample
        self.last_tick = s["tick"]
        return s

    def console_errors(self) -> list[str]:
        try:
            return [e.get("message", "") for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]
        except Exception:  # the browser is gone: nothing to read
            return []

    def close(self) -> None:
        try:
            self.driver.quit()
        except Exception:  # chromedriver already gone (Ctrl-C reaches it too): kill what is left below
            pass
        for pid in self.pids:
            try:
                psutil.Process(pid).kill()
            except psutil.Error:
                pass


def tree(pid: int | None) -> list[psutil.Process]:
    """The process and its descendants (gunicorn's master and workers), or [] once it is gone."""
    if pid is None:
        return []
    try:
        top = psutil.Process(pid)
        return [top, *top.children(recursive=True)]
    except psutil.Error:
        return []


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of the process tree, summed (shared pages of forked workers count in each)."""
    procs = tree(pid)
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return round(total / 1e6, 1) if procs else None


def tcp_conns(pid: int | None) -> dict | None:
    """TCP sockets the process tree holds, listening ones aside: open (all states) and CLOSE_WAIT (a
    peer hung up and the server never closed: the usual leak)."""
    procs = tree(pid)
    if not procs:
        return None
    opened = close_wait = 0
    for p in procs:
        try:
            conns = p.net_connections(kind="tcp")
        except psutil.Error:
            continue
        opened += sum(c.status != psutil.CONN_LISTEN for c in conns)
        close_wait += sum(c.status == psutil.CONN_CLOSE_WAIT for c in conns)
    return {"open": opened, "close_wait": close_wait}


def sample(t0: float, pids: dict, walls: list[Wall]) -> dict:
    """One sample: memory and connections of each server role (web, worker, redis), then every wall."""
    return {
        "t_s": round(time.monotonic() - t0, 1),
        "rss_mb": {role: rss_mb(pid) for role, pid in pids.items()},
        "conns": {role: tcp_conns(pid) for role, pid in pids.items()},
        "pids": {role: sorted(p.pid for p in tree(pid)) for role, pid in pids.items()},  # recycled workers show
        "walls": [w.sample() for w in walls],
    }


def _metrics(roles: list[str], areas: list[str]) -> list[tuple[str, str, object]]:
    """(label, kind, value of a sample) for every figure compared start to end."""
    rows = []
    for role in roles:
        rows.append((f"{role} RSS (MB)", "rss", lambda s, r=role: s["rss_mb"][r]))
        rows.append((f"{role} TCP connections", "conns", lambda s, r=role: (s["conns"][r] or {}).get("open")))
    for i, area in enumerate(areas):
        for key, label in (("heap_mb", "JS heap (MB)"), ("nodes", "DOM nodes"), ("layers", "Leaflet layers")):
            rows.append((f"wall {area} {label}", key, lambda s, i=i, k=key: s["walls"][i][k]))
        # Dash's undo history: flat within 2 entries, like connections (it grew by one per tick, unbounded)
        rows.append((f"wall {area} Dash history", "conns", lambda s, i=i: s["walls"][i].get("history")))
    return rows


def _flat(kind: str, start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return "n/a"
    if kind == "conns" and abs(end - start) <= 2:
        return "PASS"
    return "PASS" if start and abs(end / start - 1) <= 0.10 else "FAIL"


def judge(samples: list[dict], roles: list[str], areas: list[str]) -> tuple[list[dict], dict, dict]:
    """Start vs end per metric; per wall the samples after the warm-up whose tick did not move; per
    role how often its processes changed (gunicorn recycles a worker after max_requests, which gives
    its memory back and can hide a slow leak)."""
    after = [s for s in samples if s["t_s"] >= WARMUP_S] or samples
    head, tail = after[:EDGE], samples[-EDGE:]
    table = []
    for label, kind, value in _metrics(roles, areas):

        def median(group, value=value):
            vals = [v for v in (value(s) for s in group) if v is not None]
            return statistics.median(vals) if vals else None

        start, end = median(head), median(tail)
        ratio = round(end / start, 3) if start and end is not None else None
        table.append({"metric": label, "start": start, "end": end, "ratio": ratio, "verdict": _flat(kind, start, end)})
    stalls = {
        a: sum(not s["walls"][i]["updated"] or s["walls"][i]["banner"] for s in after) for i, a in enumerate(areas)
    }
    restarts = {r: sum(a["pids"][r] != b["pids"][r] for a, b in zip(samples, samples[1:])) for r in roles}
    return table, stalls, restarts


def print_report(table: list[dict], stalls: dict, restarts: dict, errors: dict, passed: bool) -> None:
    print(f"\n{'metric':<38}{'start':>10}{'end':>10}{'end/start':>11}  verdict")
    for r in table:
        cells = [f"{v:>10.1f}" if isinstance(v, float) else f"{v!s:>10}" for v in (r["start"], r["end"])]
        print(f"{r['metric']:<38}{''.join(cells)}{r['ratio']!s:>11}  {r['verdict']}")
    print(f"samples after the warm-up where a wall's tick did not move or its banner showed: {stalls}")
    print(f"server processes replaced between samples: {restarts}")
    print(f"console errors: { {a: len(e) for a, e in errors.items()} }; overall {'PASS' if passed else 'FAIL'}")
