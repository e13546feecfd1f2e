"""Where a wall's JS heap goes: heap snapshots of one wall, diffed by constructor whenever it has grown.

    python -m bench.heap [--setup embedded|production] [--area 310000] [--minutes 20] [--refresh 2]
                         [--sample 20] [--step 0.5] [--top 30] [--url sqlite:///...] [--incidents 300000]
                         [--recolour N]

The soak (bench/soak.py) says whether a wall's heap stays flat; this says what grows when it does not.
It starts the same servers as the soak (same database rules: a fresh city, or a private copy of --url's
SQLite file), opens one wall of --area with a display token, and waits 3 minutes. Then it takes a V8
heap snapshot (after a forced GC) through the DevTools protocol, samples the heap every --sample
seconds, and each time the heap has grown by --step MB since the last snapshot takes another one and
prints the --top constructors by growth in bytes and count. Measured on demand, not asserted by the
test suite; a snapshot stalls the page for a second or two.

--recolour N does not wait for the city to change colour: after the warm-up it gives the map's areas a
new warning level N times (through their hideout, as a tick that changes a level does, 1.5 s apart),
twice: the first round warms up the code, the second is measured: the heap after a GC before and after,
per recolouring, and the snapshot diff around it.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
import urllib.request

from bench.soak import rig
from bench.soak_probe import Wall

WARMUP_S = 180
# one area of the map one level redder, with a newer rev: dash-leaflet draws every area anew
RECOLOUR_JS = """
const h = window.dash_component_api.getLayout('wall-areas').props.hideout;
const levels = Object.assign({}, h.levels || {}), codes = Object.keys(levels);
if (codes.length) { levels[codes[arguments[0] % codes.length]] = 1 + (arguments[0] % 4); }
window.dash_clientside.set_props('wall-areas', {hideout: Object.assign({}, h, {levels: levels, rev: (h.rev || 0) + 1})});
"""
# what the map was last given: a step in the heap lines up with one of these changing
MAP_JS = """
const props = id => { try { const n = window.dash_component_api.getLayout(id); return (n && n.props) || n || {}; }
                      catch (e) { return {}; } };
const areas = props('wall-areas').hideout || {}, heat = props('wall-heat').hideout || {};
const markers = (props('wall-markers').data || {}).features || [];
return `areas rev ${areas.rev} levels ${JSON.stringify(areas.levels || {}).length} B, heat rev ${heat.rev}, `
       + `markers ${markers.length}, layers ${document.querySelectorAll('.leaflet-interactive').length}`;
