"""My tasks (/tasks): the open incidents that wait on a unit, the most overdue first and then the nearest deadline
(across both statuses, parked ones last); a unit sees only its unit's, another role only its own area, whatever
its browser sends; the page's cards say the time left or overdue in the user's language, in red or amber; the
refresh resends nothing unchanged; and the first page walks the deadline index instead of sorting."""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import select, text, update

from components.task_views import compact_duration, time_left
from data.domain.scope import Scope
from data.domain.timeutil import now_ts
from data.read import tasks
from data.store.db import bump_versions, get_engine, write_session
from data.store.models import Incident
from data.write import writes
from tests.conftest import make_app
from tests.people import UNIT, login, street_and_district

OTHER_UNIT = "区绿化市容局"  # sanitation's other unit
ORIGIN = {"Content-Type": "application/json", "Origin": "http://localhost"}


def _grid_without_open_work(url: str) -> dict:
    """A report of the city's first street, as a row to copy, moved to one of the street's grids that has no
    open incident."""
    from data.store.models import Area

    street, _ = street_and_district(url)
    with get_engine(url).connect() as conn:
        busy = set(conn.execute(select(Incident.grid_code).where(Incident.status != "closed")).scalars())
        grids = conn.execute(select(Area.code).where(Area.level == "grid", Area.parent_code == street)).scalars()
        row = conn.execute(select(Incident.__table__).where(Incident.street_code == street).limit(1)).mappings().one()
    return dict(row, grid_code=next(g for g in grids if g not in busy))


def _add(url: str, base: dict, name: str, moves: list[tuple[str, str | None]], due: int | None | str = "keep") -> int:
    """A new sanitation report in the base row's grid, moved through the real write path; then its deadline set
    to `due` (the read orders by it; the limits' working-time arithmetic is another module's test)."""
    engine = get_engine(url)
    row = dict(base, external_id=f"TASK-{name}", title=f"任务{name}", category="sanitation", subcategory="garbage",
               kind="event", std_code=None, priority=3, reported_at=now_ts() - 3600)  # fmt: skip
    (iid,) = writes.add_incidents(engine, [row])
    version = 1
    for action, unit in moves:
        actor = "t-unit" if action == "start" else "t-dispatcher"
        version = writes.apply_action(
            engine, iid, action, actor=actor, expected_version=version, unit=unit, comment="测试"
        )["version"]
    if due != "keep":
        with write_session(engine) as s:
            s.execute(update(Incident.__table__).where(Incident.id == iid).values(due_at=due))
            bump_versions(s, "incidents")
    return iid


DISPATCH = [("register", None), ("dispatch", UNIT)]


@pytest.fixture
def work(mini_copy):
    """One grid's open work at `now`: two overdue (one dispatched, one in hand), two not yet (one in its last
    hour), one parked, and beside them one overdue for another unit, one registered and one being verified."""
    base = _grid_without_open_work(mini_copy)
    now = now_ts()
    ids = {
        "late2h": _add(mini_copy, base, "late2h", [*DISPATCH, ("start", None)], now - 7200),
        "later": _add(mini_copy, base, "later", DISPATCH, now + 7200),
        "late5m": _add(mini_copy, base, "late5m", DISPATCH, now - 300),
        "soon": _add(mini_copy, base, "soon", [*DISPATCH, ("start", None)], now + 1200),
        "parked": _add(mini_copy, base, "parked", [*DISPATCH, ("park", None)]),
        "other": _add(mini_copy, base, "other", [("register", None), ("dispatch", OTHER_UNIT)], now - 400 * 86400),
        "registered": _add(mini_copy, base, "registered", [("register", None)]),
        "verifying": _add(mini_copy, base, "verifying", [*DISPATCH, ("start", None), ("handled", None)]),
    }
    return mini_copy, base, now, ids


def test_overdue_first_by_lateness_then_the_nearest_deadline_and_parked_last(work, app_for):
    url, base, now, ids = work
    app_for(url)
    got = tasks.open_tasks(Scope(base["grid_code"], unit=UNIT), now)
    assert [r["id"] for r in got["rows"]] == [ids[k] for k in ("late2h", "late5m", "soon", "later", "parked")]
    assert got["total"] == 5 and got["overdue"] == 2 and got["by_status"] == {"dispatched": 3, "handling": 2}
    assert all("reporter_name" not in r and "reporter_phone" not in r for r in got["rows"])
    first_three = tasks.open_tasks(Scope(base["grid_code"], unit=UNIT), now, 3)
    assert [r["id"] for r in first_three["rows"]] == [ids["late2h"], ids["late5m"], ids["soon"]]
    assert first_three["total"] == 5  # the count is of all, the cards only the first


