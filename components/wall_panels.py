"""The wall's panels as pure functions of the snapshot (data.snapshot) and the language."""

from __future__ import annotations

from dash import html

from components.i18n import t
from components.kpi import bar_track, create_bars
from components.theme import HEAT, PROJECT_STATUS, level_colour, level_label
from components.wall_readings import clock_text, compact, counted, day_delta, rolling
from components.wall_scores import render_scores
from components.warnings_view import render_warnings  # noqa: F401  (callbacks/wall.py takes the panels from here)
from data.domain.areas import CODE_LEN
from data.domain.names import lang_index, name
from data.domain.vocab import CATEGORIES, OPEN_STATUSES, SOURCE_NAMES, STATUS_NAMES


def _bars(rows: list[tuple[str, int, int]], css: str) -> html.Div:
    """Label, bar (today) with a tick at yesterday's value, and the number."""
    return html.Div(create_bars(rows), className=f"wall-bars {css}")


def render_incidents(inc: dict, lang: str) -> list:
    """Today's count vs the same time yesterday, by source and category, the loop funnel,
    the closure rate and the overdue count (red when above zero)."""
    li = lang_index(lang)
    rate = inc["closure_rate_7d"]
    head = html.Div(
        className="inc-head",
        children=[
            html.Div(
                className="inc-big",
                children=[
                    html.Div(f"{inc['today']:,}", className="big-number num", **counted("inc-today")),
                    html.Div(
                        [
                            html.Span(t("yesterday_same", lang, n=f"{inc['yesterday']:,}"), className="nowrap"),
                            " ",
                            html.Span(day_delta(inc["today"], inc["yesterday"]), className="num delta nowrap"),
                            *_unlocated(inc.get("unlocated_today", 0), lang),
                        ],
                        className="sub",
                    ),
                ],
            ),
            html.Div(
                className="inc-stat",
                children=[
                    html.Div(t("closure_rate_7d", lang), className="sub"),
                    html.Div("—" if rate is None else f"{rate:.1%}", className="mid-number num", **counted("inc-rate")),
                ],
            ),
            html.Div(
                className="inc-stat overdue" + (" alert" if inc["overdue"] > 0 else ""),
                children=[
                    html.Div(t("overdue_now", lang), className="sub"),
                    html.Div(f"{inc['overdue']:,}", className="mid-number num", **counted("inc-overdue")),
                ],
            ),
            *render_scores(inc.get("scores"), lang),
        ],
    )
    sources = [(SOURCE_NAMES[s][li], *inc["by_source"].get(s, [0, 0])) for s in SOURCE_NAMES]
    cats = [(CATEGORIES[c][("zh", "en")[li]], a, b) for c, a, b in inc["by_category"][:5]]
    lists = html.Div(
        className="inc-lists",
        children=[
            html.Div(
                [
                    html.Div(
                        [t("by_source", lang), html.Span(t("mark_hint", lang), className="hint")], className="sub-title"
                    ),
                    _bars(sources, "sources"),
                ]
            ),
            html.Div([html.Div(t("by_category", lang), className="sub-title"), _bars(cats, "categories")]),
        ],
    )
    steps = [(s, t(f"step_{s}", lang), inc["funnel"].get(s, 0)) for s in OPEN_STATUSES]
    steps.append(("closed", t("closed_today_step", lang), inc["closed_today"]))  # a count of today, not a stock
    funnel = html.Div(
        className="funnel",
        children=[
            html.Div(
                className="funnel-step" + (" done" if i == len(steps) - 1 else ""),
                children=[
                    html.Div(compact(n, lang), className="num", **counted(f"funnel-{key}")),
                    html.Div(label, className="funnel-label"),
                ],
            )
            for i, (key, label, n) in enumerate(steps)
        ],
    )
    # closed today counts incidents reported on earlier days too: it can exceed today's reports, and says so
    supervised = inc.get("supervised", 0)  # 督办: on the stage line, so the panel keeps its shape
    loop_head = html.Div(
        [
            t("loop_now", lang),
            html.Span(t("closed_today_note", lang), className="hint"),
            html.Span(
                t("supervised_n", lang, n=f"{supervised:,}"), className="supervised" + (" on" if supervised else "")
            ),
        ],
        className="sub-title",
    )
    return [head, lists, html.Div([loop_head, funnel], className="inc-loop")]


def _unlocated(n: int, lang: str) -> list:
    """Of today's reports, those an import could not place (the city's wall only): said, never hidden."""
    return [" · ", html.Span(t("unlocated_of_today", lang, n=f"{n:,}"), className="nowrap")] if n else []


def render_projects(p: dict, lang: str) -> list:
    """Portfolio status (on track / at risk / late), budget execution and the most delayed projects."""
    if not p["count"]:
        return [html.Div(t("no_projects", lang), className="empty")]
    spent = p["spend"] / p["budget"] if p["budget"] else 0
    stats = html.Div(
        className="proj-stats",
        children=[
            *[
                html.Div(
                    className=f"proj-stat {key}",
                    children=[
                        html.Div(
                            f"{p['by_status'].get(key, 0)}",
                            className="mid-number num",
                            style={"color": PROJECT_STATUS[key]},
                            **counted(f"proj-{key}"),
                        ),
                        html.Div(t(key, lang), className="sub"),
                    ],
                )
                for key in ("on_track", "at_risk", "late")
            ],
            html.Div(
                className="proj-stat budget",
                children=[
                    html.Div(f"{spent:.0%}", className="mid-number num", **counted("proj-budget")),
                    html.Div(t("budget_execution", lang), className="sub"),
                    bar_track(min(spent, 1)),
                ],
            ),
        ],
    )
    rows = [
        html.Div(
            className="proj-row",
            children=[
                html.Span(t(f"{d['status']}_short", lang), className=f"proj-tag {d['status']}"),
                html.Span(name(d, lang), className="proj-name"),
                html.Span(
                    t("spi_line", lang, done=round(d["progress"] * 100), plan=round(d["planned"] * 100)),
                    className="proj-spi num",
                ),
            ],
        )
        for d in p["delayed"]
    ]
    head = [html.Div(t("delayed_head", lang), className="sub-title")] if rows else []
    return [stats, *head, rolling(rows, "proj-list")]


