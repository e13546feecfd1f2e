"""Load a synthetic Shanghai into a database: python -m data.seed --url URL --days D --incidents N --seed S.

Creates the schema (Alembic) if needed. With --live, keeps adding incidents, status changes and
readings until stopped. Bulk loading goes straight to the driver's executemany in chunks, then
rebuilds the rollups set-wise and runs the rules engine once, so the first screen has warnings.
"""

from __future__ import annotations

import argparse
import functools
import logging
import resource
import sys
import time

import numpy as np
import orjson
from sqlalchemy import Engine, delete, insert, select

from data.domain.timeutil import DAY, HOUR, now_ts, parse_local
from data.domain.vocab import CITY_CODE
from data.rules import engine as rules
from data.rules.config import load_catalog
from data.store import textsearch
from data.store.db import DOMAINS, bump_versions, get_engine, write_session
from data.store.models import Area, Base, DataVersion, Indicator, Milestone, Project
from data.store.schema import refresh_statistics, upgrade
from data.synthetic import generator as gen
from data.synthetic import projects as synthetic_projects
from data.synthetic import readings
from data.synthetic.geo import GridLocator, build_area_tree
from data.synthetic.load_incidents import bulk_insert, load_incidents
from data.write import responsibility, rollups, rollups_eval

log = logging.getLogger("cityops.seed")


@functools.cache
def _derived_area_json() -> bytes:  # bytes: immutable, so no caller can change what the next one gets
    return orjson.dumps([a.as_row() for a in build_area_tree()])


def derived_area_rows() -> list[dict]:
    """The derived tree's area-table rows: computed once per process (~1.5 s), and each call gets its own."""
    return orjson.loads(_derived_area_json())


def load_areas(engine: Engine, streets_geojson: str | None = None):
    """Build and insert the area tree; returns its records."""
    tree = build_area_tree(streets_geojson)
    rows = [a.as_row() for a in tree] if streets_geojson else derived_area_rows()
    with write_session(engine) as s:
        s.execute(insert(Area), rows)
        bump_versions(s, "areas")
    return tree


def load_indicators(engine: Engine, catalog) -> None:
    with write_session(engine) as s:
        s.execute(delete(Indicator))
        s.execute(
            insert(Indicator),
            [
                {
                    "code": i.code,
                    "name_zh": i.name_zh,
                    "name_en": i.name_en,
                    "category": i.category,
                    "unit": i.unit,
                    "direction": i.direction,
                    "bands": list(i.bands) if i.bands else None,
                    "interval_s": i.interval,
                    "area_level": i.area_level,
                    "decimals": i.decimals,
                }
                for i in catalog.indicators
            ],
        )


def rain_functions(areas: list[str], start: int, rain: np.ndarray, seed: int):
    """Per area, a function ts -> rain intensity (mm/h): the city profile, scaled per district."""
    rng = np.random.default_rng([seed, 4])
    funcs = {}
    for code in areas:
        scale = 1.0 if code == CITY_CODE else rng.uniform(0.6, 1.45)
        lag = 0 if code == CITY_CODE else rng.uniform(-1.5, 1.5)

        def f(ts, scale=scale, lag=lag):
            x = (ts - start) / HOUR - lag
            return scale * np.interp(x, np.arange(len(rain)), rain, left=0, right=0)

        funcs[code] = f
    return funcs


def load_readings(engine: Engine, catalog, districts: list[str], start: int, end: int, rain, seed: int) -> int:
    rf = rain_functions([CITY_CODE, *districts], start, rain, seed)
    rng = np.random.default_rng([seed, 5])
    breaching = set(rng.choice([i.code for i in catalog.indicators if i.bands], 4, replace=False).tolist())
    total = 0
    series_all = []
    with engine.begin() as conn:
        for ind in catalog.indicators:
            areas = [CITY_CODE, *districts] if ind.area_level == "district" else [CITY_CODE]
            series = readings.reading_series(ind, areas, start, end, rf, seed, ind.code in breaching)
            if ind.area_level == "district":  # the city value is the mean (rain: the max) of its districts
                vals = np.vstack([v for _, _, v in series[1:]])
                agg = (
                    vals.max(axis=0)
                    if ind.category in ("flood", "weather") and "rain" in ind.code
                    else vals.mean(axis=0)
                )
                series[0] = (CITY_CODE, series[0][1], np.round(agg, ind.decimals))
            for area, ts, values in series:
                rows = list(zip([ind.code] * len(ts), [area] * len(ts), ts.tolist(), values.tolist()))
                bulk_insert(conn, "reading", ("indicator_code", "area_code", "ts", "value"), rows)
                total += len(rows)
                series_all.append((ind, area, ts, values))
    rules.backfill_indicator_warnings(engine, series_all, end)
    return total


def load_projects(engine: Engine, n: int, end: int, districts, seed: int) -> None:
    projects = synthetic_projects.projects(n, end, districts, seed)
    with write_session(engine) as s:
        s.execute(insert(Project), [{k: v for k, v in p.items() if k != "milestones"} for p in projects])
        s.execute(insert(Milestone), [m for p in projects for m in p["milestones"]])