"""
KINDS = ("object", "closure", "native", "array", "hidden", "code", "regexp")  # named by constructor


class Heap:
    """One parsed snapshot: per node its kind:constructor key, id and self size, and its edges."""

    def __init__(self, text: str):
        snap = json.loads(text)
        meta = snap["snapshot"]["meta"]
        fields, types = meta["node_fields"], meta["node_types"][0]
        self.edge_types, edge_fields = meta["edge_types"][0], meta["edge_fields"]
        step, ti, ni = len(fields), fields.index("type"), fields.index("name")
        ii, si, ei = fields.index("id"), fields.index("self_size"), fields.index("edge_count")
        self.strings, nodes, self.step = snap["strings"], snap["nodes"], step
        self.edge_step = len(edge_fields)
        self.keys, self.ids, self.sizes, self.first_edge = [], [], [], []
        edge = 0
        for i in range(0, len(nodes), step):
            kind = types[nodes[i + ti]]
            name = self.strings[nodes[i + ni]]
            self.keys.append(f"{kind}:{name[:80]}" if kind in KINDS else kind)
            self.ids.append(nodes[i + ii])
            self.sizes.append(nodes[i + si])
            self.first_edge.append(edge)
            edge += nodes[i + ei] * self.edge_step
        self.first_edge.append(edge)
        self.edges = snap["edges"]
        self.count, self.size = collections.Counter(self.keys), collections.Counter()
        for key, size in zip(self.keys, self.sizes):
            self.size[key] += size

    def children(self, n: int):
        """(edge label, child node) of node n, weak edges left out: they do not keep anything alive."""
        for e in range(self.first_edge[n], self.first_edge[n + 1], self.edge_step):
            kind = self.edge_types[self.edges[e]]
            if kind in ("weak", "shortcut"):
                continue
            name = self.edges[e + 1]
            label = f"[{name}]" if kind in ("element", "hidden") else str(self.strings[name])
            yield label, self.edges[e + 2] // self.step

    def paths(self, targets: set[int], limit: int) -> list[str]:
        """The shortest path from the GC roots to up to `limit` of the nodes `targets` (indices)."""
        parent, queue, found = {0: None}, collections.deque([0]), []
        while queue and len(found) < limit:
            n = queue.popleft()
            for label, child in self.children(n):
                if child not in parent:
                    parent[child] = (n, label)
                    if child in targets:
                        found.append(child)
                    queue.append(child)
        out = []
        for n in found[:limit]:
            hops = [self.keys[n]]
            while parent[n] is not None:
                up, label = parent[n]
                hops.append(f"{self.keys[up]} -{label}->")
                n = up
            out.append(" ".join(reversed(hops[:12])))  # the holder's end: the root end says little
        return out


class DevTools:
    """The page's DevTools socket, kept open: object ids stay the same from one snapshot to the next
    only while one session keeps the heap profiler enabled, so "new since the last snapshot" means
    something."""

    def __init__(self, ws):
        self.ws, self.seq = ws, 0

    async def call(self, method: str, chunks: list | None = None) -> dict:
        self.seq += 1
        await self.ws.send_message(json.dumps({"id": self.seq, "method": method, "params": {}}))
        while True:
            msg = json.loads(await self.ws.get_message())
            if msg.get("method") == "HeapProfiler.addHeapSnapshotChunk" and chunks is not None:
                chunks.append(msg["params"]["chunk"])
            if msg.get("id") == self.seq:
                return msg

    async def snapshot(self) -> Heap:
        """A heap snapshot after a forced GC."""
        await self.call("HeapProfiler.collectGarbage")
        chunks: list[str] = []
        await self.call("HeapProfiler.takeHeapSnapshot", chunks)
        return Heap("".join(chunks))


def page_socket(driver) -> str:
    addr = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
    with urllib.request.urlopen(f"http://{addr}/json", timeout=10) as resp:
        return next(p["webSocketDebuggerUrl"] for p in json.loads(resp.read()) if p["type"] == "page")


def with_devtools(driver, body):
    """Run `await body(tools)` with the page's DevTools socket open and the heap profiler enabled
    (selenium calls inside go through trio.to_thread.run_sync)."""
    import trio
    from trio_websocket import open_websocket_url

    async def run():
        async with open_websocket_url(page_socket(driver), max_message_size=2**30) as ws:
            tools = DevTools(ws)
            await tools.call("HeapProfiler.enable")
            return await body(tools)

    return trio.run(run)


def around(driver, action, top: int = 30) -> None:
    """Snapshots before and after `action()` (a plain function driving the page), diffed."""
    import trio

    async def body(tools):
        before = await tools.snapshot()
        await trio.to_thread.run_sync(action)
        diff(before, await tools.snapshot(), top)

    with_devtools(driver, body)


def diff(before: Heap, after: Heap, top: int) -> None:
    """The constructors that grew most, and what keeps a few of the new objects of the top ones alive."""
    s0, s1, c0, c1 = before.size, after.size, before.count, after.count
    rows = sorted(((s1[k] - s0[k], c1[k] - c0[k], k) for k in set(s0) | set(s1)), reverse=True)
    print(
        f"{'bytes':>10} {'count':>7}  constructor (total {sum(s0.values()) / 1e6:.2f} -> {sum(s1.values()) / 1e6:.2f} MB)"
    )
    for ds, dc, key in rows[:top]:
        print(f"{ds:>10} {dc:>7}  {key}")
    old = set(before.ids)
    for _, _dc, key in [r for r in rows if r[2].startswith(("object:", "closure:"))][:3]:
        new = {n for n, (k, i) in enumerate(zip(after.keys, after.ids)) if k == key and i not in old}
        print(f"kept alive ({key}, {len(new)} new):")
        for path in after.paths(new, 2):
            print("   ", path)
    print(flush=True)


def watch(wall: Wall, args) -> None:
    import trio

    async def body(tools):
        await trio.sleep(WARMUP_S)
        last, t0 = await tools.snapshot(), time.monotonic()
        base = (await trio.to_thread.run_sync(wall.sample))["heap_mb"]
        print(f"first snapshot at {base:.2f} MB", flush=True)
        while time.monotonic() - t0 < args.minutes * 60:
            await trio.sleep(args.sample)
            heap = (await trio.to_thread.run_sync(wall.sample))["heap_mb"]
            seen = await trio.to_thread.run_sync(wall.driver.execute_script, MAP_JS)
            print(f"{time.monotonic() - t0:>6.0f} s  heap {heap:.2f} MB  {seen}", flush=True)
            if heap - base >= args.step:
                now = await tools.snapshot()
                diff(last, now, args.top)
                last, base = now, (await trio.to_thread.run_sync(wall.sample))["heap_mb"]

    with_devtools(wall.driver, body)


def recolour(wall: Wall, args) -> None:
    time.sleep(WARMUP_S)

    def rounds() -> None:
        for i in range(args.recolour):
            wall.driver.execute_script(RECOLOUR_JS, i)
            time.sleep(1.5)
        time.sleep(3)

    rounds()  # the code's first runs compile it: not what a wall keeps
    before = wall.sample()["heap_mb"]
    around(wall.driver, rounds, args.top)
    after = wall.sample()["heap_mb"]
    each = (after - before) * 1000 / max(1, args.recolour)
    print(f"{args.recolour} recolourings: heap {before:.2f} -> {after:.2f} MB, {each:.0f} kB each", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", choices=("embedded", "production"), default="embedded")
    ap.add_argument("--area", default="310000", help="the wall's area code (the city by default)")
    ap.add_argument("--minutes", type=float, default=20, help="after the first snapshot")
    ap.add_argument("--refresh", type=int, default=2, help="REFRESH_SECONDS of the servers (accelerated)")
    ap.add_argument("--sample", type=float, default=20, help="seconds between heap samples")
    ap.add_argument("--step", type=float, default=0.5, help="MB of growth that triggers the next snapshot")
    ap.add_argument("--top", type=int, default=30, help="constructors printed per diff")
    ap.add_argument("--url", help="database to copy (SQLite) or use; default: seed a fresh city up to now")
    ap.add_argument("--incidents", type=int, default=300_000, help="incidents of the fresh city (without --url)")
    ap.add_argument("--recolour", type=int, default=0, help="recolour the map's areas N times instead of waiting")
    args = ap.parse_args(argv)
    try:
        with rig(args, "heap") as run:
            wall = run.open_wall(args.area, "heap")
            print(
                f"{args.setup}: wall {args.area} on {run.base}, refresh {args.refresh} s; logs in {run.work}",
                flush=True,
            )
            (recolour if args.recolour else watch)(wall, args)
            run.keep = False
    except KeyboardInterrupt:
        print("interrupted", flush=True)


if __name__ == "__main__":
    main()
