"""Scope is made on the server: reads refuse bare strings, and a forged Store or id widens nothing."""

from __future__ import annotations

import importlib
import inspect
import json

import pytest
from sqlalchemy import func, select

import api.access as access
from components.ids import AREA, INCIDENT, INCIDENTS, SHELL, WALL
from components.warnings_view import ACK, ACK_CELL
from data.domain.scope import CITY, Scope, ScopeError
from data.read import (
    areas,
    freshness,
    incidentdesk,
    incidentlist,
    incidents,
    indicators,
    mapqueries,
    projectdata,
    rankings,
    warnlist,
)
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory, Warning
from tests.conftest import SMALL_END, make_app
from tests.people import act_as, login

STREET = "310101002"  # 南京东路街道, 黄浦区
OTHER_DISTRICT = "310115"  # 浦东新区
READ_MODULES = (
    areas,
    freshness,
    incidentdesk,
    incidentlist,
    incidents,
    indicators,
    mapqueries,
    projectdata,
    rankings,
    warnlist,
)


def test_scope_is_keyed_by_its_area_and_refuses_what_lies_outside():
    a, b = Scope("310101002", "310101", "alice"), Scope("310101002", "310000", "bob")
    assert a == b and hash(a) == hash(b) and repr(a) == "Scope(310101002)"  # same rows, same cache entry
    assert a.level == "street" and a.child_level == "grid" and a.district == "310101"
    assert a.contains("310101002007") and not a.contains("310101013")
    with pytest.raises(ScopeError):
        Scope("310115", root="310101")
    with pytest.raises(ScopeError):
        a.narrow("310101013")
    for bad in ("", "abc", "999999", "3101010021", "../../x", "310000 OR 1=1"):
        with pytest.raises(ValueError):
            Scope(bad)


def _scoped_reads():
    for module in READ_MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if (
                fn.__module__ == module.__name__
                and not name.startswith("_")
                and "scope" in inspect.signature(fn).parameters
            ):
                yield f"{module.__name__}.{name}", fn


def test_every_scoped_read_refuses_a_bare_area_string(small_city, app_for):
    app_for(small_city)
    reads = dict(_scoped_reads())
    assert len(reads) >= 25, sorted(reads)
    for name, fn in reads.items():
        params = list(inspect.signature(fn).parameters)
        args = ["310000" if p == "scope" else 1 for p in params if p not in ("limit", "min_priority", "descending")]
        with pytest.raises(TypeError, match="needs a Scope"):
            fn(*args)
        assert name


def _post(client, app, output_key: str, inputs: list, state: list, changed: str) -> dict:
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in output_key.strip(".").split("...")]
    body = {
        "output": output_key,
        "outputs": outputs if "..." in output_key else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [changed],
    }
    headers = {"Content-Type": "application/json", "Origin": "http://localhost"}
    resp = client.post("/_dash-update-component", data=json.dumps(body), headers=headers)
    assert resp.status_code in (200, 204), resp.data[:300]
    return json.loads(resp.data)["response"] if resp.status_code == 200 else {}


def _key(app, *parts: str) -> str:
    return next(k for k in app.callback_map if all(p in k for p in parts))


@pytest.fixture
def street_app(city_copy):
    """The app, and a client logged in through the form as a duty officer of the street (its whole loop)."""
    app = make_app(city_copy)
    client = app.server.test_client()
    assert login(client, "t-street-dispatcher").status_code == 302
    return app, client, city_copy


