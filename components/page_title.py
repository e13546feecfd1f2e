"""Browser tab titles in the page's language: `dash.register_page(..., title=titled("nav_wall"))`.

Dash calls a page's title function twice: when it writes the page's HTML (a GET whose ?lang= says the
language) and when its router callback swaps pages (a POST whose inputs carry the address bar's query
string). Either way the language is read from the request itself; path variables are ignored, so a
client string never reaches the title."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, has_request_context, request

from components.i18n import lang_from, t
from data.domain.names import lang_index

TITLES = {  # pages whose navigation word is missing or too short to stand alone in a tab
    "title_incident": ("事件详情", "Incident"),
    "title_indicator": ("指标详情", "Indicator"),
    "title_project": ("项目详情", "Project"),
    "title_imports": ("数据导入", "Data import"),
}


def request_lang() -> str:
    """The language of the page this request is for: ?lang= of a page's HTML, or the search of the
    router callback's location input; else the app's default."""
    if not has_request_context():
        return "zh"
    default = current_app.config.get("DEFAULT_LANG", "zh")
    if request.method == "POST":
        body = request.get_json(silent=True)
        inputs = body.get("inputs") if isinstance(body, dict) else None
        for item in inputs if isinstance(inputs, list) else ():
            if isinstance(item, dict) and item.get("property") == "search" and isinstance(item.get("value"), str):
                return lang_from(item["value"][:200], default)
        return default
    return lang_from(request.args.get("lang"), default)


def titled(key: str) -> Callable[..., str]:
    """A title function for dash.register_page: the string `key` (a UI string or a TITLES key)."""

    def title(**_path_variables) -> str:
        lang = request_lang()
        return TITLES[key][lang_index(lang)] if key in TITLES else t(key, lang)

    return title
