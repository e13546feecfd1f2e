"""A photo sent twice is stored once: the upload route keeps one photo per (uploader, Idempotency-Key), a repeat
gets the first answer back (201, the same id) even after the move it went with, another uploader's same key is
another photo, a malformed key is refused with a sentence in the page's language, and a refused upload reserves
nothing; oversize files and non-images are still refused with a key. Migration 0017 adds the key and its index."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, insert, inspect, select

from data.store.db import get_engine
from data.store.models import Incident
from data.store.models_loop import IncidentPhoto
from data.store.schema import alembic_config
from data.write import writes
from data.write.photos import add_photo
from tests.conftest import make_app
from tests.people import UNIT, street_and_district
from tests.unit.test_photos import LIMIT, ORIGIN, _client, jpeg_with_gps

KEY = "3f1c2a9e-6b7d-4c1e-9a8b-0d2f4e6a8c10"


@pytest.fixture
def desk(mini_copy, tmp_path):
    """An app on a private city with photos under tmp_path, and a sanitation incident dispatched to the test unit
    (as tests/unit/test_photos.py's)."""
    engine = get_engine(mini_copy)
    street, _ = street_and_district(mini_copy)
    with engine.connect() as conn:
        row = conn.execute(
            select(Incident.__table__).where(Incident.category == "sanitation", Incident.street_code != street).limit(1)
        )
        row = dict(row.mappings().one(), external_id="PHOTO-KEY-1", title="测试照片事件")
    (inc_id,) = writes.add_incidents(engine, [row])
    version = 1
    for action, unit in (("register", None), ("dispatch", UNIT)):
        version = writes.apply_action(
            engine, inc_id, action, actor="t-dispatcher", expected_version=version, unit=unit
        )["version"]
    app = make_app(mini_copy, INSTANCE_PATH=tmp_path / "instance", PHOTO_MAX_BYTES=LIMIT)
    return app.server, engine, inc_id, tmp_path / "instance" / "photos"


def _send(client, inc_id, data: bytes, key: str | None, phase="before", lang="zh"):
    headers = dict(ORIGIN, **({"Idempotency-Key": key} if key is not None else {}))
    return client.post(
        f"/incidents/{inc_id}/photos?lang={lang}",
        data={"phase": phase, "file": (io.BytesIO(data), "p.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )


def _photos(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            select(IncidentPhoto.id, IncidentPhoto.uploaded_by, IncidentPhoto.phase, IncidentPhoto.history_id)
        ).all()


def _files(folder: Path) -> int:
    return len(list(folder.glob("*.jpg"))) if folder.exists() else 0


def test_the_same_key_twice_stores_one_photo_and_answers_with_its_id(desk):
    server, engine, inc_id, folder = desk
    client = _client(server, "t-unit")
    first = _send(client, inc_id, jpeg_with_gps((800, 600)), KEY)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = _send(client, inc_id, jpeg_with_gps((800, 600)), KEY)  # the phone did not hear the first answer
    assert again.status_code == 201 and again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert len(_photos(engine)) == 1 and _files(folder) == 2  # one photo and its thumbnail

    writes.apply_action(engine, inc_id, "start", actor="t-unit", expected_version=3)  # the move goes with it
    late = _send(client, inc_id, jpeg_with_gps((800, 600)), KEY)  # a queue that resends after the move
    assert late.status_code == 201 and late.json["id"] == first.json["id"]
    assert len(_photos(engine)) == 1

    other = _send(client, inc_id, jpeg_with_gps((800, 600)), KEY, phase="after")  # the key names another photo
    assert other.status_code == 400 and other.json["reason"] == "key_reused"
    assert other.json["message"] == "该照片标识已用于另一事件或环节，照片未保存。"
    assert len(_photos(engine)) == 1


def test_another_uploader_with_the_same_key_adds_a_photo_of_their_own(desk):
    server, engine, inc_id, folder = desk
    mine = _send(_client(server, "t-unit"), inc_id, jpeg_with_gps((800, 600)), KEY)
    theirs = _send(_client(server, "t-dispatcher"), inc_id, jpeg_with_gps((800, 600)), KEY)
    assert mine.status_code == theirs.status_code == 201 and mine.json["id"] != theirs.json["id"]
    assert sorted(p[1] for p in _photos(engine)) == ["t-dispatcher", "t-unit"]
    without = _send(_client(server, "t-unit"), inc_id, jpeg_with_gps((800, 600)), None)  # no key: a new photo
    assert without.status_code == 201 and len(_photos(engine)) == 3


def test_a_malformed_key_is_refused_with_a_sentence_and_stores_nothing(desk):
    server, engine, inc_id, folder = desk
    client = _client(server, "t-unit")
    for bad, lang, said in (
        ("has space", "zh", "Idempotency-Key 须为 1-128 个可见 ASCII 字符，照片未保存。"),
        ("x" * 129, "en", "An Idempotency-Key is 1-128 visible ASCII characters; the photo was not stored."),
        ("", "en", "An Idempotency-Key is 1-128 visible ASCII characters; the photo was not stored."),
    ):
        answer = _send(client, inc_id, jpeg_with_gps((800, 600)), bad, lang=lang)
        assert answer.status_code == 400 and answer.json == {"reason": "key", "message": said}, bad
    assert _photos(engine) == [] and _files(folder) == 0
    assert _send(client, inc_id, jpeg_with_gps((800, 600)), "x" * 128).status_code == 201  # the longest there is


def test_refusals_keep_their_sentences_and_reserve_no_key(desk):
    server, engine, inc_id, folder = desk
    client = _client(server, "t-unit")
    too_big = _send(client, inc_id, b"x" * (LIMIT * 2), KEY, lang="en")
    assert too_big.status_code == 413 and "too large" in too_big.json["message"]
    not_image = _send(client, inc_id, b"%PDF-1.4 not a photo at all", KEY)
    assert not_image.status_code == 400 and not_image.json["message"].startswith("无法识别为照片")
    assert _photos(engine) == [] and _files(folder) == 0
    good = _send(client, inc_id, jpeg_with_gps((800, 600)), KEY)  # the same key, now with a photo: stored once
    assert good.status_code == 201 and len(_photos(engine)) == 1


def test_the_same_key_sent_at_once_from_four_threads_is_one_photo(desk):
    server, engine, inc_id, folder = desk
    raw, barrier, got = jpeg_with_gps((1200, 900)), threading.Barrier(4), []

    def upload():
        barrier.wait()
        got.append(add_photo(engine, folder, inc_id, "before", raw, actor="t-unit", max_bytes=LIMIT, key=KEY)["id"])

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(got) == 4 and len(set(got)) == 1
    assert len(_photos(engine)) == 1 and _files(folder) == 2  # no stray file from the uploads that lost
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(IncidentPhoto.client_key == KEY)).scalar() == 1


def test_migration_0017_adds_the_key_with_its_unique_index_and_takes_it_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0017")
    engine = create_engine(url)
    columns = {c["name"]: c for c in inspect(engine).get_columns("incident_photo")}
    indexes = {i["name"]: i for i in inspect(engine).get_indexes("incident_photo")}
    assert columns["client_key"]["nullable"] and str(columns["client_key"]["type"]) == "VARCHAR(128)"
    assert indexes["ux_incident_photo_key"]["unique"] and indexes["ux_incident_photo_key"]["column_names"] == [
        "uploaded_by",
        "client_key",
    ]
    engine.dispose()
    command.downgrade(cfg, "0016")
    engine = create_engine(url)
    assert "client_key" not in {c["name"] for c in inspect(engine).get_columns("incident_photo")}
    engine.dispose()
    get_engine(url).dispose()


@pytest.mark.postgres
def test_on_postgresql_the_same_key_at_once_is_one_photo_and_tasks_read_alike(postgres_db, tmp_path, app_for):
    """PostgreSQL takes no write lock up front: the uploads that lose the race meet the unique index, and get the
    winner's photo back. The tasks read runs there too, most overdue first."""
    from data.domain.scope import Scope
    from data.domain.timeutil import now_ts
    from data.read import tasks
    from data.synthetic.seed import seed
    from tests.people import add_people

    seed(postgres_db, days=1, incidents=300, projects=2, seed_value=3)
    add_people(postgres_db)
    engine = get_engine(postgres_db)
    with engine.connect() as conn:
        row = dict(conn.execute(select(Incident.__table__).where(Incident.street_code != "").limit(1)).mappings().one())
    row.update(id=None, external_id="PG-PHOTO", category="sanitation", subcategory="garbage", kind="event")
    (inc_id,) = writes.add_incidents(engine, [{k: v for k, v in row.items() if k != "id"}])
    version = 1
    for action, unit in (("register", None), ("dispatch", UNIT)):
        version = writes.apply_action(
            engine, inc_id, action, actor="t-dispatcher", expected_version=version, unit=unit
        )["version"]
    folder, raw, barrier, got = tmp_path / "photos", jpeg_with_gps((1200, 900)), threading.Barrier(4), []

    def upload():
        barrier.wait()
        got.append(add_photo(engine, folder, inc_id, "before", raw, actor="t-unit", max_bytes=LIMIT, key=KEY)["id"])

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(got) == 4 and len(set(got)) == 1 and len(_photos(engine)) == 1 and _files(folder) == 2

    # the race itself, made certain: another upload with the key has inserted but not committed when this one
    # checks; its insert waits on the unique index, fails when the other commits, and answers with that photo
    other = engine.connect()
    tx = other.begin()
    first = dict(incident_id=inc_id, phase="before", file_name="other.jpg", mime="image/jpeg", bytes=1, width=1,
                 height=1, uploaded_by="t-unit", uploaded_at=now_ts(), client_key="race-key")  # fmt: skip
    first_id = other.execute(insert(IncidentPhoto).values(**first).returning(IncidentPhoto.id)).scalar_one()
    answer = []
    racing = threading.Thread(
        target=lambda: answer.append(
            add_photo(engine, folder, inc_id, "before", raw, actor="t-unit", max_bytes=LIMIT, key="race-key")
        )
    )
    racing.start()
    racing.join(timeout=1.0)
    assert racing.is_alive()  # waiting on the other's row
    tx.commit()
    other.close()
    racing.join(timeout=10)
    assert answer and answer[0]["id"] == first_id and answer[0]["replayed"]
    assert len(_photos(engine)) == 2 and _files(folder) == 2  # nothing stored, no stray file

    app_for(postgres_db)
    mine = tasks.open_tasks(Scope("310000", unit=UNIT), now_ts())
    dues = [r["due_at"] for r in mine["rows"] if r["due_at"] is not None]
    assert inc_id in [r["id"] for r in mine["rows"]] and dues == sorted(dues)
    assert all(r["assigned_unit"] == UNIT for r in mine["rows"]) and mine["total"] >= len(mine["rows"])
