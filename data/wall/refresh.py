"""The tick worker: every active wall scope's snapshot computed in one pass as soon as a tick starts.

Web requests only mark their scope active (`mark_active`, at most one cache write per scope per tick
per process) and read the snapshot the worker wrote. The worker runs as a thread of the embedded
server, or as its own process (`cityops worker`) beside gunicorn; with several of them one cache lock
per tick keeps it to a single computation. A scope stays active for KEEP_TICKS ticks after a screen
that may see it last asked; unknown scopes never get here (the callback resolves the scope first).
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from data.domain.scope import Scope
from data.domain.timeutil import now_ts
from data.domain.vocab import CITY_CODE
from data.read import areas
from data.store.cache import backend
from data.wall.facts import CityPass
from data.wall.shared import HEARTBEAT_KEY, SNAPSHOT_TTL, snapshot_key
from data.wall.snapshot import all_snapshots

log = logging.getLogger("cityops.snapshot")

KEEP_TICKS = 3
CHUNK = 16  # scopes computed between two looks for scopes first shown (a pass of 251 is ~1 s of CPU)
BEAT_TICKS = 6  # a worker silent this long is gone: screens compute for themselves (a saturated pass may take ticks)
LATE_POLL = 0.25  # seconds between the worker's looks for scopes first shown during a tick
_marked: dict[str, tuple[int, int]] = {}  # code -> (tick, cache): bounded, only real area codes are marked


def mark_active(scope: Scope, tick: int, refresh: int) -> None:
    """A screen that may see `scope` asked at `tick`: keep its snapshot computed for a while."""
    cache = backend()
    if not CityPass.covers(scope) or _marked.get(scope.code) == (tick, id(cache)):
        return  # marked in this cache this tick already (another app of the process has a cache of its own)
    _marked[scope.code] = (tick, id(cache))
    cache.set(f"wall-active:{scope.code}", tick, timeout=KEEP_TICKS * refresh + refresh)


def wall_codes() -> list[str]:
    """Every scope a wall may be active for: the city, its districts and their streets."""
    return sorted(c for c in areas.area_names() if c == CITY_CODE or len(c) in (6, 9))


def active_scopes(tick: int, refresh: int) -> list[Scope]:
    codes = wall_codes()
    marks = backend().get_many(*[f"wall-active:{c}" for c in codes])
    return [Scope(c) for c, t in zip(codes, marks) if t is not None and tick - t <= KEEP_TICKS * refresh]


def freeze_heap() -> bool:
    """After the first tick, move everything alive (the app, its layouts, the warm caches) out of the
    garbage collector's sight: a full collection walked all of it about once a tick, a fifth of the
    tick's CPU at 1M incidents. What later ticks allocate is still collected."""
    gc.collect()
    gc.freeze()
    log.info("wall ticks: %d objects frozen out of garbage collection", gc.get_freeze_count())
    return True


def compute_tick(catalog, tick: int, refresh: int, kept: dict | None = None) -> int:
    """Compute and store the snapshot of every active scope at `tick`; the number computed (0 when
    another process holds this tick or nothing new is active). `kept` (the worker's) keeps the tick's
    CityPass: asked again within the tick, only scopes first shown since are computed, from the same
    reads (a roll-up each, milliseconds), so a wall opened mid-tick waits a fraction of a second. A pass
    goes CHUNK scopes at a time, scopes without a snapshot first; one first shown during the pass joins
    it after the current chunk (in a saturated process a whole pass can take seconds)."""
    cache = backend()
    kept = {} if kept is None else kept
    if kept.get("tick") == tick and kept.get("city_pass") is None:
        return 0  # another process holds this tick
    scopes = active_scopes(tick, refresh)
    if kept.get("tick") != tick:
        began, before = kept.get("seen", (None, None))  # the ticks of this pass and the one before, idle or not
        kept["seen"] = seen = (began, before) if began == tick else (tick, began)
        # screens serve what the pass before wrote until this one's is in; a scope's first screen waits for it
        cache.set(HEARTBEAT_KEY, {"tick": tick, "last": seen[1]}, timeout=BEAT_TICKS * refresh)
        if not scopes:
            return 0
        held = cache.add(f"wall-tick-lock:{tick}", 1, timeout=max(60, 3 * refresh))
        computed_before = kept.get("done", set())  # the scopes the pass before computed
        kept.clear()
        kept.update(seen=seen, tick=tick, city_pass=CityPass(scopes, tick) if held else None, done=set())
        kept["before"] = computed_before
        if not held:
            return 0
    # scopes nobody has a snapshot of yet first: their screens are waiting (FIRST_WAIT)
    todo = sorted((s for s in scopes if s not in kept["done"]), key=lambda s: s in kept["before"])
    n = 0
    while todo:
        chunk, todo = todo[:CHUNK], todo[CHUNK:]
        snaps = all_snapshots(catalog, chunk, tick, kept["city_pass"])
        kept["done"].update(snaps)
        cache.set_many({snapshot_key(s): snap for s, snap in snaps.items()}, timeout=SNAPSHOT_TTL)
        n += len(snaps)
        if todo:  # a wall opened meanwhile waits for a chunk, not for the whole pass
            queued = set(todo)
            todo = [s for s in active_scopes(tick, refresh) if s not in kept["done"] and s not in queued] + todo
    if n:
        cache.set(HEARTBEAT_KEY, {"tick": tick, "last": kept["seen"][1]}, timeout=BEAT_TICKS * refresh)  # still here
    return n


