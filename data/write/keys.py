"""The ingest API's keys and idempotent replies: the write path for who may send data, and what they were told.

Keys arrive as their SHA-256 (the key itself is made by `cityops keys add` and shown once). Key lookups are never
cached (data.read.keys), so a revoked key stops working at its next request without a version bump."""

from __future__ import annotations

import re

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from data.domain.timeutil import DAY, now_ts
from data.ingest.mapping import SourceName
from data.store.db import write_session
from data.store.models_api import IdempotentReply
from data.store.models_ingest import ApiKey
from data.write.writes import BadInput, NotFound

RESERVED = ("cityops",)  # the origin of the app's own incidents: no client may upsert them
PREFIX = re.compile(r"ck_[A-Za-z0-9_-]{8}")  # how a key's first characters look in a listing
REPLY_DAYS = 1  # how long an Idempotency-Key's answer is kept
_SOURCE = TypeAdapter(SourceName)


def add_key(
    engine: Engine, source: str, *, key_hash: str, prefix: str, created_by: str, now: int | None = None
) -> dict:
    """Record a source's key (its hash). BadInput for a malformed or reserved source name."""
    try:
        _SOURCE.validate_python(source)
    except ValidationError:
        raise BadInput(
            "a source is 1-24 lowercase letters, digits, '_' or '-', starting with a letter or digit"
        ) from None
    if source in RESERVED:
        raise BadInput(f"{source!r} is the app's own origin; pick another source name", field="source")
    row = dict(
        source=source,
        prefix=prefix,
        key_hash=key_hash,
        created_by=created_by[:64],
        created_at=now if now is not None else now_ts(),
    )
    with write_session(engine) as s:
        row["id"] = s.execute(insert(ApiKey).values(**row).returning(ApiKey.id)).scalar_one()
    return row


def revoke_key(engine: Engine, prefix_or_id: str, now: int | None = None) -> dict:
    """Revoke the active key with this id or prefix; returns it (id, source, prefix). NotFound when no active
    key matches; BadInput when a prefix matches several (revoke by id then)."""
    if prefix_or_id.isascii() and prefix_or_id.isdigit() and len(prefix_or_id) <= 12:
        match = ApiKey.id == int(prefix_or_id)
    elif PREFIX.fullmatch(prefix_or_id):
        match = ApiKey.prefix == prefix_or_id
    else:
        raise BadInput("name a key by its id (a number) or its prefix (ck_ and 8 characters)", field="key")
    with write_session(engine) as s:
        found = s.execute(select(ApiKey.id, ApiKey.source, ApiKey.prefix).where(match, ApiKey.revoked_at.is_(None)))
        rows = [dict(r._mapping) for r in found]
        if not rows:
            raise NotFound(f"no active key {prefix_or_id}", key=prefix_or_id)
        if len(rows) > 1:
            raise BadInput(f"{len(rows)} active keys start with {prefix_or_id}: revoke them by id", field="key")
        s.execute(update(ApiKey).where(ApiKey.id == rows[0]["id"]).values(revoked_at=now or now_ts()))
    return rows[0]


def key_used(engine: Engine, key_id: int, now: int) -> None:
    """When a key was last used (`cityops keys list`); callers write it at most once a minute per key."""
    with write_session(engine) as s:
        s.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))


def remember_reply(
    engine: Engine,
    source: str,
    endpoint: str,
    key_hash: str,
    body_hash: str,
    status: int,
    response: dict | list,
    now: int | None = None,
) -> bool:
    """Keep the answer to an Idempotency-Key (and drop those older than REPLY_DAYS). False when a concurrent
    request with the same key stored its answer first: that one stands."""
    now = now if now is not None else now_ts()
    try:
        with write_session(engine) as s:
            s.execute(delete(IdempotentReply).where(IdempotentReply.created_at < now - REPLY_DAYS * DAY))
            s.execute(
                insert(IdempotentReply).values(
                    source=source,
                    endpoint=endpoint,
                    key_hash=key_hash,
                    body_hash=body_hash,
                    status=status,
                    response=response,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
