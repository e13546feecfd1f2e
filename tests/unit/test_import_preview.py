"""The admin imports page without a browser: the preview of the first rows, a mapping typed on the page,
the upload route's limits and names, and an upload previewed, dry-run, imported and reported through the
page's own callbacks on a real SQLite city; nobody but the administrator who sent a file reaches it."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from api import uploads
from api.auth import hash_password
from components.i18n import t
from components.import_views import explain, job_view
from data.ingest import preview as previews
from data.ingest.mapping import MappingError
from data.store.db import get_engine
from data.store.models import Incident
from data.store.models_ingest import ImportRun
from data.write import accounts, imports
from tests.conftest import make_app
from tests.people import PASSWORD, login

HEADERS = {"Content-Type": "application/json", "Origin": "http://localhost"}
HOTLINE = previews.shipped_text("hotline12345")
COLUMNS = "工单编号,受理时间,办结时间,最后处理时间,工单状态,问题分类,诉求标题,诉求内容,纬度,经度,事发地址,所属街镇,所属区,承办单位,紧急程度"


def row(wid, reported, closed, status, category, lat="", lon="", street="") -> str:
    """A line of the shipped 12345 mapping's export (its fifteen columns)."""
    return ",".join(
        [wid, reported, closed, "", status, category, "诉求", "内容", lat, lon, "某路", street, "", "", "一般"]
    )


EXPORT = "\n".join(
    [
        COLUMNS,
        row("H1", "2026-11-20 09:00", "2026-11-21 10:00", "已办结", "占道经营", "31.2304", "121.4737"),  # Huangpu
        row("H2", "2026-11-20 10:00", "", "处理中", "井喷", street="不存在街道"),  # unmapped category, unlocated
        row("H3", "yesterday", "", "处理中", "占道经营"),  # not a time: rejected
        row("H1", "2026-11-20 11:00", "", "处理中", "占道经营"),  # the same id twice: rejected
    ]
)


def _hotline_mapping():
    return previews.mapping_from_text(HOTLINE)[1]


def test_the_preview_shows_each_row_as_it_will_be_imported(mini_city, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        EXPORT + "\n" + "\n".join(row(f"N{i}", "2026-11-20 12:00", "", "处理中", "占道经营") for i in range(30))
    )
    shown = previews.first_rows(get_engine(mini_city), path, _hotline_mapping())
    assert (shown.kind, shown.encoding, shown.layout, len(shown.rows)) == ("incidents", "utf-8-sig", "csv", 20)
    h1, h2, h3, dup = shown.rows[:4]
    assert (h1.line, h1.source_id, h1.status, h1.category, h1.reason) == (2, "H1", "closed", "street_order", None)
    assert h1.district == "310101" and h1.street.startswith("310101") and h1.unmapped is None
    assert (h2.category, h2.unmapped, h2.district, h2.street, h2.reason) == ("other", "井喷", "", "", None)
    assert (h3.reason, h3.reported_text, h3.status, h3.source_id) == ("bad_reported_at", "yesterday", None, "H3")
    assert dup.reason == "duplicate_id"


def test_a_readings_preview_shows_values_gaps_and_rejections(mini_city, tmp_path):
    path = tmp_path / "aq.csv"
    path.write_text("监测时间,静安监测站,徐汇监测站,浦东监测站\n2026-11-20 09:00,38,NA,-999\nsoon,45,41,52\n")
    kind, mapping = previews.mapping_from_text(previews.shipped_text("airquality_wide"))
    shown = previews.first_readings(get_engine(mini_city), path, mapping)
    assert kind == shown.kind == "readings"
    first, second = shown.rows
    assert (first.values, first.gaps, first.rejected) == ([("pm25", "310106", 38.0)], 2, [])
    assert second.values == [] and {why for _, why in second.rejected} == {"bad_time"} and len(second.rejected) == 3


def test_a_mapping_typed_on_the_page_is_checked_and_explained_in_one_sentence():
    assert {n: k for n, k in previews.shipped()} == {
        "hotline12345": "incidents",
        "open311": "incidents",
        "airquality_long": "readings",
        "airquality_wide": "readings",
    }
    assert previews.shipped_text("../../config") is None and previews.shipped_text(["open311"]) is None
    cases = {
        "source: x\ncolumns: {reported_at: t}\n": "映射缺少必填项 columns.id。",
        "source: x\ncolumns: {id: a, reported_at: t}\ncolour: red\n": "映射中的 colour 不是可识别的键。",
        "source: x\ncolumns: {id: a\n": "映射不是有效的 YAML（第 3 行）。",
        "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n": "映射中不接受锚点和别名（& 和 *）。",
        "- just\n- a list\n": "映射应是由键组成的 YAML 对象（source、columns 等）。",
    }
    for text, said in cases.items():
        with pytest.raises(MappingError) as err:
            previews.mapping_from_text(text)
        assert explain(str(err.value), "zh") == said, text
        assert explain(str(err.value), "en") == str(err.value)  # English keeps the importer's own sentence
    with pytest.raises(MappingError):
        previews.mapping_from_text("x" * (previews.MAPPING_TEXT_MAX + 1))
    missing = "the mapping reads status from column '状态', which export.csv does not have (its columns: a, b)"
    assert explain(missing, "zh") == "映射从“状态”列读取 status，但文件中没有这一列（文件的列：a, b）。"


