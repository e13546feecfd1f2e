"""One incident's page body: facts (reporter masked upstream), deadline, timeline, repeats, actions."""
from __future__ import annotations

from dash import dcc, html

from components.i18n import format_duration, t
from components.ids import INCIDENT
from data.incident_types import ACTIONS, CATEGORIES, SOURCE_NAMES, STATUS_NAMES
from data.timeutil import to_dt


def allowed_actions(status: str) -> list[str]:
    """The moves the allowed-moves table offers from a status (the server enforces the same table)."""
    return [a for a, (frm, _, _) in ACTIONS.items() if status in frm]


def render_story(story: dict, similar: list[dict], names: dict, lang: str) -> list:
    li = 1 if lang == "en" else 0
    inc = story["incident"]
    cat = CATEGORIES[inc["category"]]
    place = " · ".join((names.get(c) or (c, c))[li] for c in (inc["district_code"], inc["street_code"]))
    if inc["status"] == "closed":
        deadline = html.Div(t("inc_closed", lang), className="deadline done")
    elif story["overdue"]:
        deadline = html.Div(t("inc_overdue_by", lang, t=format_duration(story["due_in_s"], lang)), className="deadline overdue")
    else:
        deadline = html.Div(t("inc_due_in", lang, t=format_duration(story["due_in_s"], lang)), className="deadline")
    facts = [("inc_category", f"{cat['en' if li else 'zh']} · {cat['sub'].get(inc['subcategory'], ('', ''))[li]}"),
             ("inc_source", SOURCE_NAMES[inc["source"]][li]), ("inc_priority", str(inc["priority"])),
             ("inc_place", place), ("inc_reporter", f"{inc['reporter_name']} {inc['reporter_phone']}".strip() or "—"),
             ("inc_unit", inc["assigned_unit"] or "—")]
    timeline = [html.Li([html.B(to_dt(h["at"]).strftime("%m-%d %H:%M"), className="num"), " ",
                         STATUS_NAMES[h["to_status"]][li], " · ", h["actor"],
                         *([" · ", html.Span(h["comment"], className="sub")] if h["comment"] else [])])
                for h in story["history"]]
    repeats = [html.Li(dcc.Link(f"{to_dt(r['reported_at']).strftime('%m-%d %H:%M')} {r['title']}",
                                href=f"/incidents/{r['id']}" + ("?lang=en" if lang == "en" else "")))
               for r in similar] or [html.Li(t("no_data", lang), className="empty")]
    return [
        html.H1([inc["title"], html.Span(STATUS_NAMES[inc["status"]][li], className=f"level-tag status-{inc['status']}")]),
        deadline,
        html.Dl([x for k, v in facts for x in (html.Dt(t(k, lang)), html.Dd(v))], className="facts"),
        html.Div(className="desk-row two", children=[
            html.Section(className="wall-panel desk-panel", children=[
                html.H2(t("inc_timeline", lang), className="panel-title"), html.Ol(timeline, className="timeline")]),
            html.Section(className="wall-panel desk-panel", children=[
                html.H2(t("inc_similar", lang), className="panel-title"), html.Ul(repeats, className="similar")]),
        ]),
    ]


def render_actions(inc: dict, lang: str) -> html.Section:
    """Only the moves allowed from the current status; a unit picker for dispatch; a comment box."""
    moves = allowed_actions(inc["status"])
    body = [html.Div(t("inc_no_actions", lang), className="empty")] if not moves else [
        dcc.RadioItems(id=INCIDENT["action"], options=[{"label": t(f"act_{a}", lang), "value": a} for a in moves],
                       value=None, inline=True, className="action-choices"),
        dcc.Dropdown(id=INCIDENT["unit"], options=list(CATEGORIES[inc["category"]]["units"]),
                     placeholder=t("inc_choose_unit", lang), className="unit-picker"),
        dcc.Textarea(id=INCIDENT["comment"], placeholder=t("inc_comment", lang), className="comment-box"),
        html.Button(t("inc_submit", lang), id=INCIDENT["submit"], className="range-link active"),
    ]
    return html.Section(className="wall-panel desk-panel actions", children=[
        html.H2(t("inc_actions", lang), className="panel-title"), *body])
