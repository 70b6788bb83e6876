"""The CLI after a failure (issue 20): a blocking check names the files and cells that failed
it, and a killed run is marked failed in Dagster's run history on the next start."""

from __future__ import annotations

import os
import signal
import subprocess

import pandas as pd
import pytest
from dagster import DagsterInstance, DagsterRunStatus

from tests.bad_inputs import make_corpus as corpus
from tests.pipeline import dropfolder
from tests.reliability.helpers import PYTHON, REPO, cli, cli_env

PERIOD = "2021-02"


def _runs(home) -> list:
    with DagsterInstance.from_config(str(home)) as instance:
        return list(reversed(instance.get_runs()))  # oldest first


def test_blocking_check_line_names_the_files_and_cells(tmp_path):
    root = dropfolder.build(tmp_path / "drop")
    corpus.wan_in_yi_column(root / PERIOD / "融水县.xlsx")  # 5000 亿元: the blocking range check
    env = cli_env(f"duckdb:///{tmp_path / 'w.duckdb'}", root, tmp_path)
    out, err = cli(PERIOD, env).communicate(timeout=600)
    assert "失败的月份: 2021-02" in err, (out, err[-3000:])
    (line,) = [x for x in err.splitlines() if "阻止生成集市" in x]
    assert "fact_project_period_valid" in line
    assert f"{PERIOD}/融水县.xlsx「项目表」第4行" in line, line  # the file and the cell


@pytest.mark.parametrize("point", ["staging_tx", "marts_tx"])
def test_a_killed_run_is_marked_failed_on_the_next_start(tmp_path, point):
    root = dropfolder.build(tmp_path / "drop")
    env = cli_env(f"duckdb:///{tmp_path / 'w.duckdb'}", root, tmp_path)
    killed = cli(PERIOD, env | {"ZS_FAULT_AT": point})
    killed.communicate(timeout=600)
    assert killed.returncode == 137
    (run,) = _runs(env["DAGSTER_HOME"])
    assert run.status == DagsterRunStatus.STARTED  # what the history said before (issue 20)

    proc = cli(PERIOD, env)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    assert f"运行 {run.run_id[:8]} 上次未正常结束" in err
    first, second = _runs(env["DAGSTER_HOME"])
    assert first.run_id == run.run_id and first.status == DagsterRunStatus.FAILURE
    assert second.status == DagsterRunStatus.SUCCESS


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_a_file_that_kills_its_parser_is_that_files_problem(backend, tmp_path, monkeypatch):
    """With INGEST_WORKERS=2, a file whose parsing process dies (ZS_FAULT_AT=parse:<file>, as
    os._exit(137)) used to break the pool and fail the run: now only that file is quarantined
    and every other file's rows are those of a run without it."""
    from assets.ingest.load import ingest
    from runtime.resources import release_warehouses
    from runtime.warehouse import Warehouse
    from tests.conftest import url_for

    culprit = f"{PERIOD}/柳江区.xlsx"

    def staged(root, folder) -> tuple:
        wh = Warehouse(url_for(backend, folder))
        try:
            wh.create_schema()
            ingest(wh, root)
            rows = wh.read("SELECT source_file, source_row, project_name, total_investment "
                           "FROM staging.ledger_rows ORDER BY source_file, source_row")
            files = wh.read("SELECT source_file, status FROM staging.files")
            findings = wh.read("SELECT source_file, check_name FROM quality.findings")
            return rows.astype(str), dict(zip(files.source_file, files.status)), findings
        finally:
            wh.dispose()
            release_warehouses()

    base_root = dropfolder.build(tmp_path / "base")
    (base_root / culprit).unlink()
    (tmp_path / "b").mkdir()
    expected_rows, expected_files, _ = staged(base_root, tmp_path / "b")

    root = dropfolder.build(tmp_path / "drop")
    monkeypatch.setenv("INGEST_WORKERS", "2")
    monkeypatch.setenv("ZS_FAULT_AT", f"parse:{culprit}")
    (tmp_path / "h").mkdir()
    rows, files, findings = staged(root, tmp_path / "h")
    assert files.pop(culprit) == "quarantined"
    assert files == expected_files
    pd.testing.assert_frame_equal(rows, expected_rows)
    mine = findings[findings.source_file == culprit]
    assert list(mine.check_name) == ["unreadable_file"]


_INGEST = """
import sys
from pathlib import Path
from assets.ingest.load import ingest
from runtime.warehouse import Warehouse
wh = Warehouse(sys.argv[1])
wh.create_schema()
ingest(wh, Path(sys.argv[2]))
"""


def test_a_killed_parser_does_not_hang_ingest_when_the_others_ignore_sigterm(tmp_path):
    """A parsing process can ignore SIGTERM: a process started with SIGINT ignored (`… &` in a
    script, as CI starts a suite) ignores SIGTERM too once Dagster has run in it (Dagster maps
    SIGTERM to SIGINT's handler), and the parsing processes it starts inherit that.  When one
    died, the pool's SIGTERM to the others went unheard and ingest waited for ever (Python 3.12;
    the CI timeout of stop 26).  Here every other parsing process stops hearing SIGTERM once it
    parses a file (ZS_FAULT_AT deaf:…): ingest still ends, the culprit quarantined and every
    other file loaded."""
    from runtime.warehouse import Warehouse

    culprit = f"{PERIOD}/柳江区.xlsx"
    root = dropfolder.build(tmp_path / "drop")
    others = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*.xls*"))]
    faults = "|".join([f"parse:{culprit}", *(f"deaf:parse:{f}" for f in others if f != culprit)])
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    env = cli_env(url, root, tmp_path, INGEST_WORKERS="2", ZS_FAULT_AT=faults)
    proc = subprocess.Popen([PYTHON, "-c", _INGEST, url, str(root)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("ingest hung after a parsing process died")
    assert proc.returncode == 0, err[-3000:]
    wh = Warehouse(url)
    try:
        files = wh.read("SELECT source_file, status FROM staging.files")
    finally:
        wh.dispose()
    status = dict(zip(files.source_file, files.status))
    assert status.pop(culprit) == "quarantined"
    assert set(status.values()) == {"loaded", "skipped"}, status  # only the culprit is lost
