"""The city map shared by the wall and the desktop pages (dash-leaflet, no public tiles)."""

from __future__ import annotations

import dash_leaflet as dl

from components.i18n import t
from components.theme import HEAT, HEAT_DOT_RIM, HEAT_DOTS, MAP_FILL, MAP_STROKE, PROJECT_STATUS

# Shanghai's extent, used when the scope's own bounds cannot be read (e.g. the database is down)
SHANGHAI_BOUNDS = [[30.68, 120.85], [31.88, 122.2]]
EMPTY_FC = {"type": "FeatureCollection", "features": []}


def js(name: str, namespace: str = "wall") -> dict:
    """A reference to a function in assets/wall.js (or assets/areamap.js with namespace="areamap"), the
    form dash-leaflet expects."""
    return {"variable": f"cityops.{namespace}.{name}"}


def _live_layers(ids: dict, scope: str, lang: str, all_heat: bool) -> list:
    """Incident heat (bins recoloured through hideout: dots over the warning colours, or solid cells in the
    wall's heat view, see components.theme.HEAT_DOTS), projects by district, and hot incidents."""
    return [
        dl.Pane(
            name="heat",
            style={"zIndex": 410},
            children=dl.GeoJSON(
                id=ids["heat"],
                url=f"/geo/heat/{scope}.json",
                style=js("heatStyle"),
                # the desks: every class, as dots; the wall's overview: the two hottest, as dots (its carousel
                # switches to heatAny, every class as solid cells, for its heat view)
                filter=js("heatAll" if all_heat else "heatHot"),
                hideout={
                    "layer": ids["heat"],
                    "rev": 0,
                    "v": [],
                    "breaks": [],
                    "colours": list(HEAT),
                    "dots": {"sizes": [list(d) for d in HEAT_DOTS], "rim": list(HEAT_DOT_RIM)},
                },
                interactive=False,
            ),
        ),
        dl.Pane(
            name="projects",
            style={"zIndex": 440},
            children=dl.GeoJSON(
                id=ids["project_layer"],
                data=EMPTY_FC,
                pointToLayer=js("projectPoint"),
                hideout={"colours": PROJECT_STATUS, "lang": lang},
                interactive=False,
            ),
        ),
        dl.Pane(
            name="markers",
            style={"zIndex": 450},
            children=dl.GeoJSON(id=ids["markers"], data=EMPTY_FC, pointToLayer=js("incidentPoint"), interactive=False),
        ),
    ]


def create_city_map(
    ids: dict,
    scope: str,
    lang: str,
    bounds: list,
    tile_url: str | None,
    still: bool = False,
    clickable: bool = False,
    levels: dict[str, int] | None = None,
    areas_only: bool = False,
    selected: str | None = None,
    named: bool = False,
) -> dl.MapContainer:
    """The city map: child-area outlines filled by warning colour (recoloured through `hideout`), the
    incident heat bins, hot-incident markers and the project layer, each in its own pane.

    ids: component ids for map and areas (and heat, markers, project_layer unless areas_only). still: no zoom, drag or scroll
    (a kiosk wall). clickable: areas report clicks (to drill down). levels: initial colours by area code
    (pages that never refresh them). areas_only: just the coloured outlines (no heat, markers, projects).
    scope: the area whose children, heat and markers are drawn. selected: a child outlined above the
    others. named: a desk map: every area named where its name fits (assets/areamap.js; the wall's map
    names its areas itself, assets/wall.js, and says when their shapes are approximate) and every heat class
    drawn (the wall's overview draws the two hottest)."""
    wall = not named and not selected  # the wall names every area itself and says when shapes are approximate
    layers = []
    if tile_url:  # an intranet basemap only when configured: never a public tile server
        layers.append(dl.TileLayer(url=tile_url, attribution=""))
    layers.append(
        dl.Pane(
            name="areas",
            style={"zIndex": 400},
            children=dl.GeoJSON(
                id=ids["areas"],
                url=f"/geo/outlines/{scope}.json",
                style=js("areaStyle"),
                onEachFeature=js("areaLabel", "areamap") if named or selected else js("areaLabel"),
                hideout={
                    "layer": ids["areas"],
                    "rev": 0,
                    "levels": levels or {},
                    "colours": {str(lv): c for lv, (c, _) in MAP_FILL.items()},
                    "fills": {str(lv): a for lv, (_, a) in MAP_FILL.items()},
                    "strokes": {str(lv): list(s) for lv, s in MAP_STROKE.items()},
                    "lang": lang,
                    "selected": selected,
                    "named": named,
                    **(
                        {
                            "approx": {lv: t(f"map_approx_{lv}", lang) for lv in ("district", "street", "grid")},
                            "grid": t("map_grid_label", lang),
                        }
                        if wall
                        else {}
                    ),
                },
                interactive=clickable,
            ),
        )
    )
    if not areas_only:
        layers += _live_layers(ids, scope, lang, all_heat=named)
    if not still:
        layers.append(dl.ZoomControl(position="topright"))
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    # start from a centre and fit the bounds through `viewport`: the `bounds` prop throws in
    # dash-leaflet 1.1 (emilhe/dash-leaflet#254)
    return dl.MapContainer(
        id=ids["map"],
        center=centre,
        zoom=9,
        viewport={"bounds": bounds, "transition": "fitBounds"},
        preferCanvas=True,
        zoomSnap=0.25,
        zoomControl=False,
        attributionControl=False,
        scrollWheelZoom=not still,
        dragging=not still,
        doubleClickZoom=not still,
        keyboard=False,
        className="wall-leaflet",
        children=layers,
    )
