"""Every component id, in one place (kebab-case, page prefix)."""

SHELL = {
    "location": "shell-location", "lang": "shell-lang", "nav": "shell-nav", "brand": "shell-brand",
    "links": "shell-links", "lang_link": "shell-lang-link", "tick": "shell-tick",
}
HOME = {
    "kpis": "home-kpis", "sources": "home-sources", "loop": "home-loop", "notice": "home-notice",
    "updated": "home-updated",
}
WALL = {
    "root": "wall-root", "config": "wall-config", "meta": "wall-meta", "heartbeat": "wall-heartbeat",
    "clock_tick": "wall-clock-tick", "rotate_tick": "wall-rotate-tick", "rotate_state": "wall-rotate-state",
    "date": "wall-date", "clock": "wall-clock", "weather": "wall-weather", "freshness": "wall-freshness",
    "banner": "wall-banner", "notice": "wall-notice", "tiles": "wall-tiles", "incidents": "wall-incidents",
    "warnings": "wall-warnings", "projects": "wall-projects", "ticker": "wall-ticker", "map_box": "wall-map-box",
    "map": "wall-map", "map_title": "wall-map-title", "areas": "wall-areas", "heat": "wall-heat", "layers": "wall-layers",
    "markers": "wall-markers", "project_layer": "wall-project-layer", "legend": "wall-legend", "callout": "wall-callout",
    "nav": "wall-nav", "resize": "wall-resize",
}
AREA = {
    "config": "area-config", "meta": "area-meta", "nav": "area-nav", "incidents": "area-incidents",
    "warnings": "area-warnings", "projects": "area-projects", "map": "area-map", "areas": "area-areas",
    "heat": "area-heat", "markers": "area-markers", "project_layer": "area-project-layer", "legend": "area-legend",
    "ranking": "area-ranking", "week": "area-week", "active": "area-active", "layers": "area-layers",
}
INDICATORS = {"catalogue": "ind-catalogue", "updated": "ind-updated"}
INDICATOR = {"start": "ind-start", "end": "ind-end", "chart": "ind-chart", "map": "ind-map", "areas": "ind-areas"}
INCIDENT = {"state": "inc-state", "action": "inc-action", "unit": "inc-unit", "comment": "inc-comment",
            "submit": "inc-submit", "result": "inc-result", "body": "inc-body", "actions": "inc-actions",
            "head": "inc-head", "deadline": "inc-deadline", "clock": "inc-clock", "tick": "inc-tick",
            "unit_wrap": "inc-unit-wrap"}
INCIDENTS = {"grid": "incs-grid", "filters": "incs-filters"}
