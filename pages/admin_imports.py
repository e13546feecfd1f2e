"""The administrator's imports page (/admin/imports): upload a ticket export or a sensor series, pick or edit
its mapping, preview the first rows, dry-run and import it, and see past imports.

The same imports as `cityops import incidents|readings`; only administrators open the page (the gate
checks data.domain.roles) and every callback and the upload route check the role again."""

from __future__ import annotations

import logging

import dash
from dash import html
from flask import has_request_context
from sqlalchemy.exc import SQLAlchemyError

from api.uploads import max_bytes
from components.i18n import lang_from, t
from components.import_views import mapping_options, page_body, runs_table
from components.page_title import titled
from data.ingest.preview import shipped
from data.read import imports, users

dash.register_page(__name__, path="/admin/imports", name="数据导入", order=10, title=titled("title_imports"))
log = logging.getLogger("cityops.pages.admin_imports")


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    if not has_request_context():  # Dash's validation layout: ids and structure only
        return page_body(lang, [], None, 0)
    try:
        runs = runs_table(imports.recent_runs(), users.user_names(), lang)
    except SQLAlchemyError:
        log.exception("imports page: the database is unavailable")
        return html.Div(t("data_unavailable", lang), className="notice")
    return page_body(lang, mapping_options(shipped(), lang), runs, max_bytes())
