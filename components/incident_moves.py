"""The incident page's move form: the moves the user's role may make now (the allowed-moves table, less those
the incident's state rules out), and the fields a move needs: the unit for a dispatch (the responsible
unit first, each with its open load), the survivor of a merge, the new deadline of an extension, the stages
of a multi-stage category, the before/after photos of handling (on a phone "拍照" and "从相册选择", whose inputs
assets/photo-capture.js adds, resizing each photo before it is sent; on a desk a drop zone), and the comment or
reason. Every field is always in the tree (hidden unless its move is chosen), so the callbacks' ids exist
whatever the status. Buttons that write carry the class needs-network (an offline phone refuses them first)."""

from __future__ import annotations

from dash import dcc, html

from components.i18n import format_duration, t
from components.ids import INCIDENT
from data.domain.limits import category_of
from data.domain.names import lang_index
from data.domain.roles import may_move, moves_for
from data.domain.timeutil import to_dt
from data.domain.vocab import ACTIONS, MAX_COMMENT, STATUS_NAMES, unit_name

MOVES = {  # the form's own ids (kebab-case, the page's prefix), beside components.ids.INCIDENT
    "target_wrap": "inc-target-wrap",
    "target": "inc-target",
    "survivor": "inc-survivor",
    "due_wrap": "inc-due-wrap",
    "due_date": "inc-due-date",
    "due_time": "inc-due-time",
    "stages_wrap": "inc-stages-wrap",
    "photo_wrap": "inc-photo-wrap",
    "photo_upload": "inc-photo-upload",
    "photo_pick": "inc-photo-pick",  # the phone's camera and gallery buttons (assets/photo-capture.js)
    "photo_sent": "inc-photo-sent",
    "photo_list": "inc-photo-list",
    "pending": "inc-pending",
}
FIELD_OF = {  # which wrapped field a move shows (the clientside toggle reads it from the page's Store)
    "dispatch": "unit",
    "merge": "target",
    "request_extension": "due",
    "stage_done": "stages",
    "start": "photo",
    "handled": "photo",
}
PHASE_OF = {"start": "before", "handled": "after"}
WHILE_PARKED = ("unpark", "supervise", "close")  # as data.write.moves: a parked incident takes these only
MAX_PHOTOS = 3  # as data.write.photos.MAX_PER_PHASE
PHOTO_MAX_EDGE = 1600  # px on the long side: the browser resizes a photo to this before it is sent
PHOTO_QUALITY = 0.85  # the JPEG quality it re-encodes at (the server re-encodes again, capped at 2048 px)
PHOTO_MAX_BYTES = 8 * 1024 * 1024  # as api.photos.PHOTO_MAX_BYTES: the page passes the app's own setting
MOST_SENT = 2 * MAX_PHOTOS  # files one pick may send (the route refuses past MAX_PHOTOS waiting)
HIDDEN = {"display": "none"}


def allowed_actions(status: str, role: str | None = None) -> list[str]:
    """The moves the allowed-moves table offers from a status to a role (the server enforces the same
    table, in the move's transaction)."""
    return [a for a, move in ACTIONS.items() if status in move.allowed_from and (role is None or may_move(role, a))]


def needs_reason() -> list[str]:
    return [a for a, move in ACTIONS.items() if move.needs_comment]


def stages_of(inc: dict, lang: str = "zh") -> tuple[str, ...]:
    """The stage names of the incident's category in lang, () for a category handled in one go."""
    cat = category_of(inc.get("std_code"), inc.get("kind"), inc.get("subcategory"))
    return tuple(cat.stage_name(i, lang) for i in range(len(cat.limit))) if cat and len(cat.limit) > 1 else ()


