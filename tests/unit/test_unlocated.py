"""Imported incidents placed only by a name, or nowhere: counted where they belong, never dropped, and the
wall's one-pass tick still equals every scope's own reads."""

from __future__ import annotations

from sqlalchemy import select

from data.domain.scope import Scope
from data.domain.timeutil import DAY, local_day_start, now_ts, to_dt
from data.ingest import mapping as mappings
from data.ingest.run import import_incidents
from data.read import incidentdesk
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.store.models import Incident
from data.wall.snapshot import all_snapshots, wall_snapshot

MAPPING = {
    "source": "t",
    "columns": {"id": "id", "reported_at": "t", "status": "status", "category": "cat", "area": "area"},
}


def _import(url, tmp_path, now):
    # half an hour ago, but today in Shanghai: just after midnight that was yesterday, and the wall counts today
    half_hour_ago = to_dt(max(now - 1800, local_day_start(now))).strftime("%Y-%m-%d %H:%M:%S")
    days_ago = to_dt(now - 3 * DAY).strftime("%Y-%m-%d %H:%M:%S")
    lines = ["id,t,status,cat,area"]
    lines += [f"U{i},{half_hour_ago},registered,street_order," for i in range(3)]  # unlocated, today
    lines += [f"S{i},{half_hour_ago},reported,sanitation,陆家嘴街道" for i in range(2)]  # a street by name
    lines += [f"D{i},{half_hour_ago},reported,sanitation,浦东新区" for i in range(2)]  # a district by name
    lines += [f"OLD,{days_ago},reported,community,"]  # unlocated and long overdue
    path = tmp_path / "x.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = mappings.parse(MAPPING, "incidents")
    return import_incidents(get_engine(url), path, m, now=now)


def test_the_one_pass_tick_counts_them_where_the_scopes_own_reads_do(live_copy, app_for, tmp_path):
    app = app_for(live_copy)
    now = now_ts()
    report = _import(live_copy, tmp_path, now)
    assert (report.inserted, report.unlocated) == (8, 4)
    with get_engine(live_copy).connect() as conn:
        street = conn.scalar(select(Incident.street_code).where(Incident.external_id == "S0"))
    catalog = load_catalog(app.server.config["RULES_FILE"])
    tick = now_ts() // 10 * 10
    city, pudong = Scope("310000"), Scope("310115")
    scopes = [city, pudong, Scope(street), Scope("310101")]
    together = all_snapshots(catalog, scopes, tick)
    apart = {s: wall_snapshot(catalog, s, tick) for s in scopes}
    assert {s.code for s in scopes if together[s] != apart[s]} == set()
    snap = together[city]["incidents"]
    assert snap["unlocated_today"] == 3
    assert together[pudong]["incidents"]["unlocated_today"] == 0
    districts = all_snapshots(catalog, [Scope(d) for d in _districts()], tick)
    assert snap["today"] == sum(s["incidents"]["today"] for s in districts.values()) + 3
    # the old unlocated report is overdue: the city counts it, no district does
    assert snap["overdue"] == sum(s["incidents"]["overdue"] for s in districts.values()) + 1
    assert together[city]["map"]["markers"]["features"]  # markers still drawn, none without a point
    for s in scopes:
        for f in together[s]["map"]["markers"]["features"]:
            assert None not in f["geometry"]["coordinates"]


def _districts():
    from data.read import areas

    return list(areas.children("310000").code)


def test_an_unlocated_incident_has_no_neighbours(live_copy, app_for, tmp_path):
    app_for(live_copy)
    now = now_ts()
    _import(live_copy, tmp_path, now)
    with get_engine(live_copy).connect() as conn:
        u0 = dict(conn.execute(select(Incident.__table__).where(Incident.external_id == "U0")).mappings().one())
    assert incidentdesk.similar(Scope("310000"), u0, now) == []


def test_the_desk_names_what_it_knows_and_draws_no_guessed_pin(live_copy, app_for, tmp_path):
    from components.incident_list import shape_rows
    from components.incident_views import render_place, render_story
    from data.read import areas

    app_for(live_copy)
    now = now_ts()
    _import(live_copy, tmp_path, now)
    names = areas.area_names()
    with get_engine(live_copy).connect() as conn:
        got = {
            r["external_id"]: dict(r)
            for r in conn.execute(
                select(Incident.__table__).where(Incident.external_id.in_(["U0", "D0", "S0"]))
            ).mappings()
        }
    text = {k: str(render_story({"incident": v, "history": []}, names, "zh")) for k, v in got.items()}
    assert "未定位" in text["U0"] and "浦东新区" in text["D0"] and "陆家嘴" in text["S0"]
    assert "Unlocated" in str(render_story({"incident": got["U0"], "history": []}, names, "en"))
    for inc in got.values():  # no coordinates: a sentence, not a map centred on a guess
        assert "MapContainer" not in str(render_place(inc, [], "zh", None))
        assert "来源未提供坐标" in str(render_place(inc, [], "zh", None))
    rows = shape_rows([{**v, "due_at": v["due_at"]} for v in got.values()], names, now, "zh")
    assert sorted(r["street"] for r in rows) == sorted(["未定位", "浦东新区", names[got["S0"]["street_code"]][0]])
