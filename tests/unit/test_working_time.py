"""Deadlines in working time: the calendar (China's holidays and adjusted working days, the city's own days),
the standard category table (validated, replaceable) and the one deadline calculation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from data.domain import limits, stdcats
from data.domain.limits import due_many, step_due
from data.domain.workcal import WorkCalendar
from data.synthetic.generator import SUBS

TZ = dt.timezone(dt.timedelta(hours=8))


def ts(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp())


def local(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), TZ).strftime("%Y-%m-%d %H:%M")


CAL = WorkCalendar()  # 09:00-12:00, 13:00-17:00: a working day is 7 working hours


@pytest.mark.parametrize(
    "start, hours, due",
    [
        ("2026-12-01 10:00", 1, "2026-12-01 11:00"),  # a Tuesday, inside the morning
        ("2026-12-01 11:30", 1, "2026-12-01 13:30"),  # lunch does not count
        ("2026-12-01 07:00", 1, "2026-12-01 10:00"),  # before work: the clock starts at 09:00
        ("2026-12-01 16:30", 2, "2026-12-02 10:30"),  # overnight
        ("2026-12-04 16:00", 4, "2026-12-07 12:00"),  # Friday to Monday: the weekend does not count
        ("2026-09-30 16:00", 2, "2026-10-08 10:00"),  # National Day week off (1-7 October 2026)
        ("2026-10-09 16:00", 2, "2026-10-10 10:00"),  # Saturday 10 October 2026 is an adjusted working day
        ("2026-12-31 16:00", 7, "2027-01-04 16:00"),  # 2027 is past the package: 1 January is still off
        ("2026-12-01 10:00", 0, "2026-12-01 10:00"),
    ],
)
def test_working_hours_skip_nights_weekends_and_holidays(start, hours, due):
    assert local(CAL.add_working(ts(start), hours * 3600)) == due


def test_the_city_adds_its_own_days_off_and_on():
    cal = WorkCalendar(days_off="2026-12-02", days_on="2026-12-05")  # a Wednesday off, a Saturday on
    assert local(cal.add_working(ts("2026-12-01 16:00"), 2 * 3600)) == "2026-12-03 10:00"
    assert local(cal.add_working(ts("2026-12-04 16:00"), 2 * 3600)) == "2026-12-05 10:00"
    assert not cal.is_workday(dt.date(2026, 12, 2)) and cal.is_workday(dt.date(2026, 12, 5))
    with pytest.raises(ValueError, match="2026-13-01"):
        WorkCalendar(days_off="2026-13-01")
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(hours="09:00-12:00,11:00-17:00")


def test_working_seconds_between_two_times_invert_the_addition():
    rng = np.random.default_rng(3)
    starts = ts("2026-01-01 00:00") + rng.integers(0, 300 * 86400, 2000)
    secs = rng.integers(1, 40 * 3600, 2000)
    due = CAL.add_working(starts, secs)
    assert all(CAL.working_between(int(a), int(b)) == int(s) for a, b, s in zip(starts, due, secs))


def test_limits_by_category_stage_and_priority():
    t = ts("2026-12-04 16:00")  # a Friday
    assert local(step_due("handling", t, 3, "06010", "event")) == "2026-12-07 12:00"  # 暴露垃圾 4 工作时
    assert local(step_due("handling", t, 1, "06010", "event")) == "2026-12-04 20:00"  # urgent: natural hours
    assert local(step_due("handling", t, 3, "11002", "event")) == "2026-12-04 16:30"  # 电梯困人: 30 minutes
    assert local(step_due("reported", t, 3, "11001", "event")) == "2026-12-04 16:30"  # emergencies: desk in minutes
    # 私搭乱建 in three stages: stop work 4 工作时, penalty 7 工作日, demolition 20 工作日
    assert local(step_due("handling", t, 3, "06001", "event", stage=0)) == "2026-12-07 12:00"
    assert local(step_due("handling", t, 3, "06001", "event", stage=1)) == "2026-12-15 16:00"
    assert local(step_due("handling", t, 3, "06001", "event", stage=2)) == "2027-01-04 16:00"
    assert step_due("closed", t, 3, "06010", "event") is None


def test_the_generators_vectorised_deadlines_equal_the_one_calculation():
    rng = np.random.default_rng(5)
    n = 3000
    status = rng.integers(-1, 6, n)  # -1: no step; 5: closed
    entered = ts("2026-11-01 00:00") + rng.integers(0, 40 * 86400, n)
    priority = rng.integers(1, 4, n)
    sub = rng.integers(0, len(SUBS), n)
    got = due_many(status, entered, priority, sub, SUBS)
    statuses = ("reported", "registered", "dispatched", "handling", "verifying", "closed")
    for i in range(n):
        one = (
            None
            if status[i] < 0
            else step_due(statuses[status[i]], int(entered[i]), int(priority[i]), subcategory=SUBS[sub[i]])
        )
        assert (got[i] if got[i] >= 0 else None) == one


def test_the_category_table_is_validated_with_its_line_and_column(tmp_path):
    table = stdcats.table()
    assert all(any(e.subcategory == s for e in table.values()) for s in SUBS)  # every generated kind has a code
    assert table[("event", "06001")].limit == ("4wh", "7wd", "20wd")
    good = stdcats.BUILT_IN.read_text(encoding="utf-8").splitlines()
    for bad_line, message in [
        ("event,6001,x,x,x,x,sanitation,garbage,4wh,,,0,0", "line 36: code"),
        ("event,06099,x,x,x,x,nowhere,garbage,4wh,,,0,0", "line 36: .*nowhere"),
        ("event,06099,x,x,x,x,sanitation,garbage,4 hours,,,0,0", "line 36: limit"),
        ("event,06099,x,x,x,x,sanitation,garbage,4wh|2wd,a,,0,0", "line 36: .*2 stages need 2 names"),
        ("event,06010,x,x,x,x,sanitation,garbage,4wh,,,0,0", "line 36: event 06010 appears twice"),
    ]:
        path = tmp_path / "t.csv"
        path.write_text("\n".join([*good, bad_line]) + "\n", encoding="utf-8")
        with pytest.raises(stdcats.TableError, match=message):
            stdcats.load(path)


def test_a_city_replaces_the_table_and_the_deadlines_follow(tmp_path):
    path = tmp_path / "city.csv"
    text = stdcats.BUILT_IN.read_text(encoding="utf-8").replace(
        "event,06010,市容环境,City appearance,暴露垃圾,Exposed garbage,sanitation,garbage,4wh",
        "event,06010,市容环境,City appearance,暴露垃圾,Exposed garbage,sanitation,garbage,1wd",
    )
    path.write_text(text, encoding="utf-8")
    t = ts("2026-12-01 10:00")
    try:
        stdcats.configure(path)
        assert local(limits.step_due("handling", t, 3, "06010", "event")) == "2026-12-02 10:00"
    finally:
        stdcats.configure(None)
    assert local(limits.step_due("handling", t, 3, "06010", "event")) == "2026-12-01 15:00"