def _client(app, user="t-admin"):
    client = app.server.test_client()
    login(client, user)
    return client


def _upload(client, data: bytes, name="export.csv"):
    return client.post(
        "/admin/imports/upload",
        data={"file": (io.BytesIO(data), name)},
        headers={"Origin": "http://localhost"},
        content_type="multipart/form-data",
    )


def test_uploads_are_limited_named_by_the_server_and_only_for_administrators(mini_city, tmp_path):
    app = make_app(mini_city, INSTANCE_PATH=tmp_path, UPLOAD_MAX_BYTES=2 * 1024 * 1024)
    admin = _client(app)
    sent = _upload(admin, b"a,b\n1,2\n", name="../../etc/\u202ecod.exe.csv")
    assert sent.status_code == 201, sent.get_data(as_text=True)
    body = sent.get_json()
    assert body["name"] == "cod.exe.csv" and body["size"] == 8  # no path, no right-to-left override
    stored = sorted(p.name for p in (tmp_path / "uploads").iterdir())
    assert stored == sorted([f"{body['token']}.upload", f"{body['token']}.json"])
    assert (tmp_path / "uploads" / f"{body['token']}.upload").read_bytes() == b"a,b\n1,2\n"
    big = b"x" * (1536 * 1024)  # over the app's 1 MB request limit, under this route's
    assert _upload(admin, big).status_code == 201
    assert _upload(admin, big * 2).status_code == 413
    callback = json.dumps(
        {"output": "x.children", "outputs": {"id": "x", "property": "children"}, "pad": "x" * len(big)}
    )
    assert admin.post("/_dash-update-component", data=callback, headers=HEADERS).status_code == 413
    assert _upload(admin, b"").status_code == 400
    no_origin = admin.post("/admin/imports/upload", data={"file": (io.BytesIO(b"a\n1\n"), "a.csv")})
    assert no_origin.status_code == 403
    assert _upload(_client(app, "t-dispatcher"), b"a,b\n1,2\n").status_code == 403
    assert len(list((tmp_path / "uploads").glob("*.upload"))) == 2


def test_what_a_day_old_is_swept_away(tmp_path):
    old, new = tmp_path / "old.upload", tmp_path / "new.upload"
    old.write_text("x")
    new.write_text("x")
    os.utime(old, (time.time() - uploads.KEEP_S - 60,) * 2)
    assert uploads.sweep(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["new.upload"]


def _act(client, app, trigger: str, uploaded=None, text=None, search="?lang=zh"):
    key = next(k for k in app.callback_map if "admin-imports-upload-note.children" in k)
    cb = app.callback_map[key]
    values = {"admin-imports-uploaded": uploaded, "admin-imports-mapping-text": text}
    body = {
        "output": key,
        "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")],
        "inputs": [{**d, "value": values.get(d["id"], 1 if d["id"] == trigger else None)} for d in cb["inputs"]],
        "state": [{**d, "value": values.get(d["id"], search)} for d in cb["state"]],
        "changedPropIds": [f"{trigger}.{'data' if trigger.endswith('uploaded') else 'n_clicks'}"],
    }
    return client.post("/_dash-update-component", data=json.dumps(body), headers=HEADERS)


def _finished(folder: Path, token: str) -> dict:
    for _ in range(600):
        state = json.loads((folder / f"{token}.job.json").read_text())
        if state["state"] != "running":
            return state
        time.sleep(0.1)
    raise AssertionError("the job did not finish in a minute")


