"""What every `cityops` command family shares: the --url option, opening (and migrating) the database, and
failing with one sentence on stderr and exit code 1."""

from __future__ import annotations

import sys

import click

from config import Config
from data.store.db import get_engine
from data.store.schema import upgrade

URL = click.option(
    "--url", "url", default=None, help="database URL (default: DATABASE_URL or the instance SQLite file)"
)


def open_engine(url: str | None):
    engine = get_engine(url or Config().DATABASE_URL)
    upgrade(engine)  # a database from an older release is migrated first (no-op at head)
    return engine


def fail(exc: Exception | str) -> None:
    click.echo(f"cityops: {exc}", err=True)
    sys.exit(1)
