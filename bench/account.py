"""The benchmarks' own account, and ways to act as it.

Every request to the app passes the gate (api/gate.py): a benchmark that drives pages or callbacks
through a Flask test client logs in through the real /login form first, and posts with the app's own
Origin, as a browser does. Benchmarks that call layouts or reads inside a pushed request context put
the account on the request as flask-login does after a login."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.roles import Account
from data.domain.vocab import CITY_CODE

USERNAME = "bench-dispatcher"
PASSWORD = "bench-password-1"
ROLE = "dispatcher"  # the city's duty officer: every page but /admin, every move of the loop
AREA = CITY_CODE
ORIGIN = {"Origin": "http://localhost"}  # a Flask test client's own origin (its host is localhost)


def ensure_account(url: str, username: str = USERNAME, role: str = ROLE, area: str = AREA) -> None:
    """Create the bench account in the database at `url` unless it exists (it keeps the bench password)."""
    from api.auth import hash_password
    from data.store.db import get_engine
    from data.store.models_access import User
    from data.write import accounts

    engine = get_engine(url)
    with engine.connect() as conn:
        if conn.execute(select(User.id).where(User.id == username)).first() is not None:
            return
    accounts.add_user(
        engine,
        username,
        role=role,
        area=area,
        password_hash=hash_password(PASSWORD),
        name_zh="压测值班员",
        name_en="Bench duty officer",
    )


def login(client, username: str = USERNAME, password: str = PASSWORD):
    """Log a Flask test client in through the real form; returns the client. RuntimeError if refused."""
    resp = client.post("/login", data={"username": username, "password": password}, headers=ORIGIN)
    if resp.status_code != 302:
        raise RuntimeError(
            f"login as {username!r} refused ({resp.status_code}); reset it with "
            f"`cityops users passwd {username} --url ...` to {password!r}, or delete the account"
        )
    return client


def logged_in_client(app, username: str = USERNAME):
    """A test client of the app's server, logged in as the bench account."""
    return login(app.server.test_client(), username)


def act_as_bench(username: str = USERNAME) -> Account:
    """Inside a pushed request context: the request acts as the bench account (loaded as the session's
    user loader loads it), as if it had logged in."""
    from flask_login import login_user

    from data.read.users import login_account

    account = login_account(username)
    if account is None:
        raise RuntimeError(f"no active account {username!r}: call ensure_account first")
    login_user(account)
    return account
