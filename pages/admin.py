"""The administrator's page (/admin): accounts, which walls are alive, and the access log.

Accounts and display tokens are created and revoked with the `cityops` command (docs/ACCESS.md);
this page shows their state to the command centre."""

from __future__ import annotations

import logging

import dash
from dash import dcc, html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from components.admin_views import access_table, active_tokens, people_table, token_forms, tokens_table
from components.i18n import lang_from, t
from components.ids import ADMIN
from components.incident_list import area_options
from components.page_title import titled
from data.domain.timeutil import now_ts
from data.domain.vocab import CITY_CODE
from data.read import areas, users

dash.register_page(__name__, path="/admin", name="系统管理", order=9, nav="nav_admin", title=titled("nav_admin"))
log = logging.getLogger("cityops.pages.admin")


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if not has_request_context():  # Dash's validation layout
        return html.Div([token_forms([], [], lang), html.Div(id=ADMIN["tokens_box"])], className="page desk admin-page")
    now = now_ts()
    try:
        names = areas.area_names()
        tokens, people, log_rows = users.tokens(), users.people(), users.access_log(100)
    except SQLAlchemyError:
        log.exception("admin page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    return html.Div(
        className="page desk admin-page",
        children=[
            html.H1(t("adm_title", lang)),
            dcc.Link(t("imp_link", lang), href=f"/admin/imports?lang={lang}", className="levels-link"),
            html.Section(
                [
                    html.H2(t("adm_tokens", lang)),
                    html.P(t("adm_tokens_how", lang), className="hint"),
                    token_forms(
                        [{"label": t("all_city", lang), "value": CITY_CODE}, *area_options(names, None, lang)],
                        active_tokens(tokens, now),
                        lang,
                    ),
                    html.Div(tokens_table(tokens, names, now, lang), id=ADMIN["tokens_box"]),
                ],
                className="wall-panel desk-panel",
            ),
            html.Section(
                [
                    html.H2(t("adm_people", lang)),
                    html.P(t("adm_people_how", lang), className="hint"),
                    people_table(people, names, now, lang),
                ],
                className="wall-panel desk-panel",
            ),
            html.Section(
                [html.H2(t("adm_access", lang)), access_table(log_rows, now, lang)], className="wall-panel desk-panel"
            ),
        ],
    )
