"""The load test's figures: per kind of request the percentiles, errors and target, per stage a table,
and the summary with the knee of each target (bench/load.py collects the samples)."""

from __future__ import annotations

import math

TARGETS = {  # p95 ms by kind group, from issue 13; any error misses too
    "production": {"wall": 300, "pages": 1000},
    "embedded": {"wall": 500, "pages": 1000},
}
GROUP = {"wall tick": "wall", "wall open": "wall", "grid": "pages", "page tick": "pages", "area page": "pages"}
GROUP |= {"incidents page": "pages", "incident page": "pages", "login": "pages"}
UNTIMED = ("wall open", "login")  # reported, and their errors count, but no latency target
KINDS = ("wall tick", "wall open", "area page", "page tick", "incidents page", "grid", "incident page", "login")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def summarise(samples: list, setup: str) -> tuple[dict, list[str]]:
    """Per kind: count, p50/p95/p99/max ms, errors (and which); and what missed the targets."""
    kinds, missed = {}, []
    for kind in KINDS:
        ms = [m for k, m, _ in samples if k == kind]
        errs = [e for k, _, e in samples if k == kind and e]
        if not ms:
            continue
        row = {"n": len(ms), **{f"p{p}": round(percentile(ms, p)) for p in (50, 95, 99)}, "max": round(max(ms))}
        row["errors"] = len(errs)
        row["error_kinds"] = {e: errs.count(e) for e in sorted(set(errs))}
        row["target_p95"] = target = None if kind in UNTIMED else TARGETS[setup][GROUP[kind]]
        missed += [f"{kind} errors"] * bool(errs) + [f"{kind} p95"] * bool(target and row["p95"] >= target)
        kinds[kind] = row
    return kinds, missed


def print_stage(stage: dict) -> None:
    print(f"\n### stage {stage['stage']}: {stage['walls']} walls, {stage['desk']} desk users, {stage['seconds']} s")
    print(
        "| kind | n | p50 ms | p95 ms | p99 ms | max ms | errors | p95 target |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for kind, r in stage["kinds"].items():
        errs = f"{r['errors']} {r['error_kinds']}" if r["errors"] else "0"
        row = f"| {kind} | {r['n']} | {r['p50']} | {r['p95']} | {r['p99']} | {r['max']} | {errs} | {r['target_p95'] or ''} |"
        print(row)
    print(
        f"requests {stage['requests']} ({stage['requests'] / stage['seconds']:.1f}/s, at most {stage['max_inflight']} "
        f"in flight, {stage['resent']} sent again after the server closed a kept-alive connection); web CPU {stage['web_cpu_ms_per_request']} ms/request = {stage['web_cpu_pct']} % of the machine; "
        f"database+cache+sidecar {stage['other_cpu_pct']} %; load client {stage['client_cpu_pct']} %; "
        f"machine busy {stage['machine_busy_pct']} % (other programs {stage['others_on_machine_pct']} %) "
        f"-> {', '.join(stage['missed']) or 'met'}",
        flush=True,
    )


def print_summary(setup: str, stages: list[dict]) -> None:
    """One row per stage, for the issue's note."""
    t = TARGETS[setup]
    print(f"\n## {setup}: p95 targets wall tick < {t['wall']} ms, pages < {t['pages']} ms, 0 errors")
    print("| stage | walls | desk users | wall tick p50 / p95 / p99 ms | slowest page kind p95 ms | errors | ", end="")
    print("web CPU ms/request | web CPU % | machine busy % | |\n|---:|---:|---:|---|---|---:|---:|---:|---:|---|")
    for s in stages:
        w = s["kinds"].get("wall tick", {})
        page = max(
            ((r["p95"], k) for k, r in s["kinds"].items() if GROUP[k] == "pages" and k not in UNTIMED), default=(0, "-")
        )
        errors = sum(r["errors"] for r in s["kinds"].values())
        print(
            f"| {s['stage']} | {s['walls']} | {s['desk']} | {w.get('p50')} / {w.get('p95')} / {w.get('p99')} | "
            f"{page[0]} ({page[1]}) | {errors} | {s['web_cpu_ms_per_request']} | {s['web_cpu_pct']} | "
            f"{s['machine_busy_pct']} | {', '.join(s['missed']) or 'met'} |"
        )
