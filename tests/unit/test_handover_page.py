"""The handover page's layout (counts, lists, notices for bad parameters, each language alone) and the wall's
header line naming the duty officer and the shift, from the tick's one read of every area's confirmation."""

from __future__ import annotations

import re

import dash
import pytest

from callbacks.wall import wall_updates
from components import handover_views as views
from components.i18n import t
from data.domain.scope import Scope
from data.domain.timeutil import now_ts, to_dt
from data.read.handover_record import default_shift, duty_for, duty_officers, shift_at
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.wall.snapshot import all_snapshots, wall_snapshot
from data.write import accounts
from data.write import handover as handover_write
from tests.people import act_as, street_and_district
from tests.unit.test_handover import STARTS, STREET, build

CJK = re.compile(r"[\u4e00-\u9fff]")


def _text(node) -> str:
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " ".join(_text(n) for n in node)
    out = [_text(getattr(node, "children", None) or "")]
    out += [str(getattr(node, a)) for a in ("placeholder", "title") if getattr(node, a, None)]
    return " ".join(out)


def _links(node) -> list[str]:
    found = [node.href] if getattr(node, "href", None) else []
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            found += _links(child)
    return found


@pytest.fixture
def street_page(empty_db, app_for):
    shift = default_shift(now_ts(), STARTS)
    build(empty_db, shift.start)
    app_for(empty_db)
    act_as("ho-operator", "operator", STREET)
    return shift


def layout(**params):
    """The page as the router builds it (pages register themselves once an app exists)."""
    return next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/handover")(**params)


def test_the_page_shows_the_counts_the_lists_and_the_record(street_page):
    shift = street_page
    text = _text(layout())
    assert f"班次 {views.shift_span(shift.start, shift.end)}" in text
    assert "移交在办 6 其中已超期 1" in text and "本班超期 2" in text and "督办 1" in text
    assert "交班：尚无交班记录" in text and "接班：待确认" in text
    assert "#4" in text and "挂账" in text and "事件4" not in text  # numbers, not people's titles
    assert "40 分钟" in text and "至班次结束仍越限" in text  # the vital signs out of band
    links = _links(layout())
    assert f"/handover.xlsx?shift={shift.key.replace(':', '%3A')}&area={STREET}" in links
    prev = shift_at(shift.start - 1, STARTS)
    assert f"/handover?shift={prev.key.replace(':', '%3A')}" in links


def test_the_english_page_has_no_chinese(street_page):
    text = _text(layout(lang="en"))
    assert "Handed on, open" in text and "Not handed over yet" in text
    assert not CJK.search(text), CJK.findall(text)[:10]


@pytest.mark.parametrize(
    "params, key",
    [
        ({"shift": "yesterday"}, "ho_bad_shift_format"),
        ({"shift": "2026-11-19T09:00"}, "ho_bad_shift_not_a_start"),
        ({"shift": "2020-01-01T08:00"}, "ho_bad_shift_too_old"),
        ({"area": "310101002"}, "ho_bad_area"),
        ({"area": "31010"}, "ho_bad_area"),
    ],
)
def test_a_bad_parameter_gets_a_sentence_and_the_default(street_page, params, key):
    text = _text(layout(**params))
    assert t(key, "zh", starts="08:00, 20:00") in text
    assert f"班次 {views.shift_span(street_page.start, street_page.end)}" in text and "区310106013" in text


def test_a_long_list_says_how_many_and_links_to_the_incident_list():
    more = _text(views.section("移交在办", 120, 50, "rows", "zh", "/incidents?area=310106013"))
    assert "共 120 条，此处列出 50 条" in more and "在事件列表中查看" in more


# ---- the wall's header ----------------------------------------------------------------------------------


def test_the_wall_header_names_the_duty_officer_of_the_area_or_the_nearest_above(mini_copy, app_for):
    app = app_for(mini_copy)
    street, district = street_and_district(mini_copy)
    engine, now = get_engine(mini_copy), now_ts()
    shift = default_shift(now, STARTS)
    accounts.add_user(engine, "ho-incoming", role="operator", area=street, password_hash="x", name_zh="李四")
    handover_write.add_note(engine, Scope(street), shift.start, "平稳", actor="t-operator", starts=STARTS)
    handover_write.confirm(engine, Scope(street), shift.start, actor="ho-incoming", starts=STARTS)
    now = now_ts()  # after the confirmation: read at the earlier second, it had not happened yet (a flake in CI)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    took = {"zh": "李四", "en": "ho-incoming", "start": shift.end, "end": shift_at(shift.end, STARTS).end}
    assert duty_officers(now) == {street: took}
    assert wall_snapshot(catalog, Scope(street), now)["duty"] == took
    assert wall_snapshot(catalog, Scope(district), now)["duty"] is None  # above the street: nobody
    together = all_snapshots(catalog, [Scope("310000"), Scope(district), Scope(street)], now)
    assert [together[Scope(c)]["duty"] for c in ("310000", district, street)] == [None, None, took]
    assert duty_for(f"{street}001", duty_officers(now)) == took  # a grid's wall: its street's officer
    line = f"值班：李四 · {to_dt(took['start']):%H:%M}–{to_dt(took['end']):%H:%M}"
    assert wall_updates(together[Scope(street)], "zh", None, "b")["duty"] == line
    assert wall_updates(together[Scope(district)], "zh", None, "b")["duty"] == ""
