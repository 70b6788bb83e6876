"""docs/data_dictionary.md is up to date with the DDL comments."""

from __future__ import annotations

from pipelines import data_dictionary
from runtime.warehouse import Warehouse
from tests.conftest import REPO

COMMITTED = REPO / "docs" / "data_dictionary.md"


def test_committed_dictionary_is_up_to_date(tmp_path):
    out = data_dictionary.write(f"duckdb:///{tmp_path / 'fresh.duckdb'}", tmp_path / "dd.md")
    fresh = out.read_text(encoding="utf-8")
    assert fresh == COMMITTED.read_text(encoding="utf-8"), (
        "docs/data_dictionary.md is stale: run `python -m pipelines.data_dictionary`")
    assert "`marts.red_black_list`" in fresh and "上榜理由" in fresh
    assert "| `completion_rate` | DOUBLE | 完成率 |" in fresh


def test_cli_and_postgres_give_the_same_document(postgres_url, tmp_path):
    out = tmp_path / "pg.md"
    assert data_dictionary.main(["--url", postgres_url, "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    Warehouse(postgres_url).dispose()
