"""The authorization matrix: every role x every page and every server callback x a target inside the
account's area and one outside it, generated from the page registry and the app's callback map (a new
page or callback is in the matrix without anyone adding it). A refusal changes nothing in the database."""

from __future__ import annotations

import json

import dash
import pytest
from sqlalchemy import func, select, update

from api.auth import new_token
from data.domain.roles import LANDING, ROLES, may_ack, may_move, may_open
from data.store.db import get_engine
from data.store.models import DataVersion, Incident, IncidentHistory, Project, Warning
from data.store.models_access import AccessLog
from data.write import accounts
from tests.conftest import make_app
from tests.people import PASSWORD, login

ORIGIN = {"Content-Type": "application/json", "Origin": "http://localhost"}
FORBIDDEN, NOT_FOUND = "您的账号无权打开此页面", "不存在"


def _targets(url: str) -> dict:
    """Two districts with an active warning, reported incidents and projects each, and a handling unit
    with dispatched incidents in both: the 'in' and 'out' targets of every row of the matrix."""
    with get_engine(url).connect() as conn:
        warned = conn.execute(
            select(func.substr(Warning.area_code, 1, 6), func.min(Warning.id))
            .where(Warning.ended_at.is_(None), Warning.acknowledged_at.is_(None))
            .group_by(func.substr(Warning.area_code, 1, 6))
        ).all()
        dispatched = conn.execute(
            select(Incident.district_code, Incident.assigned_unit, func.min(Incident.id))
            .where(Incident.status == "dispatched")
            .group_by(Incident.district_code, Incident.assigned_unit)
        ).all()
        by_unit: dict[str, dict[str, int]] = {}
        for district, unit, iid in dispatched:
            by_unit.setdefault(unit, {})[district] = iid
        warnings = dict(warned)

        def first(model, district, *where):
            return conn.execute(select(func.min(model.id)).where(model.district_code == district, *where)).scalar()

        def complete(district):  # a reported incident and a project to aim at, besides the warning
            return first(Incident, district, Incident.status == "reported") and first(Project, district)

        pairs = [
            (u, d, usable)
            for u, d in by_unit.items()
            if len(usable := sorted(x for x in set(d) & set(warnings) if complete(x))) >= 2
        ]
        assert pairs, "the small city needs a unit with work in two districts that have warnings"
        unit, per_district, usable = pairs[0]
        inside, outside = usable[:2]

        side = {}
        for name, district in (("in", inside), ("out", outside)):
            side[name] = {
                "side": name,
                "area": district,
                "incident": first(Incident, district, Incident.status == "reported"),
                "unit_incident": per_district[district],
                "project": first(Project, district),
                "warning": warnings[district],
            }
    return {"unit": unit, **side}


@pytest.fixture(scope="module")
def matrix(small_city, tmp_path_factory):
    """An app over a private copy of the small city, with one logged-in client per role, every account
    (and a wall's display token) rooted in the 'in' district."""
    import shutil

    path = tmp_path_factory.mktemp("matrix") / "city.sqlite"
    get_engine(small_city).dispose()
    shutil.copy(small_city.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    targets = _targets(url)
    engine = get_engine(url)
    from api.auth import hash_password

    digest = hash_password(PASSWORD)
    app = make_app(url, LOGIN_LIMIT_PER_ADDRESS="1000 per minute")
    clients = {}
    for role in ROLES:
        unit = targets["unit"] if role == "unit" else None
        accounts.add_user(engine, f"m-{role}", role=role, area=targets["in"]["area"], unit=unit, password_hash=digest)
        clients[role] = app.server.test_client()
        assert login(clients[role], f"m-{role}").status_code == 302
    token, token_digest = new_token()
    accounts.add_token(engine, "m-wall", token_hash=token_digest, area=targets["in"]["area"], created_by="m-admin")
    clients["wall"] = app.server.test_client()
    assert clients["wall"].get(f"/wall?token={token}").status_code == 302
    return app, clients, targets, url


def _path(template: str, target: dict, role: str) -> str:
    if template == "/indicators/<code>":  # the catalogue is the city's: 'outside' is a code it does not have
        return "/indicators/" + ("aqi" if target["side"] == "in" else "no_such_indicator")
    values = {
        "<code>": target["area"],
        "<iid>": str(target["unit_incident" if role == "unit" else "incident"]),
        "<pid>": str(target["project"]),
    }
    for slot, value in values.items():
        template = template.replace(slot, value)
    return template


def _state(url: str) -> tuple:
    """What a refusal must not change: every data version and the rows the loop writes."""
    with get_engine(url).connect() as conn:
        return (
            tuple(conn.execute(select(DataVersion.domain, DataVersion.version).order_by(DataVersion.domain))),
            conn.execute(select(func.count()).select_from(IncidentHistory)).scalar(),
            conn.execute(select(func.count()).where(Warning.acknowledged_at.is_not(None))).scalar(),
        )


def _router(app) -> str:
    return next(k for k in app.callback_map if "_pages_content.children" in k)


def test_every_role_on_every_page_inside_and_outside_its_area(matrix):
    app, clients, targets, url = matrix
    templates = sorted({p.get("path_template") or p["path"] for p in dash.page_registry.values()})
    assert {"/admin", "/wall", "/incidents/<iid>", "/area/<code>"} <= set(templates)
    checked = 0
    for role, client in clients.items():
        for template in templates:
            for side in ("in", "out"):
                path = _path(template, targets[side], role)
                resp = client.get(path)
                scoped = any(slot in template for slot in ("<code>", "<iid>", "<pid>"))
                if template == "/" and role in LANDING:
                    expected = 302
                elif not may_open(role, template):
                    expected = 403
                elif template == "/404" or (scoped and side == "out"):
                    expected = 404 if template != "/404" else 200
                else:
                    expected = 200
                assert resp.status_code == expected, (role, path, resp.status_code)
                if expected in (403, 404) and template != "/404":
                    body = _render(client, app, path)
                    assert (FORBIDDEN if expected == 403 else NOT_FOUND) in body, (role, path)
                checked += 1
    assert checked == len(clients) * len(templates) * 2


def _render(client, app, path: str) -> str:
    """What Dash's pages router returns for a path (the layout the browser would show)."""
    key = _router(app)
    cb = app.callback_map[key]
    inputs = [
        {"id": d["id"], "property": d["property"], "value": path if d["property"] == "pathname" else ""}
        for d in cb["inputs"]
    ]
    state = [{"id": d["id"], "property": d["property"], "value": None} for d in cb["state"]]
    return _post(client, key, inputs, state, [f"{cb['inputs'][0]['id']}.pathname"]).get_data(as_text=True)


def _post(client, key: str, inputs: list, state: list, changed: list[str]):
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
    if key.startswith("{"):
        outputs = [{"id": {"type": "warn-ack-cell", "id": inputs[0]["id"]["id"]}, "property": "children"}]
    body = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }
    return client.post("/_dash-update-component", data=json.dumps(body, ensure_ascii=False), headers=ORIGIN)


