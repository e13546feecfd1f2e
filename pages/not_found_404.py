"""Not-found page for unknown paths, in the user's language."""
import dash
from dash import dcc, html

from components.i18n import lang_from, t

dash.register_page(__name__, path="/404")


def layout(lang: str | None = None, **_ignored):
    lang = lang_from(lang)
    return html.Div(className="not-found", children=[
        html.H1(t("not_found_title", lang)),
        html.P(t("not_found_body", lang)),
        dcc.Link(t("back_home", lang), href="/" + ("?lang=en" if lang == "en" else "")),
    ])
