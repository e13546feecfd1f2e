"""Handling photos over the real routes: what is stored is a fresh JPEG, upright, capped in size and with no
EXIF or GPS left; oversize files and non-images are refused with a sentence and store nothing; a photo is
served only to readers whose scope holds its incident; at most three wait per phase, and they join the move."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from api.auth import hash_password
from data.store.db import get_engine
from data.store.models import Incident, IncidentHistory
from data.store.models_loop import IncidentPhoto
from data.write import accounts, writes
from data.write.photos import MAX_SIDE, attach_pending
from tests.conftest import make_app
from tests.people import PASSWORD, UNIT, login, street_and_district

LIMIT = 300_000  # PHOTO_MAX_BYTES for these tests
ORIGIN = {"Origin": "http://localhost"}
GPS = {1: "N", 2: (31.0, 14.0, 1.5), 3: "E", 4: (121.0, 28.0, 2.0)}  # 上海, to the metre


def jpeg_with_gps(size=(3000, 1200), orientation=6, fmt="JPEG") -> bytes:
    """A real picture carrying a camera's EXIF: make, GPS position and 'rotate 90° to view'."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = GPS  # GPSInfo
    img = Image.new("RGB", size, (30, 120, 200))
    img.paste((250, 200, 0), (0, 0, size[0] // 3, size[1] // 3))
    out = io.BytesIO()
    img.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def desk(mini_copy, tmp_path):
    """An app on a private city with photos under tmp_path, and a sanitation incident dispatched to the test
    unit in a street other than the street operator's."""
    engine = get_engine(mini_copy)
    own_street, _ = street_and_district(mini_copy)
    with engine.connect() as conn:
        row = dict(
            conn.execute(
                select(Incident.__table__)
                .where(Incident.category == "sanitation", Incident.street_code != own_street)
                .limit(1)
            )
            .mappings()
            .one()
        )
    row.update(external_id="PHOTO-1", title="测试照片事件")
    (inc_id,) = writes.add_incidents(engine, [row])
    version = 1
    for action, unit in (("register", None), ("dispatch", UNIT)):
        version = writes.apply_action(
            engine, inc_id, action, actor="t-dispatcher", expected_version=version, unit=unit
        )["version"]
    accounts.add_user(  # another unit's person: the incident is not theirs
        engine, "t-unit-two", role="unit", area="310000", unit="区绿化市容局", password_hash=hash_password(PASSWORD)
    )
    app = make_app(mini_copy, INSTANCE_PATH=tmp_path / "instance", PHOTO_MAX_BYTES=LIMIT)
    return app.server, engine, inc_id, tmp_path / "instance" / "photos"


def _upload(client, inc_id, data: bytes, phase="before", name="p.jpg", lang="zh"):
    return client.post(
        f"/incidents/{inc_id}/photos?lang={lang}",
        data={"phase": phase, "file": (io.BytesIO(data), name)},
        headers=ORIGIN,
        content_type="multipart/form-data",
    )


def _client(server, username):
    client = server.test_client()
    assert login(client, username).status_code == 302
    return client


def test_a_stored_photo_is_upright_capped_and_carries_no_exif_or_gps(desk):
    server, engine, inc_id, folder = desk
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the upload does carry a position
    answer = _upload(_client(server, "t-unit"), inc_id, raw)
    assert answer.status_code == 201, answer.json
    with engine.connect() as conn:
        row = conn.execute(select(IncidentPhoto.__table__).where(IncidentPhoto.id == answer.json["id"])).one()
    assert row.phase == "before" and row.uploaded_by == "t-unit" and row.history_id is None
    assert row.file_name != "p.jpg" and "/" not in row.file_name  # the server names it
    stored = Image.open(folder / row.file_name)
    assert stored.format == "JPEG" and row.mime == "image/jpeg"
    assert stored.size == (row.width, row.height) == (819, MAX_SIDE)  # turned upright (6: 90°), long side capped
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    data = (folder / row.file_name).read_bytes()
    assert b"Exif" not in data and b"TestCam" not in data
    assert Image.open(folder / row.file_name.replace(".jpg", ".t.jpg")).size[1] == 320  # its thumbnail

    png = jpeg_with_gps((400, 300), orientation=1, fmt="PNG")  # a PNG's eXIf chunk goes too
    answer = _upload(_client(server, "t-dispatcher"), inc_id, png, name="shot.png")
    assert answer.status_code == 201, answer.json
    name = Path(folder).glob("*.jpg")
    assert all(b"TestCam" not in p.read_bytes() for p in name)


def test_oversize_and_non_images_are_refused_with_a_sentence_and_store_nothing(desk):
    server, engine, inc_id, folder = desk
    client = _client(server, "t-unit")
    big = Image.frombytes("RGB", (320, 320), random.Random(1).randbytes(320 * 320 * 3))  # noise does not compress
    out = io.BytesIO()
    big.save(out, "PNG")
    assert LIMIT < len(out.getvalue()) < LIMIT + 16_000  # over the photo limit, inside the form's slack
    answer = _upload(client, inc_id, out.getvalue(), name="big.png")
    assert answer.status_code == 413 and answer.json["message"] == "照片过大：每张不超过 0.3 MB。"
    answer = _upload(client, inc_id, b"x" * (LIMIT * 2), name="huge.jpg", lang="en")
    assert answer.status_code == 413 and "too large" in answer.json["message"]
    answer = _upload(client, inc_id, b"%PDF-1.4 not a photo at all", name="photo.jpg")  # named like one
    assert answer.status_code == 400 and answer.json["message"].startswith("无法识别为照片")
    answer = _upload(client, inc_id, jpeg_with_gps(), phase="after", lang="en")  # not handling yet
    assert answer.status_code == 400 and answer.json["message"] == "This kind of photo cannot be added at this step."
    answer = _upload(client, inc_id, jpeg_with_gps(), phase="sideways")
    assert answer.status_code == 400 and answer.json["reason"] == "phase"
    with engine.connect() as conn:
        assert conn.execute(select(IncidentPhoto.id)).all() == []
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_photo_is_served_only_to_readers_whose_scope_holds_its_incident(desk):
    server, engine, inc_id, folder = desk
    photo_id = _upload(_client(server, "t-unit"), inc_id, jpeg_with_gps()).json["id"]
    for username in ("t-unit", "t-dispatcher", "t-leader"):
        client = _client(server, username)
        full, thumb = client.get(f"/incident-photos/{photo_id}"), client.get(f"/incident-photos/{photo_id}/thumb")
        assert full.status_code == thumb.status_code == 200, username
        assert full.mimetype == "image/jpeg" and Image.open(io.BytesIO(full.data)).size == (819, MAX_SIDE)
        assert "private" in full.headers["Cache-Control"] and "public" not in full.headers["Cache-Control"]
    for username in ("t-operator", "t-street-dispatcher", "t-unit-two"):  # another street; another unit
        client = _client(server, username)
        for path in (f"/incident-photos/{photo_id}", f"/incident-photos/{photo_id}/thumb"):
            answer = client.get(path)
            assert answer.status_code == 404 and answer.data[:3] != b"\xff\xd8\xff", (username, path)
        assert _upload(client, inc_id, jpeg_with_gps()).status_code in (403, 404)  # nor may they add one
    client = _client(server, "t-unit")
    for forged in ("１", "0", f"{photo_id}.0", "-1", "9" * 20):
        assert client.get(f"/incident-photos/{forged}").status_code == 404
    anonymous = server.test_client().get(f"/incident-photos/{photo_id}")
    assert anonymous.status_code == 401  # not a page: no redirect, nothing of the photo


def test_three_photos_wait_per_phase_and_join_the_move_that_follows(desk):
    server, engine, inc_id, folder = desk
    client = _client(server, "t-unit")
    ids = [_upload(client, inc_id, jpeg_with_gps((600, 400))).json["id"] for _ in range(3)]
    fourth = _upload(client, inc_id, jpeg_with_gps((600, 400)))
    assert fourth.status_code == 400 and fourth.json["message"] == "每个环节最多 3 张照片。"
    writes.apply_action(engine, inc_id, "start", actor="t-unit", expected_version=3)
    assert attach_pending(engine, inc_id, "start", actor="t-unit") == 3
    with engine.connect() as conn:
        start_row = conn.execute(select(IncidentHistory.id).order_by(IncidentHistory.id.desc()).limit(1)).scalar()
        attached = conn.execute(select(IncidentPhoto.id, IncidentPhoto.history_id)).all()
    assert sorted(attached) == [(i, start_row) for i in ids]
    after = _upload(client, inc_id, jpeg_with_gps((600, 400)), phase="after")  # now handling: after-photos
    assert after.status_code == 201 and after.json["phase"] == "after"
    assert attach_pending(engine, inc_id, "handled", actor="t-unit") == 0  # the move is not made yet
