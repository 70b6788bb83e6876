"""(d) Two materialisations of the same month at once give what one run gives.

PostgreSQL: both runs complete; writers take turns (an advisory lock held by each write
transaction), so neither sees the other's half-written tables.  DuckDB allows one writer process:
the second run fails cleanly (non-zero exit, a message) or completes after the first."""

from __future__ import annotations

import pytest

from tests.pipeline import dropfolder
from tests.reliability.helpers import assert_same, cli, cli_env, run_period, snapshot

PERIOD = "2021-02"
TABLES = ["marts.target_progress", "marts.city_summary", "marts.four_rates",
          "marts.red_black_list", "marts.performance_assessment", "core.dim_project",
          "core.bridge_project_unit", "core.fact_project_period", "quality.findings",
          "staging.files", "staging.ledger_rows", "staging.file_findings"]


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    """The drop folder (shared: file ids hash the content) and what one run of it gives."""
    tmp = tmp_path_factory.mktemp("one_run")
    root = dropfolder.build(tmp / "drop")
    url = f"duckdb:///{tmp / 'one.duckdb'}"
    assert run_period(url, root, PERIOD, tmp).success
    return root, snapshot(url)


def _two_at_once(url, root, tmp_path):
    procs = [cli(PERIOD, cli_env(url, root, tmp_path / f"p{i}")) for i in range(2)]
    return [(p.wait(timeout=180), *p.communicate()) for p in procs]


def test_two_runs_at_once_on_postgres(postgres_url, tmp_path, one_run):
    """From an empty warehouse: the schema DDL races too (CREATE SCHEMA IF NOT EXISTS)."""
    root, expected = one_run
    results = _two_at_once(postgres_url, root, tmp_path)
    for code, out, err in results:
        assert code == 0, (out, err[-3000:])
    assert_same(expected, snapshot(postgres_url), TABLES)


def test_two_runs_at_once_on_duckdb(tmp_path, one_run):
    root, expected = one_run
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    results = _two_at_once(url, root, tmp_path)
    codes = [code for code, _out, _err in results]
    assert 0 in codes, results
    for code, out, err in results:
        if code != 0:  # the loser says why, in one line per step, and leaves nothing behind
            assert "失败的月份: 2021-02" in err, (out, err[-2000:])
    assert_same(expected, snapshot(url), TABLES)
