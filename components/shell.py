"""The page shell: navigation built from the page registry, language switch, page container."""

from __future__ import annotations

import dash
from dash import dcc, html

from components.i18n import t
from components.ids import SHELL
from components.links import href as links_href
from data.domain.roles import may_open
from data.domain.vocab import CITY_CODE


def nav_links(pathname: str, lang: str, role: str | None = None, root: str = CITY_CODE) -> list:
    """One link per registered page that asks to be in the navigation (in `order`) and that the
    user's role may open (all of them when no role is given); area links open the user's own root."""
    pages = sorted(
        (
            p
            for p in dash.page_registry.values()
            if p.get("nav") and (role is None or may_open(role, p.get("path_template") or p["path"]))
        ),
        key=lambda p: p.get("order", 99),
    )
    links = []
    for p in pages:
        href = p.get("nav_path", p["relative_path"]).replace(f"/area/{CITY_CODE}", f"/area/{root}")
        section = "/" + href.strip("/").split("/")[0] if href != "/" else "/"
        active = pathname == "/" if section == "/" else (pathname or "").startswith(section)
        links.append(dcc.Link(t(p["nav"], lang), href=links_href(href, lang), className="active" if active else ""))
    return links


# the narrow screens' menu (assets/theme.css, assets/phone-menu.js); their place is SHELL in components/ids.py


def menu_button_children(lang: str) -> list:
    """The menu button's face: three bars drawn in CSS and the word, which is also its accessible name."""
    return [html.Span(className="shell-menu-icon", **{"aria-hidden": "true"}), t("nav_menu", lang)]


def create_shell(refresh_seconds: int, default_lang: str) -> html.Div:
    """The app layout around every page; kiosk pages hide the nav themselves. On a narrow screen the links,
    the language switch, the user's name and the logout button fold into a panel behind a menu button
    (a real button: aria-expanded says whether the panel is open); on a wide one they stand in the bar."""
    return html.Div(
        [
            dcc.Location(id=SHELL["location"]),
            dcc.Store(id=SHELL["lang"], data=default_lang),
            html.Nav(
                className="shell-nav",
                id=SHELL["nav"],
                children=[
                    html.Span(t("app_short", default_lang), className="shell-brand", id=SHELL["brand"]),
                    html.Button(
                        menu_button_children(default_lang),
                        id=SHELL["menu_button"],
                        type="button",
                        className="shell-menu-button",
                        **{"aria-expanded": "false", "aria-controls": SHELL["menu"]},
                    ),
                    html.Div(
                        id=SHELL["menu"],
                        className="shell-menu",
                        children=[
                            html.Div(className="shell-links", id=SHELL["links"]),
                            dcc.Link(
                                t("lang_switch", default_lang),
                                href="?lang=en",
                                className="shell-lang",
                                id=SHELL["lang_link"],
                            ),
                            html.Span(className="shell-user", id=SHELL["user"]),
                            html.Form(
                                id=SHELL["logout"],
                                method="POST",
                                action="/logout",
                                className="shell-logout",
                                children=html.Button(
                                    t("logout", default_lang), type="submit", id=SHELL["logout_button"]
                                ),
                            ),
                        ],
                    ),
                ],
            ),
            dcc.Interval(id=SHELL["tick"], interval=refresh_seconds * 1000),
            dash.page_container,
        ]
    )
