"""How fast do a city's tickets get in? `cityops import incidents` on the embedded SQLite, at 1M rows.

    python -m bench.imports [--rows 1000000] [--repeat 3] [--keep]

Writes a 12345-style work-order export (GB18030, as hotline platforms export it, listed by 受理时间) of
--rows tickets over the last 90 days: 85 % closed, 10 % with no coordinates but a street name, 1 % outside the city, the rest
placed by GCJ-02 coordinates inside real streets; imports it into a fresh database that holds only the area
tree (with the shipped hotline12345 mapping), then imports it again (every row unchanged). Reports the
median seconds and rows/s of each over --repeat runs; results go to bench/results/imports-N.json. The
target (issue 14): 1M rows in under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.run import RESULTS
from data.domain.timeutil import DAY, now_ts, to_dt
from data.ingest.mapping import load
from data.ingest.run import import_incidents
from data.store.db import dispose_engine, get_engine
from data.store.schema import upgrade
from data.synthetic.geo import build_area_tree, random_points_in
from data.synthetic.seed import load_areas

MAPPING = Path(__file__).resolve().parent.parent / "data" / "ingest" / "mappings" / "hotline12345.yaml"
HEADER = "工单编号,受理时间,办结时间,最后处理时间,工单状态,问题分类,诉求标题,诉求内容,纬度,经度,事发地址,所属街镇,所属区,承办单位,紧急程度"
CATS = ["占道经营", "暴露垃圾", "违法停车", "噪声扰民", "路灯不亮", "物业服务", "道路积水", "井盖缺失", "其他诉求"]


def write_export(path: Path, rows: int, now: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    streets = [a for a in build_area_tree() if a.level == "street"]
    weights = np.array([a.geom.area for a in streets])
    pick = rng.choice(len(streets), rows, p=weights / weights.sum())
    lon, lat = np.zeros(rows), np.zeros(rows)
    for k in np.unique(pick):
        idx = np.flatnonzero(pick == k)
        pts = random_points_in(streets[k].geom, len(idx), rng)
        lon[idx], lat[idx] = pts[:, 0], pts[:, 1]
    reported = np.sort(now - rng.integers(0, 90 * DAY, rows))  # exports list work orders by 受理时间
    closed = rng.random(rows) < 0.85
    took = rng.exponential(2 * DAY, rows).astype(int) + 600
    no_point = rng.random(rows) < 0.10
    outside = rng.random(rows) < 0.01

    def when(ts):
        return to_dt(int(ts)).strftime("%Y-%m-%d %H:%M:%S")

    with path.open("w", encoding="gb18030", newline="") as fh:
        fh.write(HEADER + "\n")
        for i in range(rows):
            s = streets[pick[i]]
            end = min(int(reported[i] + took[i]), now)
            status = "已办结" if closed[i] else "处理中"
            x, y = ("", "") if no_point[i] else (f"{lon[i] + (5 if outside[i] else 0):.6f}", f"{lat[i]:.6f}")
            fh.write(
                f"RX{i:09d},{when(reported[i])},{when(end) if closed[i] else ''},{when(end)},{status},"
                f"{CATS[i % len(CATS)]},诉求{i},市民反映第{i}号问题,{y},{x},某路{i % 997}号,"
                f"{s.name_zh if no_point[i] else ''},,,一般\n"
            )


def _fresh(folder: Path) -> str:
    url = f"sqlite:///{folder / f'import-{time.monotonic_ns()}.sqlite'}"
    engine = get_engine(url)
    upgrade(engine)
    load_areas(engine)
    return url


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the export and the databases")
    args = ap.parse_args(argv)
    now = now_ts()
    mapping = load(MAPPING, "incidents")
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        folder = Path(tmp)
        export = folder / f"hotline-{args.rows}.csv"
        t0 = time.perf_counter()
        write_export(export, args.rows, now)
        print(f"export: {args.rows:,} rows, {export.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s")
        first, again, report = [], [], None
        for k in range(args.repeat):
            url = _fresh(folder)
            t0 = time.perf_counter()
            report = import_incidents(get_engine(url), export, mapping, now=now)
            first.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            same = import_incidents(get_engine(url), export, mapping, now=now)
            again.append(time.perf_counter() - t0)
            assert same.unchanged == report.inserted, same.as_json()
            dispose_engine(url)
            print(f"run {k + 1}: first import {first[-1]:.1f} s, re-import {again[-1]:.1f} s", flush=True)
        med, med_again = statistics.median(first), statistics.median(again)
        out = {
            "rows": args.rows,
            "report": report.as_json(),
            "import_s": [round(x, 1) for x in first],
            "reimport_s": [round(x, 1) for x in again],
            "median_import_s": round(med, 1),
            "median_rows_per_s": round(args.rows / med),
            "median_reimport_s": round(med_again, 1),
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        (RESULTS / f"imports-{args.rows}.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        if args.keep:
            print("kept:", export)
            input("press Enter to delete")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
