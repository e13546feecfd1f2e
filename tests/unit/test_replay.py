"""Replay equals live (issue 16): the real simulator runs a seeded city from 23:10 past midnight while duty
officers make desk moves; the wall's live snapshots of five scopes are recorded at every step;
after the simulation went on, the same ticks are replayed with data.wall.replay.AsOf from history and
compared with what was recorded, field by field. The app's clock follows the simulated city (as the benches'
does), so the hours the city has finished are the past ones its caches keep."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.domain.scope import Scope
from data.domain.timeutil import parse_local
from data.domain.vocab import OPEN_STATUSES
from data.rules.config import load_catalog
from data.store.db import dispose_engine, get_engine
from data.store.models import Incident, IncidentHistory, Warning
from data.synthetic.simulator import Simulator
from data.wall.replay import AsOf, replay_frame
from data.wall.snapshot import all_snapshots, wall_snapshot
from data.write import writes
from tests.conftest import _seed_apart, make_app
from tests.people import act_as

STEP = 600  # seconds of city time per simulator step
STEPS = 12  # 23:10 to 01:10: "today" starts again on the way
END = parse_local("2026-11-20 23:10")  # the test's own city ends here (seeded below)
OFFICER = "t-dispatcher"  # the city's duty officer (tests.people): every desk move
CAUSES = ("cause_zh", "cause_en")  # the sentences citing a warning's value (see the last test)


def diff(live, replayed, path=""):
    """(path, live, replayed) of every leaf that differs; and the leaves compared, counted in `diff.leaves`."""
    if isinstance(live, dict) and isinstance(replayed, dict):
        for key in sorted(set(live) | set(replayed), key=str):
            yield from diff(live.get(key, "<none>"), replayed.get(key, "<none>"), f"{path}.{key}")
    elif isinstance(live, list) and isinstance(replayed, list) and len(live) == len(replayed):
        for i, (a, b) in enumerate(zip(live, replayed)):
            yield from diff(a, b, f"{path}[{i}]")
    else:
        diff.leaves += 1
        if live != replayed:
            yield path, live, replayed


def _open(engine, street: str, status: str, n: int = 1) -> list[int]:
    """Open incidents in `status` (neither parked nor flagged), the recorded street's first, most overdue first."""
    i = Incident
    q = select(i.id).where(i.status == status, i.parked_at.is_(None), i.supervised_at.is_(None))
    with engine.connect() as conn:
        return list(conn.scalars(q.order_by(i.street_code != street, i.due_at, i.id).limit(n)))


def _move(engine, incident_id: int, action: str, now: int, **kw) -> None:
    with engine.connect() as conn:
        version = conn.execute(select(Incident.version).where(Incident.id == incident_id)).scalar()
    writes.apply_action(engine, incident_id, action, actor=OFFICER, expected_version=version, now=now, **kw)


def _desk(engine, street: str, k: int, now: int, kept: dict) -> None:
    """Duty officers' moves beside the simulator's, between recorded ticks: 督办; 挂账 (no deadline) and back;
    延期 asked and granted on an overdue incident (a new deadline, two rows in one second); a direct close and
    its reopening (the closure rollup loses it again), each in the recorded street when it has one."""
    if k == 2:
        _move(engine, _open(engine, street, "handling")[0], "supervise", now)
        kept["parked"] = _open(engine, street, "dispatched")[0]
        _move(engine, kept["parked"], "park", now, comment="待汛期后施工")
    elif k == 3:
        extended = _open(engine, street, "handling", 2)[-1]
        _move(engine, extended, "request_extension", now, comment="需协调管线单位", new_due=now + 3 * 86400)
        _move(engine, extended, "approve_extension", now)
    elif k == 4:
        kept["closed"] = (_open(engine, street, "registered") or _open(engine, street, "handling", 3)[-1:])[0]
        _move(engine, kept["closed"], "close", now, comment="现场核实已整改")
    elif k == 9:
        _move(engine, kept["parked"], "unpark", now)
        _move(engine, kept["closed"], "reopen", now, comment="群众反映问题复现，重新处置")


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """{"live": {tick: {scope: snapshot}}, "replayed": the same from history, "changed": warnings whose sentence
    was replaced in place after a recorded tick, "moves": {action: rows written during the run}, ...}."""
    url = f"sqlite:///{tmp_path_factory.mktemp('replay') / 'replay.sqlite'}"
    _seed_apart(url, {"days": 2, "incidents": 2000, "projects": 6, "end": END, "seed_value": 16})
    app = make_app(url)
    engine = get_engine(url)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    with engine.connect() as conn:
        i = Incident
        busiest = select(i.street_code).where(i.status.in_(OPEN_STATUSES)).group_by(i.street_code)
        street = conn.execute(busiest.order_by(func.count().desc(), i.street_code).limit(1)).scalar()
        grids = select(i.grid_code).where(i.street_code == street).group_by(i.grid_code)
        grid = conn.execute(grids.order_by(func.count().desc(), i.grid_code).limit(1)).scalar()
        other = conn.execute(select(i.district_code).where(i.district_code != street[:6]).limit(1)).scalar()
        first_history = conn.execute(select(func.max(IncidentHistory.id))).scalar()
    scopes = [Scope("310000"), Scope(street[:6]), Scope(other), Scope(street), Scope(grid)]
    sim = Simulator(engine, catalog, seed=16, rng_seed=16)
    live, kept, values = {}, {}, {}
    with pytest.MonkeyPatch.context() as clock:  # the app's clock follows the city's: its finished hours are past
        now = END
        clock.setattr("data.read.incidents.now_ts", lambda: now)
        for k in range(1, STEPS + 1):
            now = END + k * STEP
            sim.step(now, STEP)
            _desk(engine, street, k, now, kept)
            with app.server.test_request_context():  # one request per tick, as the wall's refresh
                act_as()
                live[now] = all_snapshots(catalog, scopes, now)
            with engine.connect() as conn:
                active = select(Warning.id, Warning.cause_zh).where(Warning.ended_at.is_(None))
                values[now] = dict(conn.execute(active).all())
        for k in range(STEPS + 1, STEPS + 4):  # the city goes on for half an hour before anyone replays
            now = END + k * STEP
            sim.step(now, STEP)
        with app.server.test_request_context():
            act_as()
            again = {t: {s: wall_snapshot(catalog, s, t, facts=AsOf(t)) for s in scopes} for t in live}
            framed = replay_frame(app.server.config["RULES_FILE"], scopes[0], max(live), 10, now)
    with engine.connect() as conn:
        now_cause = dict(conn.execute(select(Warning.id, Warning.cause_zh)).all())
        h = IncidentHistory
        moves = dict(conn.execute(select(h.action, func.count()).where(h.id > first_history).group_by(h.action)).all())
        raised = conn.execute(select(func.count()).where(Warning.started_at > END)).scalar()
        cleared = conn.execute(select(func.count()).where(Warning.ended_at > END)).scalar()
    changed = {w for vals in values.values() for w, cause in vals.items() if now_cause.get(w) != cause}
    yield {
        "live": live,
        "replayed": again,
        "framed": framed,
        "changed": changed,
        "moves": moves,
        "warnings": (raised, cleared),
        "scopes": scopes,
    }
    dispose_engine(url)


