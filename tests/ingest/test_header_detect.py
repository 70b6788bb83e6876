"""Header mapping (reference/columns.yaml), header-row finding and kind/unit/month detection."""

from __future__ import annotations

import pytest

from assets.ingest.detect import detect_kind, detect_month, detect_unit, detect_year
from assets.ingest.header import amount_unit, find_header, header_text, load_columns, match_field
from runtime.reference import Reference


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("序号", "seq"), ("编号", "seq"), ("行业", "industry"), ("所属行业", "industry"),
        ("行业类别", "industry"), ("产业链", "chain"), ("所属产业链", "chain"),
        ("项目名称", "project_name"), ("项目方", "investor"), ("投资方", "investor"),
        ("企业名称", "investor"), ("投资主体", "investor"), ("签约企业", "investor"),
        ("投资总额（亿元）", "total_investment"), ("总投资(亿元)", "total_investment"),
        ("计划总投资（万元）", "total_investment"), ("项目总投资", "total_investment"),
        ("本年到位资金（亿元）", "funds_this_year"), ("年度到位资金(万元)", "funds_this_year"),
        ("到位资金", "funds_this_year"), ("到位资金本年", "funds_this_year"),
        ("累计到位资金", "funds_cumulative"), ("到位资金累计", "funds_cumulative"),
        ("投资来源", "source"), ("投资方来源地", "source"), ("来源地", "source"),
        ("项目负责人", "contact_person"), ("联系人", "contact_person"),
        ("联系电话", "contact_phone"), ("电话", "contact_phone"),
        ("项目入驻时间", "signed_on"), ("签约时间", "signed_on"), ("引进时间", "signed_on"),
        ("开工时间", "started_on"), ("竣工投产时间", "completed_on"), ("投产时间", "completed_on"),
        ("进展情况", "status"), ("项目进展", "status"), ("目前进展", "status"),
        ("是否工业项目", "is_industrial"), ("是否新兴产业", "is_emerging"),
        ("是否三企入桂项目", "is_sanqi"), ("三企入桂", "is_sanqi"),
        ("合作单位", "partners"), ("协作单位", "partners"), ("共同引进单位", "partners"),
        ("项目所在地", "partners"), ("备注", "remarks"),
    ],
)
def test_ledger_header_variants(text, field):
    assert match_field(header_text(text), load_columns()["project_ledger"])[0] == field


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("单位", "unit"), ("单 位", "unit"), ("县（区）", "unit"), ("县(区)、开发区", "unit"),
        ("单位名称", "unit"), ("专班", "unit"), ("产业招商组", "unit"), ("牵头单位", "sub_unit"),
        ("协办单位", None), ("责任领导", None),
        ("2021年区外境内到位资金目标（亿元）", "funds_in_place"),
        ("内资到位资金目标（亿元）区外境内", "funds_in_place"),
        ("2021年新引进项目目标（须含30%以上新兴产业项目，单位：个）", "new_projects"),
        ("新签约项目数（个）", "new_projects"), ("牵头新引进项目数", "new_projects"),
        ("2021年新引进工业项目目标（个）", "new_industrial_projects"),
        ("新引进工业项目（个）", "new_industrial_projects"),
        ("2021年新引进亿元工业项目目标（个）", "new_100m_industrial_projects"),
        ("亿元工业项目（个）", "new_100m_industrial_projects"),
    ],
)
def test_target_header_variants(text, field):
    assert match_field(header_text(text), load_columns()["target_table"])[0] == field


@pytest.mark.parametrize(
    ("text", "unit"),
    [("投资总额（亿元）", "亿"), ("计划总投资（万元）", "万"), ("总投资(单位:万元)", "万"),
     ("单位：万元", "万"), ("投资总额", None), ("到位资金\n（万元）", "万")],
)
def test_amount_unit(text, unit):
    assert amount_unit(text) == unit


def test_find_header_below_title_lines():
    grid = [["某某县招商引资项目统计表"], ["填报单位：某某", None, "单位：万元"], [],
            ["序号", "项目名称", "投资总额", "进展情况"], [1, "甲", 100, "已签约"]]
    header = find_header(grid, [], load_columns()["project_ledger"])
    assert header.first_row == header.last_row == 3
    assert header.columns == {"seq": 0, "project_name": 1, "total_investment": 2, "status": 3}
    assert header.units["total_investment"] == "万"  # from the 单位：万元 line


def test_find_header_does_not_swallow_first_data_row():
    grid = [["序号", "项目名称", "投资总额（亿元）", "进展情况"], [None, "甲项目", "待定", "洽谈中"]]
    header = find_header(grid, [], load_columns()["project_ledger"])
    assert header.last_row == 0


@pytest.mark.parametrize(
    ("grid", "kind"),
    [
        ([["鹿寨县招商引资项目统计表"], ["序号", "项目名称", "投资总额（亿元）"]], "project_ledger"),
        ([["序号", "项目名称", "项目方", "投资总额（亿元）", "进展情况"]], "project_ledger"),
        ([["招商活动台账"], ["日期", "活动名称", "活动类型", "带队领导"]], "activity_ledger"),
        ([["日期", "活动名称", "活动类型"]], "activity_ledger"),
        ([["策划包装项目表"], ["项目名称", "产业链", "计划投资（亿元）"]], "reserve_projects"),
        ([["项目名称", "产业链", "计划投资（亿元）", "入库时间"]], "reserve_projects"),
        ([["策划包装项目统计表"], ["项目名称", "产业链", "计划投资（亿元）", "状态"]], "reserve_projects"),
        ([["项目名称", "项目方", "投资总额（亿元）", "入库时间", "进展情况"]], "project_ledger"),
        ([["目标任务分解表"], ["单位", "到位资金目标（亿元）"]], "target_table"),
        ([["单位", "到位资金目标（亿元）", "新引进项目目标"]], "target_table"),
        ([["姓名", "工资", "岗位"]], None),
        ([["项目名称"]], None),
    ],
)
def test_detect_kind(grid, kind):
    assert detect_kind(grid, [])[0] == kind


