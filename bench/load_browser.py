"""The load test's simulated browsers (bench/load.py): captured requests replayed with their markers
filled in, the Stores a renderer would hold carried from the server's answers, one request at a time."""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from urllib.parse import urlsplit

import httpx

from bench.services import HOST, ROOT

CAPTURES = ROOT / "bench" / "captures"
WALL_TICK, TIMEOUT = "wall-meta.data", 30
END_ID = re.compile(r'"end_id":\s*"([^"]+)"')
MARK = re.compile(r"\{\{(\w+)\}\}")


def fill(obj, values: dict):
    """The template with its {{name}} markers replaced: a whole-string marker by the value itself."""
    if isinstance(obj, dict):
        return {k: fill(v, values) for k, v in obj.items()}
    if isinstance(obj, list):
        return [fill(v, values) for v in obj]
    if isinstance(obj, str) and "{{" in obj:
        whole = MARK.fullmatch(obj)
        return values[whole[1]] if whole else MARK.sub(lambda m: str(values[m[1]]), obj)
    return obj


def patched(value, patch: dict):
    """A Store's value after a Dash Patch (the operations a Store of ours can get)."""
    value = json.loads(json.dumps(value if value is not None else {}))
    for op in patch.get("operations", []):
        *path, last = op["location"] or [None]
        target = value
        for key in path:
            target = target[key]
        if op["operation"] == "Assign":
            target[last] = op["params"]["value"]
        elif op["operation"] == "Delete":
            target.pop(last, None)
        elif op["operation"] == "Merge":
            (target if last is None else target[last]).update(op["params"]["value"])
    return value


