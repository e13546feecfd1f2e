"""Logging in, throttling, idle sessions, display tokens, single sign-on and the hardening around them,
through the real login form on a real app and database."""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import func, select

from api.auth import new_token
from config import Config
from data.store.db import get_engine
from data.store.models import DataVersion
from data.store.models_access import AccessLog, DisplayToken
from data.write import accounts
from tests.conftest import make_app
from tests.people import PASSWORD, login, street_and_district

ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def city(city_copy):
    """A private copy of the small city with an empty access log (other tests sign in to the seeded one)."""
    with get_engine(city_copy).begin() as conn:
        conn.execute(AccessLog.__table__.delete())
    return city_copy


def _events(url: str) -> list[tuple[str, str | None, str | None]]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(AccessLog.event, AccessLog.user_id, AccessLog.target).order_by(AccessLog.id))
        return [tuple(r) for r in rows]


def _callback(client, output: str, inputs: list, changed: list[str], headers=ORIGIN):
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in output.strip(".").split("...")]
    body = {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": [],
        "changedPropIds": changed,
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), headers={"Content-Type": "application/json", **headers}
    )


def _shell_tick(client, changed="shell-location.pathname"):
    key = next(k for k in client.application.extensions["cityops_dash"].callback_map if "shell-links.children" in k)
    inputs = [
        {"id": "shell-location", "property": "pathname", "value": "/wall"},
        {"id": "shell-location", "property": "search", "value": ""},
    ]
    return _callback(client, key, inputs, [changed])


def test_a_failed_login_says_the_same_whether_or_not_the_user_exists(city):
    client = make_app(city).server.test_client()
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page
    assert "用户名" in client.get("/login").get_data(as_text=True)
    known = client.post("/login", data={"username": "t-leader", "password": "wrong-one"}, headers=ORIGIN)
    unknown = client.post("/login", data={"username": "nobody-here", "password": "wrong-one"}, headers=ORIGIN)
    assert known.status_code == unknown.status_code == 401
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)  # not a byte tells them apart
    assert "用户名或密码不正确" in known.get_data(as_text=True)
    assert client.get("/wall").status_code == 302  # still nobody
    assert _events(city) == [("login_failed", "t-leader", None), ("login_failed", None, None)]


def test_login_sets_a_hardened_cookie_goes_where_it_was_asked_and_logout_ends_it(city):
    client = make_app(city).server.test_client()
    asked = client.get("/incidents?window=24h")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/login?")
    resp = client.post(
        "/login", data={"username": "t-leader", "password": PASSWORD, "next": "/incidents?window=24h"}, headers=ORIGIN
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/incidents?window=24h"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    outside = client.post(
        "/login", data={"username": "t-leader", "password": PASSWORD, "next": "//evil.example/x"}, headers=ORIGIN
    )
    assert outside.headers["Location"] == "/?lang=zh"  # never another site
    assert client.get("/wall").status_code == 200
    assert client.post("/logout", headers=ORIGIN).status_code == 302
    assert client.get("/wall").status_code == 302
    assert [e for e, _u, _t in _events(city)] == ["login", "login", "logout"]
    https = make_app(city, HTTPS=True, SESSION_COOKIE_SECURE=True).server.test_client()
    assert "Secure" in login(https, "t-leader").headers["Set-Cookie"]


def test_repeated_failures_are_slowed_down_per_user_and_per_address(city):
    app = make_app(city, LOGIN_LIMIT_PER_USER="3 per minute", LOGIN_LIMIT_PER_ADDRESS="6 per minute")
    client = app.server.test_client()
    assert login(client, "t-leader").status_code == 302  # a success is not counted
    for _ in range(3):
        assert login(client, "t-operator", "wrong-password").status_code == 401
    throttled = login(client, "t-operator")  # even the right password waits now
    assert throttled.status_code == 429 and "一分钟后再试" in throttled.get_data(as_text=True)
    for name in ("t-admin", "t-unit", "nobody-1"):
        assert login(client, name, "wrong-password").status_code == 401
    assert login(client, "t-admin").status_code == 429  # six failures from this address
    elsewhere = app.server.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(elsewhere, "t-admin").status_code == 302  # another address, another user: not slowed
    assert ("login_failed", None, "throttled") in _events(city)


def test_an_idle_desk_session_ends_and_timer_ticks_do_not_keep_it_alive(city):
    client = make_app(city).server.test_client()
    login(client, "t-dispatcher")
    with client.session_transaction() as sess:
        sess["seen"] -= 25 * 60
        seen = sess["seen"]
    assert _shell_tick(client, "shell-tick.n_intervals").status_code in (200, 204)
    with client.session_transaction() as sess:
        assert sess["seen"] == seen  # a refresh timer is not a person
    assert _shell_tick(client).status_code == 200
    with client.session_transaction() as sess:
        assert sess["seen"] > seen  # a click is
        sess["seen"] -= 31 * 60
    ended = _shell_tick(client, "shell-tick.n_intervals")
    assert ended.status_code == 401 and ended.get_json()["reason"] == "expired"
    assert "why=expired" in ended.get_json()["login"]  # the page goes there and says why
    assert client.get("/wall").headers["Location"].startswith("/login?")  # and the next visit asks again
    assert ("expired", "t-dispatcher", None) in _events(city)


