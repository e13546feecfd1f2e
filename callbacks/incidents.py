"""The incident list: the filter form writes the URL; the grid asks for blocks of rows (infinite model)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from dash import Input, Output, State, no_update

from api.access import scope_or_root
from components.i18n import lang_from
from components.ids import INCIDENTS
from components.incident_list import FILTER_IDS, parse_filters, shape_rows
from data.domain.filters import SORTABLE, IncidentFilters
from data.domain.timeutil import now_ts, tick_of
from data.read import areas, incidentlist

log = logging.getLogger("cityops.callbacks.incidents")


def filters_from_store(filters) -> IncidentFilters:
    """The page's filters as the Store holds them, checked again like a URL (the Store is the browser's)."""
    raw = filters if isinstance(filters, dict) else {}
    as_url = {
        k: ("1" if v is True else "0" if v is False else str(v))
        for k, v in raw.items()
        if k in IncidentFilters._fields and v is not None
    }
    return parse_filters(as_url)[0]


def rows_for(request: dict, filters: dict, lang: str, now: int) -> dict:
    """One block for the grid: {'rowData', 'rowCount'} from an infinite-model request."""
    f = filters_from_store(filters)
    scope = scope_or_root(f.area)  # the Store asks for an area; the server decides
    sort, desc = "reported_at", True
    for s in request.get("sortModel") or []:
        if s.get("colId") in SORTABLE:
            sort, desc = s["colId"], s.get("sort") == "desc"
            break
    start, end = int(request.get("startRow", 0)), int(request.get("endRow", 100))
    got = incidentlist.page(scope, f, now, sort, desc, start, end)
    return {"rowData": shape_rows(got["rows"], areas.area_names(), now, lang), "rowCount": got["total"]}


def register(app) -> None:
    @app.callback(
        Output(INCIDENTS["grid"], "getRowsResponse"),
        Input(INCIDENTS["grid"], "getRowsRequest"),
        State("incs-state", "data"),
        prevent_initial_call=True,
    )
    def _rows(request, state):
        if not request:
            return no_update
        try:
            state = state if isinstance(state, dict) else {}
            now = tick_of(now_ts(), app.server.config.get("REFRESH_SECONDS", 10))
            return rows_for(request, state.get("filters"), lang_from(state.get("lang")), now)
        except Exception:  # keep the grid as it is; the log has why
            log.exception("incident list block failed")
            return no_update

    @app.callback(
        Output(FILTER_IDS["nav"], "href"),
        Input(FILTER_IDS["apply"], "n_clicks"),
        *[
            State(FILTER_IDS[k], "value")
            for k in ("window", "status", "source", "category", "priority", "unit", "flag", "area", "q", "overdue")
        ],
        State("incs-state", "data"),
        prevent_initial_call=True,
    )
    def _apply(n, window, status, source, category, priority, unit, flag, area, q, overdue, state):
        if not n:
            return no_update
        params = {
            "window": window if window != "today" else None,
            "status": status,
            "source": source,
            "category": category,
            "priority": priority,
            "unit": unit,
            "flag": flag,
            "area": (area or "").strip(),
            "q": (q or "").strip(),
            "overdue": "1" if overdue else None,
        }
        query = {k: v for k, v in params.items() if v}
        if lang_from(state.get("lang")) == "en":
            query["lang"] = "en"
        return "/incidents" + ("?" + urlencode(query) if query else "")  # the page checks and names bad values