def _value(dep: dict, target: dict, role: str, unit: str):
    """A plausible value for a callback's input or state, pointing at the target."""
    cid, prop = dep["id"], dep["property"]
    if isinstance(cid, dict) or str(cid).startswith("{"):  # the acknowledge button
        return 1
    incident = target["unit_incident" if role == "unit" else "incident"]
    values = {
        ("shell-location", "pathname"): "/",
        ("shell-location", "search"): "?lang=zh",
        ("shell-tick", "n_intervals"): 1,
        ("wall-config", "data"): {"scope": target["area"], "lang": "zh"},
        ("area-config", "data"): {"scope": target["area"], "lang": "zh"},
        ("incs-state", "data"): {"filters": {"area": target["area"], "window": "30d"}, "lang": "zh"},
        ("incs-grid", "getRowsRequest"): {"startRow": 0, "endRow": 50, "sortModel": []},
        ("inc-submit", "n_clicks"): 1,
        ("inc-action", "value"): "start" if role == "unit" else "register",
        ("inc-state", "data"): {"id": incident, "version": target["version"].get(incident, 1), "lang": "zh"},
        ("incs-apply", "n_clicks"): 1,
    }
    return values.get((cid, prop))


def test_every_role_on_every_callback_inside_and_outside_its_area(matrix):
    app, clients, targets, url = matrix
    with get_engine(url).connect() as conn:
        ids = [targets[s][k] for s in ("in", "out") for k in ("incident", "unit_incident")]
        versions = dict(conn.execute(select(Incident.id, Incident.version).where(Incident.id.in_(ids))).all())
    for side in ("in", "out"):
        targets[side]["version"] = versions
    keys = [k for k, cb in app.callback_map.items() if cb.get("callback") and "_pages_content" not in k]
    assert len(keys) >= 10
    pages_of = app.server.extensions["cityops_owners"]
    checked = 0
    for key in keys:
        cb = app.callback_map[key]
        writes = "inc-head" in key or "warn-ack-cell" in key
        for role, client in clients.items():
            for side in ("in", "out"):
                target = targets[side]
                inputs = []
                for dep in cb["inputs"]:
                    cid = dep["id"]
                    if isinstance(cid, str) and cid.startswith("{"):
                        cid = {"type": "warn-ack", "id": target["warning"]}
                    inputs.append(
                        {"id": cid, "property": dep["property"], "value": _value(dep, target, role, targets["unit"])}
                    )
                state = [
                    {"id": d["id"], "property": d["property"], "value": _value(d, target, role, targets["unit"])}
                    for d in cb["state"]
                ]
                changed = [
                    f"{json.dumps(inputs[0]['id'], separators=(',', ':')) if isinstance(inputs[0]['id'], dict) else inputs[0]['id']}.{inputs[0]['property']}"
                ]
                before = _state(url)
                resp = _post(client, key, inputs, state, changed)
                pages = set().union(*(pages_of.get(i, set()) for i in _ids(key)))
                allowed = "*" in pages or any(may_open(role, p) for p in pages)
                assert resp.status_code == (200 if allowed else 403) or (allowed and resp.status_code == 204), (
                    role,
                    key[:60],
                    side,
                    resp.status_code,
                    resp.get_data(as_text=True)[:200],
                )
                after = _state(url)
                if writes:
                    action = "start" if role == "unit" else "register"
                    may = may_ack(role) if "warn-ack-cell" in key else may_move(role, action)
                    expect_change = allowed and may and side == "in"
                    assert (after != before) == expect_change, (role, key[:40], side)
                    if expect_change and "warn-ack-cell" in key:  # the next role finds it unacknowledged again
                        with get_engine(url).begin() as conn:
                            conn.execute(
                                update(Warning)
                                .where(Warning.id == target["warning"])
                                .values(acknowledged_at=None, acknowledged_by=None)
                            )
                    if expect_change:  # the next row acts on the version it left
                        with get_engine(url).connect() as conn:
                            versions.update(
                                conn.execute(select(Incident.id, Incident.version).where(Incident.id.in_(ids))).all()
                            )
                else:
                    assert after == before, (role, key[:40], side)
                checked += 1
    assert checked == len(keys) * len(clients) * 2
    with get_engine(url).connect() as conn:
        refusals = set(conn.execute(select(AccessLog.user_id, AccessLog.target).where(AccessLog.event == "denied")))
    assert {("m-leader", "move:register"), ("m-admin", "acknowledge")} <= refusals  # refused in the write itself
    assert any(user == "wall:m-wall" and target.startswith("callback:") for user, target in refusals)  # at the gate
    print(f"authorization matrix: {len(clients)} roles x {len(keys)} callbacks x 2 targets = {checked}")


