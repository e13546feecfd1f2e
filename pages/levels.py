"""What the five colours mean (/levels): each level, who must respond and how fast, and which rules
colour an area (from the catalogue, so the page says what the configuration says)."""

from __future__ import annotations

import dash
from dash import html
from flask import current_app, has_request_context

from components.i18n import lang_from, t
from components.page_title import titled
from components.theme import level_colour, level_label
from data.domain.names import lang_index
from data.rules.config import load_catalog

dash.register_page(__name__, path="/levels", name="五色预警分级", title=titled("lv_title"))


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if not has_request_context():  # Dash's validation layout
        return html.Div(className="page desk levels-page")
    catalog = load_catalog(current_app.config["RULES_FILE"])
    li = lang_index(lang)
    rows = [
        html.Tr(
            [
                html.Td(html.Span(className="swatch", style={"background": level_colour(lv.level)})),
                html.Td(level_label(lv.level, lang), className="levels-name"),
                html.Td((lv.meaning_zh, lv.meaning_en)[li]),
                html.Td((lv.respond_zh, lv.respond_en)[li]),
            ],
            id=f"level-{lv.level}",
        )
        for lv in sorted(catalog.levels, key=lambda lv: lv.level)
    ]
    head = html.Tr(
        [html.Th(""), html.Th(t("col_level", lang)), html.Th(t("lv_meaning", lang)), html.Th(t("lv_respond", lang))]
    )
    colouring = [(r.name_zh, r.name_en)[li] for r in catalog.rules if r.enabled and r.colours_area]
    others = [(r.name_zh, r.name_en)[li] for r in catalog.rules if r.enabled and not r.colours_area]
    return html.Div(
        className="page desk levels-page",
        children=[
            html.H1(t("lv_title", lang)),
            html.P(t("lv_lead", lang), className="hint"),
            html.Table([html.Thead(head), html.Tbody(rows)], className="admin-table levels-table"),
            html.H2(t("lv_colouring", lang)),
            html.Ul([html.Li(n) for n in colouring], id="levels-colouring"),
            html.H2(t("lv_not_colouring", lang)),
            html.Ul([html.Li(n) for n in others] or [html.Li("—")], id="levels-not-colouring"),
        ],
    )
