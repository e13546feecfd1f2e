"""Input limits: what a browser sends is bounded and checked before it reaches a read, a write or a log
line. A body over the size limit, an over-long reason, an id that is not a plain integer, a bad
component-suite path and a malformed callback body each get a status and a sentence, never a 500, and
change nothing."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from config import Config
from data.domain.vocab import MAX_COMMENT
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory, Project, Warning
from tests.conftest import make_app
from tests.people import login

ORIGIN = {"Content-Type": "application/json", "Origin": "http://localhost"}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def desk(mini_copy):
    """An app over a private mini city and a client logged in as the city's duty officer."""
    app = make_app(mini_copy)
    client = app.server.test_client()
    assert login(client, "t-dispatcher").status_code == 302
    return app, client, mini_copy


def _key(app, part: str) -> str:
    return next(k for k in app.callback_map if part in k)


def _post(client, key: str, inputs: list, state: list, changed: list[str], outputs=None):
    if outputs is None:
        outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
        outputs = outputs if key.startswith("..") else outputs[0]
    body = {"output": key, "outputs": outputs, "inputs": inputs, "state": state, "changedPropIds": changed}
    return client.post("/_dash-update-component", data=json.dumps(body, ensure_ascii=False), headers=ORIGIN)


def _render(app, client, path: str) -> tuple[int, str]:
    """What Dash's pages router answers for a pathname (the layout the browser would show)."""
    key = _key(app, "_pages_content.children")
    cb = app.callback_map[key]
    inputs = [
        {"id": d["id"], "property": d["property"], "value": path if d["property"] == "pathname" else ""}
        for d in cb["inputs"]
    ]
    state = [{"id": d["id"], "property": d["property"], "value": None} for d in cb["state"]]
    resp = _post(client, key, inputs, state, [f"{cb['inputs'][0]['id']}.pathname"])
    return resp.status_code, resp.get_data(as_text=True)


def _act(app, client, state: dict, action: str, comment: str | None = None, unit: str | None = None):
    """Post the incident page's action callback as its form would."""
    key = _key(app, "inc-head.children")
    inputs = [{"id": "inc-submit", "property": "n_clicks", "value": 1}]
    states = [
        {"id": "inc-action", "property": "value", "value": action},
        {"id": "inc-unit", "property": "value", "value": unit},
        {"id": "inc-comment", "property": "value", "value": comment},
        {"id": "inc-state", "property": "data", "value": state},
        *({"id": i, "property": "value", "value": None} for i in ("inc-target", "inc-due-date", "inc-due-time")),
    ]
    return _post(client, key, inputs, states, ["inc-submit.n_clicks"])


def _history(url: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(IncidentHistory)).scalar()


def _incident(url: str, status: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        return conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == status).order_by(Incident.id).limit(1)
        ).one()


def _said(resp) -> str:
    return json.dumps(resp.get_json()["response"].get("inc-result", {}), ensure_ascii=False)


# -- request body size -------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_and_a_sentence(desk):
    app, client, _url = desk
    assert Config().MAX_CONTENT_LENGTH == 1024 * 1024
    assert app.server.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    big = json.dumps({"output": "x", "inputs": [], "pad": "x" * (1024 * 1024)})
    resp = client.post("/_dash-update-component", data=big, headers=ORIGIN)
    assert resp.status_code == 413
    assert "过大" in resp.get_json()["message"]
    resp = client.post("/_dash-update-component?lang=en", data=big, headers=ORIGIN)
    assert resp.status_code == 413 and "too large" in resp.get_json()["message"]
    form = app.server.test_client().post(
        "/login", data={"username": "x" * (1024 * 1024), "password": "y"}, headers={"Origin": "http://localhost"}
    )
    assert form.status_code == 413 and "过大" in form.get_data(as_text=True)


# -- reasons and comments ----------------------------------------------------------------------------


