"""Live mode: keeps adding incidents, status changes and readings, and re-evaluates the rules.

It continues the seeded history with the generator's own model (data.synthetic.model): reports arrive
at the rate the last seven days had, shaped by the hour and the weekday; each open incident leaves its
stage with the probability the stage's duration distribution gives at its age; vital signs follow
the same daily shape (and night profile) as their history, their deviation fading as it did there.
It writes only through data.write, so rollups, data versions and caches stay correct.
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
from data.domain.timeutil import DAY, HOUR, now_ts
from data.domain.vocab import CITY_CODE, OPEN_STATUSES, SOURCES
from data.rules import engine as rules
from data.rules.config import Catalog
from data.rules.dispatch import auto_dispatch
from data.store.models import Area, Incident, LatestReading
from data.synthetic import generator as gen
from data.synthetic import model
from data.synthetic.geo import AreaRecord, GridLocator
from data.synthetic.load_incidents import PLATFORM
from data.write import retry, writes

log = logging.getLogger("cityops.simulator")
RATE_WINDOW = 7 * DAY  # the arrival rate continues this much history
DEFAULT_PER_DAY = 10_000  # an empty city (no history to continue) gets this many reports a day
MAX_MOVES = 300  # per step: after a long pause the backlog moves over several steps, not in one
CATCH_UP = HOUR  # the most time one step makes up for after an outage: longer gaps stay gaps


def _platform_actor(record: dict) -> str:
    """The account that files a report from its source's platform (as history has it)."""
    return PLATFORMS[record["source"]][0]


