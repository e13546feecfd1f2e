"""The loop's triage and in-flight moves in a real browser: a street dispatcher rejects an invalid report (a
reason is asked for first), is refused a merge into an incident outside the street, merges a duplicate
(the survivor named before it is submitted, the duplicate's masked reporter and history shown on the
survivor after), dispatches with the responsible unit proposed first, parks and supervises; a unit starts
with a before-photo, asks for more time, a dispatcher approves it, and the unit finishes with an after-photo.
Screenshots of both views at 1920 and 390 px wide go to /tmp/shots/desk_*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dash.testing.wait import until
from PIL import Image
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from data.domain.timeutil import now_ts, to_dt
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import IncidentExtension, IncidentPhoto
from data.write import writes
from tests.conftest import make_app
from tests.integration.test_wall import _viewport
from tests.people import UNIT, street_and_district

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
REPORTER = ("欧阳测试", "13700002222")


def _incidents(url: str, titles: dict[str, str], street: str | None = None) -> dict[str, int]:
    """New sanitation reports (one per key), in `street` or, without one, outside the test street."""
    engine = get_engine(url)
    own, _ = street_and_district(url)
    with engine.connect() as conn:
        where = Incident.street_code == own if street else Incident.street_code != own
        row = dict(
            conn.execute(select(Incident.__table__).where(where, Incident.street_code != "").limit(1)).mappings().one()
        )
    now = now_ts()
    rows = [
        dict(row, external_id=f"TRIAGE-{key}", title=title, category="sanitation", subcategory="garbage", kind="event",
             priority=3, reported_at=now - 600, reporter_name=REPORTER[0], reporter_phone=REPORTER[1], std_code=None)
        for key, title in titles.items()
    ]  # fmt: skip
    return dict(zip(titles, writes.add_incidents(engine, rows)))


def _picture(tmp_path: Path, name: str, colour) -> str:
    """A real JPEG with a GPS position in its EXIF (the stored copy must not keep it)."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 1.5), 3: "E", 4: (121.0, 28.0, 2.0)}
    path = tmp_path / name
    img = Image.new("RGB", (1600, 1200), colour)
    img.paste((240, 240, 240), (400, 300, 1200, 900))
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return str(path)


def _open(dash_duo, iid: int, title: str) -> None:
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents/{iid}")
    dash_duo.wait_for_contains_text(".incident-page h1", title, timeout=15)


def _choose(dash_duo, label: str) -> None:
    until(lambda: any(e.text == label for e in dash_duo.find_elements("#inc-action label")), timeout=10)
    next(e for e in dash_duo.find_elements("#inc-action label") if e.text == label).click()


def _submit(dash_duo, said: str, comment: str | None = None) -> None:
    if comment:
        dash_duo.find_element("#inc-comment").send_keys(comment)
    dash_duo.find_element("#inc-submit").click()
    dash_duo.wait_for_contains_text("#inc-result", said, timeout=10)


def _set(dash_duo, selector: str, value: str) -> None:
    """Set a date or time field as a person picking from its picker would (its typed form is the locale's)."""
    dash_duo.driver.execute_script(
        "const e = arguments[0]; Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')"
        ".set.call(e, arguments[1]); e.dispatchEvent(new Event('input', {bubbles: true}));"
        "e.dispatchEvent(new Event('change', {bubbles: true}));",
        dash_duo.find_element(selector),
        value,
    )


def _shots(dash_duo, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1920, 390):
        _viewport(dash_duo, width, 1080 if width > 1000 else 844)
        height = dash_duo.driver.execute_script("return document.documentElement.scrollHeight")
        _viewport(dash_duo, width, min(max(height, 844), 4000))  # the whole page
        dash_duo.driver.save_screenshot(str(SHOTS / f"desk_{name}_{width}.png"))
    _viewport(dash_duo, 1920, 1080)


def _status(url: str, iid: int) -> tuple:
    with get_engine(url).connect() as conn:
        row = conn.execute(
            select(Incident.status, Incident.disposition, Incident.merged_into).where(Incident.id == iid)
        )
        return tuple(row.one())