def _what(item: dict, lang: str) -> str:
    """The report's own title in Chinese; in English, its subcategory (a report's words are Chinese)."""
    if lang != "en":
        return item["title"]
    sub = CATEGORIES[item["category"]]["sub"].get(item.get("subcategory") or "")
    return sub[1] if sub else ""


def render_ticker(items: list[dict], lang: str, now: int | None = None) -> list:
    """The rolling line of the latest incidents (priority 1 marked), each with its time, and its day when
    that was not today ("昨天 15:07"); `now` is the snapshot's tick (default: the clock)."""
    li = lang_index(lang)
    out = []
    for x in items:
        out.append(
            html.Span(
                className="tick-item" + (" p1" if x["priority"] == 1 else ""),
                children=[
                    html.B(clock_text(x["at"], lang, now), className="num"),
                    " ",
                    name(x["street"], lang),
                    " · ",
                    CATEGORIES[x["category"]][("zh", "en")[li]],
                    " · ",
                    _what(x, lang),
                    " · ",
                    html.Span(STATUS_NAMES[x["status"]][li], className="tick-status"),
                ],
            )
        )
    return out


def _counted(levels: dict[str, int]) -> str:
    """The legend title's key: the kind of the areas counted, from the length of their codes."""
    size = len(next(iter(levels), ""))
    kind = next((k for k, n in CODE_LEN.items() if n == size), None)
    return f"legend_count_{kind}" if kind else "legend_areas"


def render_legend(
    levels: dict[str, int], breaks: list[int], lang: str, scope_level: int = 5, meanings: dict | None = None
) -> list:
    """Map legend: every colour with its text label and what it means, and how many areas have it (its
    title says which areas it counts: districts, streets or grids), the heat classes, the incident
    markers and the project colours; CSS shows the sections of the current layer. `levels`: {child area
    code: level}; `meanings`: {level: (zh, en)} from the catalogue's `levels`."""
    meanings = meanings or {}
    counts = {lv: 0 for lv in (1, 2, 3, 4, 5)}
    for lv in levels.values():
        counts[lv] = counts.get(lv, 0) + 1
    own = (
        []
        if scope_level == 5
        else [
            html.Div(
                className="legend-row legend-own",
                children=[
                    html.Span(className="swatch", style={"background": level_colour(scope_level)}),
                    html.Span(t("legend_scope", lang, level=level_label(scope_level, lang))),
                ],
            )
        ]
    )
    areas = html.Div(
        className="legend-sec sec-areas",
        children=[
            html.Div(t(_counted(levels), lang), className="legend-title"),
            *own,
            *[
                html.Div(
                    className="legend-row",
                    children=[
                        # how many areas have the colour, written in its swatch (the warning chips count warnings)
                        html.Span(
                            f"{counts[lv]}", className=f"swatch legend-n num lvl-{lv}" + ("" if counts[lv] else " zero")
                        ),
                        html.Span(
                            [
                                level_label(lv, lang),
                                *(
                                    [html.Span(f" · {meanings[lv][lang_index(lang)]}", className="legend-meaning")]
                                    if lv in meanings and lv < 5  # green is "正常" already
                                    else []
                                ),
                            ]
                        ),
                    ],
                )
                for lv in (1, 2, 3, 4, 5)
            ],
        ],
    )
    edges = [1, *[b for b in breaks]]
    heat_rows = []
    for i, lo in enumerate(edges[: len(HEAT)]):
        hi = edges[i + 1] - 1 if i + 1 < len(edges) else None
        label = f"≥ {lo:,}" if hi is None else (f"{lo:,}" if hi <= lo else f"{lo:,}–{hi:,}")
        heat_rows.append(
            html.Div(
                className="legend-row",
                children=[
                    html.Span(className="swatch", style={"background": HEAT[min(i, len(HEAT) - 1)]}),
                    html.Span(label, className="num"),
                ],
            )
        )
    heat = html.Div(
        [html.Div(t("legend_heat", lang), className="legend-title"), *heat_rows], className="legend-sec sec-heat"
    )
    markers = html.Div(
        className="legend-sec sec-markers",
        children=[
            html.Div(
                className="legend-row", children=[html.Span(className="dot"), html.Span(t("legend_markers", lang))]
            )
        ],
    )
    projects = html.Div(
        className="legend-sec sec-projects",
        children=[
            html.Div(t("legend_projects", lang), className="legend-title"),
            *[
                html.Div(
                    className="legend-row",
                    children=[html.Span(className="swatch", style={"background": c}), html.Span(t(k, lang))],
                )
                for k, c in PROJECT_STATUS.items()
            ],
        ],
    )
    return [areas, heat, markers, projects]
