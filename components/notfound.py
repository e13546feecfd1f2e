"""The not-found block, in the user's language, for unknown paths, codes and ids."""

from __future__ import annotations

from dash import dcc, html

from components.i18n import t
from components.links import href


def create_not_found(
    lang: str, detail: str | None = None, title: str | None = None, body: str | None = None
) -> html.Div:
    """Title, an explanation (and what exactly was not found), and a way back. A page the user may not
    open uses the same block with its own title and sentence."""
    return html.Div(
        className="not-found",
        children=[
            html.H1(title or t("not_found_title", lang)),
            html.P(body or t("not_found_body", lang)),
            *([html.P(detail, className="not-found-detail")] if detail else []),
            dcc.Link(t("back_home", lang), href=href("/", lang)),
        ],
    )