def test_a_street_dispatcher_triages_the_intake(dash_duo, mini_copy):
    ids = _incidents(mini_copy, {"bad": "测试无效上报", "dup": "测试重复垃圾", "main": "测试暴露垃圾"}, street="own")
    elsewhere = _incidents(mini_copy, {"far": "测试外街道事件"})["far"]
    dash_duo.start_server(make_app(mini_copy), user="t-street-dispatcher")
    _viewport(dash_duo, 1920, 1080)

    # 不予受理: a reason first, then it ends as invalid
    _open(dash_duo, ids["bad"], "测试无效上报")
    _choose(dash_duo, "不予受理/作废")
    assert dash_duo.find_element("#inc-comment").get_attribute("placeholder") == "理由（必填）"
    _submit(dash_duo, "请填写理由：该操作需要理由。")
    assert _status(mini_copy, ids["bad"])[0] == "reported"  # nothing changed
    _submit(dash_duo, "已作废：不予受理。", comment="重复拨打，非城市管理问题")
    dash_duo.wait_for_contains_text(".incident-page h1", "不予受理/作废", timeout=10)
    assert _status(mini_copy, ids["bad"])[:2] == ("closed", "invalid")

    # 合并: a survivor outside the street is refused; the right one is named before the merge
    _open(dash_duo, ids["dup"], "测试重复垃圾")
    _choose(dash_duo, "合并")
    dash_duo.find_element("#inc-target").send_keys(str(elsewhere))
    dash_duo.wait_for_contains_text("#inc-survivor", f"编号 #{elsewhere} 在您的范围内没有未结案的事件", timeout=10)
    _submit(dash_duo, f"编号为 #{elsewhere} 的事件不存在或不在您的范围内，未合并。")
    assert _status(mini_copy, ids["dup"])[0] == "reported"
    typed = dash_duo.find_element("#inc-target")
    typed.send_keys(Keys.CONTROL, "a")
    typed.send_keys(Keys.BACKSPACE, str(ids["main"]))
    dash_duo.wait_for_contains_text("#inc-survivor", f"将合并到：#{ids['main']} 测试暴露垃圾（发现受理）", timeout=10)
    _submit(dash_duo, f"已合并至 #{ids['main']}。")
    assert _status(mini_copy, ids["dup"]) == ("closed", "merged", ids["main"])

    # the survivor shows the duplicate, its reporter masked, its history one click away
    _open(dash_duo, ids["main"], "测试暴露垃圾")
    merged = dash_duo.find_element(".merged-panel")
    assert f"#{ids['dup']} 测试重复垃圾 · 报告人 欧*** 137****2222" in merged.text
    assert REPORTER[0] not in dash_duo.driver.page_source and REPORTER[1] not in dash_duo.driver.page_source
    merged.find_element("css selector", "summary").click()
    until(lambda: "合并 · " in merged.text, timeout=5)

    # 立案, then dispatch: the responsible unit first, each unit with its open load
    _choose(dash_duo, "立案")
    _submit(dash_duo, "已立案")
    _choose(dash_duo, "派遣")
    dash_duo.find_element("#inc-unit").click()
    until(lambda: len(dash_duo.find_elements(".dash-dropdown-option")) >= 2, timeout=5)
    labels = [o.text for o in dash_duo.find_elements(".dash-dropdown-option")]
    assert "责任单位" in labels[0] and all("在办" in label for label in labels), labels
    next(o for o in dash_duo.find_elements(".dash-dropdown-option") if o.text.startswith(UNIT)).click()
    _submit(dash_duo, "已派遣")
    until(lambda: f"派遣至{UNIT}" in dash_duo.find_element(".timeline").text, timeout=10)

    # 挂账 stops the clock (a reason first); 取消挂账 starts it again; 督办 flags it
    _choose(dash_duo, "挂账")
    _submit(dash_duo, "请填写理由")
    _submit(dash_duo, "已挂账：不计入超期。", comment="待绿化改造工程一并处理")
    dash_duo.wait_for_text_to_equal("#inc-deadline", "挂账中，暂停计时", timeout=10)
    assert "挂账" in dash_duo.find_element(".incident-page h1").text
    _choose(dash_duo, "取消挂账")
    _submit(dash_duo, "已取消挂账，重新计时。")
    until(lambda: "本环节剩余" in dash_duo.find_element("#inc-deadline").text, timeout=10)
    _choose(dash_duo, "督办")
    _submit(dash_duo, "已督办。")
    dash_duo.wait_for_contains_text(".incident-page h1", "督办", timeout=10)
    timeline = dash_duo.find_element(".timeline").text
    for line in ("立案 · ", "挂账 · ", "待绿化改造工程一并处理", "取消挂账 · ", "督办 · ", UNIT):
        assert line in timeline, line
    assert dash_duo.get_logs() == []


