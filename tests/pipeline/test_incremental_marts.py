"""Marts are rebuilt only for the periods whose inputs changed (issue 17): a resubmission of
month m rebuilds the marts of m and of the later months, never those of earlier months, and what
is left in place equals what a forced full rebuild writes.  Real workbooks, real Dagster runs,
DuckDB and PostgreSQL."""

from __future__ import annotations

import os

import pandas as pd
from dagster import AssetKey, materialize

from assets.conform.assets import build_core, core_model
from assets.ingest.assets import staging_submissions
from assets.marts.assets import MARTS, build_period, marts_for_period
from runtime.partitions import instance_with_months
from runtime.resources import pipeline_resources, release_warehouses
from runtime.warehouse import Warehouse
from tests.pipeline import dropfolder

MONTHS = ["2021-01", "2021-02"]
CORE = ["dim_unit", "dim_project", "bridge_project_unit", "fact_project_period", "fact_target",
        "fact_activity", "fact_reserve_project", "fact_cohort"]
ARRIVED = 1614758400  # 2021-03-03 08:00 UTC: the same arrival time for every file


def _snapshot(url: str) -> dict[str, pd.DataFrame]:
    wh = Warehouse(url)
    try:
        out = {}
        for name in ([f"core.{t}" for t in CORE] + [f"marts.{m}" for m in MARTS]
                     + ["quality.findings"]):
            df = wh.read(f"SELECT * FROM {name}").astype(str)
            out[name] = df.sort_values(list(df.columns)).reset_index(drop=True)
        return out
    finally:
        wh.dispose()


def _rebuilt(result) -> bool:
    md = next(e.metadata for e in result.asset_materializations_for_node("marts_for_period")
              if e.asset_key == AssetKey(["marts", "target_progress"]))
    return md["rebuilt"].value


def _run(resources, period: str) -> bool:
    """One Dagster run of the month (ingest → core → marts): were its marts rebuilt?"""
    result = materialize([staging_submissions, core_model, marts_for_period],
                         partition_key=period, resources=resources,
                         instance=instance_with_months(MONTHS))
    assert result.success
    return _rebuilt(result)


def _resubmit(path, unit: str, month: str, rows: list[list]) -> None:
    dropfolder.ledger(path, unit, month, rows)
    os.utime(path, (ARRIVED + 3600, ARRIVED + 3600))


def _forced_full_rebuild(url: str) -> None:
    wh = Warehouse(url)
    try:
        assert not build_core(wh, force=True)["skipped"]
        for month in MONTHS:
            assert build_period(wh, month, force=True) is not None
    finally:
        wh.dispose()


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_a_resubmission_rebuilds_its_month_and_later_only(warehouse_url, tmp_path):
    root = dropfolder.build(tmp_path / "drop")
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (ARRIVED, ARRIVED))
    resources = pipeline_resources(warehouse_url, str(root), str(tmp_path / "reports"))
    try:
        assert [_run(resources, m) for m in MONTHS] == [True, True]
        assert [_run(resources, m) for m in MONTHS] == [False, False]

        # 柳南区 corrects February: 集美江山 (first reported in February) has 2 亿元, not 1
        _resubmit(root / "2021-02" / "柳南区.xlsx", "柳南区", "2021-02", [
            ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 2.5, None,
             "2021年1月", "已开工", "是", None],
            ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.5, None, "2021.1",
             "已开工", "否", "市工业和信息化局"],
            ["房地产业", "集美江山项目", "柳州鹿寨金润房地产开发有限公司", 6, 2, None,
             "2021/1/15", "在建", "否", None]])
        # the January run ingests the correction and rebuilds core, but January's marts read
        # nothing of February: they stay; February's are rebuilt
        assert _run(resources, "2021-01") is False
        assert _run(resources, "2021-02") is True
        incremental = _snapshot(warehouse_url)
        _forced_full_rebuild(warehouse_url)
        _assert_same(incremental, _snapshot(warehouse_url))

        # 柳南区 corrects January (岭南药业 1.7 亿元 instead of 1.5): January and February rebuild
        _resubmit(root / "2021-01" / "柳南区.xlsx", "柳南区", "2021-01", [
            ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 1.7, None,
             "2021年1月", "已签约", "是", None],
            ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.5, None, "2021.1",
             "已开工", "否", "市工业和信息化局"]])
        assert _run(resources, "2021-02") is True
        assert _run(resources, "2021-01") is True
        incremental = _snapshot(warehouse_url)
        _forced_full_rebuild(warehouse_url)
        _assert_same(incremental, _snapshot(warehouse_url))
        funds = _snapshot(warehouse_url)["core.fact_project_period"]
        assert "1.70000000" in set(funds["funds_this_year"])
    finally:
        release_warehouses()
