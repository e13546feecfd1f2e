"""Five-colour rules engine: evaluates the configured rules, opens, escalates and closes warnings.

Levels: 1 red, 2 orange, 3 yellow, 4 blue, 5 green (normal, never stored). A warning is keyed
by (kind, area, subject); a level change closes the old warning and opens a new one, so the
history shows when it escalated. An area's colour is the worst active warning inside it among those
whose rule colours areas (the catalogue's `colours_area`; project delays do not).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, insert, select

from data.domain.scope import CITY
from data.domain.timeutil import DAY, HOUR
from data.domain.vocab import unit_text
from data.read import metrics
from data.rules.config import Catalog, level_for
from data.store.db import bump_versions, write_session
from data.store.models import LatestReading, Project, Warning
from data.store.models_replay import WarningValue

log = logging.getLogger("cityops.rules")
COLOUR_ZH = {1: "红色", 2: "橙色", 3: "黄色", 4: "蓝色"}
COLOUR_EN = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}
STALE_FACTOR = 3  # a reading older than 3 expected intervals neither opens nor closes a warning


@dataclass(frozen=True)
class Finding:
    kind: str
    area_code: str
    subject: str
    rule_id: str
    level: int  # 1..5
    value: float | None
    cause_zh: str
    cause_en: str


def _fmt(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}"


def indicator_cause(ind, value: float, level: int) -> tuple[str, str]:
    """The sentence of an indicator warning at `level`, citing `value` against that level's own
    threshold: '高于' / 'above' for higher-is-worse, '低于' / 'below' for lower-is-worse, '达到' /
    'at' when the shown value equals the threshold. Empty for level 5 (no warning)."""
    if level >= 5 or ind.bands is None:
        return "", ""
    band = ind.bands[4 - level]
    v, b = _fmt(value, ind.decimals), _fmt(band, ind.decimals)
    up = ind.direction == "up"
    if v == b:
        zh, en = "达到", "at"
    else:
        zh, en = ("高于", "above") if up else ("低于", "below")
    unit_en = f" {unit_text(ind.unit, 'en')}" if ind.unit else ""
    return (
        f"{ind.name_zh} {v}{ind.unit}，{zh}{COLOUR_ZH[level]}预警阈值 {b}{ind.unit}",
        f"{ind.name_en} {v}{unit_en}, {en} the {COLOUR_EN[level]} threshold of {b}{unit_en}",
    )


def indicator_findings(conn, catalog: Catalog, now: int) -> tuple[list[Finding], set[tuple]]:
    """Findings from the latest readings, and the keys whose readings are stale (left untouched)."""
    rule = next(iter(catalog.rules_of("indicator")), None)
    if rule is None:
        return [], set()
    out, stale = [], set()
    for code, area, ts, value in conn.execute(
        select(LatestReading.indicator_code, LatestReading.area_code, LatestReading.ts, LatestReading.value)
    ):
        try:
            ind = catalog.indicator(code)
        except KeyError:
            continue
        if ind.bands is None:
            continue
        if now - ts > STALE_FACTOR * ind.interval:
            stale.add(("indicator", area, code))
            continue
        level = ind.level_of(value)
        out.append(Finding("indicator", area, code, rule.id, level, value, *indicator_cause(ind, value, level)))
    return out, stale


def spike_findings(conn, catalog: Catalog, now: int) -> list[Finding]:
    """Last whole window vs the mean of the same window on each of the previous baseline days."""
    out = []
    for rule in catalog.rules_of("spike"):
        hours = max(1, -(-rule.window_minutes // 60))
        end = now - now % HOUR
        start = end - hours * HOUR
        current = metrics.reported_by_area_hour(conn, CITY, start, end, rule.area_level)
        base: dict[str, float] = {}
        for d in range(1, rule.baseline_days + 1):
            for code, n in metrics.reported_by_area_hour(
                conn, CITY, start - d * DAY, end - d * DAY, rule.area_level
            ).items():
                base[code] = base.get(code, 0) + n / rule.baseline_days
        for code, n in current.items():
            if n < rule.min_count:
                continue
            b = max(base.get(code, 0.0), 1.0)
            ratio = n / b
            level = level_for(ratio, rule.levels.as_tuple())
            out.append(
                Finding(
                    "spike",
                    code,
                    "incidents",
                    rule.id,
                    level,
                    round(ratio, 2),
                    f"近{hours}小时事件 {n} 件，为基线 {b:.1f} 件的 {ratio:.1f} 倍",
                    f"{n} incidents in the last {hours} h, {ratio:.1f}x the baseline of {b:.1f}",
                )
            )
    return out


def overdue_findings(conn, catalog: Catalog, now: int) -> list[Finding]:
    out = []
    for rule in catalog.rules_of("overdue"):
        open_ = metrics.open_counts(conn, CITY, rule.area_level)
        for code, n in metrics.overdue_counts(conn, CITY, now, rule.area_level).items():
            if n < rule.min_count:
                continue
            share = n / max(open_.get(code, n), 1)
            level = level_for(share, rule.levels.as_tuple())
            out.append(
                Finding(
                    "overdue",
                    code,
                    "incidents",
                    rule.id,
                    level,
                    round(share, 3),
                    f"超期未办结事件 {n} 件，占在办 {share:.0%}",
                    f"{n} incidents past their deadline, {share:.0%} of open ones",
                )
            )
    return out


def schedule_performance(progress: float, planned_start: int, planned_end: int, now: int) -> tuple[float, float]:
    """(SPI, planned progress): actual progress over the progress the plan expects by now."""
    planned = min(1.0, max(0.0, (now - planned_start) / max(planned_end - planned_start, 1)))
    return (progress / planned if planned > 0 else 1.0), planned


def project_findings(conn, catalog: Catalog, now: int) -> list[Finding]:
    out = []
    rows = conn.execute(
        select(
            Project.id,
            Project.name_zh,
            Project.name_en,
            Project.district_code,
            Project.progress,
            Project.planned_start,
            Project.planned_end,
            Project.phase,
        )
    ).all()
    for rule in catalog.rules_of("project"):
        for pid, nzh, nen, district, progress, ps, pe, phase in rows:
            if phase == "operation" or now - ps < rule.min_days_in * DAY:
                continue
            spi, planned = schedule_performance(progress, ps, pe, now)
            level = level_for(spi, rule.levels.as_tuple(), higher_is_worse=False)
            out.append(
                Finding(
                    "project",
                    district,
                    str(pid),
                    rule.id,
                    level,
                    round(spi, 3),
                    f"{nzh}：进度绩效 {spi:.2f}（计划 {planned:.0%}，实际 {progress:.0%}）",
                    f"{nen}: schedule performance {spi:.2f} (plan {planned:.0%}, actual {progress:.0%})",
                )
            )
    return out


def evaluate(engine: Engine, catalog: Catalog, now: int) -> dict[str, int]:
    """Run every enabled rule at `now` and reconcile the warning table; returns what changed."""
    with engine.connect() as conn:
        ind, stale = indicator_findings(conn, catalog, now)
        findings = (
            ind
            + spike_findings(conn, catalog, now)
            + overdue_findings(conn, catalog, now)
            + project_findings(conn, catalog, now)
        )
    wanted = {(f.kind, f.area_code, f.subject): f for f in findings if f.level < 5}
    colours = {r.id: r.colours_area for r in catalog.rules}
    changes = {"opened": 0, "escalated": 0, "closed": 0, "restated": 0}
    with write_session(engine) as s:
        active = {
            (w.kind, w.area_code, w.subject): w for w in s.scalars(select(Warning).where(Warning.ended_at.is_(None)))
        }
        for key, w in active.items():
            f = wanted.get(key)
            if f is None and key not in stale:
                w.ended_at = now
                changes["closed"] += 1
            elif f is not None and f.level != w.level:
                w.ended_at = now
                changes["escalated"] += 1
            elif f is not None and (w.value, w.cause_zh, w.cause_en) != (f.value, f.cause_zh, f.cause_en):
                # same level, new value: the sentence follows the value it cites; the old one is kept for replays
                s.add(WarningValue(warning_id=w.id, until=now, value=w.value, cause_zh=w.cause_zh, cause_en=w.cause_en))
                w.value, w.cause_zh, w.cause_en = f.value, f.cause_zh, f.cause_en
                changes["restated"] += 1  # and the walls are told: their sentence changed
        for key, f in wanted.items():
            w = active.get(key)
            if w is None or w.level != f.level:
                s.add(
                    Warning(
                        level=f.level,
                        area_code=f.area_code,
                        kind=f.kind,
                        subject=f.subject,
                        rule_id=f.rule_id,
                        value=f.value,
                        cause_zh=f.cause_zh,
                        cause_en=f.cause_en,
                        started_at=now,
                        colours_area=colours.get(f.rule_id, True),
                    )
                )
                changes["opened"] += w is None
        if any(changes.values()):
            bump_versions(s, "warnings", now=now)
    if changes["opened"] or changes["escalated"] or changes["closed"]:  # a restated value is not news for the log
        log.info("warnings at %s: %s", now, changes)
    return changes


def backfill_indicator_warnings(engine: Engine, series: list, end: int) -> int:
    """Warnings history from loaded reading series (the seed): the last run of each is still active."""
    rows = [row for ind, area, ts, values in series for row in indicator_runs(ind, area, ts, values)]
    if rows:
        with write_session(engine) as s:
            s.execute(insert(Warning), rows)
    return len(rows)


def indicator_runs(ind, area: str, ts, values, tail_end: int | None = None) -> list[dict]:
    """Warning rows for one reading series (numpy arrays in time order): one per run of a band level (runs
    of a single reading are folded into their neighbours so noise does not flicker). The run that reaches
    the series' end ends at `tail_end`, or stays active when it is None (imported history ends; a seed's
    present does not)."""
    rows: list[dict] = []
    if ind.bands is None or len(ts) == 0:
        return rows
    b = np.array(ind.bands)
    hits = (values[:, None] >= b[None, :]) if ind.direction == "up" else (values[:, None] <= b[None, :])
    level = 5 - hits.sum(axis=1)  # 0 hits -> 5 green, 4 hits -> 1 red
    raw = level.copy()
    if len(level) > 2:
        lone = (level[1:-1] != level[:-2]) & (level[1:-1] != level[2:])
        level[1:-1][lone] = level[:-2][lone]
    cut = np.flatnonzero(np.diff(level)) + 1
    starts = np.concatenate([[0], cut])
    stops = np.concatenate([cut, [len(level)]])
    for a, z in zip(starts.tolist(), stops.tolist()):
        lv = int(level[a])
        if lv >= 5:
            continue
        run = values[a:z]
        own = run[raw[a:z] == lv]  # readings that are in the run's band themselves (not folded into it)
        if len(own) == 0:  # a run made only of folded readings: its worst reading sets the level
            own = run
        peak = float(own.max() if ind.direction == "up" else own.min())
        lv = ind.level_of(peak)  # the sentence cites a value inside the very band of the warning's level
        if lv >= 5:
            continue
        cause_zh, cause_en = indicator_cause(ind, peak, lv)
        rows.append(
            {
                "level": lv,
                "area_code": area,
                "kind": "indicator",
                "subject": ind.code,
                "rule_id": "indicator-bands",
                "value": peak,
                "started_at": int(ts[a]),
                "ended_at": int(ts[z]) if z < len(ts) else tail_end,
                "cause_zh": cause_zh,
                "cause_en": cause_en,
            }
        )
    return rows


def worst_level(levels) -> int:
    """The most severe of some levels (5, green, when there are none)."""
    return min(levels, default=5)
