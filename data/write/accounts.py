"""Accounts, display tokens and the access log: the write path for who may look.

Passwords are hashed by the caller (api.auth, argon2) and arrive here as hashes; display tokens as
their SHA-256. Every change to an account or token bumps the "users" data version, so cached reads
of accounts (the per-request user loader) see it at once."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, update

from data.domain.areas import is_area_code
from data.domain.roles import ROLES, USERNAME
from data.domain.timeutil import now_ts
from data.domain.vocab import UNIT_NAMES_EN
from data.store.db import bump_versions, write_session
from data.store.models import Area
from data.store.models_access import AccessLog, DisplayToken, User
from data.write.writes import BadInput, NotFound

EVENTS = ("login", "login_failed", "logout", "expired", "denied", "token_opened", "token_refused", "sso_refused")


def add_user(
    engine: Engine,
    username: str,
    *,
    role: str,
    area: str,
    password_hash: str,
    unit: str | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
    now: int | None = None,
) -> dict:
    """Create a person's account. BadInput for a malformed name, an unknown role, area or unit, a unit
    given to a role other than unit (or missing for one), or a name already taken."""
    if not USERNAME.match(username or ""):
        raise BadInput("a username is 2-32 lowercase letters, digits, '.', '_' or '-', starting with a letter")
    if role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}", field="role")
    if (role == "unit") != bool(unit):
        raise BadInput("a unit user needs --unit, and only a unit user has one", field="unit")
    if unit and unit not in UNIT_NAMES_EN:
        raise BadInput(f"unknown unit {unit!r}", field="unit")
    now = now if now is not None else now_ts()
    with write_session(engine) as s:
        if not is_area_code(area) or s.get(Area, area) is None:
            raise BadInput(f"unknown area {area!r}", field="area")
        if s.get(User, username) is not None:
            raise BadInput(f"user {username!r} exists", field="username")
        row = dict(
            id=username,
            name_zh=name_zh or username,
            name_en=name_en or username,
            kind="person",
            area_code=area,
            active=True,
            role=role,
            unit=unit,
            password_hash=password_hash,
            created_at=now,
        )
        s.execute(insert(User).values(**row))
        bump_versions(s, "users", now=now)
    return row


def set_password(engine: Engine, username: str, password_hash: str) -> None:
    _update_person(engine, username, password_hash=password_hash, active=True)


def disable(engine: Engine, username: str) -> None:
    """The account can no longer log in; its open sessions end at their next request."""
    _update_person(engine, username, active=False)


def _update_person(engine: Engine, username: str, **values) -> None:
    with write_session(engine) as s:
        changed = s.execute(update(User).where(User.id == username, User.kind == "person").values(**values)).rowcount
        if changed != 1:
            raise NotFound(f"no user {username!r}", username=username)
        bump_versions(s, "users")


def logged_in(engine: Engine, username: str, now: int | None = None) -> None:
    """Remember the last login (not a data change readers cache: no version bump)."""
    with write_session(engine) as s:
        s.execute(update(User).where(User.id == username).values(last_login_at=now or now_ts()))


def add_token(
    engine: Engine, name: str, *, token_hash: str, area: str, created_by: str, expires_at: int | None = None
) -> dict:
    """Record a wall's display token (its hash). BadInput for a bad name or area, or a name in use."""
    if not USERNAME.match(name or ""):
        raise BadInput("a token name is 2-32 lowercase letters, digits, '.', '_' or '-', starting with a letter")
    now = now_ts()
    if expires_at is not None and expires_at <= now:
        raise BadInput("the expiry is in the past", field="expires")
    with write_session(engine) as s:
        if not is_area_code(area) or s.get(Area, area) is None:
            raise BadInput(f"unknown area {area!r}", field="area")
        if s.execute(select(DisplayToken.id).where(DisplayToken.name == name)).first() is not None:
            raise BadInput(f"a token named {name!r} exists", field="name")
        row = dict(
            name=name,
            token_hash=token_hash,
            area_code=area,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        row["id"] = s.execute(insert(DisplayToken).values(**row).returning(DisplayToken.id)).scalar_one()
        bump_versions(s, "users", now=now)
    return row


def revoke_token(engine: Engine, name: str, now: int | None = None) -> None:
    """The wall using this token shows a sentence at its next refresh."""
    now = now if now is not None else now_ts()
    with write_session(engine) as s:
        changed = s.execute(
            update(DisplayToken)
            .where(DisplayToken.name == name, DisplayToken.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
        if changed != 1:
            raise NotFound(f"no active token named {name!r}", name=name)
        bump_versions(s, "users", now=now)


def token_seen(engine: Engine, token_id: int, addr: str | None, now: int) -> None:
    """When and from where a wall last asked for data (the admin page's 'alive' column; no version bump)."""
    with write_session(engine) as s:
        s.execute(update(DisplayToken).where(DisplayToken.id == token_id).values(last_seen_at=now, last_seen_addr=addr))


def record_access(
    engine: Engine,
    event: str,
    *,
    user_id: str | None,
    addr: str | None,
    target: str | None = None,
    now: int | None = None,
) -> None:
    """One access-log row. Callers pass only server-made strings (ids, page templates, callback
    names); the lengths are capped here as well, so no request can grow a row."""
    if event not in EVENTS:
        raise ValueError(f"unknown access event {event!r}")
    with write_session(engine) as s:
        s.execute(
            insert(AccessLog).values(
                at=now if now is not None else now_ts(),
                event=event,
                user_id=(user_id or None) and user_id[:64],
                addr=(addr or None) and addr[:45],
                target=(target or None) and target[:96],
            )
        )
