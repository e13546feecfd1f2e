"""Replay equals live on a real PostgreSQL server: its own SQL (a materialized CTE, the covering history index
with INCLUDE, a repeatable-read frame), a shorter run than tests/unit/test_replay.py's on SQLite."""

from __future__ import annotations

import pytest

from data.domain.scope import Scope
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.synthetic.seed import seed
from data.synthetic.simulator import Simulator
from data.wall.replay import AsOf, replay_frame
from data.wall.snapshot import all_snapshots, wall_snapshot
from tests.conftest import SMALL_END, make_app
from tests.people import act_as
from tests.unit.test_replay import _masked, diff

pytestmark = pytest.mark.postgres


def _pg(snapshot: dict) -> dict:
    """As test_replay compares it, but the most overdue areas by their counts alone: the snapshot orders areas
    with equal counts as its read returned them, and PostgreSQL groups in hash order, so which of several tied
    areas the live panel named is arbitrary there (sorting ties by code in data/wall/snapshot.py would end it)."""
    out = _masked(snapshot)
    out["incidents"] = dict(out["incidents"], overdue_top=[n for *_, n in out["incidents"]["overdue_top"]])
    return out


def test_postgres_replays_what_the_live_wall_showed(postgres_db, monkeypatch):
    seed(postgres_db, days=2, incidents=2000, seed_value=9, end=SMALL_END, projects=4)
    app = make_app(postgres_db)  # and one request per tick: under app_for's, every tick would share data versions
    engine = get_engine(postgres_db)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    scopes = [Scope("310000"), Scope("310115"), Scope("310115005")]
    sim = Simulator(engine, catalog, seed=9, rng_seed=9)
    now = SMALL_END
    monkeypatch.setattr("data.read.incidents.now_ts", lambda: now)  # the app's clock follows the city's
    live = {}
    for k in range(1, 7):
        now = SMALL_END + k * 600
        sim.step(now, 600)
        with app.server.test_request_context():
            act_as()
            live[now] = all_snapshots(catalog, scopes, now)
    now += 600
    sim.step(now, 600)
    with app.server.test_request_context():
        act_as()
        diff.leaves = 0
        wrong = [
            (t, s.code, *d)
            for t, snaps in live.items()
            for s in scopes
            for d in diff(_pg(snaps[s]), _pg(wall_snapshot(catalog, s, t, facts=AsOf(t))))
        ]
        assert wrong == [], wrong[:10]
        assert diff.leaves > 200 * len(live) * len(scopes)
        last = max(live)
        framed = replay_frame(app.server.config["RULES_FILE"], scopes[0], last, 10, now)
        assert _pg(framed) == _pg(live[last][scopes[0]])
