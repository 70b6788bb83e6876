"""parse_file on bad files, target tables, activity ledgers and reserve lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets.ingest.parse import parse_file
from assets.ingest.workbook import Limits, Oversized, UnreadableFile, read_workbook
from runtime.reference import Reference
from runtime.rules import DEFAULT_RULES_PATH, load_rules
from runtime.settings import Settings

from .builders import (
    DEPARTMENT_TARGETS,
    DISTRICT_TARGETS,
    GROUP_TARGETS,
    department_targets_sheet,
    district_targets_sheet,
    encrypt_xlsx,
    group_targets_sheet,
    seed_ledger_rows,
    write_xlsx,
)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


def checks(result, name):
    return [f for f in result.findings if f.check_name == name]


def quarantined(result, check="unreadable_file"):
    assert result.status == "quarantined", result.status_reason
    assert result.ledger_rows == [] and result.target_rows == []
    (finding,) = checks(result, check)
    assert finding.source_file == result.source_file
    assert result.status_reason
    return finding


# ------------------------------------------------------------------------------------ bad files


def test_corrupt_truncated_file(tmp_path, ref):
    good = write_xlsx(tmp_path / "good.xlsx", {"项目表": seed_ledger_rows()})
    data = good.read_bytes()
    bad = tmp_path / "鹿寨县.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    finding = quarantined(parse_file(bad, "2022-05/鹿寨县.xlsx", "2022-05", ref))
    assert finding.severity is None and "损坏" in finding.message


def test_garbage_with_xlsx_name(tmp_path, ref):
    bad = tmp_path / "鹿寨县.xlsx"
    bad.write_text("这不是Excel文件", encoding="utf-8")
    finding = quarantined(parse_file(bad, "2022-05/鹿寨县.xlsx", "2022-05", ref))
    assert "不是有效的Excel" in finding.message


def test_zip_that_is_not_a_workbook(tmp_path, ref):
    import zipfile

    bad = tmp_path / "鹿寨县.xlsx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
    quarantined(parse_file(bad, "2022-05/鹿寨县.xlsx", "2022-05", ref))


def test_empty_file(tmp_path, ref):
    bad = tmp_path / "鹿寨县.xls"
    bad.write_bytes(b"")
    quarantined(parse_file(bad, "2022-05/鹿寨县.xls", "2022-05", ref))


def test_encrypted_file(tmp_path, ref):
    plain = write_xlsx(tmp_path / "plain.xlsx", {"项目表": seed_ledger_rows()})
    secret = encrypt_xlsx(plain, tmp_path / "鹿寨县.xlsx")
    with pytest.raises(UnreadableFile, match="密码"):
        read_workbook(secret)
    finding = quarantined(parse_file(secret, "2022-05/鹿寨县.xlsx", "2022-05", ref))
    assert "密码" in finding.message


def test_empty_workbook(tmp_path, ref):
    path = write_xlsx(tmp_path / "鹿寨县.xlsx", {"Sheet1": [], "Sheet2": [[None, "  "]]})
    finding = quarantined(parse_file(path, "2022-05/鹿寨县.xlsx", "2022-05", ref))
    assert "没有可读取的数据" in finding.message


def test_only_hidden_and_instruction_sheets(tmp_path, ref):
    path = write_xlsx(
        tmp_path / "鹿寨县.xlsx",
        {"填报说明": [["说明文字"]], "数据": seed_ledger_rows()},
        hidden=("数据",),
    )
    quarantined(parse_file(path, "2022-05/鹿寨县.xlsx", "2022-05", ref))


def test_wrong_kind_workbook(tmp_path, ref):
    rows = [["鹿寨县投资促进中心2022年5月工资表"], ["姓名", "岗位", "基本工资", "绩效"],
            ["张三", "科员", 3000, 1000]]
    path = write_xlsx(tmp_path / "鹿寨县工资表.xlsx", {"Sheet1": rows})
    finding = quarantined(parse_file(path, "2022-05/鹿寨县工资表.xlsx", "2022-05", ref))
    assert "无法识别" in finding.message


@pytest.mark.parametrize(
    "name", ["通知.docx", "说明.pdf", "readme.txt", "~$鹿寨县.xlsx", ".DS_Store", ".鹿寨县.xlsx", "数据"]
)
def test_non_spreadsheet_files_are_skipped(tmp_path, ref, name):
    path = tmp_path / name
    path.write_bytes(b"whatever")
    result = parse_file(path, f"2022-05/{name}", "2022-05", ref)
    assert result.status == "skipped"
    (finding,) = checks(result, "skipped_file")
    assert finding.severity is None and name in finding.message


def test_oversized(tmp_path, ref):
    path = write_xlsx(tmp_path / "鹿寨县.xlsx", {"项目表": seed_ledger_rows()})
    with pytest.raises(Oversized):
        read_workbook(path, Limits(max_rows=5))
    with pytest.raises(Oversized):
        read_workbook(path, Limits(max_bytes=100))
    result = parse_file(path, "2022-05/鹿寨县.xlsx", "2022-05", ref, Limits(max_rows=5))
    assert result.status == "quarantined"
    assert checks(result, "oversized_file")


def test_read_workbook_grid_and_merges(tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        {"表": [[None], [None, "标题", None], [None, 1.5, dt.datetime(2022, 3, 1)]]},
        {"表": ["B2:C2"]},
    )
    workbook = read_workbook(path)
    (sheet,) = workbook.sheets
    assert sheet.cell(1, 1) == "标题" and sheet.cell(2, 1) == 1.5
    assert sheet.cell(2, 2) in (dt.date(2022, 3, 1), dt.datetime(2022, 3, 1))
    assert sheet.merged == [(1, 1, 1, 2)]
    assert workbook.sheet_states == {"表": "visible"} and workbook.reader == "calamine"
    grid, copies = sheet.filled()
    assert grid[1][2] == "标题" and copies == {(1, 2)}


# ---------------------------------------------------------------------------------- targets


def targets_of(result, indicator=None, total=None):
    return [
        r for r in result.target_rows
        if (indicator is None or r["indicator"] == indicator)
        and (total is None or r["is_total_row"] == total)
    ]


def test_district_targets_seed_000_annex_1(tmp_path, ref):
    path = write_xlsx(tmp_path / "附件1.xlsx", {"Sheet1": district_targets_sheet()})
    result = parse_file(path, "targets/附件1.xlsx", "targets", ref)
    assert result.status == "parsed" and result.kind == "target_table"
    assert not checks(result, "target_total_mismatch")
    assert not checks(result, "unknown_unit")
    totals = {r["indicator"]: r["target"] for r in targets_of(result, total=True)}
    assert totals == {"funds_in_place": 675, "new_projects": 320, "new_industrial_projects": 210,
                      "new_100m_industrial_projects": 100}
    assert {r["unit_name"] for r in targets_of(result, total=True)} == {"柳州市"}
    rows = targets_of(result, total=False)
    assert len(rows) == 4 * 12
    assert {r["year"] for r in result.target_rows} == {2021}
    funds = {r["unit_name"]: r["target"] for r in rows if r["indicator"] == "funds_in_place"}
    assert funds["阳和工业新区（北部生态新区）"] == Decimal(75)
    assert funds["城中区"] == 80
    assert sum(funds.values()) == 675
    expected = {name: figures for name, *figures in DISTRICT_TARGETS}
    industrial = {r["unit_name"]: r["target"] for r in rows
                  if r["indicator"] == "new_industrial_projects"}
    assert industrial["鱼峰区"] == expected["鱼峰区"][2]
    assert rows[0]["source_row"] == 5 and targets_of(result, total=True)[0]["source_row"] == 4


def test_district_targets_total_mismatch(tmp_path, ref):
    path = write_xlsx(tmp_path / "附件1.xlsx", {"Sheet1": district_targets_sheet(total=680)})
    result = parse_file(path, "targets/附件1.xlsx", "targets", ref)
    (finding,) = checks(result, "target_total_mismatch")
    assert finding.severity is None and finding.source_row == 4
    assert "680" in finding.message and "675" in finding.message
    assert result.status == "parsed"  # the table is still loaded
    assert len(result.target_rows) == 52


def test_department_targets_seed_000_annex_2(tmp_path, ref):
    rows, merges = department_targets_sheet()
    path = write_xlsx(tmp_path / "附件2.xlsx", {"Sheet1": rows}, {"Sheet1": merges})
    result = parse_file(path, "targets/附件2.xlsx", "targets", ref)
    assert result.status == "parsed"
    assert not checks(result, "target_total_mismatch") and not checks(result, "unknown_unit")
    rows = targets_of(result, "new_projects", total=False)
    assert {r["unit_name"]: r["target"] for r in rows} == dict(DEPARTMENT_TARGETS)
    assert sum(r["target"] for r in rows) == 134
    (total,) = targets_of(result, total=True)
    assert total["target"] == 134 and total["source_row"] == 15
    assert {r["indicator"] for r in result.target_rows} == {"new_projects"}
    assert "包装策划" in rows[0]["extra_json"]


@pytest.mark.parametrize("merge_groups", [True, False])
def test_task_group_targets_seed_001_annex_1(tmp_path, ref, merge_groups):
    rows, merges = group_targets_sheet(merge_groups)
    path = write_xlsx(tmp_path / "鹿寨附件1.xlsx", {"Sheet1": rows}, {"Sheet1": merges})
    result = parse_file(path, "targets/鹿寨附件1.xlsx", "targets", ref)
    assert result.status == "parsed"
    assert not checks(result, "target_total_mismatch"), checks(result, "target_total_mismatch")
    assert not checks(result, "unknown_unit")
    totals = {r["indicator"]: r["target"] for r in targets_of(result, total=True)}
    assert totals == {"funds_in_place": 55, "new_projects": 60, "new_industrial_projects": 40,
                      "new_100m_industrial_projects": 25}
    assert {r["unit_name"] for r in targets_of(result, total=True)} == {"鹿寨县"}
    assert {r["year"] for r in result.target_rows} == {2022}
    wood = [r for r in targets_of(result, "funds_in_place", total=False)
            if r["unit_name"] == "鹿寨县林木加工产业招商组"]
    assert [(r["sub_unit"], r["target"]) for r in wood] == [
        ("县林业局（旋切基地项目）", 5), ("县投促中心（林木深加工项目）", 13)]
    assert len(targets_of(result, total=False)) == 4 * len(GROUP_TARGETS)
    units = {r["unit_name"] for r in targets_of(result, total=False)}
    assert len(units) == 8 and all(u.startswith("鹿寨县") for u in units)
    assert sum(r["target"] for r in targets_of(result, "new_projects", total=False)) == 60


def test_target_year_from_file_name(tmp_path, ref):
    rows = [["各县区招商引资目标任务分解表"], ["单位", "到位资金目标（亿元）", "新引进项目目标（个）"],
            ["鹿寨县", 45, 27], ["融水县", "16", "14个"]]
    path = write_xlsx(tmp_path / "2023年目标.xlsx", {"Sheet1": rows})
    result = parse_file(path, "targets/2023年目标.xlsx", "targets", ref)
    assert {r["year"] for r in result.target_rows} == {2023}
    assert {(r["unit_name"], r["indicator"]): r["target"] for r in result.target_rows}[
        ("融水县", "new_projects")] == 14


def test_target_unknown_unit(tmp_path, ref):
    rows = [["2022年目标任务分解表"], ["单位", "新引进项目目标（个）"], ["火星区", 3], ["鹿寨县", 2]]
    path = write_xlsx(tmp_path / "t.xlsx", {"Sheet1": rows})
    result = parse_file(path, "targets/t.xlsx", "targets", ref)
    (finding,) = checks(result, "unknown_unit")
    assert "火星区" in finding.message
    assert result.status == "parsed"


# --------------------------------------------------------------------------- activity, reserve


def test_activity_ledger(tmp_path, ref):
    rows = [
        ["市科技局科技招商工作进度统计表（2022年5月）"],
        ["序号", "日期", "活动名称", "活动类型", "带队领导", "是否主要领导带队", "对接企业数", "地点", "备注"],
        [1, dt.datetime(2022, 3, 10), "赴深圳开展汽车产业链招商", "走出去", "张局长", "是", 5, "深圳", None],
        [2, "2022年4月", "线上推介会", "不见面/线上", "李副局长", "否", "3个", "柳州", None],
        [3, "上周", "企业座谈会", "请进来", None, None, "若干", None, None],
        ["合计", None, None, None, None, None, 8],
    ]
    path = write_xlsx(tmp_path / "科技局活动.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/科技局活动.xlsx", "2022-05", ref)
    assert result.status == "parsed" and result.kind == "activity_ledger"
    assert result.unit_name == "市科技局"
    first, second, third = result.activity_rows
    assert first["activity_date"] == "2022-03-10" and first["led_by_principal"] is True
    assert first["enterprises_docked"] == 5 and first["place"] == "深圳"
    assert second["activity_date"] == "2022-04" and second["enterprises_docked"] == 3
    assert second["led_by_principal"] is False
    assert third["activity_date"] is None and third["row_ok"] is False
    assert {f.check_name for f in result.findings} >= {"invalid_date", "invalid_value", "dropped_row"}


def test_reserve_projects(tmp_path, ref):
    rows = [
        ["市科技局2022年招商项目储备库"],
        ["序号", "项目名称", "产业链", "计划投资（万元）", "入库时间", "状态"],
        [1, "新能源汽车电池回收项目", "新能源汽车", 50000, "2022年2月", "在谈"],
        [2, "生物医药研发中心", "生物医药", "3亿元", dt.datetime(2022, 3, 1), "已签约"],
    ]
    path = write_xlsx(tmp_path / "科技局储备.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/科技局储备.xlsx", "2022-05", ref)
    assert result.status == "parsed" and result.kind == "reserve_projects"
    first, second = result.reserve_rows
    assert first["planned_investment"] == Decimal(5) and first["entered_on"] == "2022-02"
    assert first["stage"] == "在谈" and first["chain"] == "新能源汽车"
    assert second["planned_investment"] == Decimal(3) and second["entered_on"] == "2022-03-01"


def test_parse_file_never_raises_on_odd_sheets(tmp_path, ref):
    rows = [["鹿寨县招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）", "签约时间"],
            [1, "项目", float("nan"), float("inf")], [2, "项目2", True, False],
            [3, "项目3", dt.time(10, 0), dt.datetime(1900, 1, 1)]]
    path = write_xlsx(tmp_path / "鹿寨县.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/鹿寨县.xlsx", "2022-05", ref)
    assert result.status in ("parsed", "quarantined")


def test_wrong_extension_still_reads(tmp_path, ref):
    from .builders import write_xls

    xlsx_as_xls = tmp_path / "鹿寨县.xls"
    write_xlsx(tmp_path / "a.xlsx", {"项目表": seed_ledger_rows()}).rename(xlsx_as_xls)
    result = parse_file(xlsx_as_xls, "2022-05/鹿寨县.xls", "2022-05", ref)
    assert result.status == "parsed" and len(result.ledger_rows) == 2
    xls_as_xlsx = tmp_path / "融水县.xlsx"
    rows = [["融水县招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 1]]
    write_xls(tmp_path / "b.xls", rows).rename(xls_as_xlsx)
    result = parse_file(xls_as_xlsx, "2022-05/融水县.xlsx", "2022-05", ref)
    assert result.status == "parsed" and result.ledger_rows[0]["total_investment"] == 1


def test_html_saved_as_xls(tmp_path, ref):
    path = tmp_path / "鹿寨县.xls"
    path.write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>",
                    encoding="utf-8")
    finding = quarantined(parse_file(path, "2022-05/鹿寨县.xls", "2022-05", ref))
    assert "网页" in finding.message


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_fallback_readers_when_calamine_fails(tmp_path, ref, monkeypatch, suffix):
    from assets.ingest import workbook

    from .builders import write_xls

    def broken(*args, **kwargs):
        raise RuntimeError("calamine cannot read this one")

    monkeypatch.setattr(workbook, "_read_calamine", broken)
    if suffix == "xlsx":
        path = write_xlsx(tmp_path / "鹿寨县.xlsx", {"说明": [["x"]], "项目表": seed_ledger_rows()},
                          {"项目表": ["A1:J1"]})
    else:
        rows = [["鹿寨县招商引资项目统计表", None, None], ["序号", "项目名称", "投资总额（亿元）"],
                [1, "某项目", 1], [2, "另一项目", "5000万"]]
        path = write_xls(tmp_path / "鹿寨县.xls", rows, merges=[(0, 0, 0, 2)])
    book = read_workbook(path)
    assert book.reader == ("openpyxl" if suffix == "xlsx" else "xlrd")
    assert book.sheets[0].merged[0][:3] == (0, 0, 0)
    result = parse_file(path, f"2022-05/鹿寨县.{suffix}", "2022-05", ref)
    assert result.status == "parsed" and len(result.ledger_rows) == 2


def test_limits_from_settings_and_rules(tmp_path):
    rules = tmp_path / "rules.yaml"
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    rules.write_text(text.replace("below_threshold_amount: 0.05", "below_threshold_amount: 0.1"),
                     encoding="utf-8")
    settings = Settings.from_env({})
    limits = Limits.from_settings(settings, load_rules(rules), max_rows=10)
    assert limits.below_threshold_yi == "0.1" and limits.max_rows == 10
    assert Limits.from_settings(settings, load_rules()).below_threshold_yi == "0.05"


def test_a_month_folder_with_good_and_bad_files(tmp_path, ref):
    month = tmp_path / "2022-05"
    month.mkdir()
    write_xlsx(month / "鹿寨县.xlsx", {"项目表": seed_ledger_rows()})
    (month / "融水县.xlsx").write_bytes(b"PK\x03\x04broken")
    (month / "~$鹿寨县.xlsx").write_bytes(b"lock")
    (month / "通知.docx").write_bytes(b"doc")
    targets = tmp_path / "targets"
    targets.mkdir()
    write_xlsx(targets / "2021年目标.xlsx", {"Sheet1": district_targets_sheet()})
    results = {}
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            rel = path.relative_to(tmp_path).as_posix()
            results[rel] = parse_file(path, rel, rel.split("/")[0], ref)
    status = {rel: r.status for rel, r in results.items()}
    assert status == {
        "2022-05/鹿寨县.xlsx": "parsed", "2022-05/融水县.xlsx": "quarantined",
        "2022-05/~$鹿寨县.xlsx": "skipped", "2022-05/通知.docx": "skipped",
        "targets/2021年目标.xlsx": "parsed",
    }
    assert len(results["2022-05/鹿寨县.xlsx"].ledger_rows) == 2
    assert len(results["targets/2021年目标.xlsx"].target_rows) == 52
    assert all(f.source_file == rel for rel, r in results.items() for f in r.findings)
