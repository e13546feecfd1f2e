"""The handover's spreadsheet (/handover.xlsx): it opens in openpyxl with the page's counts and lists, in the
user's language, and the same scope rules as the page: another area's handover is refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from api.auth import hash_password
from components.i18n import t
from data.domain.scope import Scope
from data.domain.timeutil import now_ts, to_dt
from data.read import handover
from data.read.handover_record import default_shift
from data.store.cache import bound
from data.store.db import get_engine
from data.write import accounts
from data.write import handover as handover_write
from tests.conftest import make_app
from tests.people import PASSWORD, login
from tests.unit.test_handover import STARTS, STREET, build

PEOPLE = {"ho-street": ("operator", STREET, None), "ho-city": ("leader", "310000", None)}
PEOPLE |= {"ho-unit": ("unit", "310000", "街镇环卫所"), "ho-incoming": ("dispatcher", STREET, None)}


@pytest.fixture
def served(empty_db):
    """The hand-made city (its night shift the one that just ended), people who can log in, a test client."""
    now = now_ts()
    shift = default_shift(now, STARTS)
    build(empty_db, shift.start)
    digest = hash_password(PASSWORD)
    for user, (role, area, unit) in PEOPLE.items():
        accounts.add_user(get_engine(empty_db), user, role=role, area=area, unit=unit, password_hash=digest)
    app = make_app(empty_db)
    assert "handover_export" in app.server.blueprints  # app.py mounts /handover.xlsx
    return empty_db, app.server.test_client(), shift


def _get(client, user: str, **params):
    login(client, user)
    return client.get("/handover.xlsx", query_string=params)


def test_the_spreadsheet_opens_with_the_pages_counts_and_lists(served):
    url, client, shift = served
    engine = get_engine(url)
    handover_write.add_note(engine, Scope(STREET), shift.start, "=SUM(A1) 注意", actor="ho-street", starts=STARTS)
    resp = _get(client, "ho-city", area=STREET, shift=shift.key)
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    name = f"handover-{STREET}-{to_dt(shift.start):%Y%m%d-%H%M}.xlsx"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == [
        "概况",
        "移交在办",
        "本班超期",
        "本班新发",
        "本班结案",
        "督办",
        "预警",
        "体征越限",
        "交班记录",
    ]
    with bound(engine):
        rep = handover.shift_report(Scope(STREET), shift, now_ts())
    summary = {row[0]: row[1] for row in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary[t("ho_c_inherited", "zh")] == rep["counts"]["inherited"] == 6
    assert summary[t("ho_c_closed", "zh")] == rep["counts"]["closed"] == 1
    assert summary[t("ho_c_overdue", "zh")] == rep["counts"]["overdue"] == 2
    assert summary[t("ho_x_handed", "zh")] == "ho-street"
    inherited = list(wb["移交在办"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in inherited] == [r["incident_id"] for r in rep["inherited"]] == [4, 3, 6, 8, 1, 5]
    assert inherited[0][1] == "事件4" and inherited[-1][-1] == t("ho_parked", "zh")  # titles; the parked one
    assert [r[2] for r in wb["交班记录"].iter_rows(min_row=2, values_only=True)] == ["'=SUM(A1) 注意"]  # not a formula


def test_the_spreadsheet_speaks_english_on_request(served):
    _, client, _ = served
    wb = load_workbook(io.BytesIO(_get(client, "ho-street", lang="en").data))
    assert wb.sheetnames[:3] == ["Summary", "Handed on", "Went overdue"]
    cells = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    assert "Handed on, open" in cells and "移交" not in cells and "超期" not in cells


@pytest.mark.parametrize(
    "user, params, status, key",
    [
        ("ho-street", {"area": "310101002"}, 404, "ho_refused_download"),  # another district's street
        ("ho-street", {"area": "310106"}, 404, "ho_refused_download"),  # wider than the user's street
        ("ho-street", {"area": "bogus"}, 404, "ho_refused_download"),
        ("ho-street", {"shift": "2026-01-01T08:00"}, 400, "bad_param"),
        ("ho-street", {"shift": "tomorrow"}, 400, "bad_param"),
        ("ho-unit", {}, 403, "forbidden_body"),
    ],
)
def test_another_areas_handover_or_a_bad_shift_is_refused_with_a_sentence(served, user, params, status, key):
    _, client, _ = served
    resp = _get(client, user, lang="en", **params)
    assert resp.status_code == status
    assert resp.get_json()["message"] == t(key, "en", name="shift")


def test_a_street_officer_downloads_their_own_streets_handover_by_default(served):
    _, client, shift = served
    resp = _get(client, "ho-street")
    assert resp.status_code == 200 and STREET in resp.headers["Content-Disposition"]
    assert f"{to_dt(shift.start):%Y%m%d-%H%M}" in resp.headers["Content-Disposition"]
