"""Shell callbacks: navigation links and the language switch follow the URL."""

from dash import Input, Output

from api.access import current_user
from components.i18n import lang_from, t
from components.ids import SHELL
from components.shell import menu_button_children, nav_links


def shell_view(pathname: str | None, search: str | None, default_lang: str) -> tuple:
    lang = lang_from(search, default_lang)
    other = "zh" if lang == "en" else "en"
    user = current_user()
    who = t(
        "signed_in_as", lang, name=user.name_zh if lang == "zh" else user.name_en, role=t(f"role_{user.role}", lang)
    )
    return (
        nav_links(pathname or "/", lang, user.role, user.area),
        t("lang_switch", lang),
        f"{pathname or '/'}?lang={other}",
        t("app_short", lang),
        lang,
        who,
        t("logout", lang),
        {"display": "none"} if user.role == "wall" else {},
        f"/logout?lang={lang}",
        menu_button_children(lang),
    )


def register(app) -> None:
    default = app.server.config.get("DEFAULT_LANG", "zh")

    @app.callback(
        Output(SHELL["links"], "children"),
        Output(SHELL["lang_link"], "children"),
        Output(SHELL["lang_link"], "href"),
        Output(SHELL["brand"], "children"),
        Output(SHELL["lang"], "data"),
        Output(SHELL["user"], "children"),
        Output(SHELL["logout_button"], "children"),
        Output(SHELL["logout"], "style"),
        Output(SHELL["logout"], "action"),
        Output(SHELL["menu_button"], "children"),
        Input(SHELL["location"], "pathname"),
        Input(SHELL["location"], "search"),
    )
    def _shell(pathname, search):
        return shell_view(pathname, search, default)
