"""The asset checks of the revision-2 marts pass on a real run and fail on a corrupted table
(DuckDB and PostgreSQL): each corruption breaks exactly the rule its check guards."""

from __future__ import annotations

import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, materialize

from assets.conform.assets import core_model
from assets.ingest.assets import staging_submissions
from assets.marts.assets import marts_for_period
from quality.duty_checks import duty_checks
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

CORRUPT = {
    "submission_status": "UPDATE marts.submission_status SET status = 'on_time'",
    "interview_list": "INSERT INTO marts.interview_list (quarter, period, unit_name, "
                      "black_list_months, reasons) VALUES ('2021-Q1', '2021-02', '柳南区', 5, '')",
    "early_warning": "INSERT INTO marts.early_warning (period, warning_type, unit_name, "
                     "project_id, message) VALUES ('2021-02', 'behind_schedule', '柳南区', 'x', "
                     "'说明')",
    "project_pipeline": "UPDATE marts.project_pipeline SET entered_this_period = projects + 1",
    "industry_summary": "INSERT INTO marts.industry_summary (period, industry, new_projects) "
                        "SELECT period, industry, new_projects FROM marts.industry_summary",
}


def _resources(url, root, tmp):
    return {"warehouse": WarehouseResource(url=url),
            "drop_folder": DropFolderResource(submissions_dir=str(root),
                                              reports_dir=str(tmp / "reports")),
            "inputs": RunInputsResource()}


def _check_results(result) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_mart_checks_pass_then_fail_on_corruption(backend, tmp_path):
    url = url_for(backend, tmp_path)
    root = dropfolder.build(tmp_path / "drop")
    res = _resources(url, root, tmp_path)
    try:
        result = materialize([staging_submissions, core_model, marts_for_period, *duty_checks],
                             partition_key="2021-02", resources=res,
                             instance=instance_with_months(["2021-02"]))
        checks = _check_results(result)
        assert checks == {f"{t}_consistent": True for t in CORRUPT}
        wh = Warehouse(url)
        assert wh.scalar("SELECT COUNT(*) FROM marts.submission_status") > 0
        assert wh.scalar("SELECT COUNT(*) FROM marts.project_pipeline") > 0
        assert wh.scalar("SELECT COUNT(*) FROM marts.industry_summary") > 0
        with wh.engine.begin() as conn:
            conn.exec_driver_sql(CORRUPT["submission_status"].replace(
                "'on_time'", "'on_time', received_at = NULL"))
            for table, sql in CORRUPT.items():
                if table != "submission_status":
                    conn.exec_driver_sql(sql)
        wh.dispose()
        release_warehouses()
        keys = [AssetCheckKey(AssetKey(["marts", t]), f"{t}_consistent") for t in CORRUPT]
        result = materialize([marts_for_period, *duty_checks], resources=res,
                             instance=instance_with_months(["2021-02"]),
                             selection=AssetSelection.checks(*keys), raise_on_error=False)
        assert _check_results(result) == {f"{t}_consistent": False for t in CORRUPT}
    finally:
        release_warehouses()
