"""`python -m pipelines materialize` as the data engineer runs it: a subprocess, real files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from dagster import DagsterInstance, DagsterRunStatus

from assets.marts.assets import MARTS
from runtime.warehouse import Warehouse
from tests.orchestration.conftest import bad_rules_file, run_cli


def _runs(home: str) -> list:
    with DagsterInstance.from_config(home) as instance:
        return list(reversed(instance.get_runs()))  # oldest first


def _marts(url: str, period: str) -> pd.DataFrame:
    wh = Warehouse(url)
    try:
        df = wh.read("SELECT * FROM marts.target_progress WHERE period = :p", {"p": period})
    finally:
        wh.dispose()
    return df.sort_values(["unit_name", "indicator"]).reset_index(drop=True)


def test_cli_two_periods_recorded_in_dagster_home(cli_env):
    proc = run_cli(cli_env, "--period", "2021-01", "2021-02")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "[2021-01] 运行" in proc.stdout and "[2021-02] 运行" in proc.stdout
    assert cli_env["DAGSTER_HOME"] in proc.stdout
    [marts_line] = [x for x in proc.stdout.splitlines() if "集市:" in x]  # where to look: all
    assert {m.strip() for m in marts_line.split("集市:")[1].split(",")} == {
        f"marts.{name}" for name in MARTS}
    # a warning check that failed is named although the run succeeded: 2021-02 has a 属地 conflict
    [line] = [x for x in proc.stdout.splitlines() if "no_error_findings" in x]
    assert "检查未通过（警告）: quality/findings" in line and "错误级别" in line
    assert "[2021-02] 运行" in proc.stdout and "成功（" in proc.stdout

    runs = _runs(cli_env["DAGSTER_HOME"])
    assert [r.tags.get("dagster/partition") for r in runs] == ["2021-01", "2021-02"]
    assert all(r.job_name == "monthly_reporting" for r in runs)
    assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)
    assert all(r.tags.get("trigger") == "cli" for r in runs)
    assert all(r.tags.get("warehouse") == "duckdb-warehouse" for r in runs)
    assert not _marts(cli_env["WAREHOUSE_URL"], "2021-02").empty


def test_cli_range_then_a_failing_period_keeps_previous_marts(cli_env, tmp_path: Path):
    proc = run_cli(cli_env, "--period", "2021-01", "--to", "2021-02")
    assert proc.returncode == 0, proc.stderr[-3000:]
    # one run for the range (a single-run backfill, issue 17), every month reported
    [run] = _runs(cli_env["DAGSTER_HOME"])
    assert run.tags.get("cli_range") == "2021-01..2021-02"
    assert (run.tags["dagster/asset_partition_range_start"],
            run.tags["dagster/asset_partition_range_end"]) == ("2021-01", "2021-02")
    assert "[2021-01] 运行" in proc.stdout and "[2021-02] 运行" in proc.stdout
    assert not _marts(cli_env["WAREHOUSE_URL"], "2021-01").empty
    before = _marts(cli_env["WAREHOUSE_URL"], "2021-02")
    assert not before.empty

    # the office mistypes a weight: the run fails, says which key, and the marts stay
    rules = bad_rules_file(tmp_path / "rules.yaml")
    proc = run_cli(cli_env | {"RULES_FILE": str(rules)}, "--period", "2021-02")
    assert proc.returncode == 1
    assert "red_black.weights.funds" in proc.stderr
    assert "规则文件有误" in proc.stderr and str(rules) in proc.stderr
    assert "失败的月份: 2021-02" in proc.stderr
    pd.testing.assert_frame_equal(before, _marts(cli_env["WAREHOUSE_URL"], "2021-02"))
    last = _runs(cli_env["DAGSTER_HOME"])[-1]
    assert last.status == DagsterRunStatus.FAILURE


def test_cli_broken_warehouse_url_fails_with_the_reason(cli_env):
    env = cli_env | {"WAREHOUSE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/nope"}
    proc = run_cli(env, "--period", "2021-01")
    assert proc.returncode == 1
    assert "staging__submissions" in proc.stderr
    assert "127.0.0.1" in proc.stderr and "port 1" in proc.stderr
    [run] = _runs(cli_env["DAGSTER_HOME"])
    assert run.status == DagsterRunStatus.FAILURE


def test_cli_says_which_month_is_invalid(cli_env):
    proc = run_cli(cli_env, "--period", "2022-13")
    assert proc.returncode != 0
    assert "月份 2022-13 无效" in proc.stderr and "01 到 12" in proc.stderr
    assert "格式" not in proc.stderr  # the format is right; the month is not
    proc = run_cli(cli_env, "--period", "2022-01", "--to", "2022-00")
    assert proc.returncode != 0 and "月份 2022-00 无效" in proc.stderr
    proc = run_cli(cli_env, "--period", "2022-5")
    assert proc.returncode != 0 and "YYYY-MM 格式" in proc.stderr
