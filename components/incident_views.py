"""One incident's page parts: title with its badges (挂账, 督办, 延期, 自动派遣, how it ended), live deadline,
facts (reporter masked upstream; standard category, deadline, stage), timeline with photos, duplicates
merged into it, and a small map with its repeats. The move form is components.incident_moves. Below 1024 px
a field officer's brief (category, where, the next step) comes first and the page is one column in the order
a phone needs it (assets/incident.css)."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html

from components.i18n import format_duration, t
from components.incident_moves import allowed_actions, needs_reason, offered, render_actions, stages_of  # noqa: F401
from components.incident_timeline import merged_panel, timeline_rows
from components.links import href
from components.task_views import category_name, place_of
from components.theme import LEVELS
from data.domain.limits import category_of
from data.domain.names import lang_index, name
from data.domain.timeutil import to_dt
from data.domain.vocab import CATEGORIES, SOURCE_NAMES, STATUS_NAMES, unit_name


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
        "done": t("inc_parked_clock" if inc.get("parked_at") and inc["status"] != "closed" else "inc_closed", lang),
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


def badges(inc: dict, loop: dict | None, lang: str) -> list[html.Span]:
    """The flags staff look for first: parked, supervised, an extension waiting or granted, dispatched by the
    rules, and how a closed incident ended when it was not a plain 结案."""
    loop = loop or {}
    flags = [
        ("badge_parked", inc.get("parked_at") is not None and inc["status"] != "closed", {}),
        ("badge_supervised", inc.get("supervised_at") is not None, {}),
        ("badge_extension", loop.get("pending") is not None, {}),
        ("badge_extended", loop.get("pending") is None and loop.get("extended"), {}),
        ("auto_dispatch", bool(inc.get("auto_dispatch")), {}),
        ("badge_invalid", inc.get("disposition") == "invalid", {}),
        ("badge_self", inc.get("disposition") == "self", {}),
        ("badge_merged", inc.get("disposition") == "merged", {"id": inc.get("merged_into")}),
    ]
    return [
        html.Span(t(key, lang, **fmt), className=f"badge {key.replace('_', '-')}") for key, shown, fmt in flags if shown
    ]


def render_head(inc: dict, lang: str, loop: dict | None = None) -> html.H1:
    li = lang_index(lang)
    return html.H1(
        [
            inc["title"],
            html.Span(STATUS_NAMES[inc["status"]][li], className=f"level-tag status-{inc['status']}"),
            *badges(inc, loop, lang),
        ]
    )


def _std_facts(inc: dict, lang: str, now: int | None) -> list[tuple[str, str]]:
    """The standard category (code and name), the deadline as a time, the stage of a multi-stage category,
    and how long it has been parked."""
    cat = category_of(inc.get("std_code"), inc.get("kind"), inc.get("subcategory"))
    out = []
    if cat is not None:
        out.append(("inc_std", f"{cat.code} {cat.name(lang)} · {t(f'inc_std_kind_{cat.kind}', lang)}"))
    if inc.get("due_at"):
        out.append(("inc_deadline_at", to_dt(inc["due_at"]).strftime("%Y-%m-%d %H:%M")))
    stages = stages_of(inc, lang)
    if stages and inc["status"] != "closed":
        x = min(inc.get("stage") or 0, len(stages) - 1)
        out.append(("inc_stage_key", t("inc_stage", lang, x=x + 1, n=len(stages), name=stages[x])))
    if inc.get("parked_at") and inc["status"] != "closed" and now:
        at, age = to_dt(inc["parked_at"]).strftime("%m-%d %H:%M"), format_duration(now - inc["parked_at"], lang)
        out.append(("badge_parked", t("inc_parked_since", lang, at=at, age=age)))
    return out


def field_brief(inc: dict, names: dict, lang: str, role: str, pending: bool) -> html.Section:
    """What a field officer reads first on a phone (hidden on a desk, whose facts say the same): the category,
    where it is, and the next step when the user's role may take it now."""
    moves = offered(inc, role, pending) if inc["status"] != "closed" else []
    todo = "todo_start" if "start" in moves else "todo_handled" if "handled" in moves else None
    return html.Section(
        [
            html.Div(category_name(inc, lang), className="brief-cat"),
            html.Div(place_of(inc, names, lang), className="brief-place"),
            *([html.P([html.B(t("inc_todo", lang)), " ", t(todo, lang)], className="brief-todo")] if todo else []),
        ],
        className="field-brief",
    )


def render_story(story: dict, names: dict, lang: str, role: str | None = None) -> list:
    """Facts, the timeline and the duplicates merged in: the parts an action changes. `story` is
    data.read.incidentdesk's, with data.read.incident_loop's reads under "loop" when there are any. With the
    user's `role`, the field officer's brief comes first (shown below 1024 px)."""
    li = lang_index(lang)
    inc, loop = story["incident"], story.get("loop") or {}
    cat = CATEGORIES[inc["category"]]
    parts = [(names.get(c) or (c, c))[li] for c in (inc["district_code"], inc["street_code"]) if c]
    if inc["grid_code"]:
        parts.append(t("grid_no", lang, n=int(inc["grid_code"][9:])))
    sub = cat["sub"].get(inc["subcategory"], ("", ""))[li]
    facts = [
        ("inc_category", f"{name(cat, lang)} · {sub}" if sub else name(cat, lang)),
        *_std_facts(inc, lang, story.get("now")),
        ("inc_source", SOURCE_NAMES[inc["source"]][li]),
        ("inc_priority", str(inc["priority"])),
        ("inc_place", " · ".join(parts) or t("unlocated", lang)),  # an import that could not be placed
        *([("inc_address", inc["address"])] if inc.get("address") else []),
        ("inc_reporter", f"{inc['reporter_name']} {inc['reporter_phone']}".strip() or "—"),
        ("inc_unit", unit_name(inc["assigned_unit"], lang)),
        ("inc_reported", to_dt(inc["reported_at"]).strftime("%Y-%m-%d %H:%M")),
        ("inc_ref", f"{inc['external_id']} · #{inc['id']}"),
    ]
    history = loop.get("history") or story["history"]
    timeline = timeline_rows(history, loop.get("photos") or {}, lang, inc["assigned_unit"])
    brief = [field_brief(inc, names, lang, role, loop.get("pending") is not None)] if role else []
    return [
        *brief,
        html.Dl([x for k, v in facts for x in (html.Dt(t(k, lang)), html.Dd(v))], className="facts"),
        html.Section(
            className="wall-panel desk-panel timeline-panel",
            children=[
                html.H2(t("inc_timeline", lang), className="panel-title"),
                html.Ol(timeline, className="timeline"),
            ],
        ),
        *merged_panel(loop.get("merged") or [], lang),
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
            className="wall-panel desk-panel similar-panel",
            children=[html.H2(t("inc_similar", lang), className="panel-title"), html.Ul(repeats, className="similar")],
        ),
    ]