def test_a_post_from_another_origin_is_refused_and_changes_nothing(city):
    client = make_app(city).server.test_client()
    login(client, "t-dispatcher")
    with get_engine(city).connect() as conn:
        before = conn.execute(select(DataVersion.domain, DataVersion.version)).all()
    for headers in ({"Origin": "http://evil.example"}, {}):
        assert _shell_tick(client).status_code == 200
        resp = _callback(client, "x.children", [], [], headers=headers)
        assert resp.status_code == 403 and resp.get_json()["reason"] == "origin"
        assert login(client, "t-admin").status_code == 302
        forged = client.post("/login", data={"username": "t-admin", "password": PASSWORD}, headers=headers)
        assert forged.status_code == 403
    with get_engine(city).connect() as conn:
        assert conn.execute(select(DataVersion.domain, DataVersion.version)).all() == before


def test_unknown_pages_and_ids_are_404_and_forbidden_pages_403(city):
    street, district = street_and_district(city)
    client = make_app(city).server.test_client()
    login(client, "t-operator")
    assert client.get(f"/area/{street}").status_code == 200
    assert client.get(f"/area/{district}").status_code == 404  # above the street: as unknown as a missing code
    assert client.get("/area/310115").status_code == 404
    for path in ("/no/such/page", "/incidents/999999999", "/incidents/abc", "/projects/999999", "/indicators/nope"):
        assert client.get(path).status_code == 404, path
    assert client.get("/admin").status_code == 403
    unit = make_app(city).server.test_client()
    login(unit, "t-unit")
    assert unit.get("/").headers["Location"].startswith("/tasks")  # a unit lands on its open work (issue 17)
    assert unit.get("/wall").status_code == 403 and unit.get("/incidents").status_code == 200
    assert unit.get("/tasks").status_code == 200
    admin = make_app(city).server.test_client()
    login(admin, "t-admin")
    page = admin.get("/admin")
    assert page.status_code == 200
    assert ("denied", "t-operator", "page:/admin") in _events(city)


def test_security_headers_on_every_response(city):
    client = make_app(city).server.test_client()
    for resp in (client.get("/login"), client.get("/assets/theme.css")):
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "report-uri /csp-report" in csp
        assert "unsafe-eval" not in csp and "script-src 'self' 'sha256-" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin" and resp.headers["X-Frame-Options"] == "DENY"


def test_healthz_tells_strangers_only_ok_or_degraded(city):
    app = make_app(city)
    local = app.server.test_client().get("/healthz").get_json()
    assert local["status"] == "ok" and "database" in local
    stranger = app.server.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert stranger.get("/healthz").get_json() == {"status": "ok"}
    login(stranger, "t-admin")
    assert "database" in stranger.get("/healthz").get_json()


def test_a_display_token_opens_a_read_only_wall_until_it_is_revoked(city, tmp_path):
    street, _district = street_and_district(city)
    engine = get_engine(city)
    token, digest = new_token()
    accounts.add_token(engine, "hall-a", token_hash=digest, area=street, created_by="t-admin")
    app = make_app(city, INSTANCE_PATH=tmp_path, SECRET_KEY="kept-across-restarts")
    wall = app.server.test_client()
    opened = wall.get(f"/wall?token={token}&kiosk=1")
    assert opened.status_code == 302 and opened.headers["Location"] == "/wall?kiosk=1"  # the token leaves the URL
    assert wall.get("/wall").status_code == 200
    assert wall.get("/incidents").status_code == 403 and wall.get(f"/area/{street}").status_code == 403
    with engine.connect() as conn:
        seen = conn.execute(select(DisplayToken.last_seen_at, DisplayToken.last_seen_addr)).one()
    assert seen[0] and seen[1] == "127.0.0.1"
    restarted = make_app(city, INSTANCE_PATH=tmp_path, SECRET_KEY="kept-across-restarts").server.test_client()
    restarted.set_cookie("cityops_session", wall.get_cookie("cityops_session").value)
    assert restarted.get("/wall").status_code == 200  # no one has to log the wall in again
    accounts.revoke_token(engine, "hall-a")
    stopped = _shell_tick(restarted, "shell-tick.n_intervals")
    assert stopped.status_code == 401 and stopped.get_json()["reason"] == "revoked"
    assert "撤销" in stopped.get_json()["message"]
    page = restarted.get("/wall")
    assert page.status_code == 401 and "显示令牌已失效" in page.get_data(as_text=True)
    refused = app.server.test_client().get(f"/wall?token={token}")
    assert refused.status_code == 401 and "显示令牌无效" in refused.get_data(as_text=True)
    assert app.server.test_client().get("/wall?token=" + "x" * 5000).status_code == 401
    events = [e for e, _u, _t in _events(city)]
    assert events.count("token_opened") == 1 and events.count("token_refused") == 2
    guesser = make_app(city, LOGIN_LIMIT_PER_ADDRESS="3 per minute").server.test_client()
    answers = [guesser.get(f"/wall?token={'g' * 30}{i}").status_code for i in range(5)]
    assert answers == [401, 401, 401, 429, 429]  # guessing is slowed down, and stops filling the log
    assert [e for e, _u, _t in _events(city)].count("token_refused") == 5