def _masked(snapshot: dict) -> dict:
    """The snapshot without the sentences that cite a warning's value (compared in the last test)."""
    out = dict(snapshot, warnings=dict(snapshot["warnings"]))
    w = out["warnings"]
    w["rows"] = [{k: v for k, v in r.items() if k not in CAUSES} for r in w["rows"]]
    w["newest"] = [{k: v for k, v in r.items() if k not in CAUSES} for r in w["newest"]]
    if w["newest_red"]:
        w["newest_red"] = {k: v for k, v in w["newest_red"].items() if k not in CAUSES}
    return out


def test_the_run_moves_incidents_raises_and_clears_warnings_and_crosses_midnight(replayed):
    moves = replayed["moves"]
    for action in ("report", "register", "dispatch", "start", "handled", "verify_pass"):
        assert moves.get(action, 0) > 0, (action, moves)
    for action in ("supervise", "park", "unpark", "request_extension", "approve_extension", "close", "reopen"):
        assert moves.get(action) == 1, (action, moves)
    raised, cleared = replayed["warnings"]
    assert raised > 0 and cleared > 0
    ticks = sorted(replayed["live"])
    city = [replayed["live"][t][Scope("310000")]["incidents"] for t in ticks]
    assert any(b["today"] < a["today"] for a, b in zip(city, city[1:]))  # midnight: today starts again


def test_every_replayed_figure_equals_what_the_live_wall_showed(replayed):
    live, again = replayed["live"], replayed["replayed"]
    diff.leaves = 0
    wrong = [
        (t, s.code, *d)
        for t in sorted(live)
        for s in replayed["scopes"]
        for d in diff(_masked(live[t][s]), _masked(again[t][s]))
    ]
    assert wrong == [], wrong[:10]
    pairs = len(live) * len(replayed["scopes"])
    assert (len(live), len(replayed["scopes"])) == (STEPS, 5) and diff.leaves > 200 * pairs
    print(f"\nreplay = live: {len(live)} ticks x {len(replayed['scopes'])} scopes, {diff.leaves} fields compared")
    last = max(live)
    assert replayed["framed"] == again[last][Scope("310000")]  # the cached frame is the same snapshot


def test_a_replayed_warning_cites_the_value_it_cited_then(replayed):
    """The rules engine replaces a warning's value and sentence in place as the value it cites moves; the replay
    shows the sentence of its moment only if the engine keeps each one it replaces (in warning_value, with the
    moment it was replaced) and tells the screens it changed (the "warnings" data version)."""
    assert replayed["changed"], "no warning changed its sentence during the run: nothing to check"
    live, again = replayed["live"], replayed["replayed"]
    wrong = [
        (t, s.code, *d)
        for t in sorted(live)
        for s in replayed["scopes"]
        for d in diff(live[t][s]["warnings"], again[t][s]["warnings"])
    ]
    assert wrong == [], wrong[:5]