class TickWorker:
    """Runs compute_tick at the start of every tick, in a daemon thread (`start`) or in the
    foreground (`run`, for `cityops worker`)."""

    def __init__(self, server, refresh: int):
        self.server, self.refresh = server, refresh
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self.last: dict = {}
        self._frozen = False  # freeze_heap() done

    def start(self) -> None:
        """Start the thread once (the first wall request does, so an idle server computes nothing)."""
        with self._guard:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wall-tick-worker", daemon=True)
                self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to end; with a timeout, wait that long for it (a pass in progress finishes)."""
        self._stop.set()
        thread = self._thread
        if timeout is not None and thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        try:
            self.run()
        except SystemExit:  # dash.testing stops a test server by raising SystemExit in every thread it started
            return

    def run(self) -> None:
        from data.rules.config import load_catalog

        kept: dict = {}
        while not self._stop.is_set():
            now = time.time()
            next_tick = (int(now) // self.refresh + 1) * self.refresh
            while next_tick - time.time() > LATE_POLL:  # scopes first shown during this tick
                if self._stop.wait(LATE_POLL):
                    return
                self._compute(load_catalog, now_ts() // self.refresh * self.refresh, kept, late=True)
            if self._stop.wait(max(0.0, next_tick - time.time()) + 0.02):
                return
            self._compute(load_catalog, now_ts() // self.refresh * self.refresh, kept)

    def _compute(self, load_catalog, tick: int, kept: dict, late: bool = False) -> None:
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            with self.server.app_context():
                n = compute_tick(load_catalog(self.server.config["RULES_FILE"]), tick, self.refresh, kept)
        except Exception:  # the screens keep their last data and say so; keep the worker alive
            log.warning("wall tick %s failed", tick, exc_info=True)
            kept.clear()
            return
        if late:
            if n:
                log.debug("wall tick %s: %d scopes first shown mid-tick", tick, n)
            return
        self.last = {"tick": tick, "scopes": n, "cpu_s": time.process_time() - c0, "s": time.perf_counter() - w0}
        if n and not self._frozen:
            self._frozen = freeze_heap()
        if n and self.last["s"] > self.refresh / 2:  # screens go stale after 2.5 refreshes: say why, once a tick
            log.warning("wall tick %s: %d scopes took %.1f s (%.1f s CPU)", tick, n, self.last["s"], self.last["cpu_s"])
        elif n:
            log.debug("wall tick %s: %d scopes in %.3f s (%.3f s CPU)", tick, n, self.last["s"], self.last["cpu_s"])


def opened(server, *scopes: Scope) -> None:
    """A page that will show these scopes' snapshots is being drawn: mark them now, so the worker
    computes them while the browser renders, and the page's first tick finds them instead of holding a
    server thread while it waits (a hundred walls opened at once filled the pool with such waits)."""
    refresh = int(server.config.get("REFRESH_SECONDS", 10))
    tick = now_ts() // refresh * refresh
    for scope in scopes:
        watch(server, scope, tick, refresh)


def watch(server, scope: Scope, tick: int, refresh: int) -> None:
    """A screen (a wall, an area page) shows `scope` at `tick`: mark it active, and on a server that
    computes its own ticks (TICK_WORKER=thread) make sure its worker thread runs."""
    mark_active(scope, tick, refresh)
    if server.config.get("TICK_WORKER", "thread") == "thread":
        worker = server.extensions.get("cityops-tick-worker")
        if worker is None:
            worker = server.extensions.setdefault("cityops-tick-worker", TickWorker(server, refresh))
        worker.start()