def _ids(key: str) -> list[str]:
    from api.gate import _output_ids

    return _output_ids(key)


def test_cached_answers_never_cross_from_one_area_to_another(city_copy):
    """Street A, then street B (another district), then the city as a leader send the very same list
    request through one app and its one cache: each gets only its own rows."""
    from api.auth import hash_password
    from tests.people import street_and_district

    street_a, district_a = street_and_district(city_copy)
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        street_b = conn.execute(
            select(Incident.street_code)
            .where(Incident.district_code != district_a)
            .group_by(Incident.street_code)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
    accounts.add_user(engine, "t-operator-b", role="operator", area=street_b, password_hash=hash_password(PASSWORD))
    app = make_app(city_copy)
    key = next(k for k in app.callback_map if "getRowsResponse" in k)
    request = [
        {"id": "incs-grid", "property": "getRowsRequest", "value": {"startRow": 0, "endRow": 500, "sortModel": []}}
    ]
    state = [{"id": "incs-state", "property": "data", "value": {"filters": {"window": "30d"}, "lang": "zh"}}]
    seen = {}
    for user, street in (("t-operator", street_a), ("t-operator-b", street_b), ("t-leader", None)):
        client = app.server.test_client()
        login(client, user)
        body = _post(client, key, request, state, ["incs-grid.getRowsRequest"]).get_json()
        rows = body["response"]["incs-grid"]["getRowsResponse"]
        streets = {r["street_code"] for r in rows["rowData"]}
        seen[user] = (rows["rowCount"], streets)
        if street:
            assert rows["rowCount"] > 0 and streets == {street}, (user, streets)
    assert seen["t-leader"][0] >= seen["t-operator"][0] + seen["t-operator-b"][0]
    assert len(seen["t-leader"][1]) > 2


def test_a_unit_sees_only_what_was_dispatched_to_it(city_copy):
    from tests.people import UNIT

    app = make_app(city_copy)
    client = app.server.test_client()
    login(client, "t-unit")
    key = next(k for k in app.callback_map if "getRowsResponse" in k)
    request = [
        {"id": "incs-grid", "property": "getRowsRequest", "value": {"startRow": 0, "endRow": 500, "sortModel": []}}
    ]
    state = [{"id": "incs-state", "property": "data", "value": {"filters": {"window": "30d"}, "lang": "zh"}}]
    rows = _post(client, key, request, state, ["incs-grid.getRowsRequest"]).get_json()["response"]["incs-grid"]
    units = {r["assigned_unit"] for r in rows["getRowsResponse"]["rowData"]}
    assert rows["getRowsResponse"]["rowCount"] > 0 and units == {UNIT}
    with get_engine(city_copy).connect() as conn:
        other = conn.execute(select(func.min(Incident.id)).where(Incident.assigned_unit != UNIT)).scalar()
        mine = conn.execute(select(func.min(Incident.id)).where(Incident.assigned_unit == UNIT)).scalar()
    assert client.get(f"/incidents/{other}").status_code == 404  # another unit's incident does not exist for it
    assert client.get(f"/incidents/{mine}").status_code == 200
    for path in ("/wall", "/warnings", "/projects", "/area/310000", "/indicators"):
        assert client.get(path).status_code == 403, path
