"""考核评价 in a real browser and over HTTP: the page shows the figures data.read.evaluation computes for the
seeded city, a count opens the incident list for its incidents, and the monthly report downloads as a
valid spreadsheet for an area the user may see, and not at all for one outside it."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from data.domain.scope import Scope
from data.domain.timeutil import now_ts, tick_of
from data.read import areas, evaluation
from data.store.cache import bound
from data.store.db import get_engine
from tests.conftest import make_app
from tests.integration.test_wall import _open, _shot
from tests.people import login, street_and_district

MONTH = "2026-11"  # the small city's ten days end on 2026-11-20


def _expected(url: str, code: str) -> dict:
    with bound(get_engine(url)):
        kids = areas.children(code)
        names = dict(zip(kids["code"], kids["name_zh"], strict=True))
        got = evaluation.evaluate(
            Scope(code),
            evaluation.month_period(MONTH),
            evaluation.parse_weights(None),
            tick_of(now_ts(), 60),
            list(names),
        )
    return {"got": got, "names": names}


@pytest.mark.browser
def test_the_page_ranks_the_districts_as_the_reads_do_and_a_count_opens_its_incidents(dash_duo, city_copy):
    want = _expected(city_copy, "310000")
    _open(dash_duo, make_app(city_copy), f"/evaluation?month={MONTH}")
    dash_duo.wait_for_element(".eval-areas .eval-row", timeout=30)
    rows = dash_duo.find_elements(".eval-areas .eval-row")
    assert len(rows) == len(want["names"]) == 16
    best = min(want["got"]["areas"], key=lambda r: (r["rank"], r["key"]))
    first = rows[0]
    assert first.find_element("css selector", ".eval-name").text == want["names"][best["key"]]
    assert first.find_element("css selector", ".eval-score").text == f"{best['composite']:.2f}"
    total = dash_duo.find_element(".eval-areas .eval-total")
    cells = [c.text.split("\n")[0] for c in total.find_elements("css selector", ".eval-pct")]
    assert cells == [
        "—" if v is None else f"{v * 100:.1f}%" for v in want["got"]["total"]["rates"].values()
    ]  # every rate of the city, in the table's order
    handled = want["got"]["total"]["counts"]["handled"]
    assert f"{handled:,}" in total.text and handled > 0
    assert "立案数 ÷ (上报数 − 自行处置数)" in dash_duo.find_element(".eval-legend").text  # definitions on screen
    _shot(dash_duo, "evaluation", 1920, 1080)

    link = first.find_elements("css selector", "a.eval-n")[0]  # the best district's first count
    href = link.get_attribute("href")
    link.click()
    dash_duo.wait_for_element(".incidents-page", timeout=20)
    url = dash_duo.driver.current_url
    assert "/incidents?" in url and f"area={best['key']}" in url and "window=all" in url and "ev=" in url
    assert url == href
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_the_report_page_prints_from_a_district(dash_duo, city_copy):
    _, district = street_and_district(city_copy)
    _open(dash_duo, make_app(city_copy), f"/evaluation/report?area={district}&month={MONTH}")
    dash_duo.wait_for_element(".eval-report .eval-table", timeout=30)
    head = dash_duo.find_element(".eval-report-head h1").text
    assert "2026年11月" in head and "月度考核报告" in head
    assert dash_duo.find_elements("a[href*='/evaluation/report.xlsx']")
    _shot(dash_duo, "evaluation-report", 1920, 1080)
    assert dash_duo.get_logs() == []


def test_the_report_downloads_for_the_users_area_only(city_copy):
    street, district = street_and_district(city_copy)
    client = make_app(city_copy).server.test_client()
    assert login(client, "t-district").status_code == 302  # the district's centre
    got = client.get(f"/evaluation/report.xlsx?area={street}&month={MONTH}")
    assert got.status_code == 200
    assert got.headers["Content-Disposition"] == f'attachment; filename="evaluation-{street}-{MONTH}.xlsx"'
    book = load_workbook(io.BytesIO(got.data))
    assert book.sheetnames[:2] == ["主要指标", "考核排名"]
    ranking = [[c.value for c in row] for row in book["考核排名"].iter_rows()]
    assert ranking[0][:3] == ["区域 / 处置单位", "排名", "综合指标值"] and len(ranking) > 2
    want = _expected(city_copy, street)["got"]["total"]
    total_row = next(r for r in ranking if r[0] == "合计")
    assert total_row[2] == want["composite"]
    text = client.get(f"/evaluation/report.csv?area={district}&month={MONTH}&lang=en")
    assert text.status_code == 200 and text.data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert table[0][:3] == ["Area / Unit", "Rank", "Composite"] and any(r[0] == "Total" for r in table)

    elsewhere = "310101" if district != "310101" else "310104"
    assert client.get(f"/evaluation/report.xlsx?area={elsewhere}&month={MONTH}").status_code == 404
    assert client.get(f"/evaluation/report.xlsx?area={district}&month=2026-13").status_code == 400
    assert client.get("/evaluation/report.pdf").status_code == 404

    unit = make_app(city_copy).server.test_client()
    assert login(unit, "t-unit").status_code == 302
    assert unit.get(f"/evaluation/report.xlsx?area={district}&month={MONTH}").status_code == 403
    anonymous = make_app(city_copy).server.test_client()
    assert anonymous.get(f"/evaluation/report.csv?month={MONTH}").status_code in (302, 401)