class Simulator:
    def __init__(self, engine: Engine, catalog: Catalog, seed: int = 1, rng_seed: int | None = None):
        """rng_seed: fixes the random stream (tests); by default each run differs."""
        self.engine = engine
        self.catalog = catalog
        self.rng = np.random.default_rng([seed, 99, now_ts() if rng_seed is None else rng_seed])
        self._pools = None
        self._rate: tuple[int, float] | None = None  # (computed at, reports per weight-second)
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

    def report_rate(self, now: int) -> float:
        """Expected new reports per second at `now`: the last week's own count spread over the week by
        the model's rhythm (re-read hourly), times the rhythm's weight now."""
        if self._rate is None or now - self._rate[0] >= HOUR:
            with self.engine.connect() as conn:
                count = conn.execute(
                    select(func.count()).where(Incident.reported_at >= now - RATE_WINDOW, Incident.reported_at < now)
                ).scalar()
            hours = now - RATE_WINDOW + np.arange(RATE_WINDOW // HOUR) * HOUR + HOUR // 2
            weight_seconds = float(model.report_weight(hours).sum()) * HOUR
            if count:
                per_weight = count / weight_seconds
            else:
                per_weight = DEFAULT_PER_DAY / (float(model.DIURNAL.mean()) * DAY)
            self._rate = (now, per_weight)
        return self._rate[1] * float(model.report_weight(now))

    def new_incidents(self, now: int, seconds: float) -> list[int]:
        """Draw the reports of the `seconds` before `now` and write them; their ids."""
        return self.write_incidents(self.draw_incidents(now, seconds), now)

    def write_incidents(self, records: list[dict], now: int) -> list[int]:
        """Write drawn reports; written again after a failure, the ones that landed are not added twice."""
        if not records:
            return []
        return writes.add_incidents(self.engine, records, actor_of=_platform_actor, now=now, skip_existing=True)

    def draw_incidents(self, now: int, seconds: float) -> list[dict]:
        """The new reports (Incident columns) arriving in the `seconds` before `now`; nothing is written."""
        if self._pools is None:
            self._load_pools()
        n = int(self.rng.poisson(self.report_rate(now) * seconds))
        if n == 0:
            return []
        p = self._pools
        a = gen.attributes(self.rng, n, np.zeros(n), p)
        records = []
        for i in range(n):
            src, cat = SOURCES[int(a["src"][i])], gen.CATS[int(a["cat"][i])]
            cdef = it.CATEGORIES[cat]
            sub = str(a["sub"][i])
            st, slot = int(a["street"][i]), int(a["slot"][i])
            self._seq += 1
            name = phone = None
            if src in ("hotline", "police", "patrol"):
                name = gen.SURNAMES[int(self.rng.integers(0, len(gen.SURNAMES)))] + "".join(
                    gen.GIVEN[int(k)] for k in self.rng.integers(0, len(gen.GIVEN), 2)
                )
                phone = f"1{int(self.rng.choice([3, 5, 7, 8, 9]))}{int(self.rng.integers(0, 10**9)):09d}"
            grid = p.grid[st, slot]
            title, description = gen.report_text(
                p.street_names[st], grid, int(self.rng.integers(1, 1800)), cdef["sub"][sub][0], PLATFORM[src]
            )
            records.append(
                {
                    "source": src,
                    "external_id": f"LIVE{now}{self._seq:07d}",
                    "kind": cdef["kind"],
                    "category": cat,
                    "subcategory": sub,
                    "title": title,
                    "description": description,
                    "district_code": str(p.district_codes[st]),
                    "street_code": str(p.street_codes[st]),
                    "grid_code": grid,
                    "h3_cell": int(p.cell[st, slot]),
                    "lon": round(float(p.lon[st, slot]), 6),
                    "lat": round(float(p.lat[st, slot]), 6),
                    "reported_at": now,
                    "priority": int(a["priority"][i]),
                    "reporter_name": name,
                    "reporter_phone": phone,
                }
            )
        return records

    def advance_incidents(self, now: int, seconds: float, tally: dict | None = None) -> int:
        """Move each open incident on with the probability its stage's duration gives at its age; the
        number moved (also counted into tally["moved"] as they land, for a step cut short)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    Incident.id,
                    Incident.status,
                    Incident.status_at,
                    Incident.priority,
                    Incident.version,
                    Incident.category,
                    Incident.assigned_unit,
                    Incident.source,
                    Incident.subcategory,
                ).where(Incident.status.in_(OPEN_STATUSES), Incident.status_at <= now, Incident.parked_at.is_(None))
            ).all()
        due = []
        for status in OPEN_STATUSES:
            group = [r for r in rows if r.status == status]
            if not group:
                continue
            prob = model.move_probability(
                status,
                [r.priority for r in group],
                [now - r.status_at for r in group],
                seconds,
                [r.subcategory or "other" for r in group] if status == "handling" else None,
            )
            due += [r for r, p in zip(group, prob) if self.rng.random() < p]
        moved = 0
        for idx in self.rng.permutation(len(due))[:MAX_MOVES]:
            r = due[int(idx)]
            action, actor, unit, comment = model.next_move(self.rng, r.status, r.category, r.assigned_unit, r.source)
            try:
                writes.apply_action(
                    self.engine,
                    r.id,
                    action,
                    actor=actor,
                    expected_version=r.version,
                    unit=unit,
                    comment=comment,
                    now=now,
                )
                moved += 1
                if tally is not None:
                    tally["moved"] = tally.get("moved", 0) + 1
            except writes.WriteError as exc:  # someone (a duty officer) moved it first: fine (Busy is not one)
                log.debug("simulator skipped incident %s: %s", r.id, exc)
        return moved

    def new_readings(self, now: int) -> int:
        """A reading per series whose interval has passed: the model's value now plus the series' own
        deviation from the model, fading as in the generator; a district indicator's city value is
        the mean (rain: the maximum) of its districts, as seeded."""
        with self.engine.connect() as conn:
            latest = {
                (c, a): (ts, v)
                for c, a, ts, v in conn.execute(
                    select(LatestReading.indicator_code, LatestReading.area_code, LatestReading.ts, LatestReading.value)
                )
            }
        rows = []
        for ind in self.catalog.indicators:
            if ind.sim.stale_hours:
                continue  # these feeds are "broken": they stay stale so freshness shows
            series = {a: tv for (c, a), tv in latest.items() if c == ind.code}
            values = {}
            for area, (ts, last) in series.items():
                if now - ts < ind.interval or (ind.area_level == "district" and area == CITY_CODE):
                    continue
                values[area] = self._next_value(ind, area, ts, last, now, latest)
            if ind.area_level == "district" and CITY_CODE in series and now - series[CITY_CODE][0] >= ind.interval:
                current = [values.get(a, tv[1]) for a, tv in series.items() if a != CITY_CODE]
                if current:
                    rainy = ind.category in ("flood", "weather") and "rain" in ind.code
                    values[CITY_CODE] = max(current) if rainy else sum(current) / len(current)
            rows += [
                {
                    "indicator_code": ind.code,
                    "area_code": area,
                    "ts": now,
                    "value": round(min(max(v, ind.sim.lo), ind.sim.hi), ind.decimals),
                }
                for area, v in values.items()
            ]
        writes.add_readings(self.engine, rows, now=now)
        return len(rows)

    def _next_value(self, ind, area: str, ts: int, last: float, now: int, latest: dict) -> float:
        sim = ind.sim
        if sim.cumulative:  # a running 24-hour total: old rain leaves the window, current rain enters it
            rate = latest.get((sim.cumulative, area), (now, 0.0))[1]
            return max(0.0, last * (1 - (now - ts) / DAY)) + max(rate, 0.0) * (now - ts) / HOUR
        scale = model.area_scale(ind.code, area, CITY_CODE)
        steps = max(1.0, (now - ts) / ind.interval)
        fade = model.AR_PHI**steps
        deviation = last - float(model.reading_shape(ind, ts)) * scale
        noise = sim.noise * math.sqrt(1 - fade**2) * float(model.noise_scale(ind, now))
        return float(model.reading_shape(ind, now)) * scale + fade * deviation + float(self.rng.normal(0, noise))

    def step(self, now: int, seconds: float, budget: float = retry.BUDGET) -> dict:
        """One step of live data, written whole: on a transient database failure (a long write lock, the
        server restarting) the step is tried again with backoff for up to `budget` seconds, resuming after
        the stages that landed; its reports are drawn once, so a retry never adds them twice. A step that
        still cannot be written is counted and logged as lost (data.write.retry) and its error raised."""
        done: dict = {}

        def attempt() -> dict:
            if "records" not in done:
                done["records"] = self.draw_incidents(now, seconds)
            if "new" not in done:
                done["new"] = len(self.write_incidents(done["records"], now))
            if "advanced" not in done:
                self.advance_incidents(now, seconds, tally=done)  # a replay re-reads: moved ones are at age 0
                done["advanced"] = True
            if "readings" not in done:
                done["readings"] = self.new_readings(now)  # a replay finds the series already at `now`
            if now - self._last_rules >= 60:
                rules.evaluate(self.engine, self.catalog, now)  # reconciles: running it twice changes nothing
                done["moved"] = done.get("moved", 0) + 2 * auto_dispatch(self.engine, now)  # 立案 + 派遣 each
                self._last_rules = now
            return {"new": done["new"], "moved": done.get("moved", 0), "readings": done["readings"]}

        return retry.background(attempt, "simulator step", budget=budget)

    def run_forever(self, interval: float) -> None:
        """A step every `interval` seconds. Each step covers the time since the last one that landed
        (up to CATCH_UP), so after an outage or a lost step the city catches up instead of skipping."""
        log.info("live simulator on: a step every %.1f s", interval)
        landed = now_ts() - interval  # as if a step had landed one interval ago
        while not self._stop.is_set():
            now = now_ts()
            seconds = min(max(now - landed, 1), CATCH_UP)
            try:
                self.step(now, seconds)
                landed = now
            except Exception:  # counted and logged as lost already; the next step covers its time
                pass
            self._stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()

    def start_thread(self, interval: float) -> threading.Thread:
        t = threading.Thread(target=self.run_forever, args=(interval,), name="cityops-simulator", daemon=True)
        t.start()
        return t
