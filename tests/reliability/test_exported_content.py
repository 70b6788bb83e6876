"""No phone number leaves staging: not in the run's log lines and event log, not in
quality.findings, core or the marts, not in the 通报; and the BI role cannot read staging."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from dagster import DagsterInstance
from dagster._serdes import serialize_value

from runtime.bi_role import grant_bi_role
from runtime.warehouse import Warehouse
from tests.bad_inputs import make_corpus as corpus
from tests.conftest import BI_ROLE
from tests.reliability.helpers import cli, cli_env, run_period

PHONES = [corpus.PHONE, "13912345678", "13712345678", "15800001111", "18677778888",
          "13600001234"]
PERIOD = corpus.MONTH


def phone_world(root: Path) -> Path:
    """The corpus plus a ledger that puts mobile numbers everywhere a clerk might."""
    rows = [
        # the contact column (kept in staging only)
        ["新材料", "柳北电话项目一", "柳北某公司", 2, 0.5, PHONES[1], "2021年2月", "已签约", "否", None],
        # a number inside an amount cell: an invalid value whose message echoes the cell
        ["新材料", "柳北电话项目二", "柳北另一公司", 2, f"电话{PHONES[2]}", None, "2021年2月",
         "已签约", "否", None],
        # a row without a project name: dropped, its content summarised in the finding
        ["新材料", None, f"联系人{PHONES[3]}", 2, 0.5, PHONES[3], "2021年2月", "已签约", "否", None],
        # a number inside the project name (kept, masked, in core and the marts)
        ["新材料", f"柳北项目（联系人{PHONES[5]}）", "柳北第四公司", 2, 0.5, None, "2021年2月",
         "已签约", "否", None],
        # a number inside the status column (unknown_status echoes the cell)
        ["新材料", "柳北电话项目三", "柳北第三公司", 2, 0.5, None, "2021年2月",
         f"请联系{PHONES[4]}", "否", None],
    ]
    corpus.ledger(root / PERIOD / "柳北区_电话.xlsx", "柳北区", rows)
    return root


def _text_of_reports(folder: Path) -> str:
    parts = []
    for path in folder.rglob("*"):
        if path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, read_only=True)
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    parts.extend(str(v) for v in row if v is not None)
        elif path.is_file():
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def _assert_no_phone(text: str, where: str) -> None:
    for phone in PHONES:
        assert phone not in text, f"{phone} in {where}"
    # and nothing that looks like a mobile number at all; not inside a hex id or hash (run ids and
    # content hashes hold 11-digit runs by chance) nor in a float's decimals
    hit = re.search(r"(?<![0-9A-Za-z.])1[3-9]\d{9}(?![0-9A-Za-z])", text)
    context = text[max(0, hit.start() - 80):hit.end() + 80] if hit else ""
    assert hit is None, f"{hit.group(0)} in {where}: …{context}…"


def test_no_phone_number_in_logs_findings_marts_or_reports(tmp_path):
    root = phone_world(corpus.build(tmp_path / "corpus"))
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    env = cli_env(url, root, tmp_path)
    proc = cli(PERIOD, env)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err[-3000:]
    _assert_no_phone(out + err, "the CLI's output")

    # every event of every run, from the instance the CLI wrote to
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
        assert runs
        for run in runs:
            logs = instance.all_logs(run.run_id)
            assert logs
            _assert_no_phone("\n".join(serialize_value(e) for e in logs), "the event log")
    for path in Path(env["DAGSTER_HOME"]).rglob("*"):  # captured compute logs, if any
        if path.is_file() and path.suffix in (".out", ".err", ".log", ".txt"):
            _assert_no_phone(path.read_text(errors="replace"), str(path))

    wh = Warehouse(url)
    try:
        # the numbers did reach staging (so the test means something) …
        staged = wh.read("SELECT * FROM staging.ledger_rows").astype(str).to_string()
        assert PHONES[1] in staged
        # … and went no further
        tables = ["quality.findings", "core.dim_project", "core.bridge_project_unit",
                  "core.fact_project_period", "marts.target_progress", "marts.city_summary",
                  "marts.four_rates", "marts.red_black_list", "marts.performance_assessment"]
        for table in tables:
            _assert_no_phone(wh.read(f"SELECT * FROM {table}").astype(str).to_csv(), table)
        masked = wh.read("SELECT message FROM quality.findings WHERE source_file = :f",
                         {"f": f"{PERIOD}/柳北区_电话.xlsx"})
        assert any("***" in m for m in masked.message)
    finally:
        wh.dispose()
    _assert_no_phone(_text_of_reports(Path(env["REPORTS_DIR"])), "the 通报")


def test_bi_role_cannot_read_staging(postgres_url, tmp_path):
    root = corpus.build(tmp_path / "corpus", symlinks=False)
    assert run_period(postgres_url, root, PERIOD, tmp_path).success
    wh = Warehouse(postgres_url)
    try:
        assert grant_bi_role(wh, BI_ROLE)  # the session's own role name
    finally:
        wh.dispose()
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET ROLE {BI_ROLE}")
            assert conn.exec_driver_sql("SELECT count(*) FROM marts.target_progress").scalar()
            assert conn.exec_driver_sql("SELECT count(*) FROM quality.findings").scalar()
            for table in ("staging.files", "staging.ledger_rows", "staging.dropped_rows"):
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    conn.exec_driver_sql(f"SELECT contact_phone FROM {table}"
                                         if table == "staging.ledger_rows"
                                         else f"SELECT * FROM {table}")
                conn.rollback()
                conn.exec_driver_sql(f"SET ROLE {BI_ROLE}")
    finally:
        engine.dispose()
