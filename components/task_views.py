"""The open work of /tasks as cards: one per incident waiting on a unit, the category, where it is, its step,
the time left or overdue (red once overdue, amber in its last hour), 督办 and 紧急 flags, the whole card a link
to the incident. tasks_view() turns data.read.tasks.open_tasks into plain words and numbers (what the refresh
compares), render_tasks() turns those into components."""

from __future__ import annotations

import hashlib
import json
import math

from dash import dcc, html

from components.i18n import t
from components.incident_moves import stages_of
from components.links import href
from data.domain.limits import category_of
from data.domain.names import lang_index, name
from data.domain.vocab import CATEGORIES, STATUS_NAMES, unit_name

SOON_S = 3600  # under an hour left: amber
CLOCK_S = 60  # the clocks move by the minute: a view is made at its minute's start, so a refresh within the minute
# resends nothing and every screen of a scope shares one read


def compact_duration(seconds: int, lang: str) -> str:
    """'2小时15分' / '40分' / '1天3小时' (en: '2 h 15 min' / '40 min' / '1 d 3 h'), whole minutes rounded up, at
    least one."""
    minutes = max(1, math.ceil(abs(int(seconds)) / 60))
    d, h, m = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if d:
        return t("dur_dh", lang, d=d, h=h)
    return t("dur_hm", lang, h=h, m=m) if h else t("dur_m", lang, m=m)


def time_left(due_at: int | None, parked: bool, now: int, lang: str) -> tuple[str, str]:
    """The card's clock as (words, level): level 'over' past the deadline, 'soon' within the last hour, 'ok'
    before that, 'none' without a deadline (parked, or none set)."""
    if due_at is None:
        return t("task_parked" if parked else "task_no_due", lang), "none"
    left = due_at - now
    if left < 0:
        return t("task_over", lang, t=compact_duration(-left, lang)), "over"
    return t("task_left", lang, t=compact_duration(left, lang)), "soon" if left < SOON_S else "ok"


def place_of(row: dict, names: dict, lang: str) -> str:
    """District · street · grid n (and the address a source wrote, when there is one)."""
    li = lang_index(lang)
    parts = [(names.get(c) or (c, c))[li] for c in (row["district_code"], row["street_code"]) if c]
    if row["grid_code"]:
        parts.append(t("grid_no", lang, n=int(row["grid_code"][9:])))
    if row.get("address"):
        parts.append(row["address"])
    return " · ".join(parts) or t("unlocated", lang)


def category_name(row: dict, lang: str) -> str:
    """The standard small class's name (道路不洁), else the app's subcategory or category name."""
    cat = category_of(row.get("std_code"), row.get("kind"), row.get("subcategory"))
    if cat is not None:
        return cat.name(lang)
    known = CATEGORIES.get(row["category"]) or {}
    sub = (known.get("sub") or {}).get(row["subcategory"])
    return sub[lang_index(lang)] if sub else name(known, lang) if known else row["category"]


def card_view(row: dict, now: int, names: dict, lang: str, with_unit: bool) -> dict:
    """One card's words and flags."""
    text, level = time_left(row["due_at"], row.get("parked_at") is not None, now, lang)
    stages = stages_of(row, lang)
    stage = ""
    if stages:
        x = min(row.get("stage") or 0, len(stages) - 1)
        stage = t("inc_stage", lang, x=x + 1, n=len(stages), name=stages[x])
    return {
        "id": row["id"],
        "href": href(f"/incidents/{row['id']}", lang),
        "category": category_name(row, lang),
        "place": place_of(row, names, lang),
        "status": row["status"],
        "step": t(f"task_status_{row['status']}", lang),
        "stage": stage,
        "time": text,
        "level": level,
        "supervised": row.get("supervised_at") is not None,
        "urgent": row.get("priority") == 1,
        "unit": unit_name(row["assigned_unit"], lang) if with_unit else "",
    }


def tasks_view(data: dict, now: int, names: dict, lang: str, unit: str | None) -> dict:
    """The page's content from data.read.tasks.open_tasks: the counts, the cards, and the incident list's links
    for what is not listed. `unit`: the reader's own unit (role unit), whose cards need not name it."""
    cards = [card_view(r, now, names, lang, with_unit=unit is None) for r in data["rows"]]
    more = data["total"] - len(cards)
    li = lang_index(lang)
    links = [
        (t("tasks_more_link", lang, status=STATUS_NAMES[s][li], n=n), href("/incidents", lang, window="all", status=s))
        for s, n in data["by_status"].items()
        if n
    ]
    return {
        "unit": unit_name(unit, lang) if unit else "",
        "total": data["total"],
        "overdue": data["overdue"],
        "cards": cards,
        "more": max(0, more),
        "links": links if more > 0 else [],
        "hint": t("tasks_hint_unit" if unit else "tasks_hint_area", lang),
        "empty": t("tasks_empty_unit" if unit else "tasks_empty_area", lang),
    }


def view_sig(view: dict) -> str:
    """What the refresh compares: a new tick resends the cards only when a word or a number on them changed."""
    return hashlib.md5(json.dumps(view, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def _card(c: dict, lang: str) -> dcc.Link:
    flags = [
        *([html.Span(t("badge_supervised", lang), className="badge badge-supervised")] if c["supervised"] else []),
        *([html.Span(t("task_urgent", lang), className="badge task-urgent")] if c["urgent"] else []),
    ]
    return dcc.Link(
        [
            html.Div(
                [html.Span(c["category"], className="task-cat"), *flags, html.Span(c["step"], className="task-step")],
                className="task-top",
            ),
            html.Div(c["place"], className="task-place"),
            *([html.Div(c["stage"], className="task-stage")] if c["stage"] else []),
            html.Div(
                [
                    html.Span(c["time"], className="task-time"),
                    *([html.Span(c["unit"], className="unit-chip")] if c["unit"] else []),
                    html.Span(f"#{c['id']}", className="task-ref"),
                ],
                className="task-bottom",
            ),
        ],
        href=c["href"],
        className=f"task-card task-{c['level']} status-{c['status']}",
    )


def render_tasks(view: dict, lang: str) -> list:
    """The counts line, the cards (or the empty sentence), and the links to the rest."""
    counts = [
        *([html.Span(view["unit"], className="task-unit")] if view["unit"] else []),
        html.Span(t("tasks_count", lang, n=view["total"]), className="task-total"),
        html.Span(
            t("tasks_overdue", lang, n=view["overdue"]),
            className="task-overdue" + (" none" if not view["overdue"] else ""),
        ),
    ]
    out = [html.Div(counts, className="tasks-counts"), html.P(view["hint"], className="tasks-hint")]
    if not view["cards"]:
        return [*out, html.Div(view["empty"], className="empty tasks-empty")]
    out.append(html.Div([_card(c, lang) for c in view["cards"]], className="task-cards"))
    if view["more"]:
        out.append(
            html.Nav(
                [
                    html.Span(t("tasks_more", lang, n=view["more"]), className="tasks-more-title"),
                    *[
                        dcc.Link(label, href=link, className="range-link tasks-more-link")
                        for label, link in view["links"]
                    ],
                ],
                className="tasks-more",
            )
        )
    return out
