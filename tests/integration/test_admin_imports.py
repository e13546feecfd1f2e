"""The admin imports page in a browser: an administrator uploads a ticket export the test writes, picks the
12345 mapping, sees the preview and the dry run, imports it, and sees the report and the run in the list;
the page speaks English with ?lang=en; anyone else is refused the page and the upload route."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dash.testing.wait import until
from sqlalchemy import select

from components.import_views import short_name
from data.store.db import get_engine
from data.store.models import Incident
from tests.conftest import ARTIFACTS, make_app
from tests.integration.test_smoke import OUTSIDE_REQUESTS
from tests.integration.test_wall import _viewport
from tests.unit.test_import_preview import EXPORT

pytestmark = pytest.mark.browser
NAME = "<img src=x onerror=alert(1)>12345工单_" + "长" * 60 + ".csv"  # markup, long: shown as text, cut short
CJK = re.compile(r"[\u3400-\u9fff]")
POST_UPLOAD = """
const done = arguments[arguments.length - 1];
const form = new FormData();
form.append('file', new Blob(['a,b\\n1,2\\n']), 'x.csv');
fetch('/admin/imports/upload', {method: 'POST', body: form}).then(r => done(r.status), () => done(0));
"""


def _shot(dash_duo, name: str, width: int, height: int, selector: str) -> None:
    """The page at width x height with `selector` scrolled to the top, saved into tests/artifacts."""
    _viewport(dash_duo, width, height)
    dash_duo.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", selector)
    dash_duo.driver.save_screenshot(str(ARTIFACTS / f"admin-imports-{name}-{width}x{height}.png"))


def test_an_administrator_uploads_previews_imports_and_sees_the_report(dash_duo, mini_copy, tmp_path):
    path = tmp_path / NAME
    path.write_text(EXPORT + "\n", encoding="utf-8")
    dash_duo.start_server(make_app(mini_copy, INSTANCE_PATH=tmp_path / "instance"), user="t-admin")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/admin")
    dash_duo.wait_for_element("a[href='/admin/imports?lang=zh']", timeout=15).click()
    dash_duo.wait_for_text_to_equal("h1", "数据导入：工单与监测数据", timeout=15)
    assert dash_duo.find_element("#admin-imports-runs").text == "还没有导入记录。"

    dash_duo.find_element("#admin-imports-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#admin-imports-upload-note", "已上传：<img src=x onerror=alert(1)>", timeout=15)
    note = dash_duo.find_element("#admin-imports-upload-note")
    assert "…" in note.text and len(note.text) < 80 and not dash_duo.find_elements("img")
    dash_duo.select_dcc_dropdown("#admin-imports-mapping-pick", value="hotline12345 · 事件工单")
    until(
        lambda: "source: hotline12345" in dash_duo.find_element("#admin-imports-mapping-text").get_attribute("value"),
        10,
    )
    run = dash_duo.find_element("#admin-imports-run-btn")
    assert run.get_attribute("disabled") and "active" not in run.get_attribute("class")  # no import unpreviewed
    for width, height in ((1920, 1080), (390, 844)):
        _shot(dash_duo, "top", width, height, "h1")

    dash_duo.find_element("#admin-imports-preview-btn").click()
    dash_duo.wait_for_element("#admin-imports-rows", timeout=20)
    rows = [r.text for r in dash_duo.find_elements("#admin-imports-rows tbody tr")]
    assert len(rows) == 4 and rows[0].startswith("2 H1") and "黄浦区" in rows[0] and "结案" in rows[0]
    assert "未定位" in rows[1] and "未映射：井喷" in rows[1]
    assert "受理时间无法识别" in rows[2] and "文件内来源编号重复" in rows[3]
    dash_duo.wait_for_contains_text("#admin-imports-report", "试运行结果（未写入任何数据）", timeout=30)
    assert "active" in dash_duo.find_element("#admin-imports-run-btn").get_attribute("class")
    assert dash_duo.find_element("#admin-imports-counts").text.split("\n")[1] == "4 2 0 0 1 2"
    with get_engine(mini_copy).connect() as conn:
        assert conn.execute(select(Incident.id).where(Incident.origin == "hotline12345")).first() is None
    _shot(dash_duo, "preview", 1920, 1080, "#admin-imports-preview")

    dash_duo.find_element("#admin-imports-run-btn").click()
    dash_duo.wait_for_contains_text("#admin-imports-report", "导入完成", timeout=60)
    assert "文件内来源编号重复 1" in dash_duo.find_element("#admin-imports-rejected").text
    assert "井喷 ×1" in dash_duo.find_element("#admin-imports-unmapped").text
    dash_duo.find_element("#admin-imports-download-btn").click()
    saved = until(lambda: list(Path(dash_duo.download_path).glob("*.rejected.csv")), timeout=10)
    assert "bad_reported_at" in saved[0].read_text(encoding="utf-8-sig")
    dash_duo.wait_for_contains_text("#admin-imports-runs", "正式导入", timeout=10)
    runs = [r.text for r in dash_duo.find_elements("#admin-imports-runs tbody tr")]
    assert len(runs) == 2 and "正式导入 完成 4 2 0 0 1 2" in runs[0] and "试运行 完成" in runs[1]
    assert "t-admin" in runs[0] and short_name(NAME) in runs[0]
    with get_engine(mini_copy).connect() as conn:
        kept = conn.execute(select(Incident.external_id).where(Incident.origin == "hotline12345")).scalars().all()
    assert sorted(kept) == ["H1", "H2"]
    for width, height in ((1920, 1080), (390, 844)):
        _shot(dash_duo, "report", width, height, "#admin-imports-report")
        assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")

    _viewport(dash_duo, 1920, 1080)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/admin/imports?lang=en")
    dash_duo.wait_for_text_to_equal("h1", "Data import: tickets and readings", timeout=15)
    dash_duo.wait_for_contains_text("#admin-imports-runs", "Dry run", timeout=10)
    shown = dash_duo.find_element("#_pages_content").text.replace(short_name(NAME), "")  # the file's own name
    assert not CJK.findall(shown), CJK.findall(shown)
    _shot(dash_duo, "en", 1920, 1080, "h1")
    assert dash_duo.driver.execute_script(OUTSIDE_REQUESTS) == []
    assert dash_duo.get_logs() == []


def test_anyone_but_an_administrator_is_refused_the_page_and_the_upload(dash_duo, mini_city):
    dash_duo.start_server(make_app(mini_city), user="t-dispatcher")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/admin/imports")
    dash_duo.wait_for_contains_text("#_pages_content", "您的账号无权打开此页面", timeout=15)
    assert dash_duo.find_elements("#admin-imports-upload") == []
    dash_duo.driver.set_script_timeout(10)
    assert dash_duo.driver.execute_async_script(POST_UPLOAD) == 403
    assert all("403" in e["message"] for e in dash_duo.get_logs())  # the page's and the upload's status only


def test_a_file_over_the_limit_is_refused_before_it_is_sent(dash_duo, mini_city, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(EXPORT + "\n", encoding="utf-8")  # about 600 bytes
    instance = tmp_path / "instance"
    dash_duo.start_server(make_app(mini_city, INSTANCE_PATH=instance, UPLOAD_MAX_BYTES=100), user="t-admin")
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/admin/imports")
    dash_duo.wait_for_element("#admin-imports-upload input[type=file]", timeout=15).send_keys(str(path))
    dash_duo.wait_for_text_to_equal("#admin-imports-upload-note", "文件超过 1 KB，请拆分后分别上传。", timeout=10)
    assert list(instance.glob("uploads/*")) == []
    assert dash_duo.get_logs() == []
