"""Bounded resources: MAX_FILE_MB and MAX_ROWS_PER_SHEET turn an oversized file into a finding."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from assets.ingest.load import ingest
from assets.ingest.parse import parse_file
from assets.ingest.workbook import Limits
from runtime.rules import load_rules
from runtime.settings import Settings
from runtime.warehouse import Warehouse
from tests.bad_inputs import make_corpus as corpus
from tests.pipeline import dropfolder


def _many_rows(path: Path, n: int) -> Path:
    rows = [["新材料", f"批量项目{i}", f"批量公司{i}", 2, 0.5, None, "2021年2月", "已签约", "否", None]
            for i in range(n)]
    return dropfolder.ledger(path, "柳北区", "2021-02", rows)


def test_limits_from_settings():
    rules = load_rules()
    settings = Settings.from_env({"MAX_FILE_MB": "0.5", "MAX_ROWS_PER_SHEET": "300"})
    limits = Limits.from_settings(settings, rules)
    assert limits.max_bytes == 512 * 1024 and limits.max_rows == 300
    assert Limits.from_settings(Settings.from_env({}), rules) == Limits()
    for bad in ("0", "-1", "abc", "nan", "inf"):
        with pytest.raises(ValueError, match="MAX_FILE_MB"):
            Settings.from_env({"MAX_FILE_MB": bad})


@pytest.mark.parametrize("env, check_file", [
    ({"MAX_ROWS_PER_SHEET": "100"}, "2021-02/柳北区_多行.xlsx"),
    ({"MAX_FILE_MB": "0.1"}, "2021-02/鱼峰区_十万空白行.xlsx"),
])
def test_oversized_file_is_a_finding(tmp_path, monkeypatch, env, check_file):
    root = dropfolder.build(tmp_path / "drop")
    _many_rows(root / "2021-02" / "柳北区_多行.xlsx", 300)
    corpus.blank_formatted_rows(root / "2021-02" / "鱼峰区_十万空白行.xlsx")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    wh = Warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        wh.create_schema()
        ingest(wh, root)
        files = wh.read("SELECT source_file, status FROM staging.files")
        status = dict(zip(files.source_file, files.status))
        assert status[check_file] == "quarantined"
        assert status["2021-02/柳南区.xlsx"] == "loaded"  # the rest of the month is read
        found = wh.read("SELECT * FROM quality.findings WHERE check_name = 'oversized_file'")
        assert list(found.source_file) == [check_file]
        assert found.severity.item() == "error" and "超过上限" in found.message.item()
    finally:
        wh.dispose()


def test_oversized_file_is_refused_before_it_is_read(tmp_path):
    """A file over the byte limit is refused from its size alone: memory stays flat."""
    path = corpus.blank_formatted_rows(tmp_path / "big.xlsx")
    tracemalloc.start()
    parsed = parse_file(path, "2021-02/big.xlsx", "2021-02",
                        limits=Limits(max_bytes=100 * 1024))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert parsed.status == "quarantined"
    assert [f.check_name for f in parsed.findings] == ["oversized_file"]
    assert peak < 2 * 1024 * 1024
