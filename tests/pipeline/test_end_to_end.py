"""The whole pipeline through real Dagster runs, on DuckDB and on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from dagster import DagsterInstance, materialize

from assets.conform.assets import core_model
from assets.ingest.assets import staging_submissions
from assets.marts.assets import marts_for_period
from quality.checks import asset_checks
from runtime.resources import (
    pipeline_resources,
    release_warehouses,
)
from runtime.warehouse import Warehouse
from tests.pipeline import dropfolder

MARTS = ["target_progress", "city_summary", "four_rates", "red_black_list",
         "performance_assessment"]


def run_period(url: str, root, period: str, tmp_path) -> bool:
    resources = pipeline_resources(url, str(root), str(tmp_path / "reports"))
    result = materialize(
        [staging_submissions, core_model, marts_for_period, *asset_checks],
        partition_key=period, resources=resources, instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    release_warehouses()
    return result.success


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    wh = Warehouse(url)
    out = {}
    for name in MARTS:
        df = wh.read(f"SELECT * FROM marts.{name}")
        key = df.astype(str).apply("|".join, axis=1)
        out[name] = df.iloc[key.argsort(kind="stable")].reset_index(drop=True)
    out["findings"] = wh.read(
        "SELECT check_name, severity, period, unit_name, source_file, source_row, message "
        "FROM quality.findings ORDER BY 1, 2, 3, 4, 5, 6, 7")
    wh.dispose()
    return out


def test_two_months_end_to_end(warehouse_url, tmp_path):
    root = dropfolder.build(tmp_path / "drop")
    assert run_period(warehouse_url, root, "2021-01", tmp_path)
    assert run_period(warehouse_url, root, "2021-02", tmp_path)
    wh = Warehouse(warehouse_url)

    files = wh.read("SELECT source_file, status, kind, unit_name FROM staging.files")
    assert set(files["status"]) == {"loaded", "skipped"}
    assert files.loc[files.source_file.str.endswith(".docx"), "status"].item() == "skipped"

    # 岭南药业 reported by 柳南区 and 市工信局 (written differently): one project, two credits
    bridge = wh.read("SELECT b.unit_name, b.role FROM core.bridge_project_unit b JOIN "
                     "core.dim_project p USING (project_id) WHERE p.project_name LIKE '岭南药业%'")
    assert dict(zip(bridge.unit_name, bridge.role)) == {"柳南区": "territorial",
                                                        "市工业和信息化局": "lead"}
    # 集美江山 in two districts: territorial stays with 柳南区 (first), an error names both
    conflict = wh.read("SELECT message FROM quality.findings WHERE check_name = "
                       "'territorial_conflict'")
    assert len(conflict) == 1 and "柳南区" in conflict.message[0] and "柳江区" in conflict.message[0]

    # funds: territorial figure (2.5 in 2021-02) wins over the department's 1.2
    tp = wh.read("SELECT unit_name, indicator, actual, target, completion_rate FROM "
                 "marts.target_progress WHERE period = '2021-02'")
    got = {(r.unit_name, r.indicator): r.actual for r in tp.itertuples()}
    assert Decimal(str(got[("柳南区", "funds_in_place")])) == Decimal("4")  # 2.5 + 0.5 + 1
    assert Decimal(str(got[("柳南区", "new_projects")])) == 3
    city = wh.read("SELECT indicator, actual, target FROM marts.city_summary "
                   "WHERE period = '2021-02'")
    city_actual = dict(zip(city.indicator, city.actual))
    assert Decimal(str(city_actual["new_projects"])) == 3  # each project once
    assert Decimal(str(dict(zip(city.indicator, city.target))["funds_in_place"])) == 30

    # no phone number anywhere outside staging
    for table in ["quality.findings", "marts.target_progress", "marts.red_black_list"]:
        text = wh.read(f"SELECT * FROM {table}").astype(str).to_string()
        assert "13812345678" not in text
    wh.dispose()

    # idempotent: running the same period again gives identical marts and findings
    before = snapshot(warehouse_url)
    assert run_period(warehouse_url, root, "2021-02", tmp_path)
    after = snapshot(warehouse_url)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])
