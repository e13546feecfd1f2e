"""One incident's page parts: title, live deadline, facts (reporter masked upstream), timeline, a small
map with its repeats, and the actions its status allows."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html

from components.i18n import t
from components.ids import INCIDENT
from components.links import href
from components.theme import LEVELS
from data.domain.names import lang_index, name
from data.domain.roles import may_move, moves_for
from data.domain.timeutil import to_dt
from data.domain.vocab import ACTIONS, CATEGORIES, MAX_COMMENT, SOURCE_NAMES, STATUS_NAMES, unit_name


def allowed_actions(status: str, role: str | None = None) -> list[str]:
    """The moves the allowed-moves table offers from a status to a role (the server enforces the same
    table, in the move's transaction)."""
    return [a for a, move in ACTIONS.items() if status in move.allowed_from and (role is None or may_move(role, a))]


def needs_reason() -> list[str]:
    return [a for a, move in ACTIONS.items() if move.needs_comment]


def format_countdown(seconds: int, lang: str) -> str:
    """'2 天 03:14:05' / '03:14:05' (en: '2 d 03:14:05'): the same text assets/desk.js ticks on."""
    s = abs(int(seconds))
    d, hms = s // 86400, f"{s % 86400 // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{d} {'d' if lang == 'en' else '天'} {hms}" if d else hms


def deadline_clock(story: dict, lang: str) -> dict:
    """What the browser needs to count down the current step: seconds left when rendered, and the words."""
    inc = story["incident"]
    return {
        "key": f"{inc['id']}:{inc['version']}",
        "due_in_s": story["due_in_s"],
        "closed": inc["status"] == "closed",
        "left": t("inc_due_in", lang),
        "over": t("inc_overdue_by", lang),
        "done": t("inc_closed", lang),
        "day": t("day_short", lang),
    }


def deadline_text(clock: dict, lang: str) -> tuple[str, str]:
    """The deadline line as first rendered (the browser then ticks it every second)."""
    if clock["closed"] or clock["due_in_s"] is None:
        return clock["done"], "deadline done"
    left = clock["due_in_s"]
    return (
        (clock["left"] if left >= 0 else clock["over"]).format(t=format_countdown(left, lang)),
        "deadline" if left >= 0 else "deadline overdue",
    )


def render_head(inc: dict, lang: str) -> html.H1:
    li = lang_index(lang)
    return html.H1(
        [inc["title"], html.Span(STATUS_NAMES[inc["status"]][li], className=f"level-tag status-{inc['status']}")]
    )


def step_label(from_status: str | None, to_status: str, unit: str | None, lang: str) -> str:
    """What a timeline step was: the status it reached, except where the move says more (派遣至 the unit;
    核查不通过 and 重新处置 are not a plain 处置)."""
    if to_status == "dispatched" and unit:
        return t("step_dispatched_to", lang, unit=unit_name(unit, lang))
    if to_status == "handling" and from_status in ("verifying", "closed"):
        return t("act_verify_fail" if from_status == "verifying" else "act_reopen", lang)
    return STATUS_NAMES[to_status][lang_index(lang)]


def render_story(story: dict, names: dict, lang: str) -> list:
    """Facts and the timeline: the parts an action changes."""
    li = lang_index(lang)
    inc = story["incident"]
    cat = CATEGORIES[inc["category"]]
    parts = [(names.get(c) or (c, c))[li] for c in (inc["district_code"], inc["street_code"]) if c]
    if inc["grid_code"]:
        parts.append(t("grid_no", lang, n=int(inc["grid_code"][9:])))
    sub = cat["sub"].get(inc["subcategory"], ("", ""))[li]
    facts = [
        ("inc_category", f"{name(cat, lang)} · {sub}" if sub else name(cat, lang)),
        ("inc_source", SOURCE_NAMES[inc["source"]][li]),
        ("inc_priority", str(inc["priority"])),
        ("inc_place", " · ".join(parts) or t("unlocated", lang)),  # an import that could not be placed
        *([("inc_address", inc["address"])] if inc.get("address") else []),
        ("inc_reporter", f"{inc['reporter_name']} {inc['reporter_phone']}".strip() or "—"),
        ("inc_unit", unit_name(inc["assigned_unit"], lang)),
        ("inc_reported", to_dt(inc["reported_at"]).strftime("%Y-%m-%d %H:%M")),
        ("inc_ref", f"{inc['external_id']} · #{inc['id']}"),
    ]
    timeline = [
        html.Li(
            [
                html.B(to_dt(h["at"]).strftime("%m-%d %H:%M"), className="num"),
                " ",
                step_label(h["from_status"], h["to_status"], inc["assigned_unit"], lang),
                " · ",
                h["actor_name"][li],  # people, units and platforms act
                *([" · ", html.Span(h["comment"], className="sub")] if h["comment"] else []),
            ]
        )
        for h in story["history"]
    ]
    return [
        html.Dl([x for k, v in facts for x in (html.Dt(t(k, lang)), html.Dd(v))], className="facts"),
        html.Section(
            className="wall-panel desk-panel timeline-panel",
            children=[
                html.H2(t("inc_timeline", lang), className="panel-title"),
                html.Ol(timeline, className="timeline"),
            ],
        ),
    ]


def render_place(inc: dict, similar: list[dict], lang: str, tile_url: str | None) -> list:
    """A small map (the street's grids, this one filled; the incident; its repeats) and the repeats as links.
    An imported incident without coordinates gets no map: a pin at its area's middle would be a guess."""
    if inc["lon"] is None:
        return [
            html.Section(
                className="wall-panel desk-panel place-panel",
                children=html.P(t("inc_no_point", lang), className="empty"),
            )
        ]
    layers = [dl.TileLayer(url=tile_url, attribution="")] if tile_url else []  # an intranet basemap only
    layers += [
        dl.GeoJSON(
            url=f"/geo/outlines/{inc['street_code']}.json",
            style={"variable": "cityops.desk.gridFocus"},
            hideout={"grid": inc["grid_code"]},
            interactive=False,
        ),
        *[
            dl.CircleMarker(
                center=[r["lat"], r["lon"]],
                radius=6,
                color="#ffffff",
                weight=1,
                fillColor=LEVELS[2][0],
                fillOpacity=0.9,
                children=dl.Tooltip(r["title"]),
            )
            for r in similar
        ],
        dl.CircleMarker(
            center=[inc["lat"], inc["lon"]],
            radius=10,
            color="#ffffff",
            weight=3,
            fillColor=LEVELS[1][0],
            fillOpacity=1,
            children=dl.Tooltip(inc["title"]),
        ),
    ]
    repeats = [
        html.Li(
            dcc.Link(
                f"{to_dt(r['reported_at']).strftime('%m-%d %H:%M')} {r['title']}",
                href=href(f"/incidents/{r['id']}", lang),
            )
        )
        for r in similar
    ] or [html.Li(t("no_data", lang), className="empty")]
    return [
        html.Section(
            className="wall-panel desk-panel place-panel",
            children=[
                dl.MapContainer(
                    center=[inc["lat"], inc["lon"]],
                    zoom=15,
                    zoomSnap=0.5,
                    attributionControl=False,
                    scrollWheelZoom=False,
                    className="incident-map",
                    children=layers,
                ),
                html.Div(
                    [
                        html.Span(className="dot me"),
                        t("inc_here", lang),
                        html.Span(className="dot repeat"),
                        t("inc_repeat", lang),
                    ],
                    className="map-key",
                ),
            ],
        ),
        html.Section(
            className="wall-panel desk-panel",
            children=[html.H2(t("inc_similar", lang), className="panel-title"), html.Ul(repeats, className="similar")],
        ),
    ]


def render_actions(inc: dict, lang: str, role: str) -> html.Section:
    """Only the moves the user's role may make from the current status; a unit picker for dispatch; a
    comment box. A read-only role is told so."""
    moves = allowed_actions(inc["status"], role)
    units = [{"label": unit_name(u, lang), "value": u} for u in CATEGORIES[inc["category"]]["units"]]
    body = (
        [html.Div(t("inc_no_actions" if moves_for(role) else "inc_read_only", lang), className="empty")]
        if not moves
        else [
            dcc.RadioItems(
                id=INCIDENT["action"],
                options=[{"label": t(f"act_{a}", lang), "value": a} for a in moves],
                value=None,
                inline=True,
                className="action-choices",
            ),
            html.Div(
                dcc.Dropdown(
                    id=INCIDENT["unit"], options=units, placeholder=t("inc_choose_unit", lang), className="unit-picker"
                ),
                id=INCIDENT["unit_wrap"],
                style={"display": "none"},
            ),
            dcc.Textarea(
                id=INCIDENT["comment"],
                placeholder=t("inc_comment", lang),
                maxLength=MAX_COMMENT,  # a hint: the write path refuses longer ones whatever the browser sends
                className="comment-box",
            ),
            html.Button(t("inc_submit", lang), id=INCIDENT["submit"], className="range-link active submit"),
        ]
    )
    return html.Section(
        className="wall-panel desk-panel actions",
        children=[html.H2(t("inc_actions", lang), className="panel-title"), *body],
    )