def test_a_unit_sees_only_its_units_work_and_an_area_role_all_of_its_area(work, app_for):
    url, base, now, ids = work
    app_for(url)
    area = tasks.open_tasks(Scope(base["grid_code"]), now)  # a dispatcher's view of the same grid
    assert [r["id"] for r in area["rows"]][:3] == [ids["other"], ids["late2h"], ids["late5m"]]
    assert area["total"] == 6 and ids["registered"] not in [r["id"] for r in area["rows"]]
    other = tasks.open_tasks(Scope(base["grid_code"], unit=OTHER_UNIT), now)
    assert [r["id"] for r in other["rows"]] == [ids["other"]]


def _page(client, app, path: str = "/tasks", search: str = "") -> dict:
    """The layout Dash's pages router returns for a path, as the browser gets it."""
    key = next(k for k in app.callback_map if "_pages_content.children" in k)
    cb = app.callback_map[key]
    inputs = [
        {"id": d["id"], "property": d["property"], "value": path if d["property"] == "pathname" else search}
        for d in cb["inputs"]
    ]
    state = [{"id": d["id"], "property": d["property"], "value": None} for d in cb["state"]]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": inputs, "state": state,
            "changedPropIds": [f"{cb['inputs'][0]['id']}.pathname"]}  # fmt: skip
    resp = client.post("/_dash-update-component", data=json.dumps(body), headers=ORIGIN)
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()


def _cards(tree) -> list[int]:
    found = re.findall(r'"href": "/incidents/(\d+)(?:\?lang=en)?"', json.dumps(tree, ensure_ascii=False))
    return [int(i) for i in found]


def _open_work(url: str, *where) -> dict[int, tuple]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(
            select(Incident.id, Incident.due_at, Incident.assigned_unit, Incident.street_code).where(
                Incident.status.in_(("dispatched", "handling")), *where
            )
        ).all()
    return {r.id: tuple(r)[1:] for r in rows}


def test_the_page_shows_each_user_their_own_work_in_deadline_order(work):
    url, base, now, ids = work
    app = make_app(url)
    unit = app.server.test_client()
    login(unit, "t-unit")
    page = _page(unit, app)
    text_ = json.dumps(page, ensure_ascii=False)
    listed = _cards(page)
    mine = _open_work(url, Incident.assigned_unit == UNIT)
    assert f"共 {len(mine)} 件" in text_ and UNIT in text_
    assert listed and set(listed) <= set(mine) and ids["other"] not in listed
    dues = [mine[i][0] for i in listed if mine[i][0] is not None]
    assert dues == sorted(dues) and len(listed) == min(len(mine), tasks.MAX_TASKS)
    if len(mine) > tasks.MAX_TASKS:  # the rest are one tap away, in the list
        assert "更多 → 事件列表" in text_ and "/incidents?window=all&status=handling" in text_

    operator = app.server.test_client()  # a street's centre: its street, every unit
    login(operator, "t-operator")
    street_page = _page(operator, app, search="?lang=en")
    theirs, listed = _open_work(url, Incident.street_code == base["street_code"]), _cards(street_page)
    assert listed[0] == ids["other"] and set(listed) <= set(theirs)  # the most overdue, whichever unit has it
    assert len(listed) == min(len(theirs), tasks.MAX_TASKS) and ids["registered"] not in listed
    english = json.dumps(street_page, ensure_ascii=False)
    assert "overdue" in english and "我的待办" not in english and "超时" not in english


