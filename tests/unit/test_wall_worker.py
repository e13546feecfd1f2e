"""The tick worker and the screens under load: a scope first shown mid-tick is computed from the tick's
kept reads, and a screen that has the previous tick is answered at once instead of holding a thread."""

from __future__ import annotations

import threading
import time

import dash

from data.domain.scope import Scope
from data.domain.timeutil import now_ts
from data.rules.config import load_catalog
from data.store.cache import backend
from data.wall.refresh import compute_tick, mark_active
from data.wall.shared import HEARTBEAT_KEY, shared_snapshot, snapshot_key
from data.wall.snapshot import wall_snapshot

CITY, STREET = Scope("310000"), Scope("310101002")


def test_a_scope_first_shown_mid_tick_comes_from_the_ticks_kept_reads(live_city, app_for):
    app = app_for(live_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    tick = now_ts() // 10 * 10
    kept: dict = {}
    mark_active(CITY, tick, 10)
    assert compute_tick(catalog, tick, 10, kept) == 1  # the tick's pass: the city only
    city_pass = kept["city_pass"]
    assert compute_tick(catalog, tick, 10, kept) == 0  # asked again: nothing new
    mark_active(STREET, tick, 10)  # a wall on the street opens mid-tick
    assert compute_tick(catalog, tick, 10, kept) == 1 and kept["city_pass"] is city_pass  # the same reads
    late = backend().get(snapshot_key(STREET))
    assert late["tick"] == tick and late == wall_snapshot(catalog, STREET, tick)  # as its own reads say
    assert late["ticker"], "the street's newest incidents were read for the late scope too"
    other: dict = {}  # another process: the tick is held, it computes nothing
    mark_active(Scope("310101"), tick, 10)
    assert compute_tick(catalog, tick, 10, other) == 0 and other["city_pass"] is None


def test_while_the_worker_ticks_a_screen_gets_the_previous_tick_at_once(live_city, app_for):
    app = app_for(live_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    refresh = app.server.config["REFRESH_SECONDS"]
    tick = now_ts() // refresh * refresh
    backend().set(HEARTBEAT_KEY, {"tick": tick, "last": tick - refresh}, timeout=60)  # a worker is ticking
    previous = wall_snapshot(catalog, STREET, tick - refresh)
    backend().set(snapshot_key(STREET), previous, timeout=60)
    t0 = time.monotonic()
    assert shared_snapshot(catalog, STREET, tick) == previous  # not this tick's: the worker's comes next time
    assert time.monotonic() - t0 < 0.5  # and no thread held waiting for it
    stale = wall_snapshot(catalog, STREET, tick - 5 * refresh)  # from a wall that closed a while ago
    backend().set(snapshot_key(STREET), stale, timeout=60)
    t0 = time.monotonic()
    fresh = shared_snapshot(catalog, STREET, tick)  # no worker answers within FIRST_WAIT: computed here
    assert fresh["tick"] == tick and time.monotonic() - t0 >= 1.5


def test_a_worker_running_behind_is_waited_for_by_no_screen(live_city, app_for):
    """A worker still on a pass begun ticks ago (a saturated process): screens serve its newest snapshot
    at once, however old, instead of computing their own (which starved the worker further) or waiting."""
    app = app_for(live_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    refresh = app.server.config["REFRESH_SECONDS"]
    tick = now_ts() // refresh * refresh
    backend().set(HEARTBEAT_KEY, {"tick": tick - 3 * refresh, "last": tick - 6 * refresh}, timeout=60)
    behind = wall_snapshot(catalog, STREET, tick - 6 * refresh)
    backend().set(snapshot_key(STREET), behind, timeout=60)
    t0 = time.monotonic()
    assert shared_snapshot(catalog, STREET, tick) == behind
    assert time.monotonic() - t0 < 0.5


def test_the_heartbeat_names_the_pass_before_idle_ticks_included(live_city, app_for):
    """Screens trust a snapshot written by the worker's pass before this one; a scope nobody watched
    for a while (its snapshot older than that pass) is computed again, not served stale."""
    app = app_for(live_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    tick = now_ts() // 10 * 10
    kept: dict = {}
    assert compute_tick(catalog, tick - 30, 10, kept) == 0  # nothing active: an idle pass
    assert backend().get(HEARTBEAT_KEY) == {"tick": tick - 30, "last": None}
    mark_active(CITY, tick - 20, 10)
    assert compute_tick(catalog, tick - 20, 10, kept) == 1
    compute_tick(catalog, tick - 20, 10, kept)  # a late look within the same tick changes nothing
    assert backend().get(HEARTBEAT_KEY) == {"tick": tick - 20, "last": tick - 30}
    compute_tick(catalog, tick, 10, kept)  # the worker skipped a tick (its pass ran long)
    assert backend().get(HEARTBEAT_KEY) == {"tick": tick, "last": tick - 20}
    backend().delete(HEARTBEAT_KEY)  # as if it had expired during a pass that ran long
    mark_active(STREET, tick, 10)
    assert compute_tick(catalog, tick, 10, kept) == 1  # the pass's end beats again
    assert backend().get(HEARTBEAT_KEY) == {"tick": tick, "last": tick - 20}


def test_a_wall_opened_during_a_long_pass_waits_for_a_chunk_not_the_pass(live_city, app_for, monkeypatch):
    from data.wall import refresh

    app = app_for(live_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    tick = now_ts() // 10 * 10
    streets = [Scope(c) for c in refresh.wall_codes() if len(c) == 9][: refresh.CHUNK * 2 + 1]
    for street in streets:
        mark_active(street, tick, 10)
    chunks: list[list[str]] = []
    real = refresh.all_snapshots

    def watched(catalog, chunk, at, city_pass):  # the real computation, its chunks noted
        chunks.append([s.code for s in chunk])
        if len(chunks) == 1:
            mark_active(CITY, at, 10)  # the city's wall opens while the first chunk is computed
        return real(catalog, chunk, at, city_pass)

    monkeypatch.setattr(refresh, "all_snapshots", watched)
    kept: dict = {}
    assert compute_tick(catalog, tick, 10, kept) == len(streets) + 1
    assert [len(c) for c in chunks] == [refresh.CHUNK, refresh.CHUNK, 2]
    assert chunks[1][0] == CITY.code  # next, not after the other streets
    assert backend().get(snapshot_key(CITY))["tick"] == tick
    chunks.clear()
    district = Scope("310101")
    mark_active(district, tick + 10, 10)  # first shown in the next tick: computed before those shown before
    for scope in [*streets, CITY]:
        mark_active(scope, tick + 10, 10)
    compute_tick(catalog, tick + 10, 10, kept)
    assert chunks[0][0] == district.code


def test_a_tick_where_only_ages_moved_resends_no_tile_weather_or_marker(small_city, app_for):
    """Readings age by the second and markers by the tick: signed with those ages, every wall sent its
    twelve tiles (sparklines and all) and its markers again on every tick."""
    import copy

    from dash import no_update

    from callbacks.wall import wall_updates
    from tests.conftest import SMALL_END

    app = app_for(small_city)
    snap = wall_snapshot(load_catalog(app.server.config["RULES_FILE"]), CITY, SMALL_END)
    assert snap["map"]["markers"]["features"] and all(
        "age_s" not in f["properties"] and isinstance(f["properties"]["fresh"], bool)
        for f in snap["map"]["markers"]["features"]
    )
    sig = wall_updates(snap, "zh", None, "b1")["meta"]["sig"]
    later = copy.deepcopy(snap)
    later["tick"] += 10
    for reading in later["tiles"] + later["weather"]:
        if reading["age_s"] is not None and not reading["stale"]:
            reading["age_s"] += 10  # ten seconds older, shown the same
    upd = wall_updates(later, "zh", sig, "b1")
    assert upd["tiles"] is no_update and upd["weather"] is no_update and upd["markers"] is no_update
    late = next(i for i, tile in enumerate(later["tiles"]) if tile["stale"] and tile["age_s"] is not None)
    later["tiles"][late]["age_s"] += 60  # a late tile's text says one minute more: that tile alone goes
    upd = wall_updates(later, "zh", sig, "b1")
    assert list(upd["tiles"]._operations[0]["location"]) == [late] and len(upd["tiles"]._operations) == 1


def marked(code: str) -> bool:
    return backend().get(f"wall-active:{code}") is not None


def test_opening_a_wall_or_an_area_page_sets_the_worker_on_it_before_the_first_tick(live_city, app_for):
    """A hundred walls opened at once each held a server thread for up to FIRST_WAIT, waiting for a
    snapshot the worker had not heard of: the page now marks its scope while it is drawn."""
    app = app_for(live_city, TICK_WORKER="external")  # the test computes the pass itself
    catalog = load_catalog(app.server.config["RULES_FILE"])
    refresh = app.server.config["REFRESH_SECONDS"]
    tick = now_ts() // refresh * refresh
    assert not any(marked(c) for c in ("310101002", "310104", "310105"))
    wall_page, area_page = (dash.page_registry[f"pages.{name}"]["layout"] for name in ("wall", "area"))
    wall_page(area="310101002", kiosk="1")
    area_page(code="310104")
    area_page(code="310105", at="2026-11-20T10:00")  # a replay: nothing for the worker to keep
    assert marked("310101002") and marked("310104") and not marked("310105")
    assert compute_tick(catalog, tick, refresh, {}) == 2  # the worker's pass has both before any tick asks
    backend().set(HEARTBEAT_KEY, {"tick": tick, "last": tick - refresh}, timeout=60)
    assert shared_snapshot(catalog, STREET, tick)["tick"] == tick  # the first tick finds it: no wait


def test_a_pass_slower_than_half_the_refresh_is_logged_once_with_its_time(small_city, app_for, monkeypatch, caplog):
    """A 50-minute soak saw a street wall's stale banner twice, just past the hour, and no log said why:
    a pass long enough to make screens stale (2.5 refreshes) now leaves a warning with its time."""
    from data.wall import refresh

    app = app_for(small_city)
    worker = refresh.TickWorker(app.server, 2)
    cost = {"s": 0.0}
    monkeypatch.setattr(refresh, "compute_tick", lambda *a: time.sleep(cost["s"]) or 7)
    with caplog.at_level("DEBUG", logger="cityops.snapshot"):
        worker._compute(load_catalog, 1_000_000, {})  # fast: debug only
        cost["s"] = 1.2
        worker._compute(load_catalog, 1_000_002, {})
    here = threading.get_ident()  # not the tick threads other tests' apps may still run in this process
    slow = [r for r in caplog.records if r.levelname == "WARNING" and r.thread == here]
    assert len(slow) == 1 and "wall tick 1000002: 7 scopes took 1.2 s" in slow[0].getMessage()
    assert worker.last["scopes"] == 7 and worker.last["s"] >= 1.2


def test_a_stopped_worker_thread_ends_within_its_timeout(small_city, app_for):
    """Tick threads of earlier tests' apps kept ticking against removed database files and logged into
    later tests: `stop(timeout)` ends the thread (tests/conftest.py calls it for every app a test or module built)."""
    from data.wall import refresh

    app = app_for(small_city)
    refresh.watch(app.server, CITY, now_ts() // 10 * 10, 10)  # what a wall's tick does: the thread starts
    worker = app.server.extensions["cityops-tick-worker"]
    assert worker._thread.is_alive()
    worker.stop(timeout=10)
    assert not worker._thread.is_alive()
    worker.stop(timeout=10)  # twice, as a teardown after a test that stopped it: harmless