def test_a_reason_longer_than_the_limit_is_refused_and_said_in_the_users_language(desk):
    app, client, url = desk
    iid, version = _incident(url, "registered")
    state = {"id": iid, "version": version, "lang": "en"}
    before = _history(url)
    resp = _act(app, client, state, "close", comment="x" * (MAX_COMMENT + 1))
    assert resp.status_code == 200
    assert f"at most {MAX_COMMENT} characters" in _said(resp)
    resp = _act(app, client, dict(state, lang="zh"), "close", comment="理" * (MAX_COMMENT + 1))
    assert f"{MAX_COMMENT} 个字" in _said(resp)
    assert _history(url) == before  # nothing was written
    resp = _act(app, client, state, "close", comment="理" * MAX_COMMENT)  # the limit itself is allowed
    assert "Done" in _said(resp) and _history(url) == before + 1


def test_the_write_path_refuses_an_over_long_or_non_text_comment(mini_copy):
    from data.write.writes import BadInput, apply_action

    iid, version = _incident(mini_copy, "registered")
    engine = get_engine(mini_copy)
    before = _history(mini_copy)
    for comment in ("x" * (MAX_COMMENT + 1), ["a list"], {"a": "dict"}):
        with pytest.raises(BadInput) as refused:
            apply_action(engine, iid, "close", actor="t-dispatcher", expected_version=version, comment=comment)
        assert refused.value.details.get("field") == "comment"
    assert _history(mini_copy) == before


def test_the_comment_box_stops_at_the_limit():
    from components.ids import INCIDENT
    from components.incident_views import render_actions

    section = render_actions({"status": "registered", "category": "sanitation"}, "zh", "dispatcher")
    box = next(c for c in section.children if getattr(c, "id", None) == INCIDENT["comment"])
    assert box.maxLength == MAX_COMMENT


# -- ids ---------------------------------------------------------------------------------------------

BAD_IDS = ("{n}.5", "²", "{n}e0", "1e3", "-1", "0", "99999999999999999999", " {n}", "{n}_0", "{wide}", "0{n}")


def _bad(template: str, n: int) -> list[str]:
    return [template.format(n=n, wide=str(n).translate(FULLWIDTH)) for template in BAD_IDS]


def test_page_ids_are_plain_integers_or_not_found(desk):
    """No id is rounded, widened from other digits or crashes the page: each is simply not found."""
    app, client, url = desk
    iid, _version = _incident(url, "reported")
    with get_engine(url).connect() as conn:
        pid = conn.execute(select(func.min(Project.id))).scalar()
    assert client.get(f"/incidents/{iid}").status_code == 200
    for page, n, gone in (("incidents", iid, "不存在"), ("projects", pid, "不存在")):
        for raw in _bad("{n}", n):
            path = f"/{page}/{raw}"
            assert client.get(path).status_code == 404, path
            status, body = _render(app, client, path)
            assert status == 200 and gone in body, (path, status, body[:200])


def test_callback_ids_and_versions_must_be_integers(desk, caplog):
    """The incident Store is the browser's: a float, a string of other digits or a bool names nothing
    and versions nothing; the form says so and nothing is written, with no traceback in the log."""
    app, client, url = desk
    iid, version = _incident(url, "reported")
    before = _history(url)
    forged = [*({"id": v, "version": version} for v in (iid + 0.5, float(iid), True, str(iid).translate(FULLWIDTH)))]
    forged += [{"id": "²", "version": version}, {"id": iid, "version": float(version)}, {"id": iid, "version": "¹"}]
    forged += [{"id": iid, "version": True}]
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for state in forged:
            resp = _act(app, client, {"lang": "zh", **state}, "register")
            assert resp.status_code == 200, (state, resp.status_code)
            assert _said(resp) != '""', state
    assert _history(url) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    resp = _act(app, client, {"id": iid, "version": version, "lang": 7}, "register")  # a forged language: zh
    assert resp.status_code == 200 and "已" in _said(resp) and _history(url) == before + 1