def test_a_trusted_header_counts_only_from_the_configured_proxy(city):
    app = make_app(city, TRUSTED_HEADER="X-Remote-User", TRUSTED_PROXIES=("10.1.1.1",))
    proxied = app.server.test_client()
    proxied.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    assert proxied.get("/wall", headers={"X-Remote-User": "t-leader"}).status_code == 200
    assert proxied.get("/wall", headers={"X-Remote-User": "no-such-user"}).status_code == 200  # keeps its session
    direct = app.server.test_client()
    direct.environ_base["REMOTE_ADDR"] = "10.2.2.2"
    assert direct.get("/wall", headers={"X-Remote-User": "t-admin"}).status_code == 302  # a forged header: login
    off = make_app(city).server.test_client()
    off.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    assert off.get("/wall", headers={"X-Remote-User": "t-admin"}).status_code == 302  # off by default
    assert ("login", "t-leader", "sso") in _events(city)
    assert ("sso_refused", None, "untrusted address") in _events(city)


def test_the_secret_key_is_kept_private_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key = Config(INSTANCE_PATH=tmp_path).SECRET_KEY
    assert len(key) >= 64 and key == Config(INSTANCE_PATH=tmp_path).SECRET_KEY
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_disabling_a_user_ends_their_session_at_the_next_request(city):
    client = make_app(city).server.test_client()
    login(client, "t-leader")
    assert client.get("/wall").status_code == 200
    accounts.disable(get_engine(city), "t-leader")
    assert client.get("/wall").status_code == 302
    assert login(client, "t-leader").status_code == 401
    with get_engine(city).connect() as conn:
        assert conn.execute(select(func.count()).select_from(AccessLog)).scalar() == 2


@pytest.mark.parametrize("bad", ["", "qz", "x" * 5000, "../x", "t-leader\nforged"])
def test_junk_usernames_reach_no_log_and_no_cache(city, bad, caplog):
    client = make_app(city).server.test_client()
    caplog.set_level("DEBUG")
    assert login(client, bad, "wrong-password").status_code == 401
    assert not [r for r in caplog.records if bad and bad[:20] in r.getMessage()]
    assert _events(city) == [("login_failed", None, None)]


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(city):
    """FORWARDED_HOPS=1 (nginx on the host): the login limiter and the audit log see the client's address
    from the header nginx appends, not nginx's; an address a client writes into the header itself does not
    count, and the single sign-on header is still believed only from the proxy's own address."""
    app = make_app(city, FORWARDED_HOPS=1, LOGIN_LIMIT_PER_ADDRESS="3 per minute", LOGIN_LIMIT_PER_USER="50 per minute")
    nginx = {"REMOTE_ADDR": "127.0.0.1"}

    def via_nginx(client_addr: str, forged: str = ""):
        c = app.server.test_client()
        c.environ_base.update(nginx, HTTP_X_FORWARDED_FOR=f"{forged}{client_addr}")
        return c

    for _ in range(3):
        assert login(via_nginx("10.0.0.1"), "t-operator", "wrong-password").status_code == 401
    assert login(via_nginx("10.0.0.1"), "t-leader").status_code == 429  # this client is slowed down
    assert login(via_nginx("10.0.0.2"), "t-leader").status_code == 302  # its neighbour behind nginx is not
    assert login(via_nginx("10.0.0.1", forged="10.9.9.9, "), "t-leader").status_code == 429  # a forged hop
    assert ("login_failed", None, "throttled") in _events(city)
    with get_engine(city).connect() as conn:
        addrs = set(conn.execute(select(AccessLog.addr).where(AccessLog.event == "login")).scalars())
    assert "10.0.0.2" in addrs and "127.0.0.1" not in addrs
    sso = make_app(city, FORWARDED_HOPS=1, TRUSTED_HEADER="X-Remote-User", TRUSTED_PROXIES=("127.0.0.1",))
    c = sso.server.test_client()
    c.environ_base.update(nginx, HTTP_X_FORWARDED_FOR="10.0.0.3")
    assert c.get("/wall", headers={"X-Remote-User": "t-leader"}).status_code == 200  # the peer is the proxy
