"""Live mode: keeps adding incidents, status changes and readings, and re-evaluates the rules.

It writes only through data.writes, so rollups, data versions and caches stay correct.
"""

from __future__ import annotations

import logging
import math
import threading

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import Engine, func, select

from data.domain import vocab as it
from data.domain.actors import PLATFORMS
from data.domain.timeutil import DAY, HOUR, OFFSET, now_ts
from data.domain.vocab import OPEN_STATUSES, SOURCES
from data.rules import engine as rules
from data.rules.config import Catalog
from data.store.models import Area, Incident, LatestReading
from data.synthetic import generator as gen
from data.synthetic.geo import AreaRecord, GridLocator
from data.write import writes

log = logging.getLogger("cityops.simulator")
NEXT_ACTION = {
    "reported": "register",
    "registered": "dispatch",
    "dispatched": "start",
    "handling": "handled",
    "verifying": "verify_pass",
}
RATE_PER_S = 0.35  # mean new incidents per second across the city at the daily average hour


class Simulator:
    def __init__(self, engine: Engine, catalog: Catalog, seed: int = 1):
        self.engine = engine
        self.catalog = catalog
        self.rng = np.random.default_rng([seed, 99, now_ts()])
        self._pools = None
        self._last_rules = 0
        self._stop = threading.Event()
        self._seq = 0

    def _load_pools(self):
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Area.code, Area.level, Area.parent_code, Area.name_zh, Area.h3_cell, Area.geometry).where(
                    Area.level.in_(("street", "grid"))
                )
            ).all()
        streets = [
            AreaRecord(c, lv, p, n, n, shapely.make_valid(shape(geom)))
            for c, lv, p, n, _, geom in rows
            if lv == "street"
        ]
        locator = GridLocator([(c, p, cell) for c, lv, p, _, cell, _ in rows if lv == "grid"])
        self._pools = gen.build_pools(streets, locator, self.rng, pool=200)  # plenty for a live trickle
        with self.engine.connect() as conn:
            self._seq = conn.execute(select(func.max(Incident.id))).scalar() or 0

    def new_incidents(self, now: int, seconds: float) -> list[int]:
        if self._pools is None:
            self._load_pools()
        hour = ((now + OFFSET) // HOUR) % 24
        n = int(self.rng.poisson(RATE_PER_S * seconds * gen.DIURNAL[hour] / gen.DIURNAL.mean()))
        if n == 0:
            return []
        p = self._pools
        records = []
        for _ in range(n):
            src = SOURCES[int(self.rng.choice(len(SOURCES), p=[it.SOURCE_SHARE[s] for s in SOURCES]))]
            mix = it.SOURCE_MIX[src]
            cats = list(mix)
            cat = cats[int(self.rng.choice(len(cats), p=np.array(list(mix.values())) / sum(mix.values())))]
            cdef = it.CATEGORIES[cat]
            sub = list(cdef["sub"])[int(self.rng.integers(0, len(cdef["sub"])))]
            st = int(self.rng.choice(len(p.street_codes), p=p.weights))
            slot = int(self.rng.integers(0, p.lon.shape[1]))
            priority = int(self.rng.choice([1, 2, 3], p=[0.06, 0.25, 0.69]))
            road = gen.ROADS[int(self.rng.integers(0, len(gen.ROADS)))]
            self._seq += 1
            name = phone = None
            if src in ("hotline", "police", "patrol"):
                name = gen.SURNAMES[int(self.rng.integers(0, len(gen.SURNAMES)))] + "".join(
                    gen.GIVEN[int(k)] for k in self.rng.integers(0, len(gen.GIVEN), 2)
                )
                phone = f"1{int(self.rng.choice([3, 5, 7, 8, 9]))}{int(self.rng.integers(0, 10**9)):09d}"
            records.append(
                {
                    "source": src,
                    "external_id": f"LIVE{now}{self._seq:07d}",
                    "kind": cdef["kind"],
                    "category": cat,
                    "subcategory": sub,
                    "title": f"{p.street_names[st]}{road}{cdef['sub'][sub][0]}",
                    "description": f"{road}附近{cdef['sub'][sub][0]}，请核实处置。",
                    "district_code": str(p.district_codes[st]),
                    "street_code": str(p.street_codes[st]),
                    "grid_code": p.grid[st, slot],
                    "h3_cell": int(p.cell[st, slot]),
                    "lon": round(float(p.lon[st, slot]), 6),
                    "lat": round(float(p.lat[st, slot]), 6),
                    "reported_at": now,
                    "status": "reported",
                    "status_at": now,
                    "due_at": it.step_due("reported", now, priority),
                    "closed_at": None,
                    "priority": priority,
                    "assigned_unit": None,
                    "reporter_name": name,
                    "reporter_phone": phone,
                }
            )
        return writes.add_incidents(self.engine, records, actor_of=lambda r: PLATFORMS[r["source"]][0], now=now)

    def advance_incidents(self, now: int, k: int) -> int:
        """Move up to k open incidents one step (the ones waiting longest first, with some randomness)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Incident.id, Incident.status, Incident.version, Incident.category)
                .where(Incident.status.in_(OPEN_STATUSES))
                .order_by(Incident.status_at)
                .limit(k * 4)
            ).all()
        moved = 0
        for idx in self.rng.permutation(len(rows))[:k]:
            inc_id, status, version, cat = rows[int(idx)]
            action = NEXT_ACTION[status]
            unit = None
            if action == "dispatch":
                units = it.CATEGORIES[cat]["units"]
                unit = units[int(self.rng.integers(0, len(units)))]
            try:
                writes.apply_action(
                    self.engine, inc_id, action, actor="simulator", expected_version=version, unit=unit, now=now
                )
                moved += 1
            except writes.WriteError as exc:  # someone (a duty officer) moved it first: fine
                log.debug("simulator skipped incident %s: %s", inc_id, exc)
        return moved

    def new_readings(self, now: int) -> int:
        with self.engine.connect() as conn:
            latest = {
                (c, a): (ts, v)
                for c, a, ts, v in conn.execute(
                    select(LatestReading.indicator_code, LatestReading.area_code, LatestReading.ts, LatestReading.value)
                )
            }
        rows = []
        h = ((now + OFFSET) % DAY) / HOUR
        for ind in self.catalog.indicators:
            if ind.sim.stale_hours:
                continue  # these feeds are "broken": they stay stale so freshness shows
            sim = ind.sim
            for (code, area), (ts, last) in latest.items():
                if code != ind.code or now - ts < ind.interval:
                    continue
                cycle = math.cos(2 * math.pi * (h - sim.peak) / 24)
                target = sim.base + sim.amp * cycle
                value = last + 0.15 * (target - last) + float(self.rng.normal(0, sim.noise * 0.5))
                rows.append(
                    {
                        "indicator_code": code,
                        "area_code": area,
                        "ts": now,
                        "value": round(min(max(value, sim.lo), sim.hi), ind.decimals),
                    }
                )
        writes.add_readings(self.engine, rows, now=now)
        return len(rows)

    def step(self, now: int, seconds: float) -> dict:
        out = {
            "new": len(self.new_incidents(now, seconds)),
            "moved": self.advance_incidents(now, max(1, int(seconds))),
            "readings": self.new_readings(now),
        }
        if now - self._last_rules >= 60:
            rules.evaluate(self.engine, self.catalog, now)
            self._last_rules = now
        return out

    def run_forever(self, interval: float) -> None:
        log.info("live simulator on: a step every %.1f s", interval)
        while not self._stop.is_set():
            try:
                self.step(now_ts(), interval)
            except Exception:  # a failed step must not end live mode; the next one retries
                log.exception("simulator step failed")
            self._stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()

    def start_thread(self, interval: float) -> threading.Thread:
        t = threading.Thread(target=self.run_forever, args=(interval,), name="cityops-simulator", daemon=True)
        t.start()
        return t
