"""parse_file over project ledgers: every messiness item of submissions.md, one small workbook each."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assets.ingest.parse import parse_file
from assets.ingest.workbook import Limits
from runtime.reference import Reference

from .builders import (
    LEDGER_HEADER,
    seed_ledger_rows,
    set_cached_values,
    write_xls,
    write_xlsx,
)

PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


def checks(result, name):
    return [f for f in result.findings if f.check_name == name]


def by_name(result):
    return {row["project_name"]: row for row in result.ledger_rows}


def test_seed_template(tmp_path, ref):
    path = write_xlsx(tmp_path / "鹿寨县5月.xlsx", {"项目表": seed_ledger_rows()})
    result = parse_file(path, "2022-05/鹿寨县5月.xlsx", "2022-05", ref)
    assert result.status == "parsed"
    assert result.kind == "project_ledger"
    assert result.unit_name == "鹿寨县"
    assert result.unit_source == "填报单位"
    assert result.workbook_month == "2022-05"
    rows = by_name(result)
    assert set(rows) == {"旋切基地配套项目", "石墨烯复合材料项目"}
    first = rows["旋切基地配套项目"]
    assert first["source_row"] == 5 and first["source_sheet"] == "项目表"
    assert first["total_investment"] == Decimal("0.5")
    assert first["total_investment_raw"] == "0.5"
    assert first["signed_on"] == "2022" and first["stage"] == "开工"
    assert first["period"] == "2022-05" and first["unit_name"] == "鹿寨县"
    assert first["row_ok"] is True
    assert rows["石墨烯复合材料项目"]["total_investment"] == Decimal("3.5")  # "３．５亿元"
    assert rows["石墨烯复合材料项目"]["signed_on"] == "2022-03"
    dropped = {d["source_row"]: d["reason"] for d in result.dropped_rows}
    assert dropped == {4: "示例行（例：）", 7: "占位行（…）", 8: "注释/说明行"}
    assert len(checks(result, "dropped_row")) == 3
    assert all(f.source_file == "2022-05/鹿寨县5月.xlsx" for f in result.findings)
    assert not any(PHONE.search(f.message) for f in result.findings)
    assert not any(PHONE.search(d["text"]) for d in result.dropped_rows)


def messy_ledger():
    header = ["序号", "所属行业", "项目\n名称", "投资方", "计划总投资\n（万元）", "本年到位资金（亿元）",
              "投资来源", "联系人", "联系电话", "签约时间", "开工时间", "目前进展", "合作单位", "备注",
              "对接人微信"]
    return [
        ["融水苗族自治县招商引资项目台账"],
        ["填报单位：融水苗族自治县投资促进局", None, None, None, None, None, None, None, "单位：万元"],
        ["截至2022年5月底"],
        [],
        header,
        [1, "汽车零部件", " 融水汽配\n产业园 ", "广西（柳州）某某汽配有限公司", "35000", "1.5", "广东",
         "张三", 13812345678, dt.datetime(2022, 3, 15), "2022.4", "已开工", "市工信局", None, "wx1"],
        [2, "林木加工", "竹木深加工项目", "某木业公司", "1,234.5", "5000万", "湖南", None, None,
         44635, "2022年4月", "在建", "市工信局、火星招商局", None, None],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [3, "文化旅游", "苗寨民宿项目", "某旅游公司", "约2亿", "—", "贵州", None, None, "2022年",
         "/", "洽谈中", None, "备注：需协调用地", None],
        [4, "新材料", "新材料项目", "某材料公司", "待定", 35000, "浙江", None, None, "去年",
         "2022年13月", "谈得不错", None, None, None],
        [5, "外太空产业", "无效金额项目", "某公司", "两个亿", None, "上海", None, None, "2022/3/15",
         None, "已签约", None, None, None],
        [6, "房地产业", "小项目", "某地产公司", "300", "0.01", "广西", None, None, "2022-03", None,
         "已签约", None, None, None],
        ["小计", None, None, None, "36834.5", None],
        header,
        [7, "商贸物流", "物流园项目", "某物流公司", "２０，０００", None, "广东", None, None,
         "2022-3-5", None, "已注册", "鹿寨县", None, None],
        ["合  计", None, None, None, "56834.5", None],
        ["注：1.金额单位为万元"],
        ["2.请于每月5日前报送"],
    ]


@pytest.fixture(scope="module")
def messy(tmp_path_factory, ref):
    path = write_xlsx(tmp_path_factory.mktemp("m") / "融水5月台账.xlsx", {"台账": messy_ledger()})
    return parse_file(path, "2022-05/融水5月台账.xlsx", "2022-05", ref)


def test_messy_ledger_unit_and_rows(messy):
    assert messy.status == "parsed"
    assert messy.unit_name == "融水县"
    assert messy.workbook_month == "2022-05"
    assert not checks(messy, "period_mismatch")
    names = [r["project_name"] for r in messy.ledger_rows]
    assert names == ["融水汽配产业园", "竹木深加工项目", "苗寨民宿项目", "新材料项目", "无效金额项目",
                     "小项目", "物流园项目"]
    assert [r["source_row"] for r in messy.ledger_rows] == [6, 7, 9, 10, 11, 12, 15]


def test_messy_ledger_amounts(messy):
    rows = by_name(messy)
    assert rows["融水汽配产业园"]["total_investment"] == Decimal("3.5")  # 35000 in a 万元 column
    assert rows["融水汽配产业园"]["total_investment_raw"] == "35000"
    assert rows["融水汽配产业园"]["funds_this_year"] == Decimal("1.5")
    assert rows["竹木深加工项目"]["total_investment"] == Decimal("0.12345")
    assert rows["竹木深加工项目"]["funds_this_year"] == Decimal("0.5")  # "5000万" in a 亿元 column
    assert rows["苗寨民宿项目"]["total_investment"] == Decimal(2)  # 约2亿
    assert rows["苗寨民宿项目"]["funds_this_year"] is None  # —
    assert rows["物流园项目"]["total_investment"] == Decimal(2)  # ２０，０００ 万元
    assert rows["新材料项目"]["total_investment"] is None
    assert rows["新材料项目"]["row_ok"] is False
    assert rows["无效金额项目"]["row_ok"] is False
    assert rows["小项目"]["total_investment"] == Decimal("0.03")


def test_messy_ledger_findings(messy):
    missing = {f.project_name: f for f in checks(messy, "missing_amount")}
    assert set(missing) == {"新材料项目", "无效金额项目"}
    assert missing["新材料项目"].severity is None  # default: error
    assert "融水县 2022-05 融水5月台账.xlsx「台账」第10行" in missing["新材料项目"].message
    assert "两个亿" in missing["无效金额项目"].message
    outlier = checks(messy, "amount_outlier")
    assert [(f.project_name, f.source_row) for f in outlier] == [("新材料项目", 10)]
    assert by_name(messy)["新材料项目"]["funds_this_year"] == Decimal(35000)  # kept as given
    invalid = {(f.project_name, f.source_row) for f in checks(messy, "invalid_date")}
    assert invalid == {("新材料项目", 10)}
    assert len(checks(messy, "invalid_date")) == 2  # 去年 and 2022年13月
    assert [f.project_name for f in checks(messy, "unknown_status")] == ["新材料项目"]
    unknown_unit = checks(messy, "unknown_unit")
    assert len(unknown_unit) == 1 and "火星招商局" in unknown_unit[0].message
    assert [f.project_name for f in checks(messy, "unknown_industry")] == ["无效金额项目"]
    # below_threshold is raised once per project by the conform layer, not per ledger row
    assert checks(messy, "below_threshold") == []
    assert not any(PHONE.search(f.message) for f in messy.findings)


def test_messy_ledger_dates_status_partners(messy):
    rows = by_name(messy)
    first = rows["融水汽配产业园"]
    assert first["signed_on"] == "2022-03-15" and first["started_on"] == "2022-04"
    assert first["stage"] == "开工" and first["status"] == "已开工"
    assert first["partners"] == "市工业和信息化局"
    assert first["investor"] == "广西(柳州)某某汽配有限公司"
    assert first["contact_phone"] == "13812345678"
    assert first["extra_json"] == '{"对接人微信": "wx1"}'
    second = rows["竹木深加工项目"]
    assert second["signed_on"] == "2022-03-15" and second["started_on"] == "2022-04"
    assert second["partners"] == "市工业和信息化局"
    assert second["partners_raw"] == "市工信局、火星招商局"
    assert rows["苗寨民宿项目"]["signed_on"] == "2022" and rows["苗寨民宿项目"]["started_on"] is None
    assert rows["苗寨民宿项目"]["stage"] == "在谈"
    assert rows["物流园项目"]["signed_on"] == "2022-03-05"
    assert rows["物流园项目"]["partners"] == "鹿寨县"


def test_messy_ledger_dropped_rows(messy):
    dropped = {d["source_row"]: d["reason"] for d in messy.dropped_rows}
    assert dropped == {13: "合计/小计行", 14: "重复的表头行", 16: "合计/小计行", 17: "注释/说明行",
                       18: "注释/说明行"}
    assert 8 not in dropped  # blank rows are not "dropped"


def test_two_row_header_merged_group_and_wan_header(tmp_path, ref):
    rows = [
        ["柳南区2022年1-6月招商引资项目统计表"],
        ["序号", "项目名称", "项目方", "总投资（万元）", "到位资金（万元）", None, "进展情况",
         "是否工业项目", "是否新兴产业", "是否三企入桂项目"],
        [None, None, None, None, "本年", "累计", None, None, None, None],
        [1, "工程机械配套项目", "某机械公司", 50000, 8000, 12000, "已投产", "是", "否", "是"],
        [2, "智能装备项目", "某装备公司", "20000", "1,000", "3,000", "已开工", "是", "是", "否"],
    ]
    merges = ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3", "H2:H3", "I2:I3", "J2:J3"]
    path = write_xlsx(tmp_path / "柳南区.xlsx", {"Sheet1": rows}, {"Sheet1": merges})
    result = parse_file(path, "2022-06/柳南区.xlsx", "2022-06", ref)
    assert result.status == "parsed" and result.unit_name == "柳南区"
    assert result.workbook_month == "2022-06"
    first, second = result.ledger_rows
    assert first["source_row"] == 4
    assert first["total_investment"] == Decimal(5)
    assert first["funds_this_year"] == Decimal("0.8")
    assert first["funds_cumulative"] == Decimal("1.2")
    assert first["stage"] == "竣工投产"
    assert (first["is_industrial"], first["is_emerging"], first["is_sanqi"]) == (True, False, True)
    assert second["funds_this_year"] == Decimal("0.1")
    assert second["funds_cumulative"] == Decimal("0.3")
    assert not result.dropped_rows


def test_two_row_header_without_merges(tmp_path, ref):
    rows = [
        ["柳北区招商引资项目统计表（2022年5月）"],
        ["序号", "项目名称", "项目方", "投资总额（亿元）", "到位资金（亿元）", None, "进展情况"],
        [None, None, None, None, "本年", "累计", None],
        [1, "旅游装备项目", "某装备公司", 3, 0.5, 1.5, "已开工"],
    ]
    path = write_xlsx(tmp_path / "柳北区.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/柳北区.xlsx", "2022-05", ref)
    (row,) = result.ledger_rows
    assert row["funds_this_year"] == Decimal("0.5")
    assert row["funds_cumulative"] == Decimal("1.5")


def test_formulas_read_cached_values(tmp_path, ref):
    rows = [
        ["柳江区招商引资项目统计表"],
        ["序号", "项目名称", "投资方", "投资总额（亿元）", "本年到位资金（亿元）", "进展情况"],
        [1, "家电配套项目", "某家电公司", "=2*3", "=D3/4", "已签约"],
        [2, "家电整机项目", "某整机公司", 4, 1, "已签约"],
        ["合计", None, None, "=SUM(D3:D4)", "=SUM(E3:E4)", None],
    ]
    path = write_xlsx(tmp_path / "柳江区.xlsx", {"Sheet1": rows})
    set_cached_values(path, {"D3": "6", "E3": "1.5", "D5": "10", "E5": "2.5"})
    result = parse_file(path, "2022-05/柳江区.xlsx", "2022-05", ref)
    first = result.ledger_rows[0]
    assert first["total_investment"] == Decimal(6)
    assert first["funds_this_year"] == Decimal("1.5")
    assert len(result.ledger_rows) == 2
    assert result.dropped_rows[0]["reason"] == "合计/小计行"


def test_xls_old_format(tmp_path, ref):
    rows = [
        ["三江侗族自治县2022年招商引资项目统计表", None, None, None, None, None],
        ["序号", "项目名称", "项目方", "投资总额（亿元）", "签约时间", "进展情况"],
        [1, "茶叶深加工项目", "某茶业公司", 1.2, dt.date(2022, 2, 8), "已签约"],
        [2, "侗族文旅项目", "某文旅公司", "0.8", "2022年3月", "洽谈中"],
    ]
    path = write_xls(tmp_path / "三江.xls", rows, merges=[(0, 0, 0, 5)])
    result = parse_file(path, "2022-05/三江.xls", "2022-05", ref)
    assert result.status == "parsed" and result.unit_name == "三江县"
    first, second = result.ledger_rows
    assert first["total_investment"] == Decimal("1.2")
    assert first["signed_on"] == "2022-02-08"
    assert second["total_investment"] == Decimal("0.8") and second["signed_on"] == "2022-03"


def test_unit_from_file_name(tmp_path, ref):
    rows = [["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 1]]
    path = write_xlsx(tmp_path / "柳城县-2022年5月.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/柳城县-2022年5月.xlsx", "2022-05", ref)
    assert result.unit_name == "柳城县" and result.unit_source == "文件名"
    assert result.status == "parsed"


def test_unknown_unit_quarantines(tmp_path, ref):
    rows = [["招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 1]]
    path = write_xlsx(tmp_path / "台账.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/台账.xlsx", "2022-05", ref)
    assert result.status == "quarantined"
    assert result.ledger_rows == []
    (finding,) = checks(result, "unknown_unit")
    assert "2022-05/台账.xlsx" in finding.message
    assert finding.source_file == "2022-05/台账.xlsx"


def test_period_mismatch_keeps_rows_under_folder_month(tmp_path, ref):
    rows = [["鱼峰区2022年4月招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"],
            [1, "某项目", 1]]
    path = write_xlsx(tmp_path / "鱼峰区.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/鱼峰区.xlsx", "2022-05", ref)
    assert result.workbook_month == "2022-04"
    (finding,) = checks(result, "period_mismatch")
    assert "2022-04" in finding.message and "2022-05" in finding.message
    assert result.ledger_rows[0]["period"] == "2022-05"


def test_fill_date_is_not_the_reporting_month(tmp_path, ref):
    rows = [["城中区2022年5月招商引资项目统计表"], ["填报单位：城中区投资促进局  填报日期：2022年6月3日"],
            ["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 1]]
    path = write_xlsx(tmp_path / "城中区.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/城中区.xlsx", "2022-05", ref)
    assert result.workbook_month == "2022-05"
    assert not checks(result, "period_mismatch")


def test_hidden_and_instruction_sheets_skipped(tmp_path, ref):
    data = [["柳东新区招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 1]]
    path = write_xlsx(
        tmp_path / "柳东.xlsx",
        {"填表说明": [["请按要求填写"]], "项目": data, "旧数据": data, "空表": [],
         "Sheet3": [["随便写写"], ["没有表头"]]},
        hidden=("旧数据",),
    )
    result = parse_file(path, "2022-05/柳东.xlsx", "2022-05", ref)
    assert result.status == "parsed"
    assert len(result.ledger_rows) == 1 and result.ledger_rows[0]["source_sheet"] == "项目"
    skipped = {s["sheet"]: s["reason"] for s in result.skipped_sheets}
    assert set(skipped) == {"填表说明", "旧数据", "空表", "Sheet3"}
    assert "隐藏" in skipped["旧数据"] and "说明" in skipped["填表说明"]


def test_several_data_sheets(tmp_path, ref):
    data1 = [["柳城县招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"], [1, "甲项目", 1]]
    data2 = [["序号", "项目名称", "投资总额（亿元）"], [1, "乙项目", 2], [2, "丙项目", 3]]
    path = write_xlsx(tmp_path / "柳城.xlsx", {"新签约": data1, "续建": data2})
    result = parse_file(path, "2022-05/柳城.xlsx", "2022-05", ref)
    assert [(r["source_sheet"], r["project_name"]) for r in result.ledger_rows] == [
        ("新签约", "甲项目"), ("续建", "乙项目"), ("续建", "丙项目")]


def test_outlier_threshold_is_configurable(tmp_path, ref):
    rows = [["融安县招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 150]]
    path = write_xlsx(tmp_path / "融安.xlsx", {"Sheet1": rows})
    assert not checks(parse_file(path, "2022-05/融安.xlsx", "2022-05", ref), "amount_outlier")
    result = parse_file(path, "2022-05/融安.xlsx", "2022-05", ref, Limits(outlier_yi=100))
    assert len(checks(result, "amount_outlier")) == 1
    assert result.ledger_rows[0]["total_investment"] == Decimal(150)


def test_row_with_figures_but_no_name_is_a_warning(tmp_path, ref):
    rows = [["融安县招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"], [1, None, 2],
            [2, "有名项目", 1]]
    path = write_xlsx(tmp_path / "融安.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/融安.xlsx", "2022-05", ref)
    (dropped,) = checks(result, "dropped_row")
    assert dropped.severity == "warning" and dropped.source_row == 3
    assert len(result.ledger_rows) == 1


def test_header_variants_with_full_width_colons_and_line_breaks(tmp_path, ref):
    header = ["编号", "行业类别", "项目名称", "签约企业", "项目总投资\n(亿元)", "年度到位资金（万元）",
              "累计到位资金（万元）", "来源地", "项目\n进展", "三企入桂", "协作单位"]
    rows = [["填报单位：阳和工业新区"], header,
            ["1", "智能装备", "机器人项目", "某机器人公司", "2.5", "3000", "5000", "深圳", "已签约",
             "是", "市投促局"]]
    path = write_xlsx(tmp_path / "x.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/x.xlsx", "2022-05", ref)
    assert result.unit_name == "阳和工业新区（北部生态新区）"
    (row,) = result.ledger_rows
    assert row["seq"] == "1" and row["industry"] == "智能装备" and row["investor"] == "某机器人公司"
    assert row["total_investment"] == Decimal("2.5")
    assert row["funds_this_year"] == Decimal("0.3")
    assert row["funds_cumulative"] == Decimal("0.5")
    assert row["source"] == "深圳" and row["stage"] == "签约" and row["is_sanqi"] is True
    assert row["partners"] == "市投资促进局"


def test_merged_project_over_two_rows_is_one_project(tmp_path, ref):
    rows = [["鹿寨县招商引资项目统计表"], ["序号", "项目名称", "项目方", "投资总额（亿元）", "备注"],
            [1, "双主体项目", "甲公司", 2, "甲方"], [None, None, "乙公司", None, "乙方"],
            [2, "普通项目", "丙公司", 1, None]]
    merges = ["A3:A4", "B3:B4", "D3:D4"]
    path = write_xlsx(tmp_path / "鹿寨县.xlsx", {"Sheet1": rows}, {"Sheet1": merges})
    result = parse_file(path, "2022-05/鹿寨县.xlsx", "2022-05", ref)
    assert [r["project_name"] for r in result.ledger_rows] == ["双主体项目", "普通项目"]
    assert not checks(result, "missing_amount")
    assert result.dropped_rows[0]["source_row"] == 4
    assert "合并单元格" in result.dropped_rows[0]["reason"]


cell_values = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.integers(-10**6, 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.sampled_from(["合计", "例：", "注：", "…", "—", "待定", "5000万", "约2亿", "2022年3月", "是",
                     "本年", "累计", "项目名称", "小计", "区外境内", "投资总额", "说明"]),
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_values, min_size=0, max_size=12), max_size=12))
def test_random_cells_never_break_a_ledger(tmp_path, ref, body):
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    rows = [["鹿寨县招商引资项目统计表"], LEDGER_HEADER, *body]
    try:
        path = write_xlsx(tmp_path / "鹿寨县.xlsx", {"项目表": rows})
    except (IllegalCharacterError, ValueError):
        assume(False)  # openpyxl cannot write control characters: not an input a clerk sends
    assert openpyxl  # imported for the exception type only
    result = parse_file(path, "2022-05/鹿寨县.xlsx", "2022-05", ref)
    assert result.status == "parsed", result.status_reason
    kept = {r["source_row"] for r in result.ledger_rows}
    dropped = {d["source_row"] for d in result.dropped_rows}
    assert not kept & dropped
    header_end = result.sheet_headers["项目表"]["last_row"]
    for r, row in enumerate(body, start=3):
        if r > header_end and any(v is not None and str(v).strip() for v in row):
            assert r in kept or r in dropped  # nothing silently disappears


def test_unit_from_sub_folder_name(tmp_path, ref):
    rows = [["序号", "项目名称", "投资总额（亿元）"], [1, "某项目", 1]]
    (tmp_path / "鹿寨县").mkdir()
    path = write_xlsx(tmp_path / "鹿寨县" / "台账.xlsx", {"Sheet1": rows})
    result = parse_file(path, "2022-05/鹿寨县/台账.xlsx", "2022-05", ref)
    assert result.unit_name == "鹿寨县" and result.status == "parsed"


def test_section_banners(tmp_path, ref):
    rows = [["北部生态新区招商项目统计表"], ["序号", "项目名称", "投资总额（亿元）"],
            ["一、新引进项目"], [1, "甲项目", 1], [None, "二、续建项目"], [2, "乙项目", 2],
            ["小计", None, 3]]
    path = write_xlsx(tmp_path / "北部生态新区招商项目2022-05.xlsx", {"Sheet1": rows},
                      {"Sheet1": ["A3:C3"]})
    result = parse_file(path, "2022-05/北部生态新区招商项目2022-05.xlsx", "2022-05", ref)
    assert result.unit_name == "阳和工业新区（北部生态新区）"
    assert result.workbook_month == "2022-05"  # from the file name
    assert [(r["project_name"], r["section"]) for r in result.ledger_rows] == [
        ("甲项目", "一、新引进项目"), ("乙项目", "二、续建项目")]
    assert not checks(result, "missing_amount")
    reasons = {d["source_row"]: d["reason"] for d in result.dropped_rows}
    assert reasons == {3: "分组标题行", 5: "分组标题行", 7: "合计/小计行"}