@pytest.mark.parametrize(
    ("lines", "file_name", "unit", "source"),
    [
        (["鹿寨县2022年招商引资项目统计表"], "x.xlsx", "鹿寨县", "标题"),
        (["招商引资项目统计表", "填报单位：融水苗族自治县投资促进局 填报时间：2022年6月3日"], "x.xlsx",
         "融水县", "填报单位"),
        (["柳州市招商引资项目统计表", "填报单位:柳州市工信局"], "x.xlsx", "市工业和信息化局", "填报单位"),
        (["柳州市鱼峰区招商引资项目统计表"], "x.xlsx", "鱼峰区", "标题"),
        (["招商引资项目统计表"], "三江侗族自治县5月.xlsx", "三江县", "文件名"),
        (["林木加工产业招商组项目台账"], "x.xlsx", "鹿寨县林木加工产业招商组", "标题"),
        (["招商引资项目统计表"], "台账.xlsx", None, None),
    ],
)
def test_detect_unit(ref, lines, file_name, unit, source):
    assert detect_unit(lines, file_name, ref) == (unit, source)


@pytest.mark.parametrize(
    ("lines", "month"),
    [
        (["2022年5月招商引资项目统计表"], "2022-05"),
        (["截至2022年5月底"], "2022-05"),
        (["统计时间：2022年5月"], "2022-05"),
        (["鹿寨县2022年1-5月招商引资项目统计表"], "2022-05"),
        (["鹿寨县2022年1—12月招商引资项目统计表"], "2022-12"),
        (["统计时间：2022.05.31"], "2022-05"),
        (["招商引资项目统计表", "填报日期：2022年6月3日"], None),
        (["鹿寨县2022年招商引资项目统计表"], None),
        (["２０２２年５月"], "2022-05"),
    ],
)
def test_detect_month(lines, month):
    assert detect_month(lines) == month


def test_detect_year():
    assert detect_year(["2021年全市各县（区）、开发区", "招商引资目标任务分解表"]) == 2021
    assert detect_year(["目标任务分解表"], "2023年目标.xlsx") == 2023
    assert detect_year(["目标任务分解表"], "目标.xlsx") is None


def test_detect_month_year_then_month_later_in_line():
    assert detect_month(["鹿寨县2022年招商引资项目统计表（截至5月底）"]) == "2022-05"


def test_city_title_yields_to_a_specific_file_name(ref):
    assert detect_unit(["柳州市招商引资项目统计表"], "鹿寨县.xlsx", ref) == ("鹿寨县", "文件名")
    assert detect_unit(["柳州市招商引资项目统计表"], "台账.xlsx", ref) == ("柳州市", "标题")


@pytest.mark.parametrize(
    "line",
    ["填报单位（盖章）：鹿寨县投资促进中心", "填报单位:鹿寨县投资促进中心(盖章)  填报人：张三",
     "报送单位：鹿寨县投促中心 联系电话：13812345678", "填报单位 ：鹿寨县 单位：万元",
     "填表单位：鹿寨县投资促进中心填报日期：2022年6月3日"],
)
def test_detect_unit_filler_line_forms(ref, line):
    assert detect_unit(["柳州市招商引资项目统计表", line], "x.xlsx", ref) == ("鹿寨县", "填报单位")


def test_text_only_first_data_row_without_name_is_not_a_subheader():
    grid = [["序号", "项目名称", "项目方", "投资总额（亿元）", "进展情况"],
            [None, None, "某公司", "待定", "洽谈中"], [1, "甲项目", "乙公司", 1, "已签约"]]
    header = find_header(grid, [], load_columns()["project_ledger"])
    assert header.last_row == 0


def test_group_over_subcolumns_without_merges_or_known_words():
    grid = [["项目名称", "投资情况", None, "进展情况"], [None, "投资总额（亿元）", "累计到位资金", None],
            ["甲项目", 2, 1, "已签约"]]
    header = find_header(grid, [], load_columns()["project_ledger"])
    assert header.last_row == 1
    assert header.columns == {"project_name": 0, "total_investment": 1, "funds_cumulative": 2,
                              "status": 3}


def test_total_row_right_under_the_header_is_not_a_subheader():
    grid = [["序号", "项目名称", "投资总额（亿元）"], [None, "合计"], [1, "甲项目", 1]]
    assert find_header(grid, [], load_columns()["project_ledger"]).last_row == 0


@pytest.mark.parametrize(
    ("file_name", "month"),
    [("柳北区-202205.xlsx", "2022-05"), ("鱼峰区招商引资项目台账（2022.5）.xlsx", "2022-05"),
     ("市科技局汽车产业链招商专班项目台账202205.xlsx", "2022-05"),
     ("柳州市科学技术局2021年招商活动台账（8月）.xlsx", "2021-08"), ("台账.xlsx", None)],
)
def test_detect_month_from_file_name(file_name, month):
    assert detect_month(["招商引资项目统计表"], file_name) == month