def offered(inc: dict, role: str, pending: bool) -> list[str]:
    """The moves worth offering now: the table's, less those the incident's own state refuses (the write
    path checks the same conditions again)."""
    moves = allowed_actions(inc["status"], role)
    parked, n_stages = inc.get("parked_at") is not None, len(stages_of(inc))
    ruled_out = {
        "approve_extension": not pending,
        "refuse_extension": not pending,
        "request_extension": pending,
        "park": parked,
        "unpark": not parked,
        "supervise": inc.get("supervised_at") is not None,
        "stage_done": n_stages < 2 or (inc.get("stage") or 0) + 1 >= n_stages,
        "reopen": inc.get("disposition") is not None,
    }
    return [m for m in moves if not ruled_out.get(m) and (not parked or m in WHILE_PARKED)]


def unit_options(proposals: list[tuple[str, int, int]], fallback: tuple[str, ...], lang: str) -> list[dict]:
    """The dispatch dropdown: the responsible unit (rank 0) first, then the others, each with its open load;
    the category's units when nothing is proposed."""
    if not proposals:
        return [{"label": unit_name(u, lang), "value": u} for u in fallback]
    return [
        {
            "label": t("unit_responsible" if rank == 0 else "unit_other", lang, unit=unit_name(u, lang), n=load),
            "value": u,
        }
        for u, rank, load in proposals
    ]


def _when(ts: int | None) -> str:
    return to_dt(ts).strftime("%Y-%m-%d %H:%M") if ts else "—"


def pending_box(pending: dict | None, now: int, lang: str) -> html.Div:
    """The waiting extension request: who asked, when, from which deadline to which, and why."""
    if pending is None:
        return html.Div(id=MOVES["pending"], style=HIDDEN)
    line = t(
        "mv_pending_line",
        lang,
        who=pending["requested_name"][lang_index(lang)],
        at=_when(pending["requested_at"]),
        old=_when(pending["old_due"]),
        new=_when(pending["new_due"]),
        reason=pending["reason"] or "—",
    )
    more = format_duration(pending["new_due"] - (pending["old_due"] or now), lang)
    return html.Div(
        [html.B(t("mv_pending", lang)), html.P(line), html.Span(f"+{more}", className="num pending-more")],
        id=MOVES["pending"],
        className="pending-extension",
    )


def photo_thumbs(photos: list[dict], lang: str) -> list:
    """Thumbnails linking to the photos (served only within the reader's scope)."""
    return [
        html.A(
            html.Img(
                src=f"/incident-photos/{p['id']}/thumb",
                alt=t("photo_alt", lang, phase=t(f"photo_{p['phase']}", lang), id=p["id"]),
                className="photo-thumb",
            ),
            href=f"/incident-photos/{p['id']}",
            target="_blank",
            className=f"photo photo-{p['phase']}",
        )
        for p in photos
    ]


def photo_pick(incident_id: object, lang: str, limit: int) -> html.Div:
    """The phone's two photo buttons: labels that assets/photo-capture.js gives a file input each (the camera's
    with capture="environment"), with what that script needs to resize and send a photo."""
    data = {
        "data-incident": str(incident_id or ""),
        "data-lang": lang,
        "data-max-edge": str(PHOTO_MAX_EDGE),
        "data-quality": str(PHOTO_QUALITY),
        "data-limit": str(limit),
        "data-most": str(MOST_SENT),
        "data-sent-store": MOVES["photo_sent"],
        "data-busy-text": t("photo_sending", lang),
    }
    return html.Div(
        [
            html.Label(
                html.Span(t("photo_camera", lang)),
                className="photo-btn photo-camera",
                **{"data-capture": "environment"},
            ),
            html.Label(html.Span(t("photo_gallery", lang)), className="photo-btn photo-gallery"),
            html.Span(className="photo-busy", role="status"),
        ],
        id=MOVES["photo_pick"],
        className="photo-pick",
        **data,
    )


def photo_list(waiting: list[dict], phase: str | None, refused: list[str], lang: str) -> list:
    """The photos waiting for the chosen move (this phase's), and why any upload was refused."""
    mine = [p for p in waiting if p["phase"] == phase]
    return [
        html.Div(t("photo_waiting" if mine else "photo_none", lang), className="sub"),
        html.Div(photo_thumbs(mine, lang), className="photo-row"),
        *[html.Div(r, className="photo-refused") for r in refused],
    ]


