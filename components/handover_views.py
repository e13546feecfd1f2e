"""The shift handover's pieces (交接班): the shift's span, the record line (交班 … 接班 … 08:03), the counts, the
lists of incidents, warnings and vital signs, and the notes. Pure: they take what data/read/handover*.py
returned. Incidents show by number, category and place (their titles are people's words: in the .xlsx)."""

from __future__ import annotations

from dash import dcc, html

from components.evaluation_views import area_label
from components.i18n import STRINGS, format_duration, t
from components.kpi import create_kpi, level_tag
from components.links import href
from data.domain.actors import display_name
from data.domain.names import lang_index
from data.domain.timeutil import local_day_start, to_dt
from data.domain.vocab import STATUS_NAMES, category_name, unit_name, unit_text


def clock(ts: int | None) -> str:
    return "—" if ts is None else f"{to_dt(ts):%H:%M}"


def when(ts: int | None, day: int | None = None) -> str:
    """'07:45' on the day `day` (a Shanghai midnight), else '11-19 07:45'; '—' for none."""
    if ts is None:
        return "—"
    return clock(ts) if day is not None and local_day_start(ts) == day else f"{to_dt(ts):%m-%d %H:%M}"


def shift_span(start: int, end: int) -> str:
    """'2026-11-19 20:00–11-20 08:00' (the end's date only when it is another day)."""
    tail = clock(end) if local_day_start(end) == local_day_start(start) else f"{to_dt(end):%m-%d %H:%M}"
    return f"{to_dt(start):%Y-%m-%d %H:%M}–{tail}"


def hours_span(start: int, end: int) -> str:
    """'08:00–20:00': a shift on the wall's header."""
    return f"{clock(start)}–{clock(end)}"


def people(ids: list[str], names: dict, lang: str) -> str:
    return t("ho_name_sep", lang).join(display_name(names, i, lang) for i in ids)


def record_line(rec: dict, names: dict, lang: str, day: int | None = None) -> list:
    """交班：张三 接班：李四 08:03 (the handed-over names as they were signed, else the note authors so far; the
    time with its date unless it is on `day`, the Shanghai midnight of the shift's end)."""
    confirm = rec["confirm"]
    outgoing = confirm["handed_by"] if confirm else rec["outgoing"]
    handed = t("ho_handed", lang, names=people(outgoing, names, lang)) if outgoing else t("ho_no_notes", lang)
    taken = (
        t(
            "ho_taken",
            lang,
            name=display_name(names, confirm["confirmed_by"], lang),
            time=when(confirm["confirmed_at"], day),
        )
        if confirm
        else t("ho_not_taken", lang)
    )
    return [
        html.Span(handed, className="ho-handed"),
        html.Span(taken, className="ho-taken" + ("" if confirm else " pending")),
    ]


def notes_list(rec: dict, names: dict, lang: str) -> html.Ol | html.P:
    if not rec["notes"]:
        return html.P(t("ho_none", lang), className="sub")
    return html.Ol(
        [
            html.Li(
                [
                    html.Div(t("ho_note_by", lang, name=display_name(names, n["author"], lang), time=when(n["at"])),
                             className="ho-note-by"),
                    html.Div(n["body"], className="ho-note-body"),
                ]
            )
            for n in rec["notes"]
        ],
        className="ho-note-list",
    )  # fmt: skip


def counts(rep: dict, lang: str) -> html.Div:
    c = rep["counts"]
    warn = f"{c['raised']}/{c['acknowledged']}/{c['cleared']}"
    tiles = [
        create_kpi(t("ho_c_inherited", lang), f"{c['inherited']:,}", t("ho_c_inherited_sub", lang, n=c["inherited_overdue"]),
                   alert=c["inherited_overdue"] > 0),
        create_kpi(t("ho_c_opened", lang), f"{c['opened']:,}"),
        create_kpi(t("ho_c_closed", lang), f"{c['closed']:,}"),
        create_kpi(t("ho_c_overdue", lang), f"{c['overdue']:,}", alert=c["overdue"] > 0),
        create_kpi(t("ho_c_warnings", lang), warn),
        create_kpi(t("ho_c_vitals", lang), f"{c['vitals']:,}", alert=c["vitals"] > 0),
        create_kpi(t("ho_c_supervised", lang), f"{c['supervised']:,}"),
    ]  # fmt: skip
    return html.Div(tiles, className="kpis ho-kpis")


def _table(head: list[str], rows: list[list], lang: str, cls: str = "") -> html.Table | html.P:
    if not rows:
        return html.P(t("ho_none", lang), className="sub")
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([html.Tr([c if isinstance(c, html.Td) else html.Td(c) for c in r]) for r in rows]),
        ],
        className=f"desk-table ho-table {cls}".strip(),
    )


def _incident(r: dict, names: dict, lang: str) -> list:
    inc = r.get("inc") or {}
    i = r["incident_id"]
    place = area_label(inc.get("grid_code") or inc.get("street_code") or "", names, lang) if inc else "—"
    return [
        html.Td(dcc.Link(f"#{i}", href=href(f"/incidents/{i}", lang)), className="num"),
        category_name(inc.get("category", ""), lang) if inc else "—",
        html.Td(place, className="ho-place"),
    ]