def test_forged_scopes_in_stores_get_the_resolved_scope_back(street_app):
    """A street user posts the city, another district and junk as the scope of every screen's Store:
    each callback answers for the street it resolved on the server."""
    app, client, _url = street_app
    wall, area, rows = _key(app, "wall-meta.data"), _key(app, "area-meta.data"), _key(app, "getRowsResponse")
    covered = {wall, area, rows}
    covered.add(_key(app, "wall-config.data@", "wall-replay-state.data@"))  # next red warning: test_wall_replay.py
    covered |= {_key(app, k) for k in ("area-replay-slider.marks", "area-config.data@", "area-replay-crumbs.children")}
    stores = {WALL["config"], AREA["config"], "incs-state"}
    reading_stores = {
        k
        for k, cb in app.callback_map.items()
        if any(d["id"] in stores for d in cb["inputs"] + cb["state"]) and cb.get("callback")
    }
    reading_stores -= {_key(app, "area-nav.href"), _key(app, "wall-nav.href"), _key(app, "incs-nav.href")}  # links only
    assert reading_stores <= covered, reading_stores - covered  # a new callback reading a scope Store is tested here
    for forged in ("310000", OTHER_DISTRICT, "31011500", "'; DROP TABLE incidents; --", None, {"code": "310000"}):
        config = {"scope": forged, "lang": "zh", "kiosk": False}
        got = _post(
            client,
            app,
            wall,
            [
                {"id": SHELL["tick"], "property": "n_intervals", "value": 1},
                {"id": WALL["config"], "property": "data", "value": config},
            ],
            [{"id": WALL["meta"], "property": "data", "value": None}],
            f"{SHELL['tick']}.n_intervals",
        )
        assert got[WALL["meta"]]["data"]["scope"] == STREET, forged
        got = _post(
            client,
            app,
            area,
            [
                {"id": SHELL["tick"], "property": "n_intervals", "value": 1},
                {"id": AREA["config"], "property": "data", "value": config},
            ],
            [{"id": AREA["meta"], "property": "data", "value": None}],
            f"{SHELL['tick']}.n_intervals",
        )
        assert got[AREA["meta"]]["data"]["scope"] == STREET, forged
        ranked = [r["code"] for r in got[AREA["ranking"]]["rowData"]]
        assert ranked and all(code.startswith(STREET) for code in ranked), forged
        filters = {"window": "all", "area": forged}
        got = _post(
            client,
            app,
            rows,
            [
                {
                    "id": INCIDENTS["grid"],
                    "property": "getRowsRequest",
                    "value": {"startRow": 0, "endRow": 100, "sortModel": []},
                }
            ],
            [{"id": "incs-state", "property": "data", "value": {"filters": filters, "lang": "zh"}}],
            f"{INCIDENTS['grid']}.getRowsRequest",
        )
        listed = got[INCIDENTS["grid"]]["getRowsResponse"]["rowData"]
        assert listed and all(str(r["id"]).isdigit() for r in listed), forged
        with get_engine(_url).connect() as conn:
            streets = set(
                conn.execute(
                    select(Incident.street_code).where(Incident.id.in_([int(r["id"]) for r in listed]))
                ).scalars()
            )
        assert streets == {STREET}, forged