def render_actions(
    inc: dict,
    lang: str,
    role: str,
    *,
    proposals: list[tuple[str, int, int]] = (),
    units: tuple[str, ...] = (),
    pending: dict | None = None,
    now: int = 0,
    photo_limit: int = PHOTO_MAX_BYTES,
) -> html.Section:
    """Only the moves the user's role may make now; each move's fields; a comment box. A read-only role is
    told so. The waiting extension request is shown to everyone who sees the incident. `photo_limit`: the
    app's PHOTO_MAX_BYTES (a photo still larger after resizing is refused before it is sent)."""
    moves = offered(inc, role, pending is not None)
    stages = stages_of(inc, lang)
    stage_text = " → ".join(
        f"[{n}]" if i == (inc.get("stage") or 0) else n for i, n in enumerate(stages)
    )  # the current stage in brackets
    field = {"className": "move-field", "style": HIDDEN}
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
                    id=INCIDENT["unit"],
                    options=unit_options(list(proposals), units, lang),
                    placeholder=t("inc_choose_unit", lang),
                    className="unit-picker",
                ),
                id=INCIDENT["unit_wrap"],
                style=HIDDEN,
            ),
            html.Div(
                [
                    html.Label(t("mv_target", lang), htmlFor=MOVES["target"]),
                    dcc.Input(
                        id=MOVES["target"],
                        type="text",
                        inputMode="numeric",
                        maxLength=12,
                        placeholder=t("mv_target_ph", lang),
                        debounce=False,
                        className="date-input target-input",
                    ),
                    html.Div(id=MOVES["survivor"], className="survivor", role="status"),
                ],
                id=MOVES["target_wrap"],
                **field,
            ),
            html.Div(
                [
                    html.Span(t("mv_new_due", lang), className="field-title"),
                    html.Label(
                        [t("mv_date", lang), dcc.Input(id=MOVES["due_date"], type="date", className="date-input")]
                    ),
                    html.Label(
                        [
                            t("mv_time", lang),
                            dcc.Input(
                                id=MOVES["due_time"], type="time", value="17:00", className="date-input time-input"
                            ),
                        ]
                    ),
                ],
                id=MOVES["due_wrap"],
                **field,
            ),
            html.Div(t("mv_stages", lang, stages=stage_text) if stages else "", id=MOVES["stages_wrap"], **field),
            html.Div(
                [
                    photo_pick(inc.get("id"), lang, photo_limit),
                    dcc.Upload(
                        html.Div(t("photo_add", lang, n=MAX_PHOTOS)),
                        id=MOVES["photo_upload"],
                        multiple=True,
                        accept="image/jpeg,image/png,image/webp",
                        className="photo-drop",
                    ),
                    dcc.Store(id=MOVES["photo_sent"]),
                    html.Div(id=MOVES["photo_list"], className="photo-list"),
                ],
                id=MOVES["photo_wrap"],
                **field,
            ),
            dcc.Textarea(
                id=INCIDENT["comment"],
                placeholder=t("inc_comment", lang),
                maxLength=MAX_COMMENT,  # a hint: the write path refuses longer ones whatever the browser sends
                className="comment-box",
            ),
            html.Button(
                t("inc_submit", lang), id=INCIDENT["submit"], className="range-link active submit needs-network"
            ),
        ]
    )
    return html.Section(
        className="wall-panel desk-panel actions",
        children=[html.H2(t("inc_actions", lang), className="panel-title"), pending_box(pending, now, lang), *body],
    )


def survivor_line(brief: dict | None, typed: str, lang: str) -> str:
    """What a merge would merge into, said before it is submitted."""
    if brief is None or brief["status"] == "closed":
        return t("mv_survivor_none", lang, id=typed)
    status = STATUS_NAMES[brief["status"]][lang_index(lang)]
    return t("mv_survivor", lang, id=brief["id"], title=brief["title"], status=status)
