"""Live mode adds incidents, moves open ones along the loop, adds readings, and keeps rollups exact."""

from sqlalchemy import func, select

from data.rules.config import load_catalog
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory, Reading
from data.synthetic.simulator import Simulator
from data.write import rollups
from tests.conftest import SMALL_END


def test_live_steps_add_and_advance_data(city_copy):
    engine = get_engine(city_copy)

    def counts():
        with engine.connect() as conn:
            return (
                conn.execute(select(func.count()).select_from(Incident)).scalar(),
                conn.execute(select(func.count()).select_from(IncidentHistory)).scalar(),
                conn.execute(select(func.count()).select_from(Reading)).scalar(),
            )

    before = counts()
    sim = Simulator(engine, load_catalog("data/rules/catalog.yaml"), seed=3)
    total = {"new": 0, "moved": 0, "readings": 0}
    now = SMALL_END + 600
    for k in range(4):
        out = sim.step(now + k * 60, 30.0)
        for key in total:
            total[key] += out[key]
    after = counts()
    assert total["new"] > 0 and total["moved"] > 0 and total["readings"] > 0
    assert after[0] - before[0] == total["new"]
    assert after[1] - before[1] == total["new"] + total["moved"]  # one history row per change
    assert after[2] - before[2] == total["readings"]
    assert rollups.drift(engine) == {}
