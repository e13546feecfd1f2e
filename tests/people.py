"""The test cities' people: one account per role (plus a district operator), with one known password,
and ways to act as them: through the real login form (test clients, browsers) or, for code that
runs inside a pushed request context, by putting the account on the request as flask-login does."""

from __future__ import annotations

from flask_login import login_user

from data.domain.roles import Account
from data.domain.vocab import CITY_CODE

PASSWORD = "test-password-1"
UNIT = "街镇环卫所"


NAMES = {"t-dispatcher": ("测试值班长", "Test duty officer"), "t-operator": ("测试街镇城运中心", "Test street centre")}


def street_and_district(url: str) -> tuple[str, str]:
    """The first street of the first district of a seeded city (黄浦区's first street in the real tree)."""
    from sqlalchemy import select

    from data.store.db import get_engine
    from data.store.models import Area

    with get_engine(url).connect() as conn:
        street = conn.execute(select(Area.code).where(Area.level == "street").order_by(Area.code).limit(1)).scalar()
    return street, street[:6]


def people(url: str) -> dict[str, tuple[str, str, str | None]]:
    """{username: (role, area, unit)} of the test accounts in this city."""
    street, district = street_and_district(url)
    return {
        "t-leader": ("leader", CITY_CODE, None),
        "t-operator": ("operator", street, None),
        "t-district": ("operator", district, None),
        "t-dispatcher": ("dispatcher", CITY_CODE, None),
        "t-street-dispatcher": ("dispatcher", street, None),
        "t-unit": ("unit", CITY_CODE, UNIT),
        "t-admin": ("admin", CITY_CODE, None),
    }


def add_people(url: str) -> None:
    """Create the test accounts in a seeded city (once; the seed workers call it)."""
    from api.auth import hash_password
    from data.store.db import get_engine
    from data.write import accounts

    digest = hash_password(PASSWORD)
    for username, (role, area, unit) in people(url).items():
        zh, en = NAMES.get(username, (username, username))
        accounts.add_user(
            get_engine(url), username, role=role, area=area, unit=unit, password_hash=digest, name_zh=zh, name_en=en
        )


def login(client, username: str, password: str = PASSWORD, lang: str = "zh"):
    """Log a Flask test client in through the real form; returns the response."""
    return client.post(
        "/login",
        data={"username": username, "password": password, "lang": lang},
        headers={"Origin": "http://localhost"},
    )


def act_as(user_id: str = "duty-officer", role: str = "dispatcher", area: str = CITY_CODE, unit: str | None = None):
    """Inside a pushed request context: the request acts as this account (the write path still reads
    the account's role and area from the database)."""
    account = Account(user_id, role, area, user_id, user_id, unit)
    login_user(account)
    return account


def browser_login(dash_duo, username: str = "t-dispatcher", path: str = "/", lang: str = "zh") -> None:
    """Log the browser in through the login page, then open `path` (a dash_duo whose server runs)."""
    from selenium.webdriver.common.by import By

    dash_duo.driver.get(f"{dash_duo.server_url}/login?lang={lang}&next={path}")
    dash_duo.wait_for_element("#login-username", timeout=10).send_keys(username)
    dash_duo.driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    dash_duo.driver.find_element(By.ID, "login-submit").click()
