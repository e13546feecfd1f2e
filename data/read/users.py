"""Accounts as readers see them: every user's name in both languages, for timelines and acknowledgements."""

from __future__ import annotations

from sqlalchemy import select

from data.store.cache import cached_query, current_engine
from data.store.models import User


@cached_query("users")
def user_names() -> dict[str, tuple[str, str]]:
    """{user id: (name_zh, name_en)} for every account (a few hundred rows: one cache entry)."""
    with current_engine().connect() as conn:
        return {i: (zh, en) for i, zh, en in conn.execute(select(User.id, User.name_zh, User.name_en))}