def test_the_refresh_resends_only_changes_and_no_store_widens_it(work):
    url, base, now, ids = work
    app = make_app(url)
    client = app.server.test_client()
    login(client, "t-unit")
    key = next(k for k in app.callback_map if "tasks-body.children" in k)

    def tick(config, meta):
        body = {
            "output": key,
            "outputs": [{"id": "tasks-body", "property": "children"}, {"id": "tasks-meta", "property": "data"}],
            "inputs": [{"id": "shell-tick", "property": "n_intervals", "value": 3}],
            "state": [{"id": "tasks-config", "property": "data", "value": config},
                      {"id": "tasks-meta", "property": "data", "value": meta}],
            "changedPropIds": ["shell-tick.n_intervals"],
        }  # fmt: skip
        return client.post("/_dash-update-component", data=json.dumps(body), headers=ORIGIN)

    if 60 - time.time() % 60 < 5:  # the cards' clocks turn with the minute: start well inside one
        time.sleep(60 - time.time() % 60 + 0.1)
    forged = {"lang": "zh", "area": "310000", "unit": OTHER_UNIT, "scope": {"code": "310000"}}
    first = tick(forged, None)
    assert first.status_code == 200
    got = first.get_json()["response"]
    listed = _cards(got["tasks-body"])
    assert listed and set(listed) <= set(_open_work(url, Incident.assigned_unit == UNIT))  # its unit, whatever sent
    second = tick(forged, got["tasks-meta"]["data"])  # nothing changed: nothing resent
    assert second.status_code in (200, 204) and (second.status_code == 204 or second.get_json()["response"] == {})
    late = int(re.search(r"超时 (\d+) 件", json.dumps(got, ensure_ascii=False)).group(1))
    writes.apply_action(get_engine(url), ids["late5m"], "start", actor="t-unit", expected_version=3)  # a new clock
    again = tick({"lang": "zh"}, got["tasks-meta"]["data"])
    assert again.status_code == 200
    assert f"超时 {late - 1} 件" in json.dumps(again.get_json(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("left", "lang", "words", "level"),
    [
        (-40 * 60, "zh", "超时 40分", "over"),
        (-(2 * 3600 + 15 * 60), "en", "2 h 15 min overdue", "over"),
        (2 * 3600 + 15 * 60, "zh", "剩余 2小时15分", "ok"),
        (35 * 60, "zh", "剩余 35分", "soon"),
        (35 * 60, "en", "35 min left", "soon"),
        (27 * 3600, "zh", "剩余 1天3小时", "ok"),
        (20, "en", "1 min left", "soon"),
    ],
)
def test_a_cards_clock_says_the_time_left_or_overdue_red_and_amber(left, lang, words, level):
    assert time_left(1_000_000 + left, False, 1_000_000, lang) == (words, level)


def test_a_card_without_a_deadline_says_why():
    assert time_left(None, True, 0, "zh") == ("挂账中", "none")
    assert time_left(None, False, 0, "en") == ("No deadline", "none")
    assert compact_duration(0, "zh") == "1分"


def test_the_first_page_walks_the_deadline_index_in_order(small_city, app_for):
    """EXPLAIN QUERY PLAN of the cards' SELECT for a unit and for the city: the (status, due_at) index in order, no
    sort of all open incidents (at 1M: 2-9 ms per status for a unit, 0.3 ms for the city)."""
    app_for(small_city)
    engine = get_engine(small_city)
    for scope in (Scope("310000", unit=UNIT), Scope("310000")):
        sql = tasks.by_deadline(scope, "handling", 51).compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as conn:
            plan = " | ".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "USING INDEX ix_incident_status_due" in plan and "TEMP B-TREE" not in plan, (scope, plan)


def _row(i: int, due: int | None, status: str = "handling", **more) -> dict:
    return dict(id=i, title="t", kind="event", category="sanitation", subcategory="garbage", std_code="06010",
                status=status, stage=0, priority=3, district_code="310101", street_code="310101002",
                grid_code="310101002007", address=None, assigned_unit=UNIT, due_at=due, parked_at=None,
                supervised_at=None) | more  # fmt: skip


def test_no_work_says_so_and_more_than_a_page_links_to_the_list():
    from components.task_views import render_tasks, tasks_view

    names = {"310101": ("黄浦区", "Huangpu"), "310101002": ("南京东路街道", "East Nanjing Road")}
    empty = tasks_view({"rows": [], "total": 0, "overdue": 0, "by_status": {"dispatched": 0, "handling": 0}},
                       1000, names, "zh", UNIT)  # fmt: skip
    shown = json.dumps(render_tasks(empty, "zh"), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    assert "暂无待办：没有派遣给本单位的未完成事件。" in shown and "task-card" not in shown

    rows = [_row(1, 400, supervised_at=5, priority=1), _row(2, None, "dispatched", parked_at=9)]
    data = {"rows": rows, "total": 120, "overdue": 80, "by_status": {"dispatched": 20, "handling": 100}}
    view = tasks_view(data, 1000, names, "en", None)
    first = view["cards"][0]
    assert (first["time"], first["level"], first["supervised"], first["urgent"]) == ("10 min overdue", "over", 1, 1)
    assert first["place"] == "Huangpu · East Nanjing Road · grid 7" and first["category"] == "Exposed garbage"
    assert first["unit"] == "Street Sanitation Station"  # an area's view names who it waits on
    assert view["cards"][1]["time"] == "Parked" and view["more"] == 118
    assert view["links"] == [
        ("Dispatched: 20 ›", "/incidents?window=all&status=dispatched&lang=en"),
        ("Handling: 100 ›", "/incidents?window=all&status=handling&lang=en"),
    ]
    shown = json.dumps(render_tasks(view, "en"), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    assert "More → the incident list: 118 not listed here" in shown and "120 open" in shown
