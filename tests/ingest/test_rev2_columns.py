"""Revision 2 ingest: the 投资来源 header variants, the optional 入库 column and the 三企入桂 cohort
list (kind 5) — real workbooks written to disk and parsed, plus a real DuckDB ingest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets.ingest.load import ingest
from assets.ingest.parse import parse_file
from assets.ingest.values import parse_in_library
from runtime.reference import Reference
from runtime.warehouse import Warehouse
from tests.ingest.builders import write_xlsx

REF = Reference.load()


def _ledger(source_header: str, library_header: str | None, rows: list[list]) -> list[list]:
    header = ["序号", "行业", "项目名称", "项目方", "投资总额（亿元）", source_header, "签约时间", "进展情况"]
    if library_header:
        header.append(library_header)
    return [["鹿寨县2022年招商引资项目统计表"], ["填报单位：鹿寨县"], header, *rows]


@pytest.mark.parametrize("header", ["投资来源", "投资方来源地", "来源地", "投资方所在地"])
def test_every_source_header_variant_fills_source(tmp_path, header):
    path = write_xlsx(tmp_path / "台账.xlsx", {"Sheet1": _ledger(header, None, [
        [1, "林木加工", "旋切板项目", "广东某木业有限公司", 2, "广东佛山", "2022-03-05", "已签约"]])})
    parsed = parse_file(path, "2022-05/台账.xlsx", "2022-05", REF)
    assert parsed.kind == "project_ledger"
    (row,) = parsed.ledger_rows
    assert row["source"] == "广东佛山"
    assert row["investor"] == "广东某木业有限公司"  # 投资方所在地 did not steal the investor column


@pytest.mark.parametrize("header", ["是否入库", "入库时间", "纳入系统时间"])
def test_in_library_column_yes_no_date_and_blank(tmp_path, header):
    path = write_xlsx(tmp_path / "台账.xlsx", {"Sheet1": _ledger("投资来源", header, [
        [1, "林木加工", "甲项目", "甲公司", 2, "重庆", "2022-03-05", "洽谈中", "是"],
        [2, "林木加工", "乙项目", "乙公司", 2, "重庆", "2022-03-05", "洽谈中", "否"],
        [3, "林木加工", "丙项目", "丙公司", 2, "重庆", "2022-03-05", "洽谈中", dt.datetime(2022, 4, 2)],
        [4, "林木加工", "丁项目", "丁公司", 2, "重庆", "2022-03-05", "洽谈中", None],
        [5, "林木加工", "戊项目", "戊公司", 2, "重庆", "2022-03-05", "洽谈中", "2022年4月"],
    ])})
    parsed = parse_file(path, "2022-05/台账.xlsx", "2022-05", REF)
    assert parsed.kind == "project_ledger"
    assert [r["in_library"] for r in parsed.ledger_rows] == [True, False, True, None, True]
    assert parsed.ledger_rows[0]["in_library_raw"] == "是"


def test_in_library_values():
    assert parse_in_library("已入库").value is True
    assert parse_in_library("未入库").value is False
    assert parse_in_library("—").value is None
    bad = parse_in_library("下月")
    assert bad.value is None and bad.problem.check_name == "invalid_value"


def test_unreadable_in_library_is_a_finding_naming_the_row(tmp_path):
    path = write_xlsx(tmp_path / "台账.xlsx", {"Sheet1": _ledger("投资来源", "是否入库", [
        [1, "林木加工", "甲项目", "甲公司", 2, "重庆", "2022-03-05", "洽谈中", "下月"]])})
    parsed = parse_file(path, "2022-05/台账.xlsx", "2022-05", REF)
    (finding,) = [f for f in parsed.findings if f.check_name == "invalid_value"]
    assert finding.source_row == 4 and "是否入库「下月」" in finding.message
    assert parsed.ledger_rows[0]["row_ok"] is True  # the row itself still loads


COHORT = [
    ["2022年柳州市“三企入桂”签约项目清单"],
    ["序号", "项目名称", "签约企业", "签约时间", "合同投资额（亿元）", "属地", "责任单位"],
    [1, "旋切板项目", "广东某木业有限公司", "2022-03-05", 2, "鹿寨县", "自治区投资促进局"],
    [2, "石墨烯复合材料项目", "深圳某新材料有限公司", "2022年4月", "3.5亿元", "柳州市柳东新区", "市工信局"],
    ["合计", None, None, None, 5.5],
]


def test_cohort_list_is_recognised_and_parsed_with_lineage(tmp_path):
    path = write_xlsx(tmp_path / "三企入桂.xlsx", {"清单": COHORT})
    parsed = parse_file(path, "targets/三企入桂.xlsx", "targets", REF)
    assert parsed.status == "parsed" and parsed.kind == "cohort_list"
    assert parsed.unit_name == "柳州市" and parsed.ledger_rows == []  # the city the title names
    first, second = parsed.cohort_rows
    assert (first["year"], first["project_name"], first["investor"]) == (
        2022, "旋切板项目", "广东某木业有限公司")
    assert first["contract_investment"] == Decimal("2") and first["signed_on"] == "2022-03-05"
    assert first["territorial_unit"] == "鹿寨县" and first["responsible_unit"] is None
    assert second["territorial_unit"] == "柳东新区" and second["responsible_unit"] == "市工业和信息化局"
    assert second["contract_investment"] == Decimal("3.5") and second["signed_on"] == "2022-04"
    assert (first["source_file"], first["source_sheet"], first["source_row"]) == (
        "targets/三企入桂.xlsx", "清单", 3)
    # the unknown 县投促中心 is named, the 合计 row dropped
    assert any(f.check_name == "unknown_unit" and "自治区投资促进局" in f.message for f in parsed.findings)
    assert [d["source_row"] for d in parsed.dropped_rows if d["source_row"] == 5] == [5]


def test_cohort_list_needs_its_title(tmp_path):
    """Without 三企入桂 in the title the same columns are an ordinary project list."""
    rows = [["2022年签约项目清单"], *COHORT[1:]]
    path = write_xlsx(tmp_path / "清单.xlsx", {"清单": [*rows[:1], ["填报单位：鹿寨县"], *rows[1:]]})
    parsed = parse_file(path, "2022-05/清单.xlsx", "2022-05", REF)
    assert parsed.kind == "project_ledger"


def test_cohort_list_without_year_is_a_finding(tmp_path):
    rows = [["柳州市三企入桂签约项目清单"], *COHORT[1:]]
    path = write_xlsx(tmp_path / "清单.xlsx", {"清单": rows})
    parsed = parse_file(path, "targets/清单.xlsx", "targets", REF)
    assert parsed.kind == "cohort_list"
    assert all(r["row_ok"] is False for r in parsed.cohort_rows)
    assert any(f.check_name == "invalid_value" and "年度" in f.message for f in parsed.findings)


def test_ingest_writes_cohort_rows_and_in_library_to_staging(tmp_path, duckdb_url):
    duckdb_wh = Warehouse(duckdb_url)
    duckdb_wh.create_schema()
    root = tmp_path / "drop"
    (root / "targets").mkdir(parents=True)
    (root / "2022-05").mkdir()
    write_xlsx(root / "targets" / "2022年三企入桂签约项目清单.xlsx", {"清单": COHORT})
    write_xlsx(root / "targets" / "2021年三企入桂签约项目清单.xlsx",
               {"清单": [["2021年三企入桂签约项目清单"], *COHORT[1:3]]})
    write_xlsx(root / "2022-05" / "鹿寨县台账.xlsx", {"Sheet1": _ledger("投资来源", "是否入库", [
        [1, "林木加工", "甲项目", "甲公司", 2, "重庆", "2022-03-05", "洽谈中", "是"]])})
    ingest(duckdb_wh, root)
    cohort = duckdb_wh.read(
        "SELECT year, project_name, territorial_unit, source_row FROM staging.cohort_rows "
        "ORDER BY year, source_row")
    assert cohort.values.tolist() == [
        [2021, "旋切板项目", "鹿寨县", 3], [2022, "旋切板项目", "鹿寨县", 3],
        [2022, "石墨烯复合材料项目", "柳东新区", 4]]
    files = duckdb_wh.read("SELECT kind, status FROM staging.files WHERE kind = 'cohort_list'")
    assert files["status"].tolist() == ["loaded", "loaded"]  # two years: neither replaces the other
    ledger = duckdb_wh.read("SELECT in_library, in_library_raw FROM staging.ledger_rows")
    assert ledger.values.tolist() == [[True, "是"]]


def test_a_newer_list_of_the_same_year_replaces_the_older(tmp_path, duckdb_url):
    import os

    wh = Warehouse(duckdb_url)
    wh.create_schema()
    root = tmp_path / "drop"
    (root / "targets").mkdir(parents=True)
    old = write_xlsx(root / "targets" / "2022年三企入桂签约项目清单.xlsx", {"清单": COHORT})
    new = write_xlsx(root / "targets" / "2022年三企入桂签约项目清单（更正）.xlsx",
                     {"清单": COHORT[:3]})
    os.utime(old, (1_650_000_000, 1_650_000_000))
    os.utime(new, (1_650_086_400, 1_650_086_400))
    ingest(wh, root)
    files = wh.read("SELECT source_file, status FROM staging.files ORDER BY source_file")
    assert files["status"].tolist() == ["superseded", "loaded"]  # the older file first by name
    live = wh.read("SELECT COUNT(*) AS n FROM staging.cohort_rows WHERE file_id IN "
                   "(SELECT file_id FROM staging.files WHERE status = 'loaded')")
    assert int(live["n"][0]) == 1
