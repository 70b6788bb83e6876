"""`python -m pipelines export-bi`: a BI copy of the DuckDB warehouse without staging (issue 18)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

from tests.conftest import REPO
from tests.orchestration.conftest import PYTHON, run_cli

PHONE = "13812345678"  # in a ledger of the hand-made drop folder (联系电话)


def _export(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "pipelines", "export-bi", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)


def _texts(con) -> list[str]:
    cols = con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                       "WHERE data_type = 'VARCHAR' AND NOT internal").fetchall()
    out = []
    for schema, table, col in cols:
        out += [v for (v,) in con.execute(f'SELECT "{col}" FROM {schema}.{table}').fetchall()
                if v is not None]
    return out


def test_export_has_marts_views_and_comments_but_no_staging(cli_env, tmp_path: Path):
    assert run_cli(cli_env, "--period", "2021-01").returncode == 0
    source = cli_env["WAREHOUSE_URL"].removeprefix("duckdb:///")
    with duckdb.connect(source, read_only=True) as con:
        assert any(PHONE in t for t in _texts(con))  # the warehouse itself has it, in staging
        src_rows = con.execute("SELECT count(*) FROM marts.red_black_list").fetchone()[0]

    out = tmp_path / "bi" / "warehouse_bi.duckdb"
    out.parent.mkdir()
    proc = _export(cli_env, "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert str(out) in proc.stdout and "nanobind" not in proc.stderr
    with duckdb.connect(str(out), read_only=True) as con:
        schemas = {s for (s,) in con.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE NOT internal").fetchall()}
        assert {"core", "marts", "quality", "bi"} <= schemas and "staging" not in schemas
        assert con.execute("SELECT count(*) FROM marts.red_black_list").fetchone()[0] == src_rows
        assert con.execute("SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
                           "AND table_name = 'target_progress' AND column_name = 'period'"
                           ).fetchone()[0] == "统计期"
        latest = con.execute('SELECT DISTINCT "统计期" FROM bi.red_black_list_latest').fetchall()
        assert latest == [("2021-01",)]
        assert not any(PHONE in t for t in _texts(con))
    # the default name sits next to the warehouse
    proc = _export(cli_env)
    assert proc.returncode == 0 and Path(source.removesuffix(".duckdb") + "_bi.duckdb").is_file()


def test_export_refuses_postgresql_and_a_missing_file(cli_env, tmp_path: Path):
    env = cli_env | {"WAREHOUSE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/x"}
    proc = _export(env, "--out", str(tmp_path / "x.duckdb"))
    assert proc.returncode == 1 and "只有 DuckDB 仓库可以导出副本" in proc.stderr
    proc = _export(cli_env, "--out", str(tmp_path / "x.duckdb"))  # nothing materialised yet
    assert proc.returncode == 1 and "仓库文件不存在" in proc.stderr
    assert not (tmp_path / "x.duckdb").exists()
