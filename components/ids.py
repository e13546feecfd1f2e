"""Every component id, in one place (kebab-case, page prefix)."""

SHELL = {
    "location": "shell-location",
    "lang": "shell-lang",
    "nav": "shell-nav",
    "brand": "shell-brand",
    "links": "shell-links",
    "lang_link": "shell-lang-link",
    "tick": "shell-tick",
    "user": "shell-user",
    "logout": "shell-logout",
    "logout_button": "shell-logout-button",
    "menu": "shell-menu",  # the navigation's menu on narrow screens (assets/phone-menu.js)
    "menu_button": "shell-menu-button",
}
HOME = {
    "kpis": "home-kpis",
    "sources": "home-sources",
    "loop": "home-loop",
    "notice": "home-notice",
    "updated": "home-updated",
}
WALL = {
    "root": "wall-root",
    "config": "wall-config",
    "meta": "wall-meta",
    "heartbeat": "wall-heartbeat",
    "clock_tick": "wall-clock-tick",
    "rotate_tick": "wall-rotate-tick",
    "rotate_state": "wall-rotate-state",
    "date": "wall-date",
    "clock": "wall-clock",
    "weather": "wall-weather",
    "freshness": "wall-freshness",
    "banner": "wall-banner",
    "notice": "wall-notice",
    "tiles": "wall-tiles",
    "incidents": "wall-incidents",
    "warnings": "wall-warnings",
    "projects": "wall-projects",
    "ticker": "wall-ticker",
    "map_box": "wall-map-box",
    "map": "wall-map",
    "map_title": "wall-map-title",
    "areas": "wall-areas",
    "heat": "wall-heat",
    "layers": "wall-layers",
    "markers": "wall-markers",
    "project_layer": "wall-project-layer",
    "legend": "wall-legend",
    "callout": "wall-callout",
    "nav": "wall-nav",
    "resize": "wall-resize",
}
AREA = {
    "config": "area-config",
    "meta": "area-meta",
    "nav": "area-nav",
    "incidents": "area-incidents",
    "warnings": "area-warnings",
    "projects": "area-projects",
    "map": "area-map",
    "areas": "area-areas",
    "heat": "area-heat",
    "markers": "area-markers",
    "project_layer": "area-project-layer",
    "legend": "area-legend",
    "ranking": "area-ranking",
    "week": "area-week",
    "active": "area-active",
    "layers": "area-layers",
}
INDICATORS = {"catalogue": "ind-catalogue", "updated": "ind-updated"}
INDICATOR = {"start": "ind-start", "end": "ind-end", "chart": "ind-chart", "map": "ind-map", "areas": "ind-areas"}
INCIDENT = {
    "state": "inc-state",
    "action": "inc-action",
    "unit": "inc-unit",
    "comment": "inc-comment",
    "submit": "inc-submit",
    "result": "inc-result",
    "body": "inc-body",
    "actions": "inc-actions",
    "head": "inc-head",
    "deadline": "inc-deadline",
    "clock": "inc-clock",
    "tick": "inc-tick",
    "unit_wrap": "inc-unit-wrap",
}
INCIDENTS = {"grid": "incs-grid", "filters": "incs-filters"}
ADMIN = {
    "token_name": "admin-token-name",
    "token_area": "admin-token-area",
    "token_days": "admin-token-days",
    "token_create": "admin-token-create",
    "token_result": "admin-token-result",
    "revoke_name": "admin-revoke-name",
    "revoke": "admin-revoke",
    "tokens_box": "admin-tokens-box",
}
# the phone view of the wall (pages/mobile.py, callbacks/mobile.py)
MOBILE = {
    "root": "m-root",
    "config": "m-config",
    "meta": "m-meta",
    "beat": "m-beat",
    "clock": "m-clock",
    "updated": "m-updated",
    "stale": "m-stale",
    "status": "m-status",
    "incidents": "m-incidents",
    "vitals": "m-vitals",
    "projects": "m-projects",
    "links": "m-links",
}
# a user's open work by deadline (pages/tasks.py, callbacks/tasks.py)
TASKS = {
    "config": "tasks-config",
    "meta": "tasks-meta",
    "body": "tasks-body",
}
# the shift handover (pages/handover.py, callbacks/handover.py) and the wall's duty line (components/wall_layout.py)
HANDOVER = {
    "state": "ho-state",
    "record": "ho-record",
    "notes": "ho-notes",
    "note": "ho-note",
    "form": "ho-form",
    "save": "ho-save",
    "confirm": "ho-confirm",
    "result": "ho-result",
    "print": "ho-print",
    "printed": "ho-printed",
    "wall_duty": "wall-duty",
}
# the installable app's elements outside Dash's tree: api/pwa.py writes the texts into every page's HTML,
# assets/pwa.js (which repeats these names) makes the offline banner and the note beside a refused write
PWA = {"texts": "pwa-texts", "banner": "pwa-banner", "note": "pwa-note"}
# the wall's replay (/wall?at=..., components/wall_replay.py, callbacks/wall_replay.py, assets/wall-replay.js)
REPLAY = {
    "state": "wall-replay-state",
    "banner": "wall-replay-banner",
    "time": "wall-replay-time",
    "msg": "wall-replay-msg",
    "play": "wall-replay-play",
    "back": "wall-replay-back",
    "forward": "wall-replay-forward",
    "speed": "wall-replay-speed",
    "next_red": "wall-replay-next-red",
    "live": "wall-replay-live",
}
AREA_REPLAY = {  # the area page's time slider and replay banner (issue 16)
    "banner": "area-replay-banner",
    "time": "area-replay-time",
    "msg": "area-replay-msg",
    "live": "area-replay-live",
    "range": "area-replay-range",
    "slider": "area-replay-slider",
    "url": "area-replay-url",
    "crumbs": "area-replay-crumbs",
    "ranking": "area-replay-ranking",
}
