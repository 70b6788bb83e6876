"""Every bad input of the corpus gives a finding, and the rest of the month still runs (issue 10).

Nothing is executed (no process is spawned while the pipeline runs), nothing outside the drop
folder is read, and hostile text reaches SQL only as a bound value.
"""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal

import pytest

from runtime.findings import CHECKS
from runtime.resources import release_warehouses
from runtime.warehouse import Warehouse
from tests.bad_inputs import make_corpus as corpus
from tests.conftest import url_for
from tests.reliability.helpers import run_period

CJK = re.compile(r"[\u4e00-\u9fff]")
ROW_LEVEL = {"invalid_value", "invalid_date", "missing_amount", "amount_outlier", "dropped_row"}


def refuse_processes(mp: pytest.MonkeyPatch) -> list[str]:
    """Spawning anything (a shell, a DDE target, calc.exe) during a run fails the test."""
    calls: list[str] = []

    def refuse(name):
        def _refuse(*args, **kwargs):
            calls.append(f"{name}{args[:1]}")
            raise AssertionError(f"{name} called during ingest: {args[:1]}")
        return _refuse

    mp.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    for name in ("system", "popen", "posix_spawn", "posix_spawnp", "execv", "execve", "execvp",
                 "fork", "spawnv", "spawnve", "startfile"):
        if hasattr(os, name):
            mp.setattr(os, name, refuse(f"os.{name}"))
    return calls


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def corpus_run(request, tmp_path_factory):
    """The corpus, run for 2021-01 and 2021-02 once per warehouse (shared by this module)."""
    tmp_path = tmp_path_factory.mktemp(f"corpus_{request.param}")
    url = url_for(request.param, tmp_path)
    root = corpus.build(tmp_path / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        calls = refuse_processes(mp)
        first = run_period(url, root, "2021-01", tmp_path)
        second = run_period(url, root, corpus.MONTH, tmp_path)
    assert calls == [], calls
    yield url, root, first, second
    release_warehouses()


def _findings(wh: Warehouse):
    return wh.read("SELECT * FROM quality.findings")


def test_every_bad_input_gives_a_finding_and_the_month_runs(corpus_run):
    url, root, first, second = corpus_run
    assert first.success and second.success
    wh = Warehouse(url)
    try:
        files = wh.read("SELECT source_file, status, unit_name FROM staging.files")
        status = dict(zip(files.source_file, files.status))
        findings = _findings(wh)
        for name, (_builder, check, expected_status) in corpus.BAD_FILES.items():
            source = f"{corpus.MONTH}/{name}"
            assert status.get(source) == expected_status, (source, status.get(source))
            if check is None:
                continue
            mine = findings[(findings.source_file == source) & (findings.check_name == check)]
            assert len(mine), f"no {check} finding for {source}"
            for row in mine.itertuples():
                assert row.severity == CHECKS[check]
                assert CJK.search(row.message), row.message
                if check in ROW_LEVEL:
                    assert row.source_sheet == "项目表" and row.source_row > 3, row
        # the healthy part of the month is complete
        tp = wh.read("SELECT unit_name, indicator, actual FROM marts.target_progress "
                     "WHERE period = '2021-02'")
        got = {(r.unit_name, r.indicator): r.actual for r in tp.itertuples()}
        assert Decimal(str(got[("柳南区", "funds_in_place")])) == Decimal("3")
        assert Decimal(str(got[("柳南区", "new_projects")])) == 2
        assert Decimal(str(got[("柳江区", "new_projects")])) == 1
    finally:
        wh.dispose()


def test_specific_outcomes(corpus_run):
    url, _root, _first, _second = corpus_run
    wh = Warehouse(url)
    try:
        files = wh.read("SELECT source_file, status, unit_name FROM staging.files")
        unit = dict(zip(files.source_file, files.unit_name))
        m = corpus.MONTH
        # the workbook's own words win over its folder name; the city is no submitter
        assert unit[f"{m}/柳北区/项目台账.xlsx"] == "三江县"
        assert unit[f"{m}/市工信局.xlsx"] == "市工业和信息化局"
        rows = wh.read("SELECT source_file, source_row, project_name, investor, "
                       "total_investment, funds_this_year, funds_this_year_raw "
                       "FROM staging.ledger_rows")
        # a million-character cell is cut to 500 characters
        huge = rows[rows.source_file == f"{m}/城中区_百万字单元格.xlsx"]
        assert huge.project_name.str.len().max() == 500
        # 1e30 never reaches a DECIMAL column; -5 is kept (with a warning)
        amounts = rows[rows.source_file == f"{m}/融水县_极端金额.xlsx"]
        assert amounts.total_investment.isna().sum() == 2  # -5 and 1e30 are not loaded
        assert Decimal(str(amounts.total_investment.dropna().min())) == 2
        # cached formula errors are reported by their text, never evaluated
        errors = rows[rows.source_file == f"{m}/鹿寨县_公式错误.xlsx"]
        assert set(errors.funds_this_year_raw) == {"#DIV/0!"}
        findings = _findings(wh)
        text = " ".join(findings.message)
        assert "#REF!" in text and "#DIV/0!" in text
        # 1900 and 2999 are flagged, not loaded as dates
        dates = wh.read("SELECT signed_on FROM staging.ledger_rows WHERE source_file = :f",
                        {"f": f"{m}/融安县_极端日期.xlsx"})
        assert dates.signed_on.isna().all()
    finally:
        wh.dispose()


def test_hostile_text_is_data(corpus_run):
    url, _root, _first, _second = corpus_run
    wh = Warehouse(url)
    try:
        # the tables the SQL fragments name are all still there, with rows
        for table in ("staging.files", "staging.ledger_rows", "core.dim_project",
                      "quality.findings", "marts.target_progress"):
            assert wh.scalar(f"SELECT COUNT(*) FROM {table}") > 0, table
        rows = wh.read("SELECT project_name, investor, source_row FROM staging.ledger_rows "
                       "WHERE source_file = :f", {"f": f"{corpus.MONTH}/市投资促进局_注入.xlsx"})
        by_row = {r.source_row: (r.project_name, r.investor) for r in rows.itertuples()}
        assert by_row[4] == (corpus.SQL_NAME, corpus.SQL_INVESTOR)  # verbatim, bound values
        assert by_row[5][1] == corpus.DDE  # text that looks like a formula stays text
        assert by_row[7][0].startswith("=HYPERLINK(")
        # the real DDE formula has no cached value: a finding naming the cell, never a name
        # (issue 20: it used to be dropped as a row without a name)
        found = _findings(wh).query("check_name == 'invalid_value' and source_row == 6")
        found = found[found.source_file.str.endswith("注入.xlsx")]
        assert len(found) == 1 and "C6" in found.message.iloc[0], found.message.tolist()
        assert by_row[6][0] is None
        assert corpus.SQL_NAME in set(wh.read("SELECT project_name FROM core.dim_project")
                                      .project_name)
    finally:
        wh.dispose()


def test_nothing_outside_the_drop_folder_is_read(corpus_run):
    url, root, _first, _second = corpus_run
    wh = Warehouse(url)
    try:
        files = wh.read("SELECT source_file FROM staging.files")
        for source in files.source_file:
            assert not source.startswith("/") and "/../" not in f"/{source}/", source
            assert (root / source).resolve().is_relative_to(root.resolve())
            assert not (root / source).is_symlink()
        names = set(files.source_file)
        assert not any(("passwd" in n or "外部目录" in n or "上月副本" in n) for n in names)
        assert list(files.source_file).count("2021-01/柳南区.xlsx") == 1
        projects = set(wh.read("SELECT project_name FROM staging.ledger_rows").project_name)
        assert "外部目录项目" not in projects
        skipped = _findings(wh).query("check_name == 'skipped_file'")
        for link in corpus.SYMLINKS:
            hit = skipped[skipped.source_file == f"{corpus.MONTH}/{link}"]
            assert len(hit) == 1 and "符号链接" in hit.message.iloc[0], link
            assert "/etc" not in hit.message.iloc[0]
    finally:
        wh.dispose()


def test_no_phone_number_leaves_staging(corpus_run):
    url, *_ = corpus_run
    wh = Warehouse(url)
    try:
        for table in ("quality.findings", "marts.target_progress", "marts.red_black_list",
                      "marts.performance_assessment", "marts.city_summary", "core.dim_project"):
            text = wh.read(f"SELECT * FROM {table}").astype(str).to_string()
            assert corpus.PHONE not in text, table
    finally:
        wh.dispose()
