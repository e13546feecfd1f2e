"""`cityops keys`: a source's API key is shown once, stored only as its SHA-256, listed without it, and stops
working at its next request once revoked."""

from __future__ import annotations

import hashlib

from click.testing import CliRunner
from sqlalchemy import select

from api.cli import main
from data.store.db import get_engine
from data.store.models_ingest import ApiKey
from tests.conftest import make_app

ITEM = {"id": "K1", "reported_at": "2026-11-20T09:00:00+08:00", "category": "sanitation"}


def _run(*args):
    return CliRunner().invoke(main, list(args))


def add_key(url: str, source: str) -> str:
    """A new key for `source` through the command, as an operator makes one; returns the key."""
    added = _run("keys", "add", source, "--created-by", "t-admin", "--url", url)
    assert added.exit_code == 0, added.output
    return added.output.split("\n")[1].strip()


def test_a_key_is_shown_once_stored_hashed_and_listed_without_it(empty_db):
    key = add_key(empty_db, "hotline12345")
    assert key.startswith("ck_") and len(key) >= 40
    with get_engine(empty_db).connect() as conn:
        row = conn.execute(select(ApiKey.__table__)).one()
    assert (row.source, row.created_by, row.revoked_at) == ("hotline12345", "t-admin", None)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and row.prefix == key[:11]
    listed = _run("keys", "list", "--url", empty_db).output
    assert "hotline12345" in listed and row.prefix in listed and "active" in listed and key not in listed


def test_source_names_follow_the_mapping_pattern_and_the_apps_own_origin_is_refused(empty_db):
    for bad in ("Hotline", "_x", "a" * 25, "城运", "cityops"):
        refused = _run("keys", "add", bad, "--url", empty_db)
        assert refused.exit_code == 1 and refused.output.startswith("cityops: "), (bad, refused.output)
    with get_engine(empty_db).connect() as conn:
        assert conn.execute(select(ApiKey.id)).all() == []


def test_a_revoked_key_is_refused_at_its_next_request(mini_copy):
    key, other = add_key(mini_copy, "sensors"), add_key(mini_copy, "sensors")
    client = make_app(mini_copy).server.test_client()
    post = lambda k: client.post("/api/v1/incidents", json={"items": [ITEM]}, headers={"X-API-Key": k})  # noqa: E731
    assert post(key).status_code == 200
    assert _run("keys", "revoke", key[:11], "--url", mini_copy).exit_code == 0
    refused = post(key)
    assert refused.status_code == 401 and refused.get_json()["reason"] == "bad_key"
    assert post(other).status_code == 200  # the source's other key still works
    assert _run("keys", "revoke", key[:11], "--url", mini_copy).exit_code == 1  # no active key by that prefix
    with get_engine(mini_copy).connect() as conn:
        other_id = conn.execute(select(ApiKey.id).where(ApiKey.prefix == other[:11])).scalar_one()
    assert _run("keys", "revoke", str(other_id), "--url", mini_copy).exit_code == 0  # by id
    assert post(other).status_code == 401
    listed = _run("keys", "list", "--url", mini_copy).output
    assert listed.count("revoked") == 2
    assert _run("keys", "revoke", "not-a-key", "--url", mini_copy).exit_code == 1
