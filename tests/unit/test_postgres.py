"""The same schema, loader, rollups and queries on a real PostgreSQL server."""

import pytest
from sqlalchemy import func, inspect, or_, select

from data.domain.scope import Scope
from data.read import incidentlist, incidents
from data.store import textsearch
from data.store.db import dispose_engine, get_engine
from data.store.models import Incident
from data.synthetic.seed import seed
from data.write import rollups, writes
from tests.conftest import SMALL_END

pytestmark = pytest.mark.postgres


def _page(f, *args):
    return incidentlist.page(Scope(f.area), f, *args)


def _counts(f, now):
    return incidentlist.status_counts(Scope(f.area), f, now)


def test_postgres_migrates_seeds_and_keeps_rollups_exact(postgres_url, app_for):
    report = seed(postgres_url, days=3, incidents=3000, seed_value=5, end=SMALL_END, projects=8)
    assert report["incidents"] == 3000
    engine = get_engine(postgres_url)
    assert {"incident", "rollup_open", "alembic_version"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        inc_id, version = conn.execute(
            select(Incident.id, Incident.version).where(Incident.status == "reported").limit(1)
        ).one()
    writes.apply_action(engine, inc_id, "register", actor="duty-officer", expected_version=version, now=SMALL_END + 60)
    new = writes.add_incidents(
        engine,
        [
            {c.name: getattr(row, c.name) for c in Incident.__table__.columns if c.name != "id"}
            | {"external_id": "PG-NEW", "status": "reported"}
            for row in [_one(engine)]
        ],
        now=SMALL_END + 90,
    )
    assert new[0] > 3000  # the id sequence moved past the bulk-loaded ids
    assert rollups.drift(engine) == {}
    app_for(postgres_url)
    counts = incidents.incident_counts(Scope("310000"), SMALL_END - 86400, SMALL_END)
    assert counts["total"] > 500 and sum(counts["by_source"].values()) == counts["total"]
    assert incidents.loop_status(Scope("310000"), SMALL_END)["open_total"] > 0
    f = incidentlist.IncidentFilters(window="30d", q="街道")  # the list: text, sorts, closed last by deadline
    for sort in incidentlist.SORTABLE:
        first = _page(f, SMALL_END, sort, sort != "due_at", 0, 100)
        assert first["total"] == sum(_counts(f, SMALL_END).values()) > 1000
        assert len(first["rows"]) == 100
    with engine.connect() as conn:  # the GIN bigram index narrows, LIKE decides: the same as a plain scan
        plain = conn.execute(
            select(func.count()).where(
                Incident.reported_at >= SMALL_END - 30 * 86400,
                or_(Incident.title.like("%街道%"), Incident.description.like("%街道%")),
            )
        ).scalar()
        assert textsearch.indexed_count(conn) == 3001
    assert first["total"] == plain
    n_open = sum(n for s, n in _counts(f, SMALL_END).items() if s != "closed")
    across = _page(f, SMALL_END, "due_at", False, n_open - 50, n_open + 50)["rows"]
    assert [r["due_at"] is None for r in across] == [False] * 50 + [True] * 50  # open by deadline, then closed
    dispose_engine(postgres_url)


def _one(engine):
    with engine.connect() as conn:
        return conn.execute(select(Incident).limit(1)).one()
