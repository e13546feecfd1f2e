"""Warnings page: URL filters, paging in SQL, and acknowledging (once, by whom, when)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from components.warnings_view import WarnFilters, parse_filters
from data.domain.scope import CITY
from data.read import warnlist
from data.store.db import get_engine
from data.store.models import Warning
from data.write.writes import NotAllowed, NotFound, acknowledge_warning
from tests.conftest import SMALL_END


def test_filters_round_trip_through_the_url_and_bad_values_are_named():
    f, bad = parse_filters(
        {"status": "history", "level": "2", "kind": "spike", "area": "310115", "sort": "oldest", "page": "3"}
    )
    assert bad == [] and f == WarnFilters(status="history", level=2, kind="spike", area="310115", sort="oldest", page=3)
    query = f.url("en").split("?", 1)[1]
    again, _ = parse_filters(dict(p.split("=") for p in query.split("&")))
    assert again == f
    f, bad = parse_filters(
        {"status": "x", "level": "9", "kind": "<script>", "area": "../1", "sort": "id", "page": "-1"}
    )
    assert f == WarnFilters() and bad == ["status", "level", "kind", "area", "sort", "page"]
    assert WarnFilters().url("zh") == "/warnings"


def test_pages_hold_every_matching_warning_once(small_city, app_for):
    app_for(small_city)
    first = warnlist.warning_page(CITY, "history", None, None, "newest", 1)
    assert first["total"] > warnlist.PAGE_SIZE and len(first["rows"]) == warnlist.PAGE_SIZE
    pages = -(-first["total"] // warnlist.PAGE_SIZE)
    last = warnlist.warning_page(CITY, "history", None, None, "newest", pages)
    assert 0 < len(last["rows"]) <= warnlist.PAGE_SIZE
    ids = [r["id"] for p in (1, 2) for r in warnlist.warning_page(CITY, "history", None, None, "newest", p)["rows"]]
    assert len(ids) == len(set(ids))
    red = warnlist.warning_page(CITY, "active", 1, None, "severity", 1)
    assert all(r["level"] == 1 and r["ended_at"] is None for r in red["rows"])
    assert red["total"] == warnlist.active_counts(CITY).get("1", 0)


def test_acknowledge_records_who_and_when_once(city_copy, app_for):
    app_for(city_copy)
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        active = conn.execute(
            select(Warning.id).where(Warning.ended_at.is_(None), Warning.acknowledged_at.is_(None)).limit(1)
        ).scalar_one()
        ended = conn.execute(select(Warning.id).where(Warning.ended_at.is_not(None)).limit(1)).scalar_one()
    row = acknowledge_warning(engine, active, actor="duty-officer", now=SMALL_END)
    assert (row["acknowledged_by"], row["acknowledged_at"]) == ("duty-officer", SMALL_END)
    with pytest.raises(NotAllowed) as again:
        acknowledge_warning(engine, active, actor="dispatcher", now=SMALL_END + 5)
    assert again.value.details["by"] == "duty-officer"
    with pytest.raises(NotAllowed):
        acknowledge_warning(engine, ended, actor="dispatcher")
    with pytest.raises(NotFound):
        acknowledge_warning(engine, 10**9, actor="dispatcher")
    with engine.connect() as conn:
        stored = conn.execute(
            select(Warning.acknowledged_by, Warning.acknowledged_at).where(Warning.id == active)
        ).one()
    assert tuple(stored) == ("duty-officer", SMALL_END)  # the second attempt changed nothing


def test_two_officers_acknowledging_at_once_one_wins(city_copy):
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        ids = conn.scalars(
            select(Warning.id).where(Warning.ended_at.is_(None), Warning.acknowledged_at.is_(None)).limit(10)
        ).all()
    for wid in ids:
        results = []

        def act(name):
            try:
                acknowledge_warning(engine, wid, actor=name)
                results.append(name)
            except NotAllowed:
                results.append(None)

        threads = [threading.Thread(target=act, args=(n,)) for n in ("duty-officer", "dispatcher")]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        winners = [r for r in results if r]
        assert len(winners) == 1
        with engine.connect() as conn:
            assert conn.execute(select(Warning.acknowledged_by).where(Warning.id == wid)).scalar_one() == winners[0]


def test_durations_read_naturally_in_both_languages():
    from components.i18n import format_duration

    assert format_duration(45 * 60, "zh") == "45 分钟" and format_duration(3 * 3600 + 720, "en") == "3 h 12 min"
    assert format_duration(2 * 86400 + 5 * 3600, "zh") == "2 天 5 小时" and format_duration(-600, "en") == "10 min"
