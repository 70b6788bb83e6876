"""Reporting duty in real Dagster runs (DuckDB and PostgreSQL), on the small drop folder:

- a month with no submissions at all fails its run with a Chinese reason naming the month and
  who owed what, and writes no 通报 (the previous marts stay);
- a month where a unit is missing runs, and the 通报 (Excel and HTML) and the CLI summary lines
  list the missing unit; the findings name it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import openpyxl
import pytest
from dagster import materialize

from assets.conform.assets import core_model
from assets.ingest.assets import staging_submissions
from assets.marts.assets import marts_for_period
from assets.reports.assets import tongbao
from pipelines.__main__ import failure_reasons, reporting_lines
from runtime.partitions import instance_with_months
from runtime.resources import (
    DropFolderResource,
    RunInputsResource,
    WarehouseResource,
    release_warehouses,
)
from runtime.warehouse import Warehouse
from tests.conftest import url_for
from tests.pipeline import dropfolder


def _run(url, root, reports, period):
    resources = {
        "warehouse": WarehouseResource(url=url),
        "drop_folder": DropFolderResource(submissions_dir=str(root), reports_dir=str(reports)),
        "inputs": RunInputsResource(),
    }
    result = materialize([staging_submissions, core_model, marts_for_period, tongbao],
                         partition_key=period, resources=resources,
                         instance=instance_with_months([period]), raise_on_error=False)
    release_warehouses()
    return result


def _stamp(root, when: datetime) -> None:
    """Every submission arrived at `when` (UTC), as if sent then."""
    ts = when.timestamp()
    for path in root.rglob("*.xlsx"):
        os.utime(path, (ts, ts))


@pytest.fixture(params=["duckdb", "postgres"])
def world(request, tmp_path):
    url = url_for(request.param, tmp_path)
    root = dropfolder.build(tmp_path / "drop")
    # on time for January (deadline 2021-02-05) for whoever sent
    _stamp(root, datetime(2021, 2, 3, 2, 0, tzinfo=UTC))
    yield url, root, tmp_path / "reports"
    release_warehouses()


def test_missing_unit_is_listed_in_the_tongbao_and_the_summary(world):
    url, root, reports = world
    result = _run(url, root, reports, "2021-01")
    assert result.success
    wh = Warehouse(url)
    try:
        status = wh.read("SELECT unit_name, kind, status, source_file FROM "
                         "marts.submission_status WHERE period = '2021-01' ORDER BY unit_name")
        assert status.to_dict("records") == [
            {"unit_name": "柳南区", "kind": "project_ledger", "status": "on_time",
             "source_file": "2021-01/柳南区.xlsx"},
            {"unit_name": "柳江区", "kind": "project_ledger", "status": "missing",
             "source_file": None},
        ]
        found = wh.read("SELECT check_name, unit_name, message FROM quality.findings "
                        "WHERE check_name = 'missing_submission' AND period = '2021-01'")
        assert found["unit_name"].tolist() == ["柳江区"]
        assert "2021-01" in found["message"][0] and "项目台账" in found["message"][0]
        assert reporting_lines(wh, "2021-01") == ["缺报 1 份: 柳江区（项目台账）"]
        pa = wh.read("SELECT unit_name, score FROM marts.performance_assessment "
                     "WHERE period = '2021-01' AND item = 'reporting' ORDER BY unit_name")
        assert dict(zip(pa["unit_name"], pa["score"])) == {"柳南区": 0.0, "柳江区": -0.5}
    finally:
        wh.dispose()
    wb = openpyxl.load_workbook(reports / "2021-01_招商引资红黑榜通报.xlsx")
    ws = wb["报送情况"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[0].value]
    assert rows == [["柳江区", "县区", "项目台账", "缺报", "2021-02-05", "—"]]
    html = (reports / "2021-01_招商引资红黑榜通报.html").read_text(encoding="utf-8")
    # the page's 报表报送情况 paragraph (assets/reports/body.py) names the missing unit
    assert "未报送的单位1个次：柳江区（招商引资项目台账）" in html


def test_a_month_without_any_submission_fails_and_writes_no_tongbao(world):
    url, root, reports = world
    assert _run(url, root, reports, "2021-01").success
    wh = Warehouse(url)
    before = wh.read("SELECT * FROM marts.target_progress ORDER BY unit_name, indicator")
    wh.dispose()
    result = _run(url, root, reports, "2021-03")  # no 2021-03 folder at all
    assert not result.success
    reasons = "\n".join(failure_reasons(result.all_events))
    assert "2021-03 没有收到任何单位的报送材料" in reasons
    assert "柳南区" in reasons and "柳江区" in reasons and "项目台账（次月5日前）" in reasons
    assert not (reports / "2021-03_招商引资红黑榜通报.xlsx").exists()
    assert not (reports / "2021-03_招商引资红黑榜通报.html").exists()
    wh = Warehouse(url)
    try:
        after = wh.read("SELECT * FROM marts.target_progress ORDER BY unit_name, indicator")
        assert after.equals(before)  # nothing written for 2021-03, earlier months untouched
        assert wh.scalar("SELECT COUNT(*) FROM marts.submission_status "
                         "WHERE period = '2021-03'") == 0
    finally:
        wh.dispose()


def test_an_empty_month_folder_fails_too(world):
    url, root, reports = world
    (root / "2021-03").mkdir()
    (root / "2021-03" / "说明.txt").write_text("本月材料稍后补报", encoding="utf-8")
    result = _run(url, root, reports, "2021-03")
    assert not result.success
    assert any("2021-03 没有收到任何单位的报送材料" in r
               for r in failure_reasons(result.all_events))


@pytest.mark.parametrize("backend", ["duckdb"])
def test_late_arrival_is_reported_with_its_time_and_file(backend, tmp_path):
    url = url_for(backend, tmp_path)
    root = dropfolder.build(tmp_path / "drop")
    _stamp(root, datetime(2021, 3, 8, 1, 0, tzinfo=UTC))  # after the 2021-03-05 deadline
    try:
        assert _run(url, root, tmp_path / "reports", "2021-02").success
        wh = Warehouse(url)
        late = wh.read("SELECT unit_name, message FROM quality.findings WHERE check_name = "
                       "'late_submission' AND period = '2021-02' ORDER BY unit_name")
        lines = reporting_lines(wh, "2021-02")
        wh.dispose()
    finally:
        release_warehouses()
    assert late["unit_name"].tolist() == ["柳南区", "柳江区"]
    assert late["message"][0] == ("柳南区 2021-02 项目台账于 2021-03-08 09:00 报送"
                                  "（2021-02/柳南区.xlsx），晚于截止日期 2021-03-05")
    assert lines == ["迟报 2 份: 柳南区（项目台账）、柳江区（项目台账）"]
