"""The shift handover (/handover?shift=2026-11-22T20:00&area=CODE): what the user's area saw in a shift, from
history, with the counts on top and the lists below; the outgoing officers' notes and the incoming officer's
confirmation (callbacks/handover.py); printable on A4 (assets/handover.css) and as .xlsx (api/handover_export.py).
Default: the shift that just ended. The area is the user's, or one inside it that ?area= asks for."""

from __future__ import annotations

import logging
from typing import ClassVar

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.access import NotLoggedIn, ScopeError, current_user, resolve_scope
from components import handover_views as views
from components.i18n import lang_from, t
from components.ids import HANDOVER
from components.links import href
from components.page_title import titled
from components.params import AreaCode, PageQuery
from data.domain.timeutil import local_day_start, now_ts, to_dt
from data.read import areas
from data.read.handover import LIST_CAP, shift_report
from data.read.handover_record import BadShift, configured_starts, default_shift, parse_shift, record, shift_at
from data.read.users import user_names

dash.register_page(__name__, path="/handover", name="交接班", order=7, nav="nav_handover", title=titled("nav_handover"))
log = logging.getLogger("cityops.pages.handover")
SECTIONS = (  # list, its title, the incident list's filter that comes closest (current state)
    ("inherited", "ho_s_inherited", {"window": "all"}),
    ("overdue", "ho_s_overdue", {"window": "all", "overdue": "1"}),
    ("opened", "ho_s_opened", {"window": "7d"}),
    ("closed", "ho_s_closed", {"window": "7d", "status": "closed"}),
    ("supervised", "ho_s_supervised", {"window": "all", "flag": "supervised"}),
)


class HandoverQuery(PageQuery):
    """/handover?shift=YYYY-MM-DDTHH:MM&area=CODE (lang is the shell's)."""

    PATH: ClassVar[str] = "/handover"
    shift: str | None = None
    area: AreaCode | None = None


def _starts_text(starts: tuple[int, ...]) -> str:
    return ", ".join(f"{m // 60:02d}:{m % 60:02d}" for m in starts)


def _toolbar(shift, current, code: str, asked: str | None, lang: str) -> html.Div:
    starts = configured_starts()
    prev, nxt = shift_at(shift.start - 1, starts), shift_at(shift.end, starts)
    link = HandoverQuery(area=asked)
    items = [dcc.Link(t("ho_prev", lang), href=link.url(lang, shift=prev.key), className="range-link")]
    if nxt.start <= current.start:
        items.append(dcc.Link(t("ho_next", lang), href=link.url(lang, shift=nxt.key), className="range-link"))
    if current.start not in (shift.start, nxt.start):
        items.append(dcc.Link(t("ho_current", lang), href=link.url(lang, shift=current.key), className="range-link"))
    items += [
        html.Button(t("ho_print", lang), id=HANDOVER["print"], className="range-link", type="button"),
        html.A(
            t("ho_xlsx", lang), href=href("/handover.xlsx", lang, shift=shift.key, area=code), className="range-link"
        ),
    ]
    return html.Div(items, className="ho-toolbar no-print")


def _form(lang: str, signed: bool) -> html.Div:
    return html.Div(
        id=HANDOVER["form"],
        className="ho-form no-print" + (" hidden" if signed else ""),
        children=[
            html.Label(t("ho_note_label", lang), htmlFor=HANDOVER["note"], className="ho-label"),
            dcc.Textarea(
                id=HANDOVER["note"], maxLength=2000, placeholder=t("ho_note_placeholder", lang), className="ho-textarea"
            ),
            html.Div(
                [
                    html.Button(t("ho_note_save", lang), id=HANDOVER["save"], className="range-link", type="button"),
                    html.Button(t("ho_confirm", lang), id=HANDOVER["confirm"], className="range-link", type="button"),
                ],
                className="ho-buttons",
            ),
        ],
    )


def _bare() -> html.Div:
    """The validation layout at start-up: ids and structure only."""
    return html.Div(
        className="page desk handover",
        children=[
            dcc.Store(id=HANDOVER["state"]),
            html.Button(id=HANDOVER["print"]),
            html.Div(id=HANDOVER["printed"]),
            html.Div(id=HANDOVER["record"]),
            html.Div(id=HANDOVER["notes"]),
            _form("zh", False),
            html.Div(id=HANDOVER["result"]),
        ],
    )


