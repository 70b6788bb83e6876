"""Target tables may set the revision-2 indicators: a real workbook with 新开工项目 and 境外到位资金
columns is read into target rows (the headers sit beside the 区外境内到位资金 column, whose
shorter variant 到位资金 must not capture them)."""

from __future__ import annotations

from decimal import Decimal

from assets.ingest.header import header_text, load_columns, match_field
from assets.ingest.parse import parse_file
from runtime.reference import Reference
from tests.ingest.builders import write_xlsx


def test_header_variants():
    kind = load_columns()["target_table"]
    for text, field in [("2022年新开工项目目标（个）", "started_projects"),
                        ("其中：开工项目（个）", "started_projects"),
                        ("境外到位资金目标（亿元）", "foreign_funds_in_place"),
                        ("利用外资（亿元）", "foreign_funds_in_place"),
                        ("2021年区外境内到位资金目标（亿元）", "funds_in_place"),
                        ("2021年新引进项目目标（个）", "new_projects")]:
        assert match_field(header_text(text), kind)[0] == field, text


def test_target_workbook_with_started_and_foreign_columns(tmp_path):
    rows = [["2022年各县（区）招商引资目标任务分解表"],
            ["单位", "区外境内到位资金目标（亿元）", "新引进项目目标（个）", "新开工项目目标（个）",
             "境外到位资金目标（亿元）"],
            ["合计", 30, 12, 6, 3],
            ["城中区", 20, 8, 4, 2],
            ["鱼峰区", 10, 4, 2, 1]]
    path = write_xlsx(tmp_path / "2022目标任务分解表.xlsx", {"Sheet1": rows})
    result = parse_file(path, "targets/2022目标任务分解表.xlsx", "targets", Reference.load())
    assert result.status == "parsed" and result.kind == "target_table"
    got = {(r["unit_name"], r["indicator"]): r["target"] for r in result.target_rows
           if not r["is_total_row"]}
    assert got[("城中区", "started_projects")] == Decimal(4)
    assert got[("鱼峰区", "foreign_funds_in_place")] == Decimal(1)
    assert got[("城中区", "funds_in_place")] == Decimal(20)
    assert not [f for f in result.findings if f.check_name == "target_total_mismatch"]
