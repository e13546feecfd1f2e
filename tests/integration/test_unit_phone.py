"""A unit's day on a phone, in a real headless Chromium at 390x844: the unit officer signs in and lands on its open
work, the most overdue first; opens the first card; reads the category, the address and the clock with the map
inside the screen's width; starts handling with a photo from the camera's file input (a 4000x3000 JPEG) and
finishes with a note and a photo from the gallery's. The database then holds the two moves, one photo per phase,
each resized by the browser to PHOTO_MAX_EDGE on its long side and sent with an Idempotency-Key. /tasks also fits
360x740. Screenshots at 390x844 and 1920x1080 (Chinese, and English) go to /tmp/shots/17c_*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash.testing.wait import until
from PIL import Image
from sqlalchemy import select, update

from components.incident_moves import PHOTO_MAX_EDGE
from data.domain.timeutil import DAY, now_ts
from data.store.db import bump_versions, get_engine, write_session
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import IncidentPhoto
from data.write import writes
from tests.conftest import make_app
from tests.integration.test_phone import MIN_TARGET, MIN_TEXT, PHONE_PROBLEMS
from tests.integration.test_wall import _viewport
from tests.people import UNIT, street_and_district

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
FITS = "return [document.documentElement.scrollWidth, window.innerWidth, window.innerHeight]"
BOX = "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right, r.top, r.height];"
CARD_IDS = "return [...document.querySelectorAll('.task-card')].map(a => +a.getAttribute('href').split('/').pop().split('?')[0])"


def _job(url: str) -> int:
    """A sanitation report outside the test street, dispatched to the test unit through the write path, its
    deadline a month gone (so that it is the unit's most overdue card)."""
    engine = get_engine(url)
    own, _ = street_and_district(url)
    with engine.connect() as conn:
        row = conn.execute(
            select(Incident.__table__).where(Incident.street_code != own, Incident.street_code != "").limit(1)
        )
        row = dict(row.mappings().one())
    row.update(external_id="PHONE-JOB", title="手机处置测试", category="sanitation", subcategory="garbage",
               kind="event", std_code="06010", priority=2, reported_at=now_ts() - 3600)  # fmt: skip
    (iid,) = writes.add_incidents(engine, [row])
    version = 1
    for action, unit in (("register", None), ("dispatch", UNIT)):
        version = writes.apply_action(engine, iid, action, actor="t-dispatcher", expected_version=version, unit=unit)[
            "version"
        ]
    with write_session(engine) as s:  # a month overdue: ahead of every seeded card (a setup, not the read's test)
        s.execute(update(Incident.__table__).where(Incident.id == iid).values(due_at=now_ts() - 30 * DAY))
        bump_versions(s, "incidents")
    return iid


def _camera_photo(tmp_path: Path, name: str, colour) -> str:
    """A 4000x3000 JPEG, as a phone's camera takes it (larger than the server's own 2048 px cap)."""
    img = Image.new("RGB", (4000, 3000), colour)
    img.paste((235, 235, 235), (1000, 750, 3000, 2250))
    path = tmp_path / name
    img.save(path, "JPEG", quality=90)
    return str(path)


def _problems(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(PHONE_PROBLEMS, MIN_TEXT, MIN_TARGET)


def _shot(dash_duo, name: str, width: int, height: int, whole: bool = True) -> None:
    """The page at width x height, and (whole) as tall as it is, to /tmp/shots/17c_<name>_<width>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    _viewport(dash_duo, width, height)
    if whole:
        tall = dash_duo.driver.execute_script("return document.documentElement.scrollHeight")
        _viewport(dash_duo, width, min(max(tall, height), 4000))
    dash_duo.driver.execute_async_script("const done = arguments[0]; setTimeout(done, 400);")
    dash_duo.driver.save_screenshot(str(SHOTS / f"17c_{name}_{width}.png"))
    _viewport(dash_duo, width, height)


def _choose(dash_duo, label: str) -> None:
    until(lambda: any(e.text == label for e in dash_duo.find_elements("#inc-action label")), timeout=10)
    next(e for e in dash_duo.find_elements("#inc-action label") if e.text == label).click()


def _photo(dash_duo, which: str, path: str) -> None:
    """Pick a photo through the phone's button (`camera` or `gallery`); wait for it among the waiting photos."""
    box = dash_duo.find_element(f"#inc-photo-pick .photo-{which}")
    assert box.size["height"] >= MIN_TARGET and box.is_displayed()
    until(lambda: dash_duo.find_elements(f"#inc-photo-pick .photo-{which} input[type=file]"), timeout=5)
    field = dash_duo.find_element(f"#inc-photo-pick .photo-{which} input[type=file]")
    assert field.get_attribute("accept") == "image/*"
    assert (field.get_attribute("capture") == "environment") == (which == "camera")
    field.send_keys(path)
    until(lambda: len(dash_duo.find_elements("#inc-photo-list img.photo-thumb")) == 1, timeout=20)


def _submit(dash_duo, said: str, comment: str | None = None) -> None:
    if comment:
        dash_duo.find_element("#inc-comment").send_keys(comment)
    button = dash_duo.find_element("#inc-submit")
    assert "needs-network" in button.get_attribute("class").split() and button.size["height"] >= MIN_TARGET
    button.click()
    dash_duo.wait_for_contains_text("#inc-result", said, timeout=15)


def test_a_unit_handles_an_incident_from_its_phone(dash_duo, mini_copy, tmp_path):
    iid = _job(mini_copy)
    engine = get_engine(mini_copy)
    _viewport(dash_duo, 390, 844)
    dash_duo.start_server(make_app(mini_copy, INSTANCE_PATH=tmp_path / "instance"), user="t-unit")
    until(lambda: dash_duo.driver.current_url.split("?")[0].endswith("/tasks"), timeout=10)  # its landing

    # the open work, most overdue first; this job on top
    dash_duo.wait_for_element(".task-card", timeout=20)
    ids = dash_duo.driver.execute_script(CARD_IDS)
    with engine.connect() as conn:
        dues = dict(conn.execute(select(Incident.id, Incident.due_at).where(Incident.id.in_(ids))).all())
    assert ids[0] == iid and [dues[i] for i in ids if dues[i]] == sorted(dues[i] for i in ids if dues[i])
    first = dash_duo.find_element(".task-card")
    assert first.tag_name == "a" and first.size["height"] >= MIN_TARGET and "超时" in first.text
    assert "task-over" in first.get_attribute("class") and "暴露垃圾" in first.text
    assert _problems(dash_duo) == []
    _shot(dash_duo, "tasks_zh", 390, 844)
    _viewport(dash_duo, 360, 740)
    assert _problems(dash_duo) == []  # nothing sideways on the smallest phone either
    _viewport(dash_duo, 390, 844)

    # the incident: what, where, how late, on a map inside the screen
    first.click()
    dash_duo.wait_for_element(".incident-page .incident-map", timeout=20)
    assert dash_duo.driver.current_url.split("?")[0].endswith(f"/incidents/{iid}")
    dash_duo.wait_for_element("#inc-action input[type='radio']", timeout=20)
    brief = dash_duo.find_element(".field-brief")
    assert "暴露垃圾" in brief.text and "下一步" in brief.text and "开始处置" in brief.text
    scroll_w, inner_w, inner_h = dash_duo.driver.execute_script(FITS)
    assert scroll_w <= inner_w
    for selector in (".incident-map", ".brief-place", "#inc-deadline"):
        left, right, _top, _height = dash_duo.driver.execute_script(BOX, dash_duo.find_element(selector))
        assert left >= 0 and right <= inner_w, selector
    map_box = dash_duo.driver.execute_script(BOX, dash_duo.find_element(".incident-map"))
    place_top = dash_duo.driver.execute_script(BOX, dash_duo.find_element(".brief-place"))[2]
    assert map_box[3] <= 0.45 * inner_h and place_top < inner_h  # the address on the first screen, the map not all
    assert _problems(dash_duo) == []
    _shot(dash_duo, "incident_zh", 390, 844)

    # start handling with a photo from the camera
    _choose(dash_duo, "开始处置")
    _photo(dash_duo, "camera", _camera_photo(tmp_path, "before.jpg", (120, 90, 40)))
    assert _problems(dash_duo) == []
    _submit(dash_duo, "已开始处置")
    until(lambda: len(dash_duo.find_elements(".timeline .photo-before img")) == 1, timeout=10)

    # finish with a note and a photo from the gallery
    _choose(dash_duo, "处置完毕")
    _photo(dash_duo, "gallery", _camera_photo(tmp_path, "after.jpg", (40, 140, 60)))
    _submit(dash_duo, "已处置完毕", comment="垃圾已清运，现场已冲洗")
    until(lambda: len(dash_duo.find_elements(".timeline .photo-after img")) == 1, timeout=10)
    _shot(dash_duo, "incident_done_zh", 390, 844)

    with engine.connect() as conn:
        status = conn.execute(select(Incident.status).where(Incident.id == iid)).scalar()
        moves = conn.execute(
            select(IncidentHistory.action, IncidentHistory.actor, IncidentHistory.comment)
            .where(IncidentHistory.incident_id == iid)
            .order_by(IncidentHistory.id)
        ).all()
        photos = conn.execute(
            select(IncidentPhoto.phase, IncidentHistory.action, IncidentPhoto.width, IncidentPhoto.height,
                   IncidentPhoto.file_name, IncidentPhoto.client_key)
            .join(IncidentHistory, IncidentHistory.id == IncidentPhoto.history_id)
            .where(IncidentPhoto.incident_id == iid)
        ).all()  # fmt: skip
    assert status == "verifying"  # 处置完毕: handled, waiting for the centre's check
    assert [m[:2] for m in moves[-2:]] == [("start", "t-unit"), ("handled", "t-unit")]
    assert moves[-1].comment == "垃圾已清运，现场已冲洗"
    assert sorted((p.phase, p.action) for p in photos) == [("after", "handled"), ("before", "start")]
    for p in photos:  # resized in the browser: the server alone would have kept 2048 px
        assert max(p.width, p.height) <= PHOTO_MAX_EDGE and (p.width, p.height) == (1600, 1200), p
        stored = Image.open(tmp_path / "instance" / "photos" / p.file_name)
        assert max(stored.size) <= PHOTO_MAX_EDGE
        assert p.client_key and len(p.client_key) == 36  # each sent with a key of its own
    assert len({p.client_key for p in photos}) == 2
    assert dash_duo.get_logs() == []


def test_the_tasks_and_an_incident_on_a_phone_and_a_desk_in_both_languages(dash_duo, mini_copy, tmp_path):
    """Screenshots of the unit's pages at 390x844 and 1920x1080, Chinese and English; nothing sideways."""
    iid = _job(mini_copy)
    dash_duo.start_server(make_app(mini_copy, INSTANCE_PATH=tmp_path / "instance"), user="t-unit")
    for lang, query in (("zh", ""), ("en", "?lang=en")):
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/tasks{query}")
        dash_duo.wait_for_element(".task-card", timeout=20)
        assert ("My tasks" if lang == "en" else "我的待办") in dash_duo.find_element(".tasks-page h1").text
        assert ("overdue" if lang == "en" else "超时") in dash_duo.find_element(".task-card").text
        _shot(dash_duo, f"tasks_{lang}", 1920, 1080, whole=False)
        _viewport(dash_duo, 390, 844)
        assert _problems(dash_duo) == []
        _shot(dash_duo, f"tasks_{lang}", 390, 844)
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}/incidents/{iid}{query}")
        dash_duo.wait_for_element(".incident-page .incident-map", timeout=20)
        dash_duo.wait_for_element("#inc-action input[type='radio']", timeout=20)
        assert (
            not dash_duo.find_element(".field-brief").is_displayed()
            or dash_duo.driver.execute_script("return innerWidth") < 1024
        )
        _shot(dash_duo, f"incident_{lang}", 390, 844)
        _viewport(dash_duo, 1920, 1080)
        assert not dash_duo.find_element(".field-brief").is_displayed()  # the desk keeps its two columns
        _shot(dash_duo, f"incident_{lang}", 1920, 1080, whole=False)
    assert dash_duo.get_logs() == []
