"""(b) An exception in any asset leaves the previous core and marts intact; (c) running the
same period twice gives identical marts and findings; a blocking check keeps the old marts."""

from __future__ import annotations

import pytest

import assets.conform.assets as conform_assets
import assets.ingest.load as load
import assets.marts.assets as marts_assets
from runtime.warehouse import Tx
from tests.bad_inputs import make_corpus as corpus
from tests.pipeline import dropfolder
from tests.reliability.helpers import assert_same, differs, run_period, snapshot
from tests.reliability.test_kill import CORE, MARTS, PERIOD, change_month

STAGING = ["staging.files", "staging.ledger_rows", "staging.file_findings"]


def _boom(*_args, **_kwargs):
    raise RuntimeError("injected fault")


def _replace_fails_on_third_mart(monkeypatch):
    """The marts transaction dies after two of the five marts were replaced."""
    original = Tx.replace
    seen: list[str] = []

    def replace(self, table, df, where=None):
        if table.startswith("marts."):
            seen.append(table)
            if len(seen) == 3:
                raise RuntimeError("injected fault mid-transaction")
        return original(self, table, df, where)

    monkeypatch.setattr(Tx, "replace", replace)


# fault → (how to inject it, the tables that must equal the last completed run)
FAULTS = {
    "ingest_parse": (lambda mp: mp.setattr(load, "resolve_supersession", _boom),
                     [*STAGING, *CORE, *MARTS, "quality.findings"]),
    "ingest_write": (lambda mp: mp.setattr(load, "_link_findings", _boom),
                     [*STAGING, *CORE, *MARTS, "quality.findings"]),
    "conform": (lambda mp: mp.setattr(conform_assets, "conform", _boom), [*CORE, *MARTS]),
    "marts": (lambda mp: mp.setattr(marts_assets, "build_marts", _boom), MARTS),
    "marts_mid_transaction": (_replace_fails_on_third_mart, MARTS),
}


# every fault on DuckDB; on PostgreSQL the ones that roll back an open transaction, and conform
CASES = [("duckdb", f) for f in FAULTS] + [
    ("postgres", f) for f in ("ingest_write", "conform", "marts_mid_transaction")]


@pytest.mark.parametrize("backend, fault", CASES)
def test_exception_in_an_asset_keeps_previous_tables(request, tmp_path, monkeypatch, backend,
                                                      fault):
    warehouse_url = request.getfixturevalue(f"{backend}_url")
    root = dropfolder.build(tmp_path / "drop")
    assert run_period(warehouse_url, root, PERIOD, tmp_path).success
    before = snapshot(warehouse_url)
    change_month(root)
    inject, intact = FAULTS[fault]
    with monkeypatch.context() as mp:
        inject(mp)
        result = run_period(warehouse_url, root, PERIOD, tmp_path)
    assert not result.success
    after = snapshot(warehouse_url)
    assert_same(before, after, intact)
    # and without the fault the run goes through and brings the change in
    assert run_period(warehouse_url, root, PERIOD, tmp_path).success
    assert differs(before, snapshot(warehouse_url), "marts.target_progress")


def test_same_period_twice_is_identical(warehouse_url, tmp_path):
    root = corpus.build(tmp_path / "corpus")
    assert run_period(warehouse_url, root, corpus.MONTH, tmp_path).success
    first = snapshot(warehouse_url)
    assert run_period(warehouse_url, root, corpus.MONTH, tmp_path).success
    assert_same(first, snapshot(warehouse_url))  # marts, core, findings and staging


def test_blocking_check_keeps_previous_marts(tmp_path):
    """A 万元 figure in a 亿元 column is loaded with an amount_outlier warning; the blocking
    check on core.fact_project_period then stops the marts: the previous ones stay."""
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    root = dropfolder.build(tmp_path / "drop")
    assert run_period(url, root, PERIOD, tmp_path).success
    before = snapshot(url)
    corpus.wan_in_yi_column(root / PERIOD / "融水县.xlsx")
    assert not run_period(url, root, PERIOD, tmp_path).success
    assert_same(before, snapshot(url), MARTS)
