"""`cityops import incidents`: files the tests write themselves, imported into a real seeded SQLite city."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api.cli import main
from data.domain.timeutil import parse_local
from data.ingest import mapping as mappings
from data.ingest.coords import gcj02_to_wgs84
from data.ingest.files import FileError
from data.ingest.run import import_incidents
from data.store.db import get_engine
from data.store.models import Incident, IncidentAudit, IncidentHistory
from data.write.rollups import drift

MAPPING = {
    "source": "hotline12345",
    "columns": {
        "id": "工单编号",
        "reported_at": "受理时间",
        "closed_at": "办结时间",
        "status": "工单状态",
        "category": "问题分类",
        "title": "诉求标题",
        "lat": "纬度",
        "lon": "经度",
        "address": "事发地址",
        "area": "所属街镇",
    },
    "status_map": {"处理中": "handling", "已办结": "closed", "待受理": "reported"},
    "categories": {"占道经营": "street_order", "噪声扰民": "noise_nuisance"},
    "default_category": "other",
}
HEADER = "工单编号,受理时间,办结时间,工单状态,问题分类,诉求标题,纬度,经度,事发地址,所属街镇"
PEOPLE_SQUARE = (121.4737, 31.2304)  # GCJ-02, in Huangpu
NOW = parse_local("2026-11-30 12:00")


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def mapping(**changes):
    return mappings.parse({**MAPPING, **changes}, "incidents")


def stored(url, origin="hotline12345"):
    with get_engine(url).connect() as conn:
        return {r.external_id: r for r in conn.execute(select(Incident).where(Incident.origin == origin))}


def run(url, path, m=None, **kw):
    return import_incidents(get_engine(url), path, m or mapping(), now=NOW, **kw)


BASIC = rows(
    "A1,2026-11-20 09:00,2026-11-21 10:00,已办结,占道经营,门口摆摊,31.2304,121.4737,人民广场,",
    "A2,2026-11-29 09:00,,处理中,噪声扰民,夜间施工,,,某路,陆家嘴街道",
    "A3,2026-11-29 10:00,,处理中,路面塌陷,塌陷,0,0,,",
    "A4,bad,,处理中,占道经营,x,,,,",
    "A1,2026-11-20 09:00,,处理中,占道经营,again,,,,",
    "A5,2026-11-29 10:00,,奇怪,占道经营,x,,,,",
    "A6,2026-11-29 10:00,2026-11-29 09:00,已办结,占道经营,x,,,,",
    "A7,2026-11-29 10:00,,处理中,占道经营,远方,39.9,116.4,,",
)


def test_every_row_is_accounted_for_and_placed(mini_copy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(BASIC, encoding="utf-8")
    report = run(mini_copy, path)
    assert report.as_json() == {
        "read": 8,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "unlocated": 2,
        "rejected": {"bad_reported_at": 1, "closed_before_reported": 1, "duplicate_id": 1, "unknown_status": 1},
    }
    assert report.unmapped == {"路面塌陷": 1}
    got = stored(mini_copy)
    a1 = got["A1"]
    assert (a1.district_code, a1.street_code[:6], len(a1.grid_code)) == ("310101", "310101", 12)
    assert (a1.status, a1.closed_at - a1.reported_at, a1.due_at) == ("closed", 25 * 3600, None)
    assert (a1.address, a1.category, a1.source) == ("人民广场", "street_order", "hotline")
    a2 = got["A2"]  # no coordinates: placed by its street's name, no point on a map
    assert (a2.district_code, a2.lon, a2.h3_cell, a2.grid_code) == ("310115", None, None, "")
    assert a2.street_code.startswith("310115") and len(a2.street_code) == 9
    for ext in ("A3", "A7"):  # (0, 0) and Beijing are not places in Shanghai: kept, unlocated
        assert (got[ext].district_code, got[ext].street_code, got[ext].lon) == ("", "", None)
    assert got["A3"].category == "other"
    assert drift(get_engine(mini_copy)) == {}
    lines = (tmp_path / "export.rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("line,reason,工单编号")
    assert [ln.split(",")[:3] for ln in lines[1:]] == [
        ["5", "bad_reported_at", "A4"],
        ["6", "duplicate_id", "A1"],
        ["7", "unknown_status", "A5"],
        ["8", "closed_before_reported", "A6"],
    ]


def test_history_is_the_sources_not_invented(mini_copy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(BASIC, encoding="utf-8")
    run(mini_copy, path)
    a1 = stored(mini_copy)["A1"]
    with get_engine(mini_copy).connect() as conn:
        hist = conn.execute(
            select(IncidentHistory.from_status, IncidentHistory.to_status, IncidentHistory.at, IncidentHistory.actor)
            .where(IncidentHistory.incident_id == a1.id)
            .order_by(IncidentHistory.id)
        ).all()
    assert [tuple(h) for h in hist] == [
        (None, "reported", a1.reported_at, "import-hotline12345"),
        ("reported", "closed", a1.closed_at, "import-hotline12345"),
    ]


def test_reimport_changes_nothing_and_a_later_export_moves_incidents_on(mini_copy, tmp_path):
    engine = get_engine(mini_copy)
    path = tmp_path / "export.csv"
    path.write_text(BASIC, encoding="utf-8")
    run(mini_copy, path)
    before = {k: (r.status, r.version) for k, r in stored(mini_copy).items()}
    with engine.connect() as conn:
        n_hist = conn.scalar(select(func.count()).select_from(IncidentHistory))
    again = run(mini_copy, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert {k: (r.status, r.version) for k, r in stored(mini_copy).items()} == before
    later = tmp_path / "later.csv"
    later.write_text(
        rows(
            "A2,2026-11-29 09:00,2026-11-30 08:00,已办结,噪声扰民,夜间施工,,,某路,陆家嘴街道",
            "A3,2026-11-29 10:00,,处理中,路面塌陷,塌陷,0,0,,",
            "B1,2026-11-30 07:00,,待受理,占道经营,新的,31.2304,121.4737,,",
        ),
        encoding="utf-8",
    )
    report = run(mini_copy, later)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 1)
    a2 = stored(mini_copy)["A2"]
    assert (a2.status, a2.closed_at, a2.version) == ("closed", parse_local("2026-11-30 08:00"), 2)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(IncidentHistory)) == n_hist + 2  # A2's move, B1's report
        audit = conn.execute(select(IncidentAudit).where(IncidentAudit.incident_id == a2.id)).one()
    assert (audit.action, audit.from_status, audit.to_status) == ("import", "handling", "closed")
    assert drift(engine) == {}
    older = tmp_path / "older.csv"  # an export older than what we hold does not move A2 back
    older.write_text(rows("A2,2026-11-29 09:00,,待受理,噪声扰民,夜间施工,,,,"), encoding="utf-8")
    assert run(mini_copy, older).unchanged == 1
    assert stored(mini_copy)["A2"].status == "closed"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_every_encoding_reads_the_same(mini_copy, tmp_path, encoding):
    path = tmp_path / "export.csv"
    path.write_bytes(BASIC.encode(encoding))
    report = run(mini_copy, path)
    assert (report.read, report.inserted, report.encoding) == (
        8,
        4,
        "gb18030" if encoding == "gb18030" else "utf-8-sig",
    )
    assert stored(mini_copy)["A1"].address == "人民广场"


def test_a_wrong_encoding_stops_before_writing(mini_copy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(BASIC.encode("gb18030"))
    with pytest.raises(FileError, match=r"line 1 is not utf-8 text"):
        run(mini_copy, path, encoding="utf-8")
    assert stored(mini_copy) == {}


def test_a_mapping_naming_a_missing_column_stops_before_writing(mini_copy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(BASIC, encoding="utf-8")
    bad = mapping(columns={**MAPPING["columns"], "description": "诉求内容"})
    with pytest.raises(FileError, match="description from column '诉求内容'"):
        run(mini_copy, path, bad)
    assert stored(mini_copy) == {}


def test_mapping_errors_name_the_key():
    with pytest.raises(mappings.MappingError, match="`colums` is not a key"):
        mappings.parse({**MAPPING, "colums": {}}, "incidents")
    with pytest.raises(mappings.MappingError, match="`categories` unknown categories"):
        mappings.parse({**MAPPING, "categories": {"x": "potholes"}}, "incidents")
    with pytest.raises(mappings.MappingError, match="`status_map.已办结`"):
        mappings.parse({**MAPPING, "status_map": {"已办结": "done"}}, "incidents")
    with pytest.raises(mappings.MappingError, match="`columns.id` is required"):
        mappings.parse({**MAPPING, "columns": {"reported_at": "t"}}, "incidents")


def test_json_lines_and_wgs84_coordinates(mini_copy, tmp_path):
    wlon, wlat = gcj02_to_wgs84(*PEOPLE_SQUARE)  # a phone's GPS position of the same spot
    path = tmp_path / "feed.jsonl"
    items = [
        {"id": 1, "t": "2026-11-29T09:00:00+08:00", "cat": "Noise", "lat": float(wlat), "lon": float(wlon)},
        {"id": 2, "t": "2026-11-29T01:00:00Z", "cat": "Noise", "location": {"lat": 31.23, "lon": 121.47}},
    ]
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n{not json\n", encoding="utf-8")
    m = mappings.parse(
        {
            "source": "feed",
            "crs": "WGS84",
            "columns": {"id": "id", "reported_at": "t", "category": "cat", "lat": "lat", "lon": "lon"},
            "categories": {"Noise": "noise_nuisance"},
        },
        "incidents",
    )
    report = run(mini_copy, path, m)
    assert report.as_json()["rejected"] == {"bad_json": 1}
    got = stored(mini_copy, "feed")
    assert got["1"].street_code == stored_street_of(mini_copy, *PEOPLE_SQUARE)
    assert abs(got["1"].lon - PEOPLE_SQUARE[0]) < 1e-5 and abs(got["1"].lat - PEOPLE_SQUARE[1]) < 1e-5
    assert got["2"].reported_at == got["1"].reported_at  # 01:00Z is 09:00 in Shanghai
    assert got["2"].district_code == ""  # its coordinates are nested under location.*, not lat/lon


def stored_street_of(url, lon, lat):
    import numpy as np

    from data.ingest.place import Locator

    return Locator.from_engine(get_engine(url)).by_point(np.array([lon]), np.array([lat]))[0].street


def test_dry_run_writes_nothing_but_counts(mini_copy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(BASIC, encoding="utf-8")
    report = run(mini_copy, path, dry_run=True)
    assert (report.read, report.inserted) == (8, 4)
    assert stored(mini_copy) == {}


def test_the_command_line(mini_copy, tmp_path):
    path, mfile, out = tmp_path / "export.csv", tmp_path / "m.yaml", tmp_path / "report.json"
    path.write_text(BASIC, encoding="utf-8")
    mfile.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    args = ["import", "incidents", str(path), "--mapping", str(mfile), "--url", mini_copy]
    res = CliRunner().invoke(main, [*args, "--report-json", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "inserted 4" in res.output and "路面塌陷 ×1" in res.output
    assert set(json.loads(out.read_text())) == {"read", "inserted", "updated", "unchanged", "unlocated", "rejected"}
    mfile.write_text("source: x\ncolumns: {id: nope, reported_at: 受理时间}\n", encoding="utf-8")
    res = CliRunner().invoke(main, [*args, "--no-progress"])
    assert res.exit_code == 1 and "column 'nope'" in res.output


def test_a_standard_code_column_sets_the_category_and_its_working_time_deadline(mini_copy, tmp_path):
    """小类代码 from the source: a known code sets the category and the deadline (电梯困人: urgent, 30 minutes);
    an unknown one leaves the mapped category and no code."""
    path = tmp_path / "codes.csv"
    path.write_text(
        "工单编号,受理时间,工单状态,问题分类,小类代码,所属街镇\n"
        "S1,2026-11-27 16:30,待受理,占道经营,11002,陆家嘴街道\n"  # a Friday
        "S2,2026-11-27 16:30,待受理,占道经营,99999,陆家嘴街道\n",
        encoding="utf-8",
    )
    columns = {"id": "工单编号", "reported_at": "受理时间", "status": "工单状态", "category": "问题分类"}
    m = mapping(columns={**columns, "std_code": "小类代码", "area": "所属街镇"})
    run(mini_copy, path, m)
    got = stored(mini_copy)
    assert (got["S1"].category, got["S1"].std_code, got["S1"].priority) == ("community", "11002", 1)
    assert got["S1"].due_at == parse_local("2026-11-27 17:00")  # urgent: 30 natural minutes
    assert (got["S2"].category, got["S2"].std_code) == ("street_order", None)
    assert got["S2"].due_at == parse_local("2026-11-30 10:30")  # 2 working hours, over the weekend
