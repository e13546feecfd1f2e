"""Not-found page for unknown paths, in the user's language."""

import dash

from components.i18n import lang_from
from components.notfound import create_not_found
from components.page_title import titled

dash.register_page(__name__, path="/404", title=titled("not_found_title"))


def layout(lang: str | None = None, **_ignored):
    return create_not_found(lang_from(lang))