def test_an_administrator_previews_dry_runs_and_imports_an_upload(mini_copy, tmp_path):
    app = make_app(mini_copy, INSTANCE_PATH=tmp_path)
    admin = _client(app)
    token = _upload(admin, EXPORT.encode("gb18030"), name="12345工单_11月.csv").get_json()["token"]
    uploaded = {"status": 201, "token": token}
    note = _act(admin, app, "admin-imports-uploaded", uploaded).get_data(as_text=True)
    assert "已上传：12345工单_11月.csv" in note
    shown = _act(admin, app, "admin-imports-preview-btn", uploaded, HOTLINE).get_data(as_text=True)
    assert "编码 gb18030" in shown and "黄浦区" in shown and "未定位" in shown and "受理时间无法识别" in shown
    dry = _finished(tmp_path / "uploads", token)
    assert dry["dry_run"] and dry["report"] == {
        "read": 4,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "unlocated": 1,
        "rejected": {"bad_reported_at": 1, "duplicate_id": 1},
    }
    assert dry["unmapped"] == {"井喷": 1}
    engine = get_engine(mini_copy)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.id).where(Incident.external_id == "H1")).first() is None
    _act(admin, app, "admin-imports-run-btn", uploaded, HOTLINE)
    done = _finished(tmp_path / "uploads", token)
    assert not done["dry_run"] and (done["report"]["inserted"], done["report"]["unlocated"]) == (2, 1)
    with engine.connect() as conn:
        kept = dict(
            conn.execute(
                select(Incident.external_id, Incident.district_code).where(Incident.origin == "hotline12345")
            ).all()
        )
        runs = conn.execute(select(ImportRun.actor, ImportRun.file_name, ImportRun.dry_run, ImportRun.status)).all()
    assert kept == {"H1": "310101", "H2": ""}
    assert sorted(runs) == [
        ("t-admin", "12345工单_11月.csv", False, "done"),
        ("t-admin", "12345工单_11月.csv", True, "done"),
    ]
    assert not (tmp_path / "uploads" / f"{token}.upload").exists()  # imported: the upload is gone
    rejected = (tmp_path / "uploads" / f"{token}.rejected.csv").read_text(encoding="utf-8-sig")
    assert "bad_reported_at" in rejected and "H3" in rejected
    gone = _act(admin, app, "admin-imports-run-btn", uploaded, HOTLINE).get_data(as_text=True)
    assert "已不在服务器上" in gone

    accounts.add_user(engine, "t-admin-2", role="admin", area="310000", password_hash=hash_password(PASSWORD))
    other = _client(app, "t-admin-2")
    assert "请先上传文件" in _act(other, app, "admin-imports-preview-btn", uploaded, HOTLINE).get_data(as_text=True)
    assert _act(_client(app, "t-dispatcher"), app, "admin-imports-preview-btn", uploaded, HOTLINE).status_code == 403


def test_past_imports_are_listed_newest_first_and_bounded(empty_db):
    from data.read.imports import RECENT, recent_runs
    from data.store.cache import bound

    engine = get_engine(empty_db)
    for i in range(RECENT + 5):
        run = imports.start_run(engine, "incidents", "hotline12345", f"f{i}.csv", "t-admin", 1_000 + i, i % 2 == 0)
        imports.finish_run(engine, run, "done", {"read": i}, None)
    with bound(engine):
        runs = recent_runs(500)
    assert len(runs) == RECENT and [r["file_name"] for r in runs[:2]] == [f"f{RECENT + 4}.csv", f"f{RECENT + 3}.csv"]
    assert runs[0]["report"] == {"read": RECENT + 4} and runs[0]["dry_run"] is True


def test_a_readings_upload_is_previewed_and_imported_as_readings(mini_copy, tmp_path):
    app = make_app(mini_copy, INSTANCE_PATH=tmp_path)
    admin = _client(app)
    series = "监测时间,静安监测站,徐汇监测站,浦东监测站\n2026-10-01 09:00,38,NA,-999\n2026-10-01 10:00,45,41,52\n"
    token = _upload(admin, series.encode(), name="aq.csv").get_json()["token"]
    uploaded, text = {"status": 201, "token": token}, previews.shipped_text("airquality_wide")
    shown = _act(admin, app, "admin-imports-preview-btn", uploaded, text).get_data(as_text=True)
    assert "监测数据" in shown and "PM2.5浓度 · 静安区 = 38" in shown
    assert _finished(tmp_path / "uploads", token)["report"]["gaps"] == 2
    _act(admin, app, "admin-imports-run-btn", uploaded, text)
    done = _finished(tmp_path / "uploads", token)
    assert (done["kind"], done["report"]["inserted"], done["report"]["gaps"]) == ("readings", 4, 2)
    with get_engine(mini_copy).connect() as conn:
        kinds = conn.execute(select(ImportRun.kind, ImportRun.dry_run).order_by(ImportRun.id)).all()
    assert kinds == [("readings", True), ("readings", False)]


def test_one_job_per_upload_and_a_dead_one_is_said_and_replaced(mini_copy, tmp_path):
    app = make_app(mini_copy, INSTANCE_PATH=tmp_path)
    token = _upload(_client(app), EXPORT.encode(), name="e.csv").get_json()["token"]
    with app.server.app_context():
        upload = uploads.find(token, "t-admin")
        assert uploads.find(token, "t-dispatcher") is None and uploads.find("../" + token[3:], "t-admin") is None
        (tmp_path / "uploads" / f"{token}.lock").touch()  # another process is importing it
        running = {"state": "running", "dry_run": False, "read": 5, "total": 9, "beat": int(time.time())}
        (tmp_path / "uploads" / f"{token}.job.json").write_text(json.dumps(running))
        assert not uploads.start(
            upload, get_engine(mini_copy), "incidents", _hotline_mapping(), dry_run=True, actor="x"
        )
        (tmp_path / "uploads" / f"{token}.job.json").write_text(json.dumps({**running, "beat": 0}))
        assert uploads.job(upload)["state"] == "stalled"  # its process died: the page says so
        assert job_view(uploads.job(upload), "zh")[0][0].children == t("imp_stalled", "zh")
        assert uploads.start(upload, get_engine(mini_copy), "incidents", _hotline_mapping(), dry_run=True, actor="x")
        assert _finished(tmp_path / "uploads", token)["state"] == "done"
    assert not (tmp_path / "uploads" / f"{token}.lock").exists()
