"""The incident list's SQL: filters, sorting and paging agree with a plain count, and bad URL values are named."""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select, text

from components.incident_list import parse_filters
from data.domain.scope import Scope
from data.domain.timeutil import DAY
from data.read import incidentlist
from data.read.incidentlist import IncidentFilters
from data.store import textsearch
from data.store.db import get_engine
from data.store.models import Incident
from data.write import writes
from tests.conftest import SMALL_END


def _page(f, *args):
    return incidentlist.page(Scope(f.area), f, *args)


def _counts(f, now):
    return incidentlist.status_counts(Scope(f.area), f, now)


def test_url_filters_are_checked_and_bad_ones_named():
    f, bad = parse_filters(
        {
            "window": "7d",
            "status": "handling",
            "priority": "1",
            "overdue": "1",
            "q": " 井盖 ",
            "area": "310115",
            "unit": "区水务局",
        }
    )
    assert bad == [] and f == IncidentFilters("7d", "handling", None, None, "310115", 1, "区水务局", True, "井盖")
    f, bad = parse_filters(
        {
            "window": "forever",
            "status": "lost",
            "priority": "9",
            "area": "../x",
            "unit": "火星局",
            "q": "x" * 41,
            "source": "telepathy",
        }
    )
    assert f == IncidentFilters() and sorted(bad) == ["area", "priority", "q", "source", "status", "unit", "window"]


def test_pages_are_sorted_and_complete(small_city, app_for):
    app_for(small_city)
    f = IncidentFilters(window="7d", area="310115")
    first = _page(f, SMALL_END, "priority", False, 0, 100)
    with get_engine(small_city).connect() as conn:
        expected = conn.execute(
            select(func.count()).where(Incident.reported_at >= SMALL_END - 7 * DAY, Incident.district_code == "310115")
        ).scalar()
    assert first["total"] == expected > 100
    prios = [r["priority"] for r in first["rows"]]
    assert prios == sorted(prios)
    second = _page(f, SMALL_END, "priority", False, 100, 200)
    assert not {r["id"] for r in first["rows"]} & {r["id"] for r in second["rows"]}
    assert all("reporter_name" not in r and "reporter_phone" not in r for r in first["rows"])
    counts = _counts(f, SMALL_END)
    assert sum(counts.values()) == expected


def test_overdue_and_text_filters(small_city, app_for):
    app_for(small_city)
    late = _page(IncidentFilters(window="30d", overdue=True), SMALL_END, "due_at", False, 0, 50)
    assert late["total"] > 0 and all(r["due_at"] < SMALL_END and r["status"] != "closed" for r in late["rows"])
    word = late["rows"][0]["title"][-4:]
    found = _page(IncidentFilters(window="30d", q=word), SMALL_END, "reported_at", True, 0, 50)
    assert found["total"] > 0
    assert _page(IncidentFilters(window="30d", q="%_%"), SMALL_END, "reported_at", True, 0, 5)["total"] == 0


def test_the_area_picker_lists_districts_and_their_streets_by_name():
    from components.incident_list import area_options

    names = {
        "310000": ("上海市", "Shanghai"),
        "310101": ("黄浦区", "Huangpu"),
        "310101002": ("南京东路街道", "East Nanjing Road"),
        "310104": ("徐汇区", "Xuhui"),
    }
    opts = area_options(names, "310101002001", "zh")
    assert [o["value"] for o in opts] == ["310101", "310101002", "310104", "310101002001"]  # no city; a grid kept
    assert opts[1]["label"] == "黄浦区 · 南京东路街道" and opts[-1]["label"] == "黄浦区 · 南京东路街道 · 第 1 网格"
    assert area_options(names, None, "en")[1]["label"] == "Huangpu · East Nanjing Road"


@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_pages_through_the_same_order_as_python(small_city, app_for, descending):
    """Each sortable column, both ways, paged in blocks of 100: the blocks join into the reference order
    (ties by report time then id in the same direction; by deadline or unit, those without one last)."""
    app_for(small_city)
    f = IncidentFilters(window="7d", area="310115")
    cols = incidentlist.COLUMNS
    with get_engine(small_city).connect() as conn:
        everything = [
            dict(r)
            for r in conn.execute(
                select(*[getattr(Incident, c) for c in cols]).where(*incidentlist._where(Scope(f.area), f, SMALL_END))
            ).mappings()
        ]
    assert 150 < len(everything) < 5000 and any(r["due_at"] is None for r in everything)
    for sort in incidentlist.SORTABLE:
        if sort in incidentlist.NULLS_LAST:
            have = sorted(
                (r for r in everything if r[sort] is not None),
                key=lambda r: (r[sort], r["reported_at"], r["id"]),
                reverse=descending,
            )
            without = sorted(
                (r for r in everything if r[sort] is None), key=lambda r: (r["reported_at"], r["id"]), reverse=True
            )
            assert have and without, sort
            expected = have + without
        else:
            expected = sorted(everything, key=lambda r: (r[sort], r["reported_at"], r["id"]), reverse=descending)
        got = []
        for start in range(0, len(everything) + 100, 100):
            block = _page(f, SMALL_END, sort, descending, start, start + 100)
            assert block["total"] == len(everything)
            got += block["rows"]
        assert [r["id"] for r in got] == [r["id"] for r in expected], sort


