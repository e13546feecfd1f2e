"""The ingest API's keys and kept answers as readers see them. Never cached: a key revoked on one host stops
working at once on every host, and a client's key text never becomes a cache key."""

from __future__ import annotations

from sqlalchemy import select

from data.store.cache import current_engine
from data.store.models_api import IdempotentReply
from data.store.models_ingest import ApiKey


def key_by_hash(key_hash: str) -> dict | None:
    """The active key with this SHA-256: {id, source, last_used_at}; None for an unknown or revoked key.
    Callers read it on the primary (data.store.cache.on_primary)."""
    with current_engine().connect() as conn:
        row = conn.execute(
            select(ApiKey.id, ApiKey.source, ApiKey.last_used_at).where(
                ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)
            )
        ).first()
    return None if row is None else dict(row._mapping)


def keys() -> list[dict]:
    """Every key (no hashes), newest first, for `cityops keys list`."""
    cols = [c for c in ApiKey.__table__.columns if c.name != "key_hash"]
    with current_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(*cols).order_by(ApiKey.id.desc()))]


def reply(source: str, endpoint: str, key_hash: str, since: int) -> dict | None:
    """The kept answer to an Idempotency-Key (newer than `since`): {body_hash, status, response}, or None."""
    with current_engine().connect() as conn:
        row = conn.execute(
            select(IdempotentReply.body_hash, IdempotentReply.status, IdempotentReply.response).where(
                IdempotentReply.source == source,
                IdempotentReply.endpoint == endpoint,
                IdempotentReply.key_hash == key_hash,
                IdempotentReply.created_at >= since,
            )
        ).first()
    return None if row is None else dict(row._mapping)