def test_a_warning_is_acknowledged_only_by_its_plain_id(desk, caplog):
    app, client, url = desk
    with get_engine(url).connect() as conn:
        wid = conn.execute(
            select(func.min(Warning.id)).where(Warning.ended_at.is_(None), Warning.acknowledged_at.is_(None))
        ).scalar()
    assert wid is not None
    key = _key(app, "warn-ack-cell")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for forged in (str(wid).translate(FULLWIDTH), "²", wid + 0.5, True):
            button = {"id": forged, "type": "warn-ack"}
            inputs = [{"id": button, "property": "n_clicks", "value": 1}]
            state = [{"id": "shell-location", "property": "search", "value": "?lang=zh"}]
            outputs = {"id": {"id": forged, "type": "warn-ack-cell"}, "property": "children"}
            changed = [json.dumps(button, separators=(",", ":"), ensure_ascii=False) + ".n_clicks"]
            resp = _post(client, key, inputs, state, changed, outputs)
            assert resp.status_code == 200, (forged, resp.status_code)
    with get_engine(url).connect() as conn:
        assert conn.execute(select(Warning.acknowledged_at).where(Warning.id == wid)).scalar() is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- component suites --------------------------------------------------------------------------------


def test_a_bad_component_suite_path_is_404_and_not_echoed_in_the_log(desk, caplog):
    _app, client, _url = desk
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for path in (
            "/_dash-component-suites/no_such_package/x.js",
            "/_dash-component-suites/dash/no/such/file.js",
            "/_dash-component-suites/dash/" + "x" * 3000 + ".js",
            "/_dash-component-suites/nothing-below",
        ):
            assert client.get(path).status_code == 404, path[:80]
    assert all(len(r.getMessage()) < 300 and not r.exc_info for r in caplog.records)


# -- malformed callback bodies -----------------------------------------------------------------------


def test_a_malformed_callback_body_is_400_with_one_short_log_line(desk, caplog):
    app, client, _url = desk
    key = _key(app, "inc-head.children")
    marker = "MARKER" * 50
    good = {
        "output": key,
        "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")],
        "inputs": [{"id": "inc-submit", "property": "n_clicks", "value": 1}],
        "state": [{"id": i, "property": p, "value": None} for i, p in (("inc-action", "value"),) * 7],
        "changedPropIds": ["inc-submit.n_clicks"],
    }
    bodies = [
        ("{not json " + marker, "application/json"),
        (json.dumps(good), "text/plain"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        (json.dumps([marker]), "application/json"),
        (json.dumps(marker), "application/json"),
        (json.dumps({"output": key, "marker": marker}), "application/json"),
        (json.dumps({**good, "inputs": marker}), "application/json"),
        (json.dumps({**good, "inputs": [marker]}), "application/json"),
        (json.dumps({**good, "inputs": []}), "application/json"),
        (json.dumps({**good, "state": good["state"][:1]}), "application/json"),
        (json.dumps({**good, "changedPropIds": [{"m": marker}]}), "application/json"),
        (json.dumps({**good, "outputs": good["outputs"][:2]}), "application/json"),
        (json.dumps({**good, "output": ["x"]}), "application/json"),
    ]
    for data, kind in bodies:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            resp = client.post(
                "/_dash-update-component", data=data, headers={"Content-Type": kind, "Origin": "http://localhost"}
            )
        assert resp.status_code == 400, (data[:80], resp.status_code)
        assert resp.get_json()["reason"] == "bad_request" and "请求" in resp.get_json()["message"]
        assert len(caplog.records) <= 1, [r.getMessage()[:80] for r in caplog.records]
        assert all(len(r.getMessage()) < 200 and "MARKER" not in r.getMessage() for r in caplog.records)
        assert not any(r.exc_info for r in caplog.records)
    assert client.post("/_dash-update-component", data=json.dumps(good), headers=ORIGIN).status_code == 200


def test_area_codes_are_ascii_digits_only():
    """Full-width or other Unicode digits are not an area code: they never reach a cached lookup."""
    from data.domain.areas import is_area_code

    assert is_area_code("310101") and is_area_code("310101002")
    assert not is_area_code("31０１０１") and not is_area_code("３１０１０１") and not is_area_code("310١01")
