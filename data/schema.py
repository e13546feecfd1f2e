"""Create or upgrade the schema with Alembic, so SQLite and PostgreSQL deployments migrate in place."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, insert, inspect, select

from data.db import DOMAINS
from data.models import DataVersion

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision and make sure every data-version row exists."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.begin() as conn:
        have = set(conn.scalars(select(DataVersion.domain)))
        missing = [{"domain": d, "version": 0, "updated_at": 0} for d in DOMAINS if d not in have]
        if missing:
            conn.execute(insert(DataVersion), missing)


def is_current(engine: Engine) -> bool:
    """True when the schema exists (the data_version table is there)."""
    return inspect(engine).has_table("data_version")
