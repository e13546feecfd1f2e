"""The incident desk's reads: masked reporter, timeline with actors, deadline, repeats nearby."""

from __future__ import annotations

import json

from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select

from data.domain.scope import CITY
from data.domain.vocab import CATEGORIES
from data.read import incidentdesk
from data.store.db import get_engine
from data.store.models import Incident
from data.write import writes
from tests.conftest import SMALL_END

CANARY_NAME, CANARY_PHONE = "司马金丝雀", "13987654321"


def test_story_masks_the_reporter_and_tells_the_whole_timeline(city_copy, app_for):
    app_for(city_copy)
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        row = dict(
            conn.execute(select(Incident.__table__).where(Incident.status == "reported").limit(1)).mappings().one()
        )
    row.update(external_id="CANARY-1", reporter_name=CANARY_NAME, reporter_phone=CANARY_PHONE, reported_at=SMALL_END)
    (inc_id,) = writes.add_incidents(engine, [row], now=SMALL_END)
    writes.apply_action(engine, inc_id, "register", actor="duty-officer", expected_version=1, now=SMALL_END + 60)
    writes.apply_action(
        engine,
        inc_id,
        "dispatch",
        actor="dispatcher",
        expected_version=2,
        now=SMALL_END + 120,
        unit=CATEGORIES[row["category"]]["units"][0],
    )
    story = incidentdesk.incident_story(CITY, inc_id, SMALL_END + 180)
    text = repr(story)
    assert CANARY_NAME not in text and CANARY_PHONE not in text and "8765" not in text  # middle digits gone
    assert story["incident"]["reporter_name"] == "司****" and story["incident"]["reporter_phone"] == "139****4321"
    assert [h["to_status"] for h in story["history"]] == ["reported", "registered", "dispatched"]
    assert [h["actor"] for h in story["history"]][1:] == ["duty-officer", "dispatcher"]
    assert [a["action"] for a in story["audit"]] == ["register", "dispatch"]
    assert story["audit"][1]["unit"] == CATEGORIES[row["category"]]["units"][0]
    assert story["due_in_s"] > 0 and story["overdue"] is False
    later = incidentdesk.incident_story(CITY, inc_id, story["incident"]["due_at"] + 1)
    assert later["overdue"] is True and later["due_in_s"] < 0
    assert incidentdesk.incident_story(CITY, 10**9, SMALL_END) is None


def test_similar_incidents_share_the_grid_or_street_and_category(small_city, app_for):
    app_for(small_city)
    engine = get_engine(small_city)
    with engine.connect() as conn:
        inc = dict(
            conn.execute(select(Incident.__table__).order_by(Incident.reported_at.desc()).limit(1)).mappings().one()
        )
    rows = incidentdesk.similar(CITY, inc, SMALL_END)
    assert rows and all(r["id"] != inc["id"] for r in rows)
    assert all(
        r["grid_code"] == inc["grid_code"]
        or (r["street_code"] == inc["street_code"] and r["category"] == inc["category"])
        for r in rows
    )


def test_the_deadline_line_counts_down_and_turns_red_when_overdue():
    from components.incident_views import deadline_clock, deadline_text, format_countdown

    assert format_countdown(59, "zh") == "00:00:59"
    assert format_countdown(2 * 86400 + 3 * 3600 + 14 * 60 + 5, "zh") == "2 天 03:14:05"
    assert format_countdown(-(3600 + 1), "en") == "01:00:01"
    inc = {"id": 7, "version": 3, "status": "dispatched"}
    left = deadline_clock({"incident": inc, "due_in_s": 125}, "zh")
    assert deadline_text(left, "zh") == ("本环节剩余 00:02:05", "deadline")
    over = deadline_clock({"incident": inc, "due_in_s": -90061}, "en")
    assert deadline_text(over, "en") == ("This step is 1 d 01:01:01 overdue", "deadline overdue")
    closed = deadline_clock({"incident": dict(inc, status="closed"), "due_in_s": None}, "zh")
    assert deadline_text(closed, "zh") == ("已结案", "deadline done") and closed["key"] == "7:3"


def test_only_allowed_moves_are_offered_and_dispatch_asks_for_a_unit():
    from components.incident_views import allowed_actions, needs_reason, render_actions

    assert allowed_actions("reported") == ["register", "reject", "merge", "self_handle", "supervise"]  # triage
    assert allowed_actions("verifying") == ["verify_pass", "verify_fail", "supervise"]
    assert allowed_actions("closed") == ["reopen"]
    assert allowed_actions("dispatched", "unit") == ["start", "return", "request_extension"]
    assert allowed_actions("handling", "unit") == ["handled", "return", "request_extension", "stage_done"]
    assert allowed_actions("verifying", "unit") == [] and allowed_actions("reported", "leader") == ["supervise"]
    assert set(needs_reason()) == {
        "verify_fail",
        "close",
        "reopen",
        "reject",
        "self_handle",
        "return",
        "request_extension",
        "refuse_extension",
        "park",
    }
    read_only = json.dumps(
        render_actions({"status": "registered", "category": "drainage"}, "zh", "operator"),
        cls=PlotlyJSONEncoder,
        ensure_ascii=False,
    )
    assert "只能查看" in read_only and "区水务局" not in read_only
    html = json.dumps(
        render_actions(
            {"status": "registered", "category": "drainage"}, "zh", "dispatcher", units=CATEGORIES["drainage"]["units"]
        ),
        cls=PlotlyJSONEncoder,
        ensure_ascii=False,
    )
    assert "区排水管理所" in html and "区水务局" in html and "区防汛办" not in html  # this category's units only
