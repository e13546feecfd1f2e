"""Refresh-ahead: compute each watched scope's wall snapshot as soon as a new tick starts."""

from __future__ import annotations

import logging
import threading
import time

from data.domain.scope import Scope
from data.wall.snapshot import shared_snapshot

log = logging.getLogger("cityops.snapshot")


class RefreshAhead:
    """Computes the snapshot of every scope a wall asked for recently as soon as a new tick starts,
    so screens (whose timers are not aligned to the tick) find it ready in the cache.

    One daemon thread per app, started by the first wall request; the cross-process lock in
    shared_snapshot keeps it to one computation per tick even with several workers."""

    KEEP_TICKS = 3  # a scope no screen asked for in this many ticks is dropped

    def __init__(self, server, refresh: int):
        self.server, self.refresh = server, refresh
        self._seen: dict[Scope, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def touch(self, scope: Scope, tick: int) -> None:
        """A screen showed `scope` at `tick`: keep its snapshot warm."""
        with self._lock:
            self._seen[scope] = tick
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wall-refresh-ahead", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        try:
            self._loop()
        except SystemExit:  # dash.testing stops a test server by raising SystemExit in every thread it started
            return

    def _loop(self) -> None:
        from data.domain.timeutil import now_ts
        from data.rules.config import load_catalog

        while not self._stop.is_set():
            now = time.time()
            next_tick = (int(now) // self.refresh + 1) * self.refresh
            if self._stop.wait(next_tick - now + 0.02):
                return
            tick = now_ts() // self.refresh * self.refresh
            with self._lock:
                scopes = [s for s, t in self._seen.items() if tick - t <= self.KEEP_TICKS * self.refresh]
                self._seen = {s: self._seen[s] for s in scopes}
            for scope in scopes:
                try:
                    with self.server.app_context():
                        shared_snapshot(
                            load_catalog(self.server.config["RULES_FILE"]), scope, tick, wait=0, compute_late=False
                        )
                except Exception:  # the screens' own requests will report and show it; keep the thread alive
                    log.warning("refresh-ahead of %s at %s failed", scope, tick, exc_info=True)