def test_text_search_through_the_bigram_index_equals_a_plain_scan(city_copy, app_for):
    """The index only narrows: for short, long, one-character, Latin and wildcard queries the list finds
    exactly what LIKE over every row finds, and a new incident is searchable at once."""
    app_for(city_copy)
    engine = get_engine(city_copy)
    with engine.connect() as conn:
        assert textsearch.indexed_count(conn) == conn.execute(select(func.count()).select_from(Incident)).scalar()
        row = dict(conn.execute(select(Incident.__table__).limit(1)).mappings().one())
    row.update(
        external_id="TEXT-1", reported_at=SMALL_END - 60, title="金丝雀LED路灯闪烁", description="路灯时亮时灭（50%）"
    )
    writes.add_incidents(engine, [row], now=SMALL_END)
    for q in ("井盖", "路灯闪烁", "积水", "井", "led", "50%", "LED路灯", "不存在的词语"):
        f = IncidentFilters(window="30d", q=q)
        like = "%" + q.replace("%", "\\%") + "%"
        with engine.connect() as conn:
            plain = conn.execute(
                select(func.count()).where(
                    Incident.reported_at >= SMALL_END - 30 * DAY,
                    or_(Incident.title.like(like, escape="\\"), Incident.description.like(like, escape="\\")),
                )
            ).scalar()
        got = _page(f, SMALL_END, "reported_at", True, 0, 500)
        assert got["total"] == plain == sum(_counts(f, SMALL_END).values()), q
        assert len(got["rows"]) == min(plain, 500)
    assert _page(IncidentFilters(window="30d", q="LED路灯"), SMALL_END, "reported_at", True, 0, 5)["total"] == 1
    assert textsearch.grams("LED 路灯（50%）") == ["50", "ed", "le", "路灯"]


def test_all_time_overdue_matches_the_overdue_count_the_wall_shows(small_city, app_for):
    from data.read import incidents

    app_for(small_city)
    for scope in ("310000", "310115", "310115005"):
        f = IncidentFilters(window="all", area=scope, overdue=True)
        listed = _page(f, SMALL_END, "due_at", False, 0, 100)["total"]
        assert listed == incidents.loop_status(Scope(scope), SMALL_END)["overdue"], scope


def test_a_seeded_database_has_planner_statistics_and_sorts_through_the_indexes(city_copy):
    """Without statistics SQLite sorts a month of incidents through the report-time index (seconds at
    1M); the seed keeps its ANALYZE, and a database that grew from empty gets one on start."""
    from data.store.schema import refresh_statistics

    engine = get_engine(city_copy)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'incident'")).scalar() >= 10
        for sort in ("priority", "due_at", "category", "source", "assigned_unit"):
            plan = " ".join(
                r[3]
                for r in conn.execute(
                    text(
                        f"EXPLAIN QUERY PLAN SELECT id FROM incident WHERE reported_at >= :s ORDER BY {sort}, reported_at, id "
                        "LIMIT 100"
                    ),
                    {"s": SMALL_END - 30 * DAY},
                )
            )
            assert f"ix_incident_{sort}_reported" in plan and "TEMP B-TREE" not in plan, (sort, plan)
    assert refresh_statistics(engine) is False  # statistics are there: nothing to do
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'incident'")
    assert refresh_statistics(engine) is True
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'incident'")).scalar() >= 10


def test_a_replaced_city_is_indexed_afresh(mini_copy):
    """seed --reset empties every table and the text index (FTS5 refuses a plain DELETE) and indexes anew."""
    from data.synthetic.seed import seed

    url = mini_copy  # a seeded city of 2000 incidents
    seed(url, days=2, incidents=1500, projects=4, end=SMALL_END, seed_value=9, replace=True)
    with get_engine(url).connect() as conn:
        assert (
            textsearch.indexed_count(conn) == conn.execute(select(func.count()).select_from(Incident)).scalar() == 1500
        )