def _resolve(query: HandoverQuery, now: int, bad: list[str]):
    """The scope (the asked area when the user may see it) and the shift (the asked one when valid)."""
    try:
        scope = resolve_scope(query.area) if query.area else resolve_scope()
    except NotLoggedIn:
        raise
    except ScopeError:
        bad.append("ho_bad_area")
        scope = resolve_scope()
    starts = configured_starts()
    try:
        shift = parse_shift(query.shift, now, starts) if query.shift else default_shift(now, starts)
    except BadShift as exc:
        bad.append(f"ho_bad_shift_{exc.reason}")
        shift = default_shift(now, starts)
    return scope, shift, shift_at(now, starts)


def layout(lang: str | None = None, **params):
    lang = lang_from(lang)
    if not has_request_context():
        return _bare()
    query, bad_params = HandoverQuery.parse(params)
    bad = [f"ho_bad_{p}" if p == "area" else "ho_bad_shift_format" for p in bad_params]
    now = now_ts()
    try:
        scope, shift, current = _resolve(query, now, bad)
        rep = shift_report(scope, shift, now)
        rec = record(scope, shift.start)
        names, people = areas.area_names(), user_names()
    except SQLAlchemyError:
        log.exception("handover: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    asked = scope.code if scope.code != current_user().area else None
    starts = _starts_text(configured_starts())
    place = views.area_label(scope.code, names, lang)
    span = views.shift_span(shift.start, shift.end)
    state = {"area": scope.code, "shift": shift.start, "lang": lang}
    state["printed"] = t("ho_printed", lang, time="{time}")
    lists = []
    for kind, title, filters in SECTIONS:
        link = href("/incidents", lang, area=scope.code, **filters)
        body = views.incident_table(kind, rep, names | people, lang)
        lists.append(views.section(t(title, lang), rep["counts"][kind], len(rep[kind]), body, lang, link))
    n_warn = rep["counts"]["warnings"]
    return html.Div(
        className="page desk handover",
        children=[
            dcc.Store(id=HANDOVER["state"], data=state),
            _toolbar(shift, current, scope.code, asked, lang),
            *[html.Div(t(k, lang, starts=starts), className="notice no-print") for k in dict.fromkeys(bad)],
            html.Header(
                className="ho-head",
                children=[
                    html.H1([t("ho_title", lang), html.Span(place, className="level-tag")]),
                    html.Div(t("ho_shift", lang, span=span), className="ho-span num"),
                    *(
                        [html.Div(t("ho_running", lang, time=views.when(now)), className="sub")]
                        if rep["running"]
                        else []
                    ),
                    html.Div(
                        views.record_line(rec, people, lang, local_day_start(shift.end)),
                        id=HANDOVER["record"],
                        className="ho-record",
                    ),
                    html.Div(
                        t("ho_printed", lang, time=f"{to_dt(now):%Y-%m-%d %H:%M}"),
                        id=HANDOVER["printed"],
                        className="ho-printed sub",
                    ),
                ],
            ),  # fmt: skip
            views.counts(rep, lang),
            html.Section(
                [
                    html.H2(t("ho_notes", lang), className="ho-h2"),
                    html.Div(views.notes_list(rec, people, lang), id=HANDOVER["notes"]),
                    _form(lang, rec["confirm"] is not None),
                    html.Div(id=HANDOVER["result"], className="ho-result", role="status"),
                ],
                className="ho-section ho-notes",
            ),
            *lists,
            views.section(
                t("ho_s_warnings", lang),
                n_warn,
                len(rep["warnings"]),
                views.warnings_table(rep, names | people, lang),
                lang,
            ),
            views.section(
                t("ho_s_vitals", lang),
                rep["counts"]["vitals"],
                min(rep["counts"]["vitals"], LIST_CAP),
                views.vitals_table(rep, names, lang),
                lang,
            ),
        ],  # fmt: skip
    )
