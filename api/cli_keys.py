"""`cityops keys ...`: the ingest API's per-source keys (docs/API.md).

    cityops keys add SOURCE [--created-by NAME]     prints the key once; stored as its SHA-256
    cityops keys revoke PREFIX_OR_ID                 the key stops working at its next request
    cityops keys list

A key authenticates POST /api/v1/incidents, /api/v1/readings and the Open311 endpoints; its SOURCE is the origin
of everything sent with it (the client never names another). Exit codes as every cityops command."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import click

from api.auth import token_hash
from api.cli_common import URL, fail, open_engine
from data.read import keys as key_reads
from data.store.cache import bound
from data.write import keys
from data.write.writes import WriteError


def new_key() -> tuple[str, str, str]:
    """(key, its prefix, its SHA-256): `ck_` and 43 URL-safe characters (256 random bits); the prefix is what
    a listing shows and what `revoke` accepts."""
    key = "ck_" + secrets.token_urlsafe(32)
    return key, key[:11], token_hash(key)


def _when(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "-"


@click.group("keys", help="API keys of data sources: one per source, for the ingest API and Open311.")
def keys_cmd() -> None:
    pass


@keys_cmd.command("add")
@click.argument("source")
@click.option("--created-by", default="system", help="the administrator's username, for the record")
@URL
def keys_add(source, created_by, url):
    key, prefix, digest = new_key()
    try:
        row = keys.add_key(open_engine(url), source, key_hash=digest, prefix=prefix, created_by=created_by)
    except WriteError as exc:
        fail(exc)
    click.echo(f"key {row['id']} ({prefix}) for source {source}; shown once, keep it like a password:\n{key}")
    click.echo("send it as the header 'Authorization: Bearer KEY' (or X-API-Key: KEY)")


@keys_cmd.command("revoke")
@click.argument("prefix_or_id")
@URL
def keys_revoke(prefix_or_id, url):
    try:
        row = keys.revoke_key(open_engine(url), prefix_or_id)
    except WriteError as exc:
        fail(exc)
    click.echo(f"key {row['id']} ({row['prefix']}) of source {row['source']} revoked: refused from its next request")


@keys_cmd.command("list")
@URL
def keys_list(url):
    with bound(open_engine(url)):
        rows = key_reads.keys()
    click.echo(f"{'id':<5} {'source':<24} {'prefix':<12} {'state':<8} {'created (UTC)':<17} {'last used (UTC)':<17} by")
    for r in rows:
        state = "revoked" if r["revoked_at"] else "active"
        click.echo(
            f"{r['id']:<5} {r['source']:<24} {r['prefix']:<12} {state:<8} {_when(r['created_at']):<17} "
            f"{_when(r['last_used_at']):<17} {r['created_by']}"
        )
