"""A range of months in one Dagster run (a single-run backfill, issue 17): every partitioned
asset takes BackfillPolicy.single_run(), the marts read core once for all the months, each month
gets its own 通报, and a month without submissions gets neither marts nor 通报 without stopping
the others.  The range run writes what one run per month writes.  DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from dagster import AssetKey, BackfillPolicy

import assets.marts.assets as marts_assets
from assets.marts.assets import MARTS
from pipelines.definitions import defs
from runtime.partitions import instance_with_months
from runtime.resources import release_warehouses
from runtime.warehouse import Warehouse
from tests.orchestration.conftest import reporting_job
from tests.pipeline import dropfolder

RANGE = {"dagster/asset_partition_range_start": "2021-01",
         "dagster/asset_partition_range_end": "2021-03"}


def _marts(url: str) -> dict[str, pd.DataFrame]:
    wh = Warehouse(url)
    try:
        out = {}
        for name in MARTS:
            df = wh.read(f"SELECT * FROM marts.{name}").astype(str)
            out[name] = df.sort_values(list(df.columns)).reset_index(drop=True)
        return out
    finally:
        wh.dispose()


def _with_empty_march(tmp_path: Path) -> Path:
    """The hand-made folder plus a 2021-03 folder holding no workbook a unit sent."""
    drop = dropfolder.build(tmp_path / "drop")
    (drop / "2021-03").mkdir()
    (drop / "2021-03" / "说明.docx").write_bytes(b"not a workbook")
    return drop


def test_every_partitioned_asset_backfills_in_one_run():
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        assert graph.get(key).backfill_policy == BackfillPolicy.single_run(), key


def test_range_run_reads_core_once_and_skips_the_empty_month(warehouse_url, tmp_path,
                                                            monkeypatch):
    drop = _with_empty_march(tmp_path)
    reads = []
    real_read_core = marts_assets.read_core
    monkeypatch.setattr(marts_assets, "read_core",
                        lambda wh, as_of=None: reads.append(1) or real_read_core(wh, as_of))
    job = reporting_job(warehouse_url, drop, tmp_path / "reports")
    instance = instance_with_months(["2021-01", "2021-02", "2021-03"])
    try:
        result = job.execute_in_process(instance=instance, tags=RANGE, raise_on_error=False)
    finally:
        release_warehouses()
    assert result.success
    # March has no submission: its reason is in the metadata (the CLI prints it), no marts
    events = [e for e in result.asset_materializations_for_node("marts_for_period")
              if e.asset_key == AssetKey(["marts", "target_progress"])]
    # Dagster records the range's materialisation once per month of it, with the same metadata
    assert sorted(e.partition for e in events) == ["2021-01", "2021-02", "2021-03"]
    md = events[0].metadata
    refused = md["refused_periods"].value
    assert list(refused) == ["2021-03"] and "没有收到任何单位的报送材料" in refused["2021-03"]
    assert md["rebuilt_periods"].value == ["2021-01", "2021-02"]
    # core read once for the two months' marts, plus once for March's message (expected units)
    assert len(reads) == 2
    marts = _marts(warehouse_url)
    assert set(marts["target_progress"]["period"]) == {"2021-01", "2021-02"}
    reports = sorted(p.name for p in (tmp_path / "reports").glob("*.xlsx"))
    assert [name[:7] for name in reports] == ["2021-01", "2021-02"]

    # the same months, one run each (March's run fails with its message): the same marts
    other = f"duckdb:///{tmp_path / 'per_month.duckdb'}"
    job = reporting_job(other, drop, tmp_path / "reports_per_month")
    try:
        for month in ("2021-01", "2021-02"):
            assert job.execute_in_process(partition_key=month, instance=instance).success
        march = job.execute_in_process(partition_key="2021-03", instance=instance,
                                       raise_on_error=False)
    finally:
        release_warehouses()
    assert not march.success
    per_month = _marts(other)
    for name in MARTS:
        pd.testing.assert_frame_equal(marts[name], per_month[name], obj=name)


def test_range_of_empty_months_fails_with_their_reason(duckdb_url, tmp_path):
    drop = _with_empty_march(tmp_path)
    (drop / "2021-04").mkdir()
    job = reporting_job(duckdb_url, drop, tmp_path / "reports")
    instance = instance_with_months(["2021-01", "2021-02", "2021-03", "2021-04"])
    tags = {"dagster/asset_partition_range_start": "2021-03",
            "dagster/asset_partition_range_end": "2021-04"}
    try:
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    finally:
        release_warehouses()
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    text = failure.event_specific_data.user_failure_data.description
    assert "2021-03 没有收到" in text and "2021-04 没有收到" in text
