"""The command wall's layout: header, vital-sign tiles, map, incident/warning/project panels, ticker.

Everything here is static for the life of the page; the wall callback fills and patches it. The same
structure serves every wall shape: assets/wall.css arranges it for 16:9, 32:9 and 48:9 from the viewport.
"""

from __future__ import annotations

from dash import dcc, html

from components.citymap import SHANGHAI_BOUNDS, create_city_map
from components.i18n import t
from components.ids import HANDOVER, WALL
from components.links import href
from components.wall_replay import create_replay_banner, moment_param, replay_config


def _panel(title_key: str, body_id: str, lang: str, css: str) -> html.Section:
    return html.Section(
        className=f"wall-panel {css}",
        children=[
            html.H2(t(title_key, lang), className="panel-title"),
            html.Div(id=body_id, className="panel-body", children=html.Div(t("wall_loading", lang), className="empty")),
        ],
    )


def create_wall(
    *,
    scope: str,
    scope_name: str,
    lang: str,
    kiosk: bool,
    rotate: int,
    bounds: list | None,
    tile_url: str | None,
    refresh_s: int,
    build: str,
    notices: list[str],
    reload_hours: float,
    replay_at: int | None = None,
) -> html.Div:
    """The whole wall for one scope; `notices` are sentences about ignored URL parameters; `replay_at` (a moment
    the page has checked) shows the wall as it was then, under the replay banner (components/wall_replay.py)."""
    other = "zh" if lang == "en" else "en"
    config = {
        "scope": scope,
        "lang": lang,
        "rotate": rotate,
        "kiosk": kiosk,
        "refresh": refresh_s,
        "build": build,
        "bounds": bounds or SHANGHAI_BOUNDS,
        "reload_hours": reload_hours,
        "modes": ["warnings", "heat", "projects"],
        "titles": {m: t(f"wall_map_{m}", lang) for m in ("all", "warnings", "heat", "projects")},
        "stale_text": t("stale_banner", lang, since="{since}"),
        "new_red": t("new_red", lang),
        **replay_config(replay_at, lang),
    }
    links = (
        []
        if kiosk
        else [
            html.Div(
                className="wall-links",
                children=[
                    html.A(t("nav_home", lang), href=href("/", lang)),
                    html.A(
                        t("lang_switch", lang),
                        href=f"/wall?area={scope}&lang={other}"
                        + (f"&rotate={rotate}" if rotate else "")
                        + (f"&at={moment_param(replay_at)}" if replay_at is not None else ""),
                        className="lang-link",
                    ),
                ],
            )
        ]
    )
    return html.Div(
        id=WALL["root"],
        className="wall" + (" kiosk" if kiosk else "") + (" replay" if replay_at is not None else ""),
        lang="en" if lang == "en" else "zh-CN",
        children=[
            dcc.Store(id=WALL["config"], data=config),
            dcc.Location(id=WALL["nav"], refresh="callback-nav"),
            dcc.Store(id=WALL["meta"], data={}),
            dcc.Store(id=WALL["layers"]),  # a mirror of the map layers' hideouts (see assets/wall.js)
            dcc.Store(id=WALL["heartbeat"], data={}),
            dcc.Store(id=WALL["rotate_state"], data={}),
            dcc.Store(id=WALL["resize"], data=0),  # set by assets/wall.js when the window changes size
            dcc.Interval(id=WALL["clock_tick"], interval=1000),
            dcc.Interval(id=WALL["rotate_tick"], interval=max(rotate, 5) * 1000, disabled=not rotate),
            *create_replay_banner(replay_at, lang, scope=scope, kiosk=kiosk),
            html.Header(
                className="wall-header",
                children=[
                    html.Div(
                        className="wall-title",
                        children=[
                            html.H1(t("app_title", lang)),
                            html.Div(  # the scope, and under it who is on duty (callbacks/wall.py; assets/handover.css)
                                [
                                    html.Span(scope_name, className="wall-scope"),
                                    html.Span(id=HANDOVER["wall_duty"], className="wall-duty"),
                                ],
                                className="wall-scope-box",
                            ),
                        ],
                    ),
                    html.Div(
                        className="wall-time",
                        children=[
                            html.Span(id=WALL["date"], className="wall-date"),
                            html.Span(id=WALL["clock"], className="wall-clock num"),
                        ],
                    ),
                    html.Div(
                        className="wall-status",
                        children=[
                            html.Div(id=WALL["weather"], className="wall-weather"),
                            html.Div(
                                className="wall-status-row",
                                children=[html.Div(id=WALL["freshness"], className="wall-freshness"), *links],
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(id=WALL["banner"], className="wall-banner hidden"),
            *([html.Div(" ".join(notices), id=WALL["notice"], className="wall-notice")] if notices else []),
            html.Main(
                className="wall-main",
                children=[
                    html.Section(
                        className="wall-panel vitals",
                        children=[
                            html.H2(t("wall_vitals", lang), className="panel-title"),
                            html.Div(id=WALL["tiles"], className="tiles"),
                        ],
                    ),
                    html.Section(
                        id=WALL["map_box"],
                        className="wall-panel wall-map mode-all",
                        children=[
                            # the title and legend sit beside the map (above it on a 16:9 wall), never over the city
                            html.Div(
                                className="map-frame",
                                children=[
                                    html.H2(t("wall_map_all", lang), id=WALL["map_title"], className="panel-title"),
                                    create_city_map(
                                        WALL,
                                        scope,
                                        lang,
                                        bounds or SHANGHAI_BOUNDS,
                                        tile_url,
                                        still=kiosk,
                                        clickable=not kiosk,
                                    ),
                                    html.Div(id=WALL["legend"], className="wall-legend"),
                                    html.Div(id=WALL["callout"], className="wall-callout hidden"),
                                ],
                            ),
                        ],
                    ),
                    html.Div(
                        className="wall-right",
                        children=[
                            _panel("wall_incidents", WALL["incidents"], lang, "incidents"),
                            _panel("wall_warnings", WALL["warnings"], lang, "warnings"),
                            _panel("wall_projects", WALL["projects"], lang, "projects"),
                        ],
                    ),
                ],
            ),
            html.Footer(
                className="wall-ticker",
                children=[
                    html.Span(t("wall_ticker", lang), className="ticker-label"),
                    # a line crawling along the bottom; a rolling list of its own on a 48:9 wall
                    html.Div(
                        className="ticker-window roll",
                        children=html.Div(id=WALL["ticker"], className="ticker-track roll-track"),
                    ),
                ],
            ),
        ],
    )