def test_forged_ids_outside_the_scope_change_nothing(street_app):
    """Acting on an incident or acknowledging a warning of another district is 'not found', and the
    database is as it was."""
    app, client, url = street_app
    engine = get_engine(url)
    with engine.connect() as conn:
        inc = conn.execute(
            select(Incident.id, Incident.version).where(
                Incident.district_code == OTHER_DISTRICT, Incident.status == "reported"
            )
        ).first()
        warning = conn.execute(
            select(Warning.id).where(
                ~Warning.area_code.startswith(STREET), Warning.ended_at.is_(None), Warning.acknowledged_at.is_(None)
            )
        ).scalar()
        before = conn.execute(select(func.count()).select_from(IncidentHistory)).scalar()
    assert inc is not None and warning is not None
    act = _key(app, INCIDENT["result"])
    got = _post(
        client,
        app,
        act,
        [{"id": INCIDENT["submit"], "property": "n_clicks", "value": 1}],
        [
            {"id": INCIDENT["action"], "property": "value", "value": "register"},
            {"id": INCIDENT["unit"], "property": "value", "value": None},
            {"id": INCIDENT["comment"], "property": "value", "value": None},
            {
                "id": INCIDENT["state"],
                "property": "data",
                "value": {"id": inc.id, "version": inc.version, "lang": "zh"},
            },
            *({"id": i, "property": "value", "value": None} for i in ("inc-target", "inc-due-date", "inc-due-time")),
        ],
        f"{INCIDENT['submit']}.n_clicks",
    )
    assert "不存在" in json.dumps(got[INCIDENT["result"]]["children"], ensure_ascii=False)
    ack = next(k for k in app.callback_map if ACK_CELL in k)
    body = {
        "output": ack,
        "outputs": {"id": {"id": warning, "type": ACK_CELL}, "property": "children"},
        "inputs": [{"id": {"id": warning, "type": ACK}, "property": "n_clicks", "value": 1}],
        "state": [{"id": SHELL["location"], "property": "search", "value": ""}],
        "changedPropIds": [json.dumps({"id": warning, "type": ACK}, separators=(",", ":")) + ".n_clicks"],
    }
    headers = {"Content-Type": "application/json", "Origin": "http://localhost"}
    resp = client.post("/_dash-update-component", data=json.dumps(body), headers=headers)
    assert resp.status_code == 200 and "预警不存在" in resp.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.version).where(Incident.id == inc.id)).scalar() == inc.version
        assert conn.execute(select(Warning.acknowledged_at).where(Warning.id == warning)).scalar() is None
        assert conn.execute(select(func.count()).select_from(IncidentHistory)).scalar() == before
    assert client.get(f"/geo/outlines/{OTHER_DISTRICT}.json").status_code == 404
    assert client.get(f"/geo/outlines/{STREET}.json").status_code == 200


def test_pages_answer_for_the_users_street_only(street_app):
    app, client, _url = street_app
    page = client.get("/_dash-layout")  # the shell; page content is rendered by Dash per path
    assert page.status_code == 200
    with app.server.test_request_context():
        act_as("t-street-dispatcher", "dispatcher", STREET)
        assert access.resolve_scope() == Scope(STREET)
        with pytest.raises(ScopeError):
            access.resolve_scope(OTHER_DISTRICT)
        assert access.scope_or_root("310000") == Scope(STREET)
        assert incidentdesk.incident_story(CITY, 10**9, SMALL_END) is None


def test_no_client_string_reaches_the_log(street_app, caplog):
    """Junk in path variables, query strings, a route and a Store is refused without being written to the log."""
    app, client, _url = street_app
    junk = "JUNK" + "x" * 200
    caplog.set_level("DEBUG")
    pages = {
        "pages.area": {"code": junk},
        "pages.indicator": {"code": junk},
        "pages.project": {"pid": junk},
        "pages.incident": {"iid": junk},
        "pages.wall": {"area": junk, "rotate": junk},
        "pages.incidents": {"area": junk, "q": junk},
        "pages.warnings": {"area": junk, "page": junk},
    }
    with app.server.test_request_context("/"):  # Dash renders a page's layout inside its pages callback
        act_as("t-street-dispatcher", "dispatcher", STREET)
        for module, params in pages.items():
            assert importlib.import_module(module).layout(**params) is not None, module
    assert client.get(f"/geo/outlines/{junk}.json").status_code == 404
    wall = _key(app, "wall-meta.data")
    _post(
        client,
        app,
        wall,
        [
            {"id": SHELL["tick"], "property": "n_intervals", "value": 1},
            {"id": WALL["config"], "property": "data", "value": {"scope": junk, "lang": junk}},
        ],
        [{"id": WALL["meta"], "property": "data", "value": None}],
        f"{SHELL['tick']}.n_intervals",
    )
    said = [r.getMessage() for r in caplog.records]
    assert any("unknown" in m or "malformed" in m for m in said)  # the refusals were logged, as events
    assert not [m for m in said if "JUNK" in m]