class Browser:
    """One simulated browser: its connection and cookie jar, the Store values its renderer holds,
    its ETags, the page's endId and the current page's ticking callbacks."""

    def __init__(self, run: Run):
        self.run = run
        self.client = httpx.AsyncClient(
            base_url=run.base,
            timeout=60,  # a backstop: the 30 s limit is on the whole request (send)
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={"Origin": run.base},
        )
        self.props: dict[tuple[str, str], object] = {}
        self.etags: dict[str, str] = {}
        self.end_id, self.n, self.ticking, self.loaded = "", 0, [], 0.0

    async def send(self, req: dict, values: dict) -> tuple[float, str | None]:
        """Replay one captured request: (ms, None or what went wrong)."""
        path = fill(req["path"], {**values, "end_id": self.end_id})
        headers, body = {}, None
        if "body" in req:
            body = fill(req["body"], {**values, "n": self.n})
            for item in body.get("inputs", []) + body.get("state", []):  # what the renderer holds now
                key = (item.get("id"), item.get("property")) if isinstance(item, dict) else None
                if key in self.props and key[1] != "n_intervals":  # the interval's count is the browser's
                    item["value"] = self.props[key]
            headers["Content-Type"] = "application/json"
        elif path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        self.run.inflight += 1
        self.run.max_inflight = max(self.run.max_inflight, self.run.inflight)
        self.run.stage_requests += 1
        t0 = time.perf_counter()
        content, form = (json.dumps(body) if body else None), req.get("form")
        try:
            async with asyncio.timeout(TIMEOUT):
                try:
                    resp = await self.client.request(req["method"], path, headers=headers, content=content, data=form)
                except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                    # the server closed a kept-alive connection as we reused it: a browser sends again
                    self.run.retries += 1
                    resp = await self.client.request(req["method"], path, headers=headers, content=content, data=form)
        except (TimeoutError, httpx.TimeoutException):
            return (time.perf_counter() - t0) * 1000, "timeout"
        except httpx.HTTPError as err:
            return (time.perf_counter() - t0) * 1000, type(err).__name__
        finally:
            self.run.inflight -= 1
        return (time.perf_counter() - t0) * 1000, self.absorb(req, resp, path)

    def absorb(self, req: dict, resp: httpx.Response, path: str) -> str | None:
        """Check an answer and keep what the renderer would: Stores, the endId, ETags."""
        want, got = req.get("status", 200), resp.status_code
        if got in (301, 302, 303) and "/login" in resp.headers.get("location", ""):
            return "signed out"
        if got != want and {got, want} != {200, 304}:
            return f"HTTP {got}"
        if "etag" in resp.headers:
            self.etags[path] = resp.headers["etag"]
        kind = resp.headers.get("content-type", "")
        if got == 200 and "html" in kind and (found := END_ID.search(resp.text)):
            self.end_id = found[1]
        if got == 200 and "json" in kind:
            self.keep(resp.json())
        if WALL_TICK in req.get("body", {}).get("output", ""):
            meta = self.props.get(("wall-meta", "data")) or {}
            if meta.get("ok") is not True:
                return "meta ok=false"
        return None

    def keep(self, answer) -> None:
        """Tracked props from a callback's answer, and Stores in any layout it carries."""
        if isinstance(answer, dict) and isinstance(answer.get("response"), dict):
            for cid, props in answer["response"].items():
                for prop, value in props.items() if isinstance(props, dict) else ():
                    if (cid, prop) in self.run.tracked:
                        old = self.props.get((cid, prop))
                        is_patch = isinstance(value, dict) and "__dash_patch_update" in value
                        self.props[(cid, prop)] = patched(old, value) if is_patch else value
        stack = [answer]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                props = node.get("props")
                if isinstance(props, dict) and isinstance(props.get("id"), str):
                    for prop, value in props.items():
                        if (props["id"], prop) in self.run.tracked:
                            self.props[(props["id"], prop)] = value
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    async def visit(self, name: str, kind: str, values: dict) -> None:
        """A full page visit: every request of the capture in turn (a wall's first tick, a page's first
        refresh included); its time is their sum. Stops at the first error: the page would be broken."""
        self.props.clear()
        self.ticking, self.n, self.loaded = [], 0, time.monotonic()
        total, error = 0.0, None
        for req in self.run.captures[name]:
            ms, error = await self.send(req, values)
            total += ms
            if req.get("tick"):
                self.ticking.append(req)
            if error:
                break
        self.run.record(kind, total, error)

    async def tick_until(self, values: dict, until: float, kind: str) -> None:
        """Send the page's ticking callbacks every refresh from its load until `until` (monotonic)."""
        refresh = self.run.refresh
        while self.ticking:
            k = math.floor((time.monotonic() - self.loaded) / refresh) + 1
            at = self.loaded + k * refresh
            if at > until:
                break
            await asyncio.sleep(at - time.monotonic())
            self.n = k  # a tick missed while the last one was pending is skipped, as an interval does
            for req in self.ticking:
                ms, err = await self.send(req, values)
                self.run.record(kind, ms, err)
        await asyncio.sleep(max(0.0, until - time.monotonic()))

    async def wall(self, scope: str, token: str, phase: float) -> None:
        await asyncio.sleep(phase)
        values = {"scope": scope, "token": token, "origin": self.run.base}
        await self.visit("wall_open", "wall open", values)
        self.ticking = self.run.captures["wall_tick"]
        await self.tick_until(values, math.inf, "wall tick")

    async def login(self, user: dict) -> None:
        """Sign in with the login form, as a browser posts it."""
        form = {"username": user["name"], "password": user["password"]}
        self.run.record(
            "login", *await self.send({"method": "POST", "path": "/login", "status": 302, "form": form}, {})
        )

    async def desk(self, user: dict, phase: float, rng: random.Random) -> None:
        await asyncio.sleep(phase)
        await self.login(user)
        values: dict = {"origin": self.run.base}
        for step in range(rng.randrange(3), 10**9):
            await self.tick_until(values, time.monotonic() + rng.uniform(5, 15), "page tick")
            page = ("area", "incidents", "incident")[step % 3]
            if page == "area":
                values = {"origin": self.run.base, "scope": rng.choice(user["areas"])}
            elif page == "incident" and not user["incidents"]:
                continue  # a street without incidents yet
            elif page == "incident":
                iid, street = rng.choice(user["incidents"])
                values = {"origin": self.run.base, "incident": iid, "scope": street}
            await self.visit(page, f"{page} page", values)
            if page == "incidents":
                ms, err = await self.send(self.run.captures["grid"][0], values)
                self.run.record("grid", ms, err)


class Run:
    """The shared state of a run: captures, samples per stage, and the request counters."""

    def __init__(self, base: str, refresh: int):
        if urlsplit(base).hostname != HOST:
            raise SystemExit(f"the load test only talks to {HOST}, not {base}")
        self.base, self.refresh = base, refresh
        self.captures = {p.stem: json.loads(p.read_text())["requests"] for p in CAPTURES.glob("*.json")}
        self.tracked = {  # the (id, property) pairs the captured callbacks send
            (item["id"], item["property"])
            for reqs in self.captures.values()
            for req in reqs
            for item in req.get("body", {}).get("inputs", []) + req.get("body", {}).get("state", [])
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }
        self.samples: list[tuple[str, float, str | None]] = []
        self.inflight = self.max_inflight = self.stage_requests = self.retries = 0

    def record(self, kind: str, ms: float, error: str | None) -> None:
        self.samples.append((kind, ms, error))
