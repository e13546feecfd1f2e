"""The vital-sign catalogue (/indicators): every indicator by category, its status and freshness."""

import dash
from dash import html

from components.i18n import lang_from, t
from components.ids import INDICATORS
from components.page_title import titled

dash.register_page(
    __name__, path="/indicators", name="城市体征", order=3, nav="nav_indicators", title=titled("nav_indicators")
)


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    return html.Div(
        className="page desk ind-page",
        children=[
            html.H1(t("ind_title", lang)),
            html.Div(
                id=INDICATORS["catalogue"],
                className="ind-catalogue",
                children=html.Div(t("wall_loading", lang), className="empty"),
            ),
        ],
    )