def _step(status: str | None, lang: str) -> str:
    return STATUS_NAMES[status][lang_index(lang)] if status in STATUS_NAMES else "—"


def _deadline(due: int | None, until: int, lang: str) -> html.Td:
    if due is None:
        return html.Td(t("ho_parked", lang), className="num")
    late = due < until
    return html.Td(
        [when(due), *([" ", html.Span(t("ho_overdue_tag", lang), className="late-tag")] if late else [])],
        className="num" + (" overdue" if late else ""),
    )


def _how(action: str | None, lang: str) -> str:
    key = f"act_{action}"
    return t(key, lang) if key in STRINGS else t("ho_act_import", lang)


def incident_table(kind: str, rep: dict, names: dict, lang: str) -> html.Table | html.P:
    """One list of incidents: inherited, overdue, opened, closed or supervised."""
    rows, until = rep[kind], rep["until"]
    head = [t(k, lang) for k in ("ho_col_incident", "ho_col_category", "ho_col_place")]
    if kind in ("inherited", "overdue"):
        head += [t(k, lang) for k in ("ho_col_step", "ho_col_unit", "ho_col_due")]
        body = [
            [*_incident(r, names, lang), _step(r["to_status"], lang), unit_name(r["unit"], lang),
             _deadline(r["due_at"], until, lang)]
            for r in rows
        ]  # fmt: skip
    elif kind == "opened":
        head += [t("ho_col_at", lang), t("col_status", lang)]
        body = [
            [*_incident(r, names, lang), when(r["inc"]["reported_at"]), _step(r["inc"]["status"], lang)] for r in rows
        ]
    else:  # closed, supervised
        how = [t("ho_col_how", lang)] if kind == "closed" else []
        head += [t("ho_col_at", lang), *how, t("ho_col_by", lang)]
        body = [
            [*_incident(r, names, lang), when(r["at"]), *([_how(r["action"], lang)] if how else []),
             display_name(names, r["actor"], lang)]
            for r in rows
        ]  # fmt: skip
    return _table(head, body, lang)


def warnings_table(rep: dict, names: dict, lang: str) -> html.Table | html.P:
    """The warnings raised, acknowledged or ended in the shift, with who acknowledged them; a time outside the
    shift shows its date."""
    start, end = rep["start"], rep["until"]
    cause = "cause_en" if lang == "en" else "cause_zh"

    def at(ts: int | None) -> str:
        return when(ts) if ts is not None and start <= ts < end else when(ts, -1)

    head = [t(k, lang) for k in ("ho_col_level", "ho_col_area", "ho_col_cause", "ho_col_raised", "ho_col_ack")]
    body = []
    for w in rep["warnings"]:
        ack = at(w["acknowledged_at"])
        if w["acknowledged_by"]:
            ack += " · " + display_name(names, w["acknowledged_by"], lang)
        body.append([
            html.Td(level_tag(w["level"], lang)), area_label(w["area_code"], names, lang),
            html.Td(w[cause], className="cause"), at(w["started_at"]), ack, at(w["ended_at"]),
        ])  # fmt: skip
    return _table([*head, t("ho_col_cleared", lang)], body, lang, "ho-warnings")


def vitals_table(rep: dict, names: dict, lang: str) -> html.Table | html.P:
    head = ["ho_col_indicator", "ho_col_area", "ho_col_out", "ho_col_since", "ho_col_peak", "ho_col_level"]
    body = []
    for v in rep["vitals"]:
        out = format_duration(v["out_s"], lang) + (f" · {t('ho_still', lang)}" if v["still"] else "")
        peak = (
            f"{float(v['peak']):.{int(v['decimals'])}f} {unit_text(v['unit'], lang)}".strip()
            if v["peak"] is not None
            else "—"
        )
        body.append([
            v["name_en"] if lang == "en" else v["name_zh"], area_label(v["area_code"], names, lang),
            html.Td(out, className="num"), when(v["since"]), html.Td(peak, className="num"),
            html.Td(level_tag(v["level"], lang)),
        ])  # fmt: skip
    return _table([t(k, lang) for k in head], body, lang)


def section(title: str, total: int, shown: int, body, lang: str, link: str | None = None) -> html.Section:
    """A list under its title; when it holds fewer rows than there are, how many and a link to the rest."""
    more = []
    if total > shown:
        more = [html.Span(t("ho_more", lang, n=f"{total:,}", shown=shown))]
        if link:
            more += [" · ", dcc.Link(t("ho_more_link", lang), href=link, className="no-print")]
    return html.Section(
        [html.H2(title, className="ho-h2"), *([html.P(more, className="ho-more sub")] if more else []), body],
        className="ho-section",
    )


def duty_line(duty: dict | None, lang: str) -> str:
    """The wall header's 值班：李四 · 08:00–20:00 ('' when no area above the wall has a confirmed handover)."""
    if not duty:
        return ""
    return t("ho_duty", lang, name=duty["en" if lang == "en" else "zh"], shift=hours_span(duty["start"], duty["end"]))
