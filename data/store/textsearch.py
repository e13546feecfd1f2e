"""Free text over incident titles and descriptions at 1M rows: an index of character bigrams.

Chinese has no spaces and the usual search words are two characters (井盖, 积水), too short for
trigram indexes, so each incident is indexed by the set of its letter/digit bigrams:
- SQLite: an FTS5 table without content (rowid = incident id), one token per bigram;
- PostgreSQL: a text[] of bigrams with a GIN index, asked with @> (contains all).
A text contains the query only if it contains all of the query's bigrams, so the index narrows the
rows to candidates and the LIKE in the list's filter still decides: results are exact either way.
A query without a bigram (one character) falls back to the LIKE alone.

Titles and descriptions never change, so the index is written once per incident: by
writes.add_incidents, by the seed loader (rebuild) and by migration 0006 for existing data.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    Table,
    Text,
    column,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from data.store.models import Incident

NAME = "incident_grams"
_pg = Table(NAME, MetaData(), Column("incident_id", BigInteger, primary_key=True), Column("grams", ARRAY(Text)))
_fts = table(NAME, column("rowid"))


def grams(text_: str | None) -> list[str]:
    """The distinct lower-case bigrams of letters and digits in a text."""
    s = (text_ or "").lower()
    return sorted({s[i : i + 2] for i in range(len(s) - 1) if s[i].isalnum() and s[i + 1].isalnum()})


def create(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        _pg.create(conn)
        conn.exec_driver_sql(f"CREATE INDEX ix_{NAME} ON {NAME} USING gin (grams)")
    else:
        conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {NAME} USING fts5(grams, content='', tokenize='unicode61')")


def drop(conn: Connection) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {NAME}")


def clear(conn: Connection) -> None:
    """Empty the index (a contentless FTS5 table refuses DELETE: it takes the 'delete-all' command)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_pg.delete())
    else:
        conn.exec_driver_sql(f"INSERT INTO {NAME}({NAME}) VALUES ('delete-all')")


def index(conn: Connection, rows) -> int:
    """Index (id, title, description) rows, or (id, grams) rows whose grams were made beforehand (an
    import makes them while the previous batch is written); returns how many."""
    batch = [(r[0], r[1] if len(r) == 2 else grams(f"{r[1]}\n{r[2]}")) for r in rows]
    if not batch:
        return 0
    if conn.dialect.name == "postgresql":
        conn.execute(insert(_pg), [{"incident_id": i, "grams": g} for i, g in batch])
    else:
        conn.exec_driver_sql(f"INSERT INTO {NAME}(rowid, grams) VALUES (?, ?)", [(i, " ".join(g)) for i, g in batch])
    return len(batch)


def rebuild(conn: Connection, chunk: int = 50_000) -> int:
    """Index every incident again (after a bulk load); returns how many."""
    clear(conn)
    done, last = 0, 0
    while True:
        rows = conn.execute(
            select(Incident.id, Incident.title, Incident.description)
            .where(Incident.id > last)
            .order_by(Incident.id)
            .limit(chunk)
        ).all()
        if not rows:
            return done
        done += index(conn, rows)
        last = rows[-1][0]


def indexed_count(conn: Connection) -> int:
    if conn.dialect.name == "postgresql":
        return int(conn.execute(select(func.count()).select_from(_pg)).scalar_one())
    # a contentless FTS5 table keeps no rows to count; its document-size table has one per incident
    return int(conn.exec_driver_sql(f"SELECT count(*) FROM {NAME}_docsize").scalar_one())


def candidates(query: str, dialect: str):
    """A condition on Incident.id narrowing to texts that hold all of the query's bigrams, or None."""
    wanted = grams(query)
    if not wanted:
        return None
    if dialect == "postgresql":
        return Incident.id.in_(select(_pg.c.incident_id).where(_pg.c.grams.contains(wanted)))
    match = " AND ".join(f'"{g}"' for g in wanted)  # letters and digits only: nothing to escape
    return Incident.id.in_(
        select(literal_column("rowid")).select_from(_fts).where(text(f"{NAME} MATCH :grams").bindparams(grams=match))
    )
