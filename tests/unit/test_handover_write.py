"""The handover's notes and confirmation: who may write them where, how long a note may be, one confirmation
per area and shift, and a sentence in the user's language for every refusal, with nothing written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from callbacks import handover as handover_callbacks
from components.i18n import t
from data.domain.scope import Scope
from data.domain.timeutil import now_ts
from data.read.handover_record import default_shift, record
from data.store.cache import bound
from data.store.db import get_engine
from data.store.models_handover import HandoverConfirm, HandoverNote
from data.write import accounts, handover
from data.write.errors import BadInput, NotAllowed, NotFound
from tests.people import act_as
from tests.unit.test_handover import NOW, STARTS, STREET, S, build

PEOPLE = {  # username: (role, area, unit)
    "ho-op2": ("operator", STREET, None),
    "ho-other-street": ("operator", "310106019", None),
    "ho-dispatcher": ("dispatcher", "310000", None),
    "ho-admin": ("admin", "310000", None),
    "ho-unit": ("unit", "310000", "街镇环卫所"),
}


def _people(url: str) -> None:
    for user, (role, area, unit) in PEOPLE.items():
        accounts.add_user(get_engine(url), user, role=role, area=area, unit=unit, password_hash="x", name_en=user)


@pytest.fixture
def city(empty_db):
    build(empty_db)
    _people(empty_db)
    return empty_db


def _rows(url: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(m)).scalar() for m in (HandoverNote, HandoverConfirm)
        )


def note(url, who, text="路口积水已报排水所，08:30 复查", area=STREET, start=S, now=NOW):
    return handover.add_note(get_engine(url), Scope(area), start, text, actor=who, starts=STARTS, now=now)


def confirm(url, who, area=STREET, start=S, now=NOW):
    return handover.confirm(get_engine(url), Scope(area), start, actor=who, starts=STARTS, now=now)


def test_officers_write_notes_in_their_area_and_a_unit_may_not(city):
    for who in ("ho-operator", "ho-leader", "ho-dispatcher", "ho-admin"):
        assert note(city, who)["author"] == who
    with pytest.raises(NotAllowed) as refused:
        note(city, "ho-unit")
    assert refused.value.details["reason"] == "role"
    with pytest.raises(NotAllowed):
        note(city, "wall:lobby")  # a display token is no account that writes
    for who, area in (("ho-operator", "310106"), ("ho-other-street", STREET), ("ho-operator", "310101002")):
        with pytest.raises(NotFound):
            note(city, who, area=area)
    assert _rows(city) == (4, 0)


@pytest.mark.parametrize(
    "text, reason", [("", "empty"), ("   \n ", "empty"), ("字" * 2001, "too_long"), (None, "empty"), (["x"], "empty")]
)
def test_a_note_is_text_of_at_most_2000_characters(city, text, reason):
    with pytest.raises(BadInput) as refused:
        note(city, "ho-operator", text)
    assert refused.value.details == {"field": "note", "reason": reason}
    assert _rows(city) == (0, 0)


def test_a_long_note_is_kept_stripped_whole(city):
    saved = note(city, "ho-operator", "  " + "字" * 2000 + "\n")
    assert saved["body"] == "字" * 2000


@pytest.mark.parametrize(
    "start, reason", [(S + 3600, "not_a_start"), (S - 31 * 86400, "too_old"), (S + 86400, "future")]
)
def test_only_a_shift_of_the_last_30_days_takes_notes(city, start, reason):
    with pytest.raises(BadInput) as refused:
        note(city, "ho-operator", start=start)
    assert refused.value.details["reason"] == reason
    assert _rows(city) == (0, 0)


def test_the_incoming_officer_confirms_once_after_a_note_by_someone_else(city):
    with pytest.raises(NotAllowed) as refused:
        confirm(city, "ho-op2")
    assert refused.value.details["reason"] == "no_notes"
    note(city, "ho-operator")
    with pytest.raises(NotAllowed) as refused:
        confirm(city, "ho-operator")  # handing over to oneself certifies nothing
    assert refused.value.details["reason"] == "self"
    with pytest.raises(NotAllowed) as refused:
        confirm(city, "ho-op2", now=S + 3600)  # hours before the shift ends
    assert refused.value.details["reason"] == "early"
    done = confirm(city, "ho-op2", now=NOW)
    assert (done["handed_by"], done["confirmed_by"], done["shift_end"]) == (["ho-operator"], "ho-op2", S + 12 * 3600)
    for who in ("ho-dispatcher", "ho-op2"):
        with pytest.raises(NotAllowed) as refused:
            confirm(city, who)
        assert refused.value.details == {"reason": "confirmed", "by": "ho-op2", "at": NOW}
    with pytest.raises(NotAllowed) as refused:
        note(city, "ho-operator", "补一句")  # the record is signed
    assert refused.value.details["reason"] == "confirmed"
    assert _rows(city) == (1, 1)
    with bound(get_engine(city)):
        rec = record(Scope(STREET), S)
    assert rec["outgoing"] == ["ho-operator"] and rec["confirm"]["confirmed_by"] == "ho-op2"


def test_a_confirmer_who_also_wrote_a_note_may_confirm_when_another_handed_over(city):
    note(city, "ho-operator")
    note(city, "ho-op2", "接班前已核对在办清单")
    assert confirm(city, "ho-op2")["handed_by"] == ["ho-operator", "ho-op2"]
    assert _rows(city) == (2, 1)


def test_each_area_has_its_own_record(city):
    note(city, "ho-operator")
    note(city, "ho-dispatcher", "全市平稳", area="310000")
    confirm(city, "ho-leader", area="310000")
    with bound(get_engine(city)):
        assert record(Scope(STREET), S)["confirm"] is None
        assert record(Scope("310000"), S)["outgoing"] == ["ho-dispatcher"]


# ---- the page's callback: the sentences, and a forged Store ----------------------------------------------


@pytest.fixture
def live(empty_db, app_for):
    """The hand-made city with its night shift the one that just ended by the real clock, and an app."""
    base = default_shift(now_ts(), STARTS).start
    build(empty_db, base)
    _people(empty_db)
    app_for(empty_db)
    return empty_db, base


def test_the_page_saves_confirms_and_refuses_in_the_users_language(live):
    url, base = live
    state = {"area": STREET, "shift": base, "lang": "zh"}
    act_as("ho-operator", "operator", STREET)
    out = handover_callbacks.write("save", "  交接：3 件在办  ", state, "zh")
    assert out[3] == t("ho_note_saved", "zh") and out[4] == ""
    assert "交班：ho-operator中" in " ".join(c.children for c in out[0]) and "hidden" not in out[2]
    assert handover_callbacks.write("confirm", None, state, "en")[3] == t("ho_refused_self", "en")
    assert handover_callbacks.write("save", "x" * 2001, state, "en")[3] == t("ho_bad_note_long", "en", n=2000)
    act_as("ho-op2", "operator", STREET)
    out = handover_callbacks.write("confirm", None, state, "zh")
    assert out[3] == t("ho_confirmed", "zh") and "hidden" in out[2]
    line = " ".join(c.children for c in out[0])
    assert re.fullmatch(r"交班：ho-operator中 接班：ho-op2 (\d\d-\d\d )?\d\d:\d\d", line), line
    act_as("ho-dispatcher", "dispatcher", "310000")
    again = handover_callbacks.write("confirm", None, state, "en")[3]
    assert again.startswith("ho-op2 confirmed this handover at ") and "can no longer change" in again
    assert _rows(url) == (1, 1)


@pytest.mark.parametrize(
    "state",
    [
        {"area": "310101002", "shift": "BASE"},  # another district's street
        {"area": "310000", "shift": "BASE"},  # wider than the user's own street
        {"area": "31010600", "shift": "BASE"},
        {"area": STREET, "shift": "BASE+60"},
        {"area": STREET, "shift": "2026-11-19T20:00"},
        "not a dict",
    ],
)
def test_a_forged_store_writes_nothing_and_gets_a_sentence(live, state):
    url, base = live
    if isinstance(state, dict):
        state = dict(state, shift={"BASE": base, "BASE+60": base + 60}.get(state["shift"], state["shift"]))
    act_as("ho-operator", "operator", STREET)
    said = handover_callbacks.write("save", "伪造", state, "zh")[3]
    assert said in (t("ho_refused_area", "zh"), t("ho_refused_shift", "zh"))
    assert _rows(url) == (0, 0)
