"""The administrator's page: a display token made in the browser works once on a wall, and revoking it
there stops the wall; nobody else can reach these forms."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from data.store.db import get_engine
from data.store.models_access import DisplayToken
from tests.conftest import make_app
from tests.people import login, street_and_district

HEADERS = {"Content-Type": "application/json", "Origin": "http://localhost"}


def _post(client, app, trigger: str, name=None, area=None, days=None, revoke=None):
    key = next(k for k in app.callback_map if "admin-token-result.children" in k)
    cb = app.callback_map[key]
    values = {"admin-token-name": name, "admin-token-area": area, "admin-token-days": days, "admin-revoke-name": revoke}
    body = {
        "output": key,
        "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")],
        "inputs": [{**d, "value": 1 if d["id"] == trigger else None} for d in cb["inputs"]],
        "state": [{**d, "value": values.get(d["id"], "?lang=zh")} for d in cb["state"]],
        "changedPropIds": [f"{trigger}.n_clicks"],
    }
    return client.post("/_dash-update-component", data=json.dumps(body), headers=HEADERS)


def test_an_administrator_makes_and_revokes_a_wall_token_in_the_browser(city_copy):
    street, _district = street_and_district(city_copy)
    app = make_app(city_copy)
    admin = app.server.test_client()
    login(admin, "t-admin")
    assert admin.get("/admin").status_code == 200
    bad = _post(admin, app, "admin-token-create", name="Hall A", area=street).get_data(as_text=True)
    assert "名称须为" in bad
    assert "请选择显示区域" in _post(admin, app, "admin-token-create", name="hall-a", area="999").get_data(as_text=True)
    made = _post(admin, app, "admin-token-create", name="hall-a", area=street, days=30).get_data(as_text=True)
    token = re.search(r"wall\?token=([A-Za-z0-9_-]{40,})", made).group(1)
    assert "只显示这一次" in made
    again = _post(admin, app, "admin-token-create", name="hall-a", area=street).get_data(as_text=True)
    assert "已有同名" in again
    with get_engine(city_copy).connect() as conn:
        row = conn.execute(select(DisplayToken.created_by, DisplayToken.area_code, DisplayToken.token_hash)).one()
    assert row[0] == "t-admin" and row[1] == street and token not in row[2]  # stored hashed
    wall = app.server.test_client()
    assert wall.get(f"/wall?token={token}").status_code == 302 and wall.get("/wall").status_code == 200
    revoked = _post(admin, app, "admin-revoke", revoke="hall-a").get_data(as_text=True)
    assert "已撤销“hall-a”" in revoked
    assert wall.get("/wall").status_code == 401
    operator = app.server.test_client()
    login(operator, "t-operator")
    assert _post(operator, app, "admin-token-create", name="hall-b", area=street).status_code == 403
    with get_engine(city_copy).connect() as conn:
        assert conn.execute(select(DisplayToken.name)).scalars().all() == ["hall-a"]
