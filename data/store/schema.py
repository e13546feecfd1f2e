"""Create or upgrade the schema with Alembic, so SQLite and PostgreSQL deployments migrate in place."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, insert, inspect, select, text

from data.store.db import DOMAINS
from data.store.models import DataVersion

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision and make sure every data-version row exists."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        # SQLite migrations recreate a table to change it, which its foreign keys refuse; SQLite can only switch
        # them off outside a transaction (alembic's batch-mode advice), so on the raw connection, before BEGIN
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
    with engine.begin() as conn:
        have = set(conn.scalars(select(DataVersion.domain)))
        missing = [{"domain": d, "version": 0, "updated_at": 0} for d in DOMAINS if d not in have]
        if missing:
            conn.execute(insert(DataVersion), missing)


def is_current(engine: Engine) -> bool:
    """True when the schema exists (the data_version table is there)."""
    return inspect(engine).has_table("data_version")


def refresh_statistics(engine: Engine, force: bool = False) -> bool:
    """ANALYZE so the planner knows each index's spread (without it SQLite sorts a month of incidents
    through the report-time index); unless forced, only when SQLite has no statistics for incidents
    yet (a database that grew from empty). PostgreSQL's autovacuum keeps its own. True if it ran.

    Committed in its own transaction: our SQLite connections BEGIN explicitly, so an ANALYZE left
    in an unfinished transaction is rolled back with it."""
    sqlite = engine.dialect.name == "sqlite"
    if not force:
        if not sqlite:
            return False
        with engine.connect() as conn:
            has_stats = (
                inspect(conn).has_table("sqlite_stat1")
                and conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'incident'")).scalar()
            )
            has_rows = conn.execute(text("SELECT EXISTS (SELECT 1 FROM incident)")).scalar()
        if has_stats or not has_rows:
            return False
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return True