def has_data(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(Area.code).limit(1)).first() is not None


KEPT = {DataVersion.__tablename__, "users", "display_tokens", "access_log", "api_key"}  # accounts are not the city


def reset(engine: Engine) -> None:
    """Empty every table of the city (the schema, the accounts and the access log stay)."""
    with engine.begin() as conn:
        textsearch.clear(conn)
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT:
                conn.execute(table.delete())


def seed(
    url: str,
    *,
    days: int = 30,
    incidents: int = 300_000,
    seed_value: int = 1,
    end: int | None = None,
    projects: int = 64,
    rules_file: str = "data/rules/catalog.yaml",
    streets_geojson: str | None = None,
    replace: bool = False,
) -> dict:
    """Create the schema and load a synthetic city; returns timings and counts."""
    t0 = time.perf_counter()
    end = end if end is not None else now_ts() // 60 * 60
    start = end - days * DAY
    engine = get_engine(url)
    upgrade(engine)
    if has_data(engine):
        if not replace:
            raise SystemExit(f"{url}: the database already holds a city; pass --reset to replace it")
        reset(engine)
    catalog = load_catalog(rules_file)
    timings = {}
    tree = load_areas(engine, streets_geojson)
    districts = [a for a in tree if a.level == "district"]
    streets = [a for a in tree if a.level == "street"]
    load_indicators(engine, catalog)
    responsibility.replace_table(engine, responsibility.read_file(responsibility.DEFAULT))  # 依责承接, editable
    timings["areas"] = time.perf_counter() - t0
    rng = np.random.default_rng([seed_value, 0])
    rain = gen.rain_profile(start, days * 24, rng)
    pools = gen.build_pools(streets, GridLocator.from_records(tree), rng)
    timings["pools"] = time.perf_counter() - t0
    n_hist = load_incidents(engine, incidents, start, end, pools, rain, seed_value)
    timings["incidents"] = time.perf_counter() - t0
    n_read = load_readings(engine, catalog, [d.code for d in districts], start, end, rain, seed_value)
    timings["readings"] = time.perf_counter() - t0
    with engine.begin() as conn:
        textsearch.rebuild(conn)
    timings["text_index"] = time.perf_counter() - t0
    load_projects(engine, projects, end, districts, seed_value)
    with write_session(engine) as s:
        rollups.rebuild_all(s)
        rollups_eval.rebuild(s)
    timings["rollups"] = time.perf_counter() - t0
    rules.evaluate(engine, catalog, now=end)
    with write_session(engine) as s:
        bump_versions(s, *DOMAINS, now=end)
    refresh_statistics(engine, force=True)  # the planner needs the spread of each index to pick the list's sorts
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["total"] = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "incidents": incidents,
        "history": n_hist,
        "readings": n_read,
        "areas": len(tree),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "peak_rss_mb": round(peak_mb),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m data.seed", description=__doc__.splitlines()[0])
    p.add_argument("--url", help="database URL (default: DATABASE_URL or the instance SQLite file)")
    p.add_argument("--days", type=int, default=30, help="days of history (default 30)")
    p.add_argument("--incidents", type=int, default=300_000, help="number of incidents (default 300000)")
    p.add_argument("--projects", type=int, default=64)
    p.add_argument("--seed", type=int, default=1, help="random seed: same seed and --end, same city")
    p.add_argument("--end", help="end of history, 'YYYY-MM-DD HH:MM' Shanghai time (default now)")
    p.add_argument("--reset", action="store_true", help="replace the city if the database has one")
    p.add_argument("--if-empty", action="store_true", help="do nothing if the database already has a city")
    p.add_argument("--live", action="store_true", help="after loading (or on an existing city), keep adding data")
    p.add_argument("--live-only", action="store_true", help="do not load; only run the live simulator")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between live updates")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from config import Config  # the app's defaults, without importing Dash

    cfg = Config()
    url = args.url or cfg.DATABASE_URL
    if args.days < 1 or args.incidents < 0 or args.projects < 0:
        p.error("--days must be at least 1; --incidents and --projects cannot be negative")
    end = parse_local(args.end) if args.end else None
    engine = get_engine(url)
    if not args.live_only:
        if args.if_empty:
            upgrade(engine)
        if args.if_empty and has_data(engine):
            log.info("database already holds a city; not seeding")
        else:
            report = seed(
                url,
                days=args.days,
                incidents=args.incidents,
                seed_value=args.seed,
                end=end,
                projects=args.projects,
                rules_file=cfg.RULES_FILE,
                streets_geojson=cfg.STREETS_GEOJSON,
                replace=args.reset,
            )
            print(report, flush=True)
    if args.live or args.live_only:
        from data.synthetic.simulator import Simulator

        sim = Simulator(engine, load_catalog(cfg.RULES_FILE), seed=args.seed)
        try:
            sim.run_forever(args.interval)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
