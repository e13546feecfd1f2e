"""The `cityops` command, as operators and scripts call it: output, exit codes and what it changes."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main
from tests.conftest import make_app
from tests.people import login, street_and_district


def _run(*args, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_users_are_added_listed_disabled_and_re_enabled(city_copy):
    street, _district = street_and_district(city_copy)
    url = ["--url", city_copy]
    added = _run(
        "users",
        "add",
        "wang.wei",
        "--role",
        "operator",
        "--area",
        street,
        "--name-zh",
        "王伟",
        "--password-stdin",
        *url,
        stdin="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    again = _run(
        "users",
        "add",
        "wang.wei",
        "--role",
        "operator",
        "--area",
        street,
        "--password-stdin",
        *url,
        stdin="a-long-password\n",
    )
    assert again.exit_code == 1 and "exists" in again.output
    assert _run("users", "add", "x.y", "--role", "boss", "--area", street, *url).exit_code == 2  # not a role
    for bad in (["--area", "999999"], ["--area", street, "--unit", "区水务局"]):
        refused = _run(
            "users", "add", "li.na", "--role", "operator", *bad, "--password-stdin", *url, stdin="a-long-password\n"
        )
        assert refused.exit_code == 1, refused.output
    short = _run(
        "users", "add", "li.na", "--role", "leader", "--area", "310000", "--password-stdin", *url, stdin="short\n"
    )
    assert short.exit_code == 1 and "8 to" in short.output
    listed = _run("users", "list", *url)
    assert "wang.wei" in listed.output and "operator" in listed.output and "王伟" in listed.output
    client = make_app(city_copy).server.test_client()
    assert login(client, "wang.wei", "a-long-password").status_code == 302
    assert _run("users", "disable", "wang.wei", *url).exit_code == 0
    assert client.get("/wall").status_code == 302  # the open session ended
    assert login(client, "wang.wei", "a-long-password").status_code == 401
    assert _run("users", "passwd", "wang.wei", "--password-stdin", *url, stdin="another-password\n").exit_code == 0
    assert login(client, "wang.wei", "another-password").status_code == 302
    assert _run("users", "disable", "nobody", *url).exit_code == 1


def test_tokens_are_shown_once_listed_and_revoked(city_copy):
    url = ["--url", city_copy]
    added = _run("tokens", "add", "hall-main", "--area", "310000", "--expires-days", "30", *url)
    assert added.exit_code == 0, added.output
    token = added.output.split("\n")[1].strip()
    assert len(token) >= 40 and f"/wall?token={token}" in added.output
    assert _run("tokens", "add", "hall-main", "--area", "310000", *url).exit_code == 1  # the name is taken
    listed = _run("tokens", "list", *url).output
    assert "hall-main" in listed and "active" in listed and token not in listed  # never shown again
    client = make_app(city_copy).server.test_client()
    assert client.get(f"/wall?token={token}").status_code == 302
    assert _run("tokens", "revoke", "hall-main", *url).exit_code == 0
    assert "revoked" in _run("tokens", "list", *url).output
    assert _run("tokens", "revoke", "hall-main", *url).exit_code == 1


def test_demo_users_are_made_once_one_per_role(city_copy):
    from data.store.db import get_engine
    from data.store.models_access import User

    with get_engine(city_copy).begin() as conn:  # a city nobody has signed up to yet
        conn.execute(User.__table__.delete().where(User.kind == "person"))
    first = _run("demo-users", "--url", city_copy)
    assert first.exit_code == 0
    lines = [line.split() for line in first.output.splitlines() if line.startswith("  demo-")]
    assert sorted(line[2] for line in lines) == ["admin", "dispatcher", "leader", "operator", "unit"]
    client = make_app(city_copy).server.test_client()
    for username, password, *_ in lines:
        assert login(client, username, password).status_code == 302, username
    second = _run("demo-users", "--url", city_copy)
    assert second.exit_code == 0 and "demo-" not in second.output  # passwords are printed once
