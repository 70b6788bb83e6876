"""The benchmark harness runs end to end at smoke scale (issue 9).  Never asserts on timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHASES = ["a_read", "b_naive", "c_pipeline", "d_rerun", "e_resubmit"]


def test_benchmark_smoke(tmp_path):
    name = f"smoke-test-{os.getpid()}"  # another suite may run beside this one
    result_file = REPO / "benchmarks" / "results" / f"{name}.json"
    result_file.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--scale", "smoke", "--name", name,
         "--work", str(tmp_path / "work")],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    try:
        result = json.loads(result_file.read_text(encoding="utf-8"))
    finally:
        result_file.unlink(missing_ok=True)
    assert set(PHASES) <= set(result["phases"])
    for phase in PHASES:
        info = result["phases"][phase]
        assert info["wall_s"] > 0 and info["peak_rss_mb"] > 0 and info["cpu_s"] > 0
    assert result["phases"]["c_pipeline"]["files_parsed"] > 0
    assert result["phases"]["d_rerun"]["files_parsed"] == 0
    assert result["phases"]["e_resubmit"]["files_parsed"] == 1
    assert result["ledger_rows"] > 0
    assert {"c_over_a", "c_over_b"} <= set(result["ratios"])
    phases = result["phases"]
    for key, base in (("c_over_a", "a_read"), ("c_over_b", "b_naive")):
        expected = phases["c_pipeline"]["wall_s"] / phases[base]["wall_s"]
        assert abs(result["ratios"][key] - expected) <= 0.001 + 0.01 * expected, key


def test_a_name_correction_renames_one_project_and_nothing_else(tmp_path):
    """`--resubmit-change name`: the corrected copy differs from the ledger in one project name
    only (the first project's), so matching meets a key no build has seen."""
    import openpyxl

    from benchmarks.run import resubmit

    folder = tmp_path / "drop" / "2022-06"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["柳南区2022年招商引资项目统计表"])
    ws.append(["序号", "项目名称", "投资总额（亿元）"])
    ws.append([1, "柳州汽车零部件产业园", 3.5])
    ws.append([2, "柳南物流中心", 1.25])
    ws.append([None, None, None])
    wb.save(folder / "柳南区2022年6月招商引资项目统计表.xlsx")
    target = resubmit(tmp_path / "drop", change="name")
    rows = [list(r) for r in openpyxl.load_workbook(target).active.iter_rows(values_only=True)]
    assert rows[2] == [1, "新柳州汽车零部件产业园", 3.5]
    assert rows[3] == [2, "柳南物流中心", 1.25]
    assert target.name == "柳南区2022年6月招商引资项目统计表（更正）.xlsx"
