"""One batched INSERT ... ON CONFLICT DO UPDATE for the rollups (shared by data/write/rollups*.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def upsert(
    session: Session,
    model,
    rows: list[dict],
    keys: tuple[str, ...],
    add: tuple[str, ...] = (),
    replace: tuple[str, ...] = (),
    newer: str | None = None,
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE (the same SQL on SQLite and PostgreSQL): counters in `add` are
    incremented, `replace` columns overwritten (only when excluded.`newer` >= the stored one, if given).

    One executemany on the driver: SQLAlchemy's per-row parameter processing cost more than the upserts
    themselves when an import writes a million rows (every name here is a column of ours, never input)."""
    if not rows:
        return
    table = model.__tablename__
    cols = list(rows[0])
    sets = [f"{c} = {table}.{c} + excluded.{c}" for c in add] + [f"{c} = excluded.{c}" for c in replace]
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(sets)}"
        + (f" WHERE excluded.{newer} >= {table}.{newer}" if newer else "")
    )
    conn.exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in rows])
