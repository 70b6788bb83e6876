"""Any month in the drop folder runs with the README's command, with no setting (issue 18).

A drop folder whose first month is 2020-12 (the previous December the 四率 increments of 2021
need) is run with `python -m pipelines materialize --all` in a subprocess, as a new user would.
"""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus

from runtime.partitions import PARTITIONS_NAME
from runtime.warehouse import Warehouse
from tests.orchestration.conftest import run_cli
from tests.pipeline import dropfolder


def _december_first(drop: Path) -> None:
    dropfolder.ledger(drop / "2020-12" / "柳南区.xlsx", "柳南区", "2020-12",
                      [["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 1.0,
                        None, "2020年11月", "已签约", "是", None]])


def test_drop_folder_starting_2020_12_runs_every_month(cli_env):
    drop = Path(cli_env["SUBMISSIONS_DIR"])
    _december_first(drop)
    proc = run_cli(cli_env, "--all", timeout=400)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    for month in ("2020-12", "2021-01", "2021-02"):
        assert f"[{month}] 运行" in proc.stdout
    assert "PARTITIONS_START" not in proc.stdout + proc.stderr
    # the DuckDB connections are closed before exit: no "nanobind: leaked …" dump
    assert "nanobind" not in proc.stderr and "leaked" not in proc.stderr, proc.stderr[-3000:]

    with DagsterInstance.from_config(cli_env["DAGSTER_HOME"]) as instance:
        # the partitions are exactly the months that have data
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == ["2020-12", "2021-01",
                                                                    "2021-02"]
        # one run for every month (a single-run backfill, issue 17)
        [run] = instance.get_runs()
        assert (run.tags["dagster/asset_partition_range_start"],
                run.tags["dagster/asset_partition_range_end"]) == ("2020-12", "2021-02")
        assert run.status == DagsterRunStatus.SUCCESS
    wh = Warehouse(cli_env["WAREHOUSE_URL"])
    try:
        periods = set(wh.read("SELECT DISTINCT period FROM marts.four_rates")["period"])
    finally:
        wh.dispose()
    assert {"2020-12", "2021-01", "2021-02"} <= periods
