"""RULES_FILE and REFERENCE_DIR are honoured by every layer of one real Dagster run: ingest (a
header variant only the other columns.yaml knows), conform (an industry only the other
industries.csv calls industrial; the other rules' 统计起点) and the marts (the other rules' 红榜
size)."""

from __future__ import annotations

import shutil
from pathlib import Path

from runtime.warehouse import Warehouse
from tests.conftest import REPO
from tests.pipeline import dropfolder
from tests.pipeline.test_end_to_end import run_period


def _other_inputs(tmp_path: Path) -> tuple[Path, Path]:
    ref = tmp_path / "other_reference"
    shutil.copytree(REPO / "reference", ref)
    columns = (ref / "columns.yaml").read_text(encoding="utf-8")
    columns = columns.replace("project_name: {type: name, variants: [项目名称, \"=项目\", 项目名]}",
                              "project_name: {type: name, variants: [项目名称, \"=项目\", 项目名, 招引项目称谓]}")
    (ref / "columns.yaml").write_text(columns, encoding="utf-8")
    industries = (ref / "industries.csv").read_text(encoding="utf-8")
    (ref / "industries.csv").write_text(industries.replace("房地产业,否,否", "房地产业,是,否"),
                                        encoding="utf-8")
    rules = tmp_path / "other_rules.yaml"
    text = (REPO / "reference" / "rules.yaml").read_text(encoding="utf-8")
    text = text.replace("below_threshold_amount: 0.05", "below_threshold_amount: 4")
    rules.write_text(text.replace("top_n: 3 ", "top_n: 0 "), encoding="utf-8")
    return ref, rules


def _odd_header_ledger(root: Path) -> None:
    path = dropfolder.ledger(root / "2021-01" / "柳江区.xlsx", "柳江区", "2021-01",
                             [["汽车零部件", "标签测试工业园项目", "标签测试有限公司", 8, 2, None,
                               "2021年1月", "已签约", "否", None]])
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(row=3, column=3, value="招引项目称谓")  # 项目名称 as one office writes it
    wb.save(path)


def _outputs(url: str) -> dict:
    wh = Warehouse(url)
    try:
        return {
            "odd_rows": int(wh.scalar(
                "SELECT COUNT(*) FROM staging.ledger_rows WHERE project_name = '标签测试工业园项目'")),
            "realty_industrial": wh.read(
                "SELECT is_industrial FROM core.dim_project WHERE industry = '房地产业'"
            )["is_industrial"].tolist(),
            "below": wh.read("SELECT project_name, below_threshold FROM core.dim_project"),
            "red": int(wh.scalar("SELECT COUNT(*) FROM marts.red_black_list WHERE list = 'red'")),
        }
    finally:
        wh.dispose()


def test_every_layer_uses_the_configured_rules_and_reference(tmp_path, monkeypatch):
    root = dropfolder.build(tmp_path / "drop")
    _odd_header_ledger(root)

    default_url = f"duckdb:///{tmp_path / 'default.duckdb'}"
    assert run_period(default_url, root, "2021-01", tmp_path)
    default = _outputs(default_url)

    ref, rules = _other_inputs(tmp_path)
    monkeypatch.setenv("REFERENCE_DIR", str(ref))
    monkeypatch.setenv("RULES_FILE", str(rules))
    other_url = f"duckdb:///{tmp_path / 'other.duckdb'}"
    assert run_period(other_url, root, "2021-01", tmp_path)
    other = _outputs(other_url)

    # ingest: the header variant exists only in the other columns.yaml
    assert default["odd_rows"] == 0 and other["odd_rows"] == 1
    # conform: the other industries.csv, and the other rules' 统计起点 (4 亿元)
    assert default["realty_industrial"] and not any(default["realty_industrial"])
    assert other["realty_industrial"] and all(other["realty_industrial"])
    below = dict(zip(other["below"]["project_name"], other["below"]["below_threshold"]))
    assert below["石墨烯复合材料项目"] is True or below["石墨烯复合材料项目"] == 1  # 3 亿 < 4
    assert not any(default["below"]["below_threshold"].fillna(False))
    # marts: the other rules' 红榜 size (none)
    assert default["red"] >= 1 and other["red"] == 0
