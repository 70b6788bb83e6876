"""A month rebuilt on its own takes the 红黑榜 of earlier list months from their stored marts
when those are current (issue 17): the same marts as rebuilding those lists, and really read
back (a list changed behind the pipeline's back shows in the next month's 绩效考评)."""

from __future__ import annotations

import os
from dataclasses import replace

import pandas as pd
import pytest

from assets.conform.assets import build_core
from assets.ingest.load import ingest
from assets.marts.assets import MARTS, build_periods
from runtime.rules import load_rules
from runtime.warehouse import Warehouse
from tests.conftest import url_for
from tests.pipeline import dropfolder

MONTHS = ["2021-01", "2021-02"]


def _marts(wh: Warehouse, period: str) -> dict[str, pd.DataFrame]:
    out = {}
    for m in MARTS:
        df = wh.read(f"SELECT * FROM marts.{m} WHERE period = :p", {"p": period}).astype(str)
        out[m] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return out


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_february_reads_january_s_list_back_and_equals_a_full_rebuild(backend, tmp_path):
    rules = load_rules()
    rules = replace(rules, red_black=replace(rules.red_black, cadence="monthly"))
    root = dropfolder.build(tmp_path / "drop")
    wh = Warehouse(url_for(backend, tmp_path))
    wh.create_schema()
    try:
        ingest(wh, root)
        build_core(wh)
        assert build_periods(wh, MONTHS, rules) == MONTHS
        january = wh.read("SELECT unit_name, list FROM marts.red_black_list "
                          "WHERE period = '2021-01'")
        assert len(january)
        b = ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.8, None, "2021.1",
             "已开工", "否", "市工业和信息化局"]
        path = dropfolder.ledger(root / "2021-02" / "柳南区.xlsx", "柳南区", "2021-02", [b])
        os.utime(path, (1_700_000_000, 1_700_000_000))
        ingest(wh, root)
        build_core(wh)
        assert build_periods(wh, MONTHS, rules) == ["2021-02"]  # January's inputs unchanged
        incremental = _marts(wh, "2021-02")
        build_periods(wh, MONTHS, rules, force=True)  # forced: every list rebuilt from core
        forced = _marts(wh, "2021-02")
        for m in MARTS:
            pd.testing.assert_frame_equal(incremental[m], forced[m], obj=m)
        # January's stored list, changed behind the pipeline's back, is what February reads
        assert set(january["list"].dropna()) != {"red"}
        with wh.transaction() as tx:
            tx.execute("UPDATE marts.red_black_list SET list = 'red' WHERE period = '2021-01'")
        b[4] = 0.9
        path = dropfolder.ledger(root / "2021-02" / "柳南区.xlsx", "柳南区", "2021-02", [b])
        os.utime(path, (1_700_000_100, 1_700_000_100))
        ingest(wh, root)
        build_core(wh)
        assert build_periods(wh, MONTHS, rules) == ["2021-02"]
        read_back = _marts(wh, "2021-02")
        build_periods(wh, MONTHS, rules, force=True)
        rebuilt = _marts(wh, "2021-02")
        assert not read_back["performance_assessment"].equals(rebuilt["performance_assessment"])
        pd.testing.assert_frame_equal(read_back["target_progress"], rebuilt["target_progress"])
    finally:
        wh.dispose()
