"""`cityops import readings`: files the tests write themselves (and the real Beijing sample), imported into a
real seeded SQLite city."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api.cli import main
from components.indicator_views import history_figure
from data.domain.timeutil import DAY, HOUR, parse_local
from data.ingest import mapping as mappings
from data.ingest.files import FileError
from data.ingest.mapping import MappingError
from data.ingest.run_readings import import_readings
from data.rules.config import load_catalog
from data.store.db import get_engine, read_versions
from data.store.models import LatestReading, Reading, Warning
from data.store.models_ingest import ImportRun
from data.write.reading_imports import upsert_readings
from data.write.rollups import drift

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(str(ROOT / "data" / "rules" / "catalog.yaml"))
NOW = parse_local("2026-11-30 12:00")
T0 = parse_local("2026-11-10 00:00")  # before the mini city's own readings (18-20 Nov)
WIDE = {
    "source": "aq-wide",
    "time": {"column": "监测时间"},
    "series": [
        {"column": "静安", "indicator": "pm25", "area": "310106"},
        {"column": "徐汇", "indicator": "pm25", "area": "310104"},
        {"column": "全市AQI", "indicator": "aqi", "area": "310000"},
    ],
    "units": {"pm25": "ug/m3", "aqi": "AQI"},
    "missing": ["", "NA", -999],
}
WIDE_CSV = """监测时间,静安,徐汇,全市AQI
2026-11-10 00:00,30,41,60
2026-11-10 01:00,NA,45,61
2026-11-10 02:00,,-999,62
2026-11-10 03:00,-999.0,47,abc
2026-11-10 04:00,33,48,63
2026/11/10 5:00,34,49,64
not a time,35,50,65
2026-11-10 04:00,36,51,66
"""
# the same hours, long, with the time in year/month/day/hour columns and two measures on one line
LONG = {
    "source": "aq-long",
    "time": {"year": "year", "month": "month", "day": "day", "hour": "hour"},
    "columns": {"series": "station", "value": "PM2.5"},
    "series": [
        {"key": "Jingan", "indicator": "pm25", "area": "310106"},
        {"key": "Jingan", "column": "PM10", "indicator": "pm10", "area": "310000"},
        {"key": "Xuhui", "indicator": "pm25", "area": "310104"},
    ],
    "missing": ["NA", "—"],
}
LONG_CSV = """year,month,day,hour,PM2.5,PM10,station
2026,11,10,0,30,50,Jingan
2026,11,10,1,NA,51,Jingan
2026,11,10,2,32,—,Jingan
2026,11,10,0,41,90,Xuhui
2026,11,10,24,42,91,Xuhui
2026,11,10,3,43,92,Pudong
2026,13,10,3,43,92,Xuhui
2026,11,10,4,44,Xuhui
"""


def write(tmp_path, text: str, name: str = "aq.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(url, path, m, **kw):
    return import_readings(get_engine(url), path, mappings.parse(m, "readings"), now=NOW, catalog=CATALOG, **kw)


def stored(url, since=T0 - DAY, until=T0 + 2 * DAY) -> dict[tuple, float]:
    r = Reading
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(r.indicator_code, r.area_code, r.ts, r.value).where(r.ts.between(since, until)))
        return {(c, a, ts): v for c, a, ts, v in rows}


def warnings_of(url, code, area):
    w = Warning
    with get_engine(url).connect() as conn:
        return [
            tuple(x)
            for x in conn.execute(
                select(w.level, w.started_at, w.ended_at)
                .where(w.kind == "indicator", w.subject == code, w.area_code == area)
                .order_by(w.started_at)
            )
        ]


def test_wide_file_every_value_accounted_for_and_gaps_are_not_zeros(mini_copy, tmp_path):
    report = run(mini_copy, write(tmp_path, WIDE_CSV), WIDE)
    assert report.as_json() == {
        "read": 24,  # 8 lines x 3 series
        "inserted": 13,
        "updated": 0,
        "unchanged": 0,
        "unlocated": 0,
        "rejected": {"bad_time": 3, "bad_value": 1, "duplicate_time": 3},
        "gaps": 4,  # NA, empty, -999 and -999.0
    }
    assert report.read == report.inserted + report.gaps + sum(report.rejected.values())
    got = stored(mini_copy)
    h = [T0 + i * HOUR for i in range(6)]
    assert [got.get(("pm25", "310106", t)) for t in h] == [30, None, None, None, 33, 34]  # a gap, never a zero
    assert [got.get(("pm25", "310104", t)) for t in h] == [41, 45, None, 47, 48, 49]  # 04:00 again: the first stays
    assert got[("aqi", "310000", h[3] - HOUR)] == 62 and ("aqi", "310000", h[3]) not in got
    lines = (tmp_path / "aq.rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line,reason,series,监测时间,静安,徐汇,全市AQI"
    assert lines[1].startswith("5,bad_value,全市AQI/aqi,")
    assert {ln.split(",")[2] for ln in lines[2:]} == {"静安/pm25", "徐汇/pm25", "全市AQI/aqi"}
    assert drift(get_engine(mini_copy)) == {}  # the latest values kept as a rebuild would keep them


def test_long_file_with_year_month_day_hour_columns(mini_copy, tmp_path):
    report = run(mini_copy, write(tmp_path, LONG_CSV), LONG)
    assert (report.read, report.inserted, report.gaps) == (11, 6, 2)  # Jingan lines hold two measures
    assert report.rejected == {"series_not_in_mapping": 1, "bad_time": 1, "wrong_field_count": 1}
    got = stored(mini_copy)
    assert got[("pm25", "310106", T0)] == 30 and got[("pm10", "310000", T0 + HOUR)] == 51
    assert ("pm25", "310106", T0 + HOUR) not in got and ("pm10", "310000", T0 + 2 * HOUR) not in got
    assert got[("pm25", "310104", T0 + DAY)] == 42  # hour 24 is the next midnight


def test_reimport_changes_nothing_and_a_changed_value_is_an_update(mini_copy, tmp_path):
    path = write(tmp_path, WIDE_CSV)
    run(mini_copy, path, WIDE)
    before, versions = stored(mini_copy), read_versions(get_engine(mini_copy))
    again = run(mini_copy, path, WIDE)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 13)
    assert stored(mini_copy) == before and read_versions(get_engine(mini_copy)) == versions
    write(tmp_path, WIDE_CSV.replace("2026/11/10 5:00,34,", "2026/11/10 5:00,39,"))
    later = run(mini_copy, path, WIDE)
    assert (later.inserted, later.updated, later.unchanged) == (0, 1, 12)
    assert stored(mini_copy)[("pm25", "310106", T0 + 5 * HOUR)] == 39
    with get_engine(mini_copy).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Reading).where(Reading.ts < T0 + DAY)) == 13
        runs = conn.execute(select(ImportRun.kind, ImportRun.status).where(ImportRun.origin == "aq-wide")).all()
    assert [tuple(r) for r in runs] == [("readings", "done")] * 3


def test_dry_run_writes_nothing_but_counts(mini_copy, tmp_path):
    report = run(mini_copy, write(tmp_path, WIDE_CSV), WIDE, dry_run=True)
    assert (report.read, report.inserted, report.gaps) == (24, 13, 4)
    assert stored(mini_copy) == {}
    assert "would be inserted 13" in "\n".join(report.lines())


@pytest.mark.parametrize(
    "change, words",
    [
        ({"units": {"pm25": "mg/m³"}}, ["series.0", "静安/pm25", "'mg/m³'", "μg/m³"]),
        (
            {"series": [{"column": "静安", "indicator": "pm2_5", "area": "310106"}]},
            ["series.0", "pm2_5", "did you mean 'pm25'"],
        ),
        ({"series": [{"column": "静安", "indicator": "pm25", "area": "319999"}]}, ["series.0", "319999"]),
        ({"units": {"so2": "μg/m³"}}, ["units.so2"]),
        (
            {"series": [{"column": "静安", "indicator": "pm25", "area": "310106"}] * 2},
            ["静安/pm25", "both write pm25"],
        ),
    ],
)
def test_a_mapping_the_catalogue_refuses_stops_before_any_write(mini_copy, tmp_path, change, words):
    with pytest.raises(MappingError) as err:
        run(mini_copy, write(tmp_path, WIDE_CSV), {**WIDE, **change})
    assert all(w in str(err.value) for w in words), str(err.value)
    assert stored(mini_copy) == {}
    with get_engine(mini_copy).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_a_series_column_the_file_lacks_stops_before_any_write(mini_copy, tmp_path):
    m = {**WIDE, "series": [*WIDE["series"], {"column": "浦东", "indicator": "pm25", "area": "310115"}]}
    with pytest.raises(FileError, match="series 浦东/pm25 from column '浦东'"):
        run(mini_copy, write(tmp_path, WIDE_CSV), m)
    assert stored(mini_copy) == {}


def test_imported_history_raises_the_warnings_the_live_engine_would_have(mini_copy, tmp_path):
    """PM2.5 bands (GB 3095-2012 24 h classes): 75 blue, 115 yellow, 150 orange, 250 red."""
    values = [40, 40, 80, 90, 160, 170, 160, 40, 40, 260, 270, None, None, None, None, 80, 90]
    lines = [f"2026-11-10 {h:02d}:00,{'' if v is None else v},,60" for h, v in enumerate(values)]
    path = write(tmp_path, "\n".join(["监测时间,静安,徐汇,全市AQI", *lines]) + "\n")
    report = run(mini_copy, path, WIDE)
    at = [T0 + h * HOUR for h in range(len(values))]
    assert warnings_of(mini_copy, "pm25", "310106") == [
        (4, at[2], at[4]),
        (2, at[4], at[7]),
        (1, at[9], at[11]),  # the feed stops for 4 hours: the warning ends an hour after the last reading
        (4, at[15], at[16] + HOUR),  # history ends: nothing stays active
    ]
    assert report.warnings == 4 and "warnings from the imported history: 4" in report.lines()
    run(mini_copy, path, WIDE)  # the same file: the same warnings, not twice
    assert len(warnings_of(mini_copy, "pm25", "310106")) == 4
    write(tmp_path, path.read_text(encoding="utf-8").replace(",160,", ",120,").replace(",170,", ",120,"))
    run(mini_copy, path, WIDE)  # corrected values: that stretch is evaluated again, orange becomes yellow
    got = warnings_of(mini_copy, "pm25", "310106")
    assert got[1] == (3, at[4], at[7]) and len(got) == 4


def test_history_leaves_the_live_engines_active_warning_alone(mini_copy, tmp_path):
    with get_engine(mini_copy).begin() as conn:
        conn.execute(
            Warning.__table__.insert().values(
                level=1, area_code="310106", kind="indicator", subject="pm25", rule_id="indicator-bands",
                value=300, cause_zh="x", cause_en="x", started_at=T0 + 3 * HOUR, ended_at=None,
            )
        )  # fmt: skip
    lines = [f"2026-11-10 {h:02d}:00,200,,60" for h in range(6)]
    run(mini_copy, write(tmp_path, "\n".join(["监测时间,静安,徐汇,全市AQI", *lines]) + "\n"), WIDE)
    assert warnings_of(mini_copy, "pm25", "310106") == [(2, T0, T0 + 3 * HOUR), (1, T0 + 3 * HOUR, None)]


def test_upsert_readings_for_the_ingest_api(mini_copy):
    engine = get_engine(mini_copy)
    rows = [{"indicator_code": "pm25", "area_code": "310106", "ts": T0 + h * HOUR, "value": 10.0 + h} for h in range(3)]
    assert upsert_readings(engine, "api-src", rows, now=NOW) == {"inserted": 3, "updated": 0, "unchanged": 0}
    rows[1] = {**rows[1], "value": 99.0}
    twice = [*rows, {**rows[2], "value": 7.0}]  # a key twice in one call: applied in order, the last one stays
    assert upsert_readings(engine, "api-src", twice, now=NOW) == {"inserted": 0, "updated": 2, "unchanged": 2}
    assert [stored(mini_copy)[("pm25", "310106", T0 + h * HOUR)] for h in range(3)] == [10.0, 99.0, 7.0]
    fresh = [{"indicator_code": "pm25", "area_code": "310106", "ts": NOW - 60, "value": 5.0}]
    upsert_readings(engine, "api-src", fresh, now=NOW)
    with engine.connect() as conn:
        latest = conn.execute(
            select(LatestReading.ts, LatestReading.value).where(
                LatestReading.indicator_code == "pm25", LatestReading.area_code == "310106"
            )
        ).one()
    assert tuple(latest) == (NOW - 60, 5.0) and drift(engine) == {}


def test_the_command_line(mini_copy, tmp_path):
    path, mfile, out = write(tmp_path, WIDE_CSV), tmp_path / "m.yaml", tmp_path / "report.json"
    mfile.write_text(json.dumps(WIDE, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    args = ["import", "readings", str(path), "--mapping", str(mfile), "--url", mini_copy, "--no-progress"]
    res = CliRunner().invoke(main, [*args, "--report-json", str(out)])
    assert res.exit_code == 0, res.output
    assert "read 24 values from 8 lines" in res.output and "gaps 4" in res.output and "inserted 13" in res.output
    assert json.loads(out.read_text()) == {
        "read": 24,
        "inserted": 13,
        "updated": 0,
        "unchanged": 0,
        "unlocated": 0,
        "rejected": {"bad_time": 3, "bad_value": 1, "duplicate_time": 3},
        "gaps": 4,
    }
    mfile.write_text(json.dumps({**WIDE, "units": {"pm25": "mg/m3"}}, ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "静安/pm25" in res.output and "mg/m3" in res.output
    res = CliRunner().invoke(main, ["import", "readings", str(path), "--url", mini_copy])
    assert res.exit_code == 2 and "--mapping" in res.output


def test_the_indicator_chart_breaks_its_line_at_missing_hours():
    ind = {"name_zh": "PM2.5浓度", "name_en": "PM2.5", "unit": "μg/m³", "bands": None, "direction": "up"}
    start = T0
    pts = [(T0 + h * HOUR, 30.0 + h) for h in (0, 1, 2, 5, 6, 9)]  # 03:00, 04:00, 07:00 and 08:00 missing
    line = history_figure({**ind, "interval_s": 3600}, pts, [], "en", start, start + DAY).data[-1]
    assert list(line.y) == [30.0, 31.0, 32.0, None, 35.0, 36.0, None, 39.0] and not line.connectgaps
    assert list(line.marker.size) == [0, 0, 0, 0, 0, 0, 0, 6]  # 09:00 alone between gaps: a dot, not nothing
    thinned = [(T0 + h * HOUR, 1.0) for h in range(0, 92 * 24, 2)]  # 92 days thinned to every 2nd hour
    line = history_figure({**ind, "interval_s": 3600}, thinned, [], "en", T0, T0 + 92 * DAY).data[-1]
    assert None not in line.y  # thinning is not a gap


REAL = ROOT / "tests" / "data" / "real" / "beijing_prsa_3stations_2015-12-01_2016-01-14.csv"


@pytest.mark.skipif(not REAL.exists(), reason="the real air-quality sample is not checked in")
def test_real_beijing_sample_counts_match_pandas_and_past_days_are_coloured(mini_copy):
    m = mappings.load(ROOT / "data" / "ingest" / "mappings" / "airquality_long.yaml", "readings")
    report = import_readings(get_engine(mini_copy), REAL, m, now=NOW, catalog=CATALOG)
    df = pd.read_csv(REAL)  # pandas reads NA as missing by default
    pm25 = df["PM2.5"]
    dongsi = df["station"] == "Dongsi"
    expected = int(pm25.notna().sum() + df.loc[dongsi, "PM10"].notna().sum())
    expected_gaps = int(pm25.isna().sum() + df.loc[dongsi, "PM10"].isna().sum())
    assert (report.inserted, report.gaps, sum(report.rejected.values())) == (expected, expected_gaps, 0)
    assert report.read == len(df) + int(dongsi.sum())
    with get_engine(mini_copy).connect() as conn:
        n = conn.scalar(select(func.count()).select_from(Reading).where(Reading.ts < parse_local("2016-02-01")))
    assert n == expected
    # past days: Dongsi's smog of 2015-12-25 (daily mean 567 µg/m³) is red, its clean 12-16 (6 µg/m³) has none
    day = df[dongsi].assign(date=lambda d: pd.to_datetime(d[["year", "month", "day"]]).dt.date)
    means = day.groupby("date")["PM2.5"].mean()
    assert round(means[pd.Timestamp("2015-12-25").date()]) == 567 and means[pd.Timestamp("2015-12-16").date()] < 10
    got = warnings_of(mini_copy, "pm25", "310101")

    def worst(date: str) -> int:
        a = parse_local(date)
        return min((lv for lv, s, e in got if s < a + DAY and (e is None or e > a)), default=5)

    assert worst("2015-12-25") == 1 and worst("2015-12-16") == 5
    assert all(e is not None for _, _, e in got)  # history: nothing left active
    ind = CATALOG.indicator("pm25")
    for date, mean in means.items():  # a day whose mean is in a band saw a warning at least that severe
        assert worst(str(date)) <= ind.level_of(mean), (date, mean)


@pytest.mark.postgres
def test_upsert_and_history_on_postgres(postgres_db):
    from data.store.schema import upgrade
    from data.write.reading_imports import evaluate_history, write_readings

    engine = get_engine(postgres_db)
    upgrade(engine)
    rows = [{"indicator_code": "pm25", "area_code": "310106", "ts": T0 + h * HOUR, "value": v} for h, v in
            enumerate([40.0, 160.0, 170.0, 165.0, 40.0])]  # fmt: skip
    counts, spans = write_readings(engine, rows, now=NOW)
    assert counts == {"inserted": 5, "updated": 0, "unchanged": 0} and spans == {
        ("pm25", "310106"): [T0, T0 + 4 * HOUR]
    }
    assert evaluate_history(engine, CATALOG, spans, NOW) == 1
    rows[2] = {**rows[2], "value": 300.0}  # one red hour in an orange run: folded, the run recomputed
    assert upsert_readings(engine, "api", rows, now=NOW) == {"inserted": 0, "updated": 1, "unchanged": 4}
    assert evaluate_history(engine, CATALOG, {("pm25", "310106"): [T0 + 2 * HOUR, T0 + 2 * HOUR]}, NOW) == 1
    assert warnings_of(postgres_db, "pm25", "310106") == [(2, T0 + HOUR, T0 + 4 * HOUR)] and drift(engine) == {}
