"""Accounts as readers see them: names for timelines, the account a session belongs to, display
tokens and the access log for the admin page."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.roles import Account
from data.store.cache import cached_query, current_engine
from data.store.models_access import AccessLog, DisplayToken, User


@cached_query("users")
def user_names() -> dict[str, tuple[str, str]]:
    """{user id: (name_zh, name_en)} for every account (a few hundred rows: one cache entry)."""
    with current_engine().connect() as conn:
        return {i: (zh, en) for i, zh, en in conn.execute(select(User.id, User.name_zh, User.name_en))}


@cached_query("users")
def login_account(user_id: str) -> Account | None:
    """The account a session names, if it may still log in (a person, active, with a password).

    Cached per id and version: disabling a user or changing a password takes effect at once. Callers
    check the id's shape first, so only real ids reach the cache (None is never cached)."""
    with current_engine().connect() as conn:
        row = conn.execute(
            select(User.id, User.role, User.area_code, User.name_zh, User.name_en, User.unit).where(
                User.id == user_id, User.kind == "person", User.active.is_(True), User.password_hash.is_not(None)
            )
        ).first()
    return None if row is None else Account(row.id, row.role, row.area_code, row.name_zh, row.name_en, row.unit)


def password_hash(user_id: str) -> str | None:
    """The stored hash of an active person's password (never cached)."""
    with current_engine().connect() as conn:
        return conn.execute(
            select(User.password_hash).where(User.id == user_id, User.kind == "person", User.active.is_(True))
        ).scalar()


@cached_query("users")
def wall_account(token_id: int, now_minute: int) -> Account | None:
    """The read-only account of a display token, or None once revoked or expired (`now_hour` keeps an
    expiry from hiding in the cache: the caller passes the current minute)."""
    with current_engine().connect() as conn:
        row = conn.execute(
            select(DisplayToken.id, DisplayToken.name, DisplayToken.area_code, DisplayToken.expires_at).where(
                DisplayToken.id == token_id, DisplayToken.revoked_at.is_(None)
            )
        ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now_minute):
        return None
    return Account(f"wall:{row.name}", "wall", row.area_code, row.name, row.name, None, row.id)


def token_by_hash(token_hash: str) -> tuple[int, int | None, int | None] | None:
    """(id, revoked_at, expires_at) of the token with this SHA-256, if any (never cached)."""
    with current_engine().connect() as conn:
        row = conn.execute(
            select(DisplayToken.id, DisplayToken.revoked_at, DisplayToken.expires_at).where(
                DisplayToken.token_hash == token_hash
            )
        ).first()
    return None if row is None else tuple(row)


def people() -> list[dict]:
    """Every person's account for the admin page and `cityops users list` (no hashes)."""
    cols = (User.id, User.name_zh, User.name_en, User.role, User.area_code, User.unit, User.active)
    with current_engine().connect() as conn:
        rows = conn.execute(select(*cols, User.last_login_at).where(User.kind == "person").order_by(User.id))
        return [dict(r._mapping) for r in rows]


def tokens() -> list[dict]:
    """Every display token (no hashes), newest first, with when and from where its wall was last seen."""
    with current_engine().connect() as conn:
        cols = [c for c in DisplayToken.__table__.columns if c.name != "token_hash"]
        rows = conn.execute(select(*cols).order_by(DisplayToken.id.desc()))
        return [dict(r._mapping) for r in rows]


def access_log(limit: int = 200) -> list[dict]:
    """The latest access-log rows, newest first."""
    with current_engine().connect() as conn:
        rows = conn.execute(select(AccessLog.__table__).order_by(AccessLog.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]
