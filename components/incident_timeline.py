"""An incident's timeline as the desk reads it: each row's move, the unit it concerns and the person who made
it, the comment, and the handling photos taken with it; and the duplicates merged into it, each with its
masked reporter and its own timeline."""

from __future__ import annotations

from dash import html

from components.i18n import t
from components.incident_moves import photo_thumbs
from data.domain.names import lang_index
from data.domain.timeutil import to_dt
from data.domain.vocab import ACTIONS, STATUS_NAMES, unit_name

STATUS_MOVES = ("register", "verify_pass", "close")  # named by the status they reach (立案, 结案)


def step_label(h: dict, lang: str, unit: str | None = None) -> str:
    """What a timeline row was: the move (派遣至 its unit; 核查不通过, 重新处置, 回退, 延期 ... by name), the
    status it reached for the plain steps, and for rows written before moves were recorded, guessed from
    the statuses (`unit`: the incident's current unit, for such an old dispatch)."""
    action = h.get("action")
    to_status, from_status = h["to_status"], h["from_status"]
    if action == "dispatch" or (action is None and to_status == "dispatched" and (h.get("unit") or unit)):
        return t("step_dispatched_to", lang, unit=unit_name(h.get("unit") or unit, lang))
    if action in ACTIONS and action not in STATUS_MOVES:
        return t(f"act_{action}", lang)
    if action is None and to_status == "handling" and from_status in ("verifying", "closed"):
        return t("act_verify_fail" if from_status == "verifying" else "act_reopen", lang)
    return STATUS_NAMES[to_status][lang_index(lang)]


def timeline_rows(history: list[dict], photos: dict, lang: str, unit: str | None = None) -> list[html.Li]:
    """One line per row: when, what, the unit (where the move does not name it already), who, why; and
    the photos taken with it, before or after handling."""
    li = lang_index(lang)
    rows = []
    for h in history:
        label = step_label(h, lang, unit)
        row_unit = h.get("unit") if h.get("action") != "dispatch" else None
        shots = photos.get(h.get("id"), [])
        rows.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.B(to_dt(h["at"]).strftime("%m-%d %H:%M"), className="num"),
                            " ",
                            label,
                            " · ",
                            h["actor_name"][li],  # people, units and platforms act
                            *([" · ", html.Span(h["comment"], className="sub")] if h["comment"] else []),
                            *([" ", html.Span(unit_name(row_unit, lang), className="unit-chip")] if row_unit else []),
                            *([" ", html.Span(t("late_tag", lang), className="late-tag")] if h.get("late") else []),
                        ],
                        className="step-line",
                    ),
                    *(
                        [
                            html.Div(
                                [
                                    html.Span(t(f"photo_{shots[0]['phase']}", lang), className="sub"),
                                    *photo_thumbs(shots, lang),
                                ],
                                className="photo-row",
                            )
                        ]
                        if shots
                        else []
                    ),
                ],
                className=f"step step-{h.get('action') or h['to_status']}",
            )
        )
    return rows


def merged_panel(merged: list[dict], lang: str) -> list[html.Section]:
    """The duplicates merged into this incident: who reported each (masked), when, and their timelines."""
    if not merged:
        return []
    items = [
        html.Li(
            [
                html.Div(
                    t(
                        "inc_merged_line",
                        lang,
                        id=m["id"],
                        title=m["title"],
                        reporter=f"{m['reporter_name']} {m['reporter_phone']}".strip() or "—",
                        at=to_dt(m["reported_at"]).strftime("%m-%d %H:%M"),
                    )
                ),
                html.Details(
                    [
                        html.Summary(t("inc_history_of", lang, id=m["id"])),
                        html.Ol(timeline_rows(m["history"], {}, lang), className="timeline"),
                    ]
                ),
            ]
        )
        for m in merged
    ]
    return [
        html.Section(
            className="wall-panel desk-panel merged-panel",
            children=[html.H2(t("inc_merged_in", lang), className="panel-title"), html.Ul(items, className="merged")],
        )
    ]
