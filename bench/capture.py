"""Record the requests real headless Chromium sends, as templates for the load test (bench/load.py).

    python -m bench.capture [--incidents 5000]

Seeds a small city in a temporary directory, starts the embedded server on it (bench/services.py),
signs Chromium in as the bench account and as a wall (a display token), and reads every request the
browser sends from Chrome's performance log (CDP Network events, POST bodies included) while it:
opens the wall and waits for two ticks; visits /area/<street>, /incidents (AG Grid asks for its
first block) and /incidents/<id>. Writes bench/captures/<kind>.json: the app's own requests in the
order sent (scripts, styles and fonts are left out: a returning browser has them cached), with the
values that vary marked: {{origin}}, {{scope}}, {{incident}}, {{token}}, {{n}} (the tick's
n_intervals). No cookies, headers or secrets are kept. Stores the server fills (a wall's config and
meta, the list's filters) are replayed from the server's own answers, as the browser does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.services import ROOT, Services

CAPTURES = ROOT / "bench" / "captures"
STATIC = ("/_dash-component-suites/", "/assets/", "/_favicon", "/favicon")
WALL_TICK = "wall-meta.data"  # the wall's one server callback per tick has this among its outputs
GRID = "getRowsResponse"  # AG Grid's rows callback


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=opts)


class Recorder:
    """The app's requests from Chrome's performance log, in the order sent: method, path, JSON body,
    status (0: failed or cancelled)."""

    def __init__(self, driver, origin: str):
        self.driver, self.origin, self.by_id = driver, origin, {}

    def read(self) -> list[dict]:
        """Requests started since the last read (answers to older ones still land on their items)."""
        found: list[dict] = []
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            method, params = msg.get("method"), msg.get("params", {})
            known = self.by_id.get(params.get("requestId"))
            if method == "Network.requestWillBeSent":
                if known is not None and "redirectResponse" in params:
                    known["status"] = params["redirectResponse"]["status"]
                item = self._item(params)
                if item is not None:
                    self.by_id[params["requestId"]] = item
                    found.append(item)
            elif method == "Network.responseReceived" and known is not None:
                known["status"] = params["response"]["status"]
            elif method == "Network.loadingFailed" and known is not None and "status" not in known:
                known["status"] = 0
        return found

    def _item(self, params: dict) -> dict | None:
        req = params["request"]
        url = urlsplit(req["url"])
        if f"{url.scheme}://{url.netloc}" != self.origin or url.path.startswith(STATIC):
            return None
        item = {"method": req["method"], "path": url.path + (f"?{url.query}" if url.query else "")}
        if req["method"] == "POST" and "json" in req["headers"].get("Content-Type", ""):
            body = req.get("postData")
            if body is None:  # too long for the event: ask the browser
                body = self.driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": params["requestId"]})
                body = body["postData"]
            item["body"] = json.loads(body)
        elif req["method"] == "POST":
            item["form"] = True  # the login form: its body (a password) is never kept
        return item

    def visit(self, path: str, quiet: float = 2.0, most: float = 30.0) -> list[dict]:
        """Open `path` and collect its requests until none has started for `quiet` seconds and all have
        answered (at most `most` seconds); cancelled ones are left out."""
        self.read()  # what the last page still sends is not this visit's
        self.driver.get(self.origin + path)
        got: list[dict] = []
        start = last = time.monotonic()
        while time.monotonic() - start < most:
            new = self.read()
            if new:
                got += new
                last = time.monotonic()
            elif time.monotonic() - last > quiet and all("status" in r for r in got):
                break
            time.sleep(0.2)
        start = next((i for i, r in enumerate(got) if r["method"] == "GET" and r["path"] == path), 0)
        return [r for r in got[start:] if r.get("status") != 0]  # not what the last page sent late


def _outputs(req: dict) -> str:
    return (req.get("body") or {}).get("output", "")


def _ticks(req: dict) -> bool:
    """A callback an interval fires (the shell's refresh tick): a screen sends it again every refresh."""
    inputs = (req.get("body") or {}).get("inputs", [])
    return any(isinstance(i, dict) and i.get("property") == "n_intervals" for i in inputs)


def _first_ticks_only(requests: list[dict]) -> list[dict]:
    """A visit's requests without the repeats of a ticking callback (those are the next refreshes)."""
    seen: set[str] = set()
    kept = []
    for r in requests:
        if _ticks(r) and _outputs(r) in seen:
            continue
        seen.add(_outputs(r))
        kept.append(r)
    return kept


def _mark(obj, values: dict[str, str]):
    """The captured object with each varying value replaced by its {{name}} marker: whole strings, or
    inside a string where no digit touches it (a street code is the start of its grids' codes)."""
    if isinstance(obj, dict):
        return {k: _mark(v, values) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_mark(v, values) for v in obj]
    if isinstance(obj, str):
        for name, value in values.items():
            marker = "{{" + name + "}}"
            if obj == value:
                return marker
            obj = re.sub(rf"(?<!\d){re.escape(value)}(?!\d)", marker, obj)
    return obj


def _save(kind: str, note: str, requests: list[dict], values: dict[str, str]) -> Path:
    """Write bench/captures/<kind>.json: the requests with their varying values marked. The page's signed
    endId (Dash's per-load token, in the page's HTML) becomes {{end_id}}; a ticking callback's
    n_intervals becomes {{n}} and the request is flagged "tick"."""
    marked = []
    for r in requests:
        r = _mark(r, values)
        r["path"] = re.sub(r"endId=[^&]+", "endId={{end_id}}", r["path"])
        if _ticks(r):
            r["tick"] = True
            for item in r["body"]["inputs"]:
                if isinstance(item, dict) and item.get("property") == "n_intervals":
                    item["value"] = "{{n}}"
        marked.append(r)
    path = CAPTURES / f"{kind}.json"
    path.write_text(json.dumps({"kind": kind, "note": note, "requests": marked}, indent=1, ensure_ascii=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(marked)} requests")
    return path


def _login(driver, base: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    driver.get(f"{base}/login?next=/")
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "login-username"))
    driver.find_element(By.ID, "login-username").send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url)


