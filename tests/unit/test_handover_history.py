"""The handover's reads against other ways of knowing the same: a plain walk over every history row of a seeded
city, and the hand-made history read on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.domain.scope import Scope
from data.read import handover
from data.read.handover_record import Shift, default_shift, shift_at
from data.store.cache import bound
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory
from data.store.schema import upgrade
from tests.conftest import SMALL_END
from tests.unit.test_handover import NOW, STARTS, STREET, E, S, build


def _walk(url: str, code: str, start: int, end: int) -> dict:
    """The shift's figures from a plain walk over every history row of the area's incidents."""
    where = [] if code == "310000" else [(Incident.district_code if len(code) == 6 else Incident.street_code) == code]
    h = IncidentHistory
    with get_engine(url).connect() as conn:
        reported = dict(conn.execute(select(Incident.id, Incident.reported_at).where(*where)).all())
        rows: dict[int, list] = {}
        for i, when, a, b, due in conn.execute(
            select(h.incident_id, h.at, h.from_status, h.to_status, h.due_at).order_by(h.at, h.id)
        ):
            if i in reported:
                rows.setdefault(i, []).append((when, a, b, due))
    out = {"opened": sum(start <= r < end for r in reported.values()), "closed": 0, "overdue": 0, "inherited": 0}
    for steps in rows.values():
        out["closed"] += any(start <= w < end and b == "closed" and a != "closed" for w, a, b, _ in steps)
        standing = [b for w, _a, b, _d in steps if w < end]
        out["inherited"] += bool(standing) and standing[-1] != "closed"
        nexts = [w for w, *_ in steps[1:]] + [None]
        out["overdue"] += any(
            b != "closed" and due is not None and start <= due < end and w <= due and (n is None or n > due)
            for (w, _a, b, due), n in zip(steps, nexts)
        )
    return out


def test_the_figures_equal_a_walk_over_every_history_row(small_city):
    """A seeded city of 20k incidents: the city, a district and its busiest street, the last shift and older
    ones (whose closures since are found the other way)."""
    engine = get_engine(small_city)
    with engine.connect() as conn:
        street = conn.execute(
            select(Incident.street_code).group_by(Incident.street_code).order_by(func.count().desc()).limit(1)
        ).scalar()
    last = default_shift(SMALL_END, STARTS)
    shifts = [last, shift_at(last.start - 1, STARTS), shift_at(last.start - 3 * 86400, STARTS)]
    with bound(engine):
        for code in ("310000", street[:6], street):
            for shift in shifts:
                rep = handover.shift_report(Scope(code), shift, SMALL_END)
                walked = _walk(small_city, code, shift.start, shift.end)
                assert {k: rep["counts"][k] for k in walked} == walked, (code, shift)
                assert walked["opened"] and walked["inherited"]


@pytest.mark.postgres
def test_the_same_history_reads_the_same_on_postgresql(postgres_db):
    engine = get_engine(postgres_db)
    upgrade(engine)
    build(postgres_db)
    with bound(engine):
        rep = handover.shift_report(Scope(STREET), Shift(S, E), NOW)
        city = handover.shift_report(Scope("310000"), Shift(S, E), NOW)
        both = [handover.open_at(Scope("310000"), E, now) for now in (E + 3600, E + 86400)]
    counts = {
        k: rep["counts"][k] for k in ("opened", "closed", "overdue", "inherited", "inherited_overdue", "supervised")
    }
    assert counts == {"opened": 2, "closed": 1, "overdue": 2, "inherited": 6, "inherited_overdue": 1, "supervised": 1}
    assert [r["incident_id"] for r in rep["inherited"]] == [4, 3, 6, 8, 1, 5]
    assert {(v["code"], v["out_s"], v["still"]) for v in rep["vitals"]} == {
        ("aqi", 2400, False),
        ("power_load", 3600, True),
    }
    assert (city["counts"]["opened"], city["counts"]["overdue"], city["counts"]["inherited"]) == (3, 3, 7)
    assert [sorted(r.incident_id for r in rows) for rows in both] == [[1, 3, 4, 5, 6, 7, 8]] * 2
