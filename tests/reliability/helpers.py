"""Shared by the reliability tests: runs (in process and through the CLI) and warehouse snapshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MARTS = ["target_progress", "city_summary", "four_rates", "red_black_list",
         "performance_assessment"]
CORE = ["dim_project", "bridge_project_unit", "fact_project_period", "fact_target",
        "fact_activity", "fact_reserve_project"]
# run timestamps differ between runs by design; everything else must not
VOLATILE = {"first_seen_at", "parsed_at"}


def run_period(url: str, root: Path, period: str, tmp_path: Path,
               instance: DagsterInstance | None = None):
    """One in-process Dagster run of staging → core → marts (+ checks); returns the result."""
    resources = pipeline_resources(url, str(root), str(tmp_path / "reports"))
    try:
        return materialize(
            [staging_submissions, core_model, marts_for_period, *asset_checks],
            partition_key=period, resources=resources,
            instance=instance or DagsterInstance.ephemeral(), raise_on_error=False,
        )
    finally:
        release_warehouses()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=[c for c in df.columns if c in VOLATILE])
    key = df.astype(str).apply("|".join, axis=1) if len(df) else pd.Series([], dtype=str)
    return df.iloc[key.argsort(kind="stable")].reset_index(drop=True) if len(df) else df


def snapshot(url: str, layers: tuple[str, ...] = ("marts", "core", "quality", "staging")
             ) -> dict[str, pd.DataFrame]:
    """Every table of the given layers, sorted, as text (so DuckDB and PostgreSQL compare)."""
    wh = Warehouse(url)
    out: dict[str, pd.DataFrame] = {}
    try:
        tables = []
        if "marts" in layers:
            tables += [f"marts.{t}" for t in MARTS]
        if "core" in layers:
            tables += [f"core.{t}" for t in CORE]
        if "quality" in layers:
            tables.append("quality.findings")
        if "staging" in layers:
            tables += ["staging.files", "staging.ledger_rows", "staging.file_findings"]
        for table in tables:
            out[table] = _sorted(wh.read(f"SELECT * FROM {table}").astype(str))
    finally:
        wh.dispose()
    return out


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame],
                tables: list[str] | None = None) -> None:
    for name in tables or sorted(set(a) & set(b)):
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def differs(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], table: str) -> bool:
    try:
        pd.testing.assert_frame_equal(a[table], b[table])
    except AssertionError:
        return True
    return False


def cli_env(url: str, root: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ZS_FAULT_AT"}
    env.update(SUBMISSIONS_DIR=str(root), WAREHOUSE_URL=url,
               DAGSTER_HOME=str(tmp_path / "dagster_home_cli"),
               REPORTS_DIR=str(tmp_path / "reports_cli"), PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def cli(period: str, env: dict[str, str]) -> subprocess.Popen:
    """`python -m pipelines materialize --period …` as a separate process."""
    return subprocess.Popen(
        [PYTHON, "-m", "pipelines", "materialize", "--period", period],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
