"""Fixtures for the orchestration tests: the hand-made drop folder and a CLI environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.pipeline import dropfolder

PYTHON = sys.executable


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    """targets/ + 2021-01 + 2021-02, written with openpyxl (tests/pipeline/dropfolder.py)."""
    return dropfolder.build(tmp_path / "drop")


def bad_rules_file(path: Path) -> Path:
    """reference/rules.yaml with one weight that is not a number (red_black.weights.funds)."""
    text = (REPO / "reference" / "rules.yaml").read_text(encoding="utf-8")
    bad = text.replace("    funds: 40 ", "    funds: 四十 ", 1)
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    return path


@pytest.fixture
def cli_env(tmp_path: Path, drop: Path) -> dict[str, str]:
    """Environment for `python -m pipelines` in a subprocess: everything under tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SUBMISSIONS_DIR", "WAREHOUSE_URL", "DAGSTER_HOME", "REPORTS_DIR",
                        "RULES_FILE")}
    env.update(
        SUBMISSIONS_DIR=str(drop),
        WAREHOUSE_URL=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        REPORTS_DIR=str(tmp_path / "reports"),
        PYTHONPATH=str(REPO),
    )
    return env


def run_cli(env: dict[str, str], *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "pipelines", "materialize", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )


def reporting_job(url: str, drop: Path, reports: Path):
    """The `monthly_reporting` job of pipelines.definitions, on the given warehouse and folder.

    `pipelines.definitions.defs` binds its resources from the environment at import; a test
    builds the same Definitions with its own resources instead.
    """
    from dagster import Definitions, in_process_executor

    from pipelines.definitions import defs
    from runtime.resources import (
        pipeline_resources,
    )

    graph = defs.resolve_asset_graph()
    tmp_defs = Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        resources=pipeline_resources(url, str(drop), str(reports)),
        executor=in_process_executor,
    )
    assert graph.get_all_asset_keys() == tmp_defs.resolve_asset_graph().get_all_asset_keys()
    return tmp_defs.resolve_job_def("monthly_reporting")
