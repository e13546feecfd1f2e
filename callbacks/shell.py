"""Shell callbacks: navigation links and the language switch follow the URL."""

from dash import Input, Output

from components.i18n import lang_from, t
from components.ids import SHELL
from components.shell import nav_links


def shell_view(pathname: str | None, search: str | None, default_lang: str) -> tuple:
    lang = lang_from(search, default_lang)
    other = "zh" if lang == "en" else "en"
    return (
        nav_links(pathname or "/", lang),
        t("lang_switch", lang),
        f"{pathname or '/'}?lang={other}",
        t("app_short", lang),
        lang,
    )


def register(app) -> None:
    default = app.server.config.get("DEFAULT_LANG", "zh")

    @app.callback(
        Output(SHELL["links"], "children"),
        Output(SHELL["lang_link"], "children"),
        Output(SHELL["lang_link"], "href"),
        Output(SHELL["brand"], "children"),
        Output(SHELL["lang"], "data"),
        Input(SHELL["location"], "pathname"),
        Input(SHELL["location"], "search"),
    )
    def _shell(pathname, search):
        return shell_view(pathname, search, default)