def _photo(dash_duo, path: str, n: int) -> None:
    dash_duo.find_element("#inc-photo-upload input[type=file]").send_keys(path)
    until(lambda: len(dash_duo.find_elements("#inc-photo-list img.photo-thumb")) == n, timeout=10)


def test_a_unit_handles_with_photos_and_asks_for_more_time(dash_duo, mini_copy, tmp_path):
    iid = _incidents(mini_copy, {"job": "测试垃圾清运"})["job"]
    engine = get_engine(mini_copy)
    version = 1
    for action, unit in (("register", None), ("dispatch", UNIT)):
        version = writes.apply_action(engine, iid, action, actor="t-dispatcher", expected_version=version, unit=unit)[
            "version"
        ]
    dash_duo.start_server(make_app(mini_copy), user="t-unit")
    _viewport(dash_duo, 1920, 1080)
    _open(dash_duo, iid, "测试垃圾清运")

    # 开始处置 with a photo taken before
    _choose(dash_duo, "开始处置")
    _photo(dash_duo, _picture(tmp_path, "before.jpg", (120, 90, 40)), 1)
    _submit(dash_duo, "已开始处置")
    until(lambda: len(dash_duo.find_elements(".timeline .photo-before img")) == 1, timeout=10)
    assert "处置前照片" in dash_duo.find_element(".timeline").text

    # 延期: a reason and a later deadline, or a sentence saying what is missing
    _choose(dash_duo, "申请延期")
    _submit(dash_duo, "请填写理由：该操作需要理由。")
    _submit(dash_duo, "请选择新的期限", comment="需协调环卫车辆，今日无法完成")
    later = to_dt(now_ts() + 20 * 86400)
    _set(dash_duo, "#inc-due-date", later.strftime("%Y-%m-%d"))
    _set(dash_duo, "#inc-due-time", "16:00")
    _submit(dash_duo, "已提交延期申请，等待调度审批。")
    dash_duo.wait_for_contains_text(".incident-page h1", "延期审批中", timeout=10)

    # the dispatcher sees the request with its reason and deadline, and approves it
    dash_duo.login_as("t-dispatcher")
    _open(dash_duo, iid, "测试垃圾清运")
    pending = dash_duo.find_element(".pending-extension").text
    assert "需协调环卫车辆，今日无法完成" in pending and later.strftime("%Y-%m-%d") + " 16:00" in pending
    _shots(dash_duo, "dispatcher_pending")
    _choose(dash_duo, "同意延期")
    _submit(dash_duo, "已同意延期，期限已更新。")
    dash_duo.wait_for_contains_text(".incident-page h1", "已延期", timeout=10)
    with engine.connect() as conn:
        assert (
            conn.execute(select(IncidentExtension.approved).where(IncidentExtension.incident_id == iid)).scalar() == 1
        )
        assert conn.execute(select(Incident.due_at).where(Incident.id == iid)).scalar() == int(
            later.replace(hour=16, minute=0, second=0).timestamp()
        )

    # the unit finishes with a note and a photo taken after
    dash_duo.login_as("t-unit")
    _open(dash_duo, iid, "测试垃圾清运")
    _choose(dash_duo, "处置完毕")
    _photo(dash_duo, _picture(tmp_path, "after.jpg", (40, 140, 60)), 1)
    _submit(dash_duo, "已处置完毕", comment="已清运完毕")
    until(lambda: len(dash_duo.find_elements(".timeline .photo-after img")) == 1, timeout=10)
    start = dash_duo.find_element(".timeline li.step-start").text  # the unit and the person, on every row
    assert "处置 · t-unit" in start and UNIT in start and "处置前照片" in start
    timeline = dash_duo.find_element(".timeline").text
    assert "申请延期 · t-unit · 需协调环卫车辆" in timeline and "同意延期 · 测试值班长" in timeline
    with engine.connect() as conn:
        shots = conn.execute(select(IncidentPhoto.phase, IncidentHistory.action).join(IncidentHistory)).all()
    assert sorted(shots) == [("after", "handled"), ("before", "start")]
    _shots(dash_duo, "unit_photos")
    img = dash_duo.find_element(".timeline .photo-after img")
    assert dash_duo.driver.execute_script("return arguments[0].naturalWidth", img) > 0  # served to its reader
    assert dash_duo.get_logs() == []