def capture(base: str, username: str, password: str, token: str, street: str, incident: int, refresh: int) -> None:
    """Drive the browser against `base` and write the templates."""
    origin = base.rstrip("/")
    values = {"origin": origin, "token": token, "scope": street, "incident": str(incident)}
    CAPTURES.mkdir(parents=True, exist_ok=True)
    driver = _browser()
    rec = Recorder(driver, origin)
    try:
        opened = rec.visit(f"/wall?token={token}&area={street}&kiosk=1")
        time.sleep(2 * refresh + 1)  # two more ticks: the later ones carry the meta of the one before
        ticks = [r for r in opened + rec.read() if WALL_TICK in _outputs(r)]
        if len(ticks) < 2:
            raise RuntimeError(f"the wall sent {len(ticks)} ticks")
        meta = ticks[-1]["body"]["state"][0]["value"]
        if meta.get("ok") is not True:
            raise RuntimeError(f"the wall's tick failed on the server: {meta}")
        _save(
            "wall_open",
            "a wall opening with its display token, up to its first tick",
            _first_ticks_only(opened),
            values,
        )
        _save("wall_tick", "a later wall tick (it carries the previous answer's meta)", ticks[-1:], values)

        driver.delete_all_cookies()
        _login(driver, origin, username, password)
        _save("area", "a full visit of /area/<scope>", _first_ticks_only(rec.visit(f"/area/{street}")), values)
        listing = _first_ticks_only(rec.visit("/incidents"))
        grid = [r for r in listing if GRID in _outputs(r)]
        if not grid:
            raise RuntimeError("the incident list's grid asked for no rows")
        _save(
            "incidents",
            "a full visit of /incidents, without the grid's rows",
            [r for r in listing if r not in grid],
            values,
        )
        _save("grid", "the grid's first block of rows on /incidents", grid[:1], values)
        _save(
            "incident",
            "a full visit of /incidents/<id>",
            _first_ticks_only(rec.visit(f"/incidents/{incident}")),
            values,
        )
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if severe:
            print(f"browser console errors: {severe[:3]}", file=sys.stderr)
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--incidents", type=int, default=5000, help="size of the throwaway city (shapes do not depend on it)"
    )
    p.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and database")
    args = p.parse_args(argv)
    from sqlalchemy import select

    from api.auth import new_token
    from bench.account import PASSWORD, USERNAME, ensure_account
    from data.store.db import dispose_engine, get_engine
    from data.store.models import Incident
    from data.write import accounts

    with Services(keep_logs=args.keep_logs) as svc:
        url = f"sqlite:///{svc.dir / 'capture.sqlite'}"
        svc.seed(url, args.incidents, None, days=2)
        ensure_account(url)
        token, digest = new_token()
        accounts.add_token(get_engine(url), "capture", token_hash=digest, area="310000", created_by="bench")
        with get_engine(url).connect() as conn:
            incident, street = conn.execute(
                select(Incident.id, Incident.street_code).order_by(Incident.id.desc())
            ).first()
        dispose_engine(url)
        base, _ = svc.embedded(url, REFRESH_SECONDS="5")  # a shorter tick: same requests, quicker capture
        capture(base, USERNAME, PASSWORD, token, street, incident, 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
