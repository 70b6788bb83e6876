"""Every kind of finding conform emits, pinned whole: check, severity, period, unit, file, sheet,
row, project, stage and the full Chinese message, on small hand-made ledgers (issue #21).

The expected values are worked out by hand from docs/spec/warehouse.md ("quality") and what each
message must tell the clerk (the project, the units involved, where to look: file「sheet」第N行);
nothing here calls the code that builds a message.  Pure conform on DataFrames: milliseconds."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from assets.conform.build import conform
from runtime.reference import Reference
from tests.conform.helpers import empty, ledger, ledger_row

REF = Reference.load()
PERIODS = ["2022-03", "2022-04", "2022-05"]
LIST_FILE = "targets/2022年三企入桂签约项目清单.xlsx"


def _row(name, unit="鹿寨县", period="2022-03", row=5, **fields):
    """A ledger row with a known outside-the-region source, so no unknown_source is mixed in."""
    fields.setdefault("source", "广东佛山")
    fields.setdefault("investor", f"{name[:2]}实业有限公司")
    return ledger_row(name, unit=unit, period=period, row=row, **fields)


def _file(unit, period="2022-03"):
    return f"{period}/{unit}{period}台账.xlsx"


def _run(*rows, periods=PERIODS, cohort=None, unknown_source="exclude"):
    return conform(ledger(*rows), empty(), empty(), empty(), empty(), REF, periods,
                   cohort=cohort, unknown_source=unknown_source)


def _found(result, check):
    return [f.as_row() for f in result.findings if f.check_name == check]


def _expected(check, severity, message, *, period, unit, file, sheet, row, project):
    return {"check_name": check, "severity": severity, "period": period, "unit_name": unit,
            "source_file": file, "source_sheet": sheet, "source_row": row,
            "project_name": project, "message": message, "stage": "conform", "file_id": None}


def _checks(result):
    return sorted(f.check_name for f in result.findings)


# ------------------------------------------------------------------ duplicate_row

def test_a_duplicate_row_in_the_same_file_names_both_rows():
    result = _run(_row("甲汽配生产线项目", row=9), _row("甲汽配生产线项目", row=5))
    assert _found(result, "duplicate_row") == [_expected(
        "duplicate_row", "warning",
        "鹿寨县 2022-03 2022-03/鹿寨县2022-03台账.xlsx「项目表」第9行：项目「甲汽配生产线项目」"
        "与「项目表」第5行「甲汽配生产线项目」是同一项目，本月台账重复填报；"
        "已只计「项目表」第5行，请删除重复行。",
        period="2022-03", unit="鹿寨县", file=_file("鹿寨县"), sheet="项目表", row=9,
        project="甲汽配生产线项目")]
    assert _checks(result) == ["duplicate_row"]


def test_a_duplicate_row_in_another_file_and_sheet_names_that_file():
    result = _run(_row("甲汽配生产线项目", row=4, source_file="2022-03/鹿寨县补报.xlsx",
                       source_sheet="补报项目"),
                  _row("甲汽配生产线项目", row=5))
    # report order: file name, so 2022-03/鹿寨县2022-03台账.xlsx ("2" < "补") comes first
    assert _found(result, "duplicate_row") == [_expected(
        "duplicate_row", "warning",
        "鹿寨县 2022-03 2022-03/鹿寨县补报.xlsx「补报项目」第4行：项目「甲汽配生产线项目」"
        "与2022-03/鹿寨县2022-03台账.xlsx「项目表」第5行「甲汽配生产线项目」是同一项目，"
        "本月台账重复填报；已只计2022-03/鹿寨县2022-03台账.xlsx「项目表」第5行，请删除重复行。",
        period="2022-03", unit="鹿寨县", file="2022-03/鹿寨县补报.xlsx", sheet="补报项目", row=4,
        project="甲汽配生产线项目")]


# ------------------------------------------------------------------ territorial_conflict

def test_a_territorial_conflict_names_both_districts_and_the_later_row():
    result = _run(_row("乙新材料产业园项目", row=5),
                  _row("乙新材料产业园项目", unit="融安县", period="2022-04", row=7,
                       source_sheet="重点项目"))
    assert _found(result, "territorial_conflict") == [_expected(
        "territorial_conflict", "error",
        "鹿寨县 2022-03 2022-03/鹿寨县2022-03台账.xlsx「项目表」第5行：项目「乙新材料产业园项目」"
        "同时出现在鹿寨县和融安县的台账中（鹿寨县 2022-03 首报；融安县 2022-04 报送，"
        "见2022-04/融安县2022-04台账.xlsx「重点项目」第7行），属地按首报单位计为鹿寨县，"
        "融安县不计入；请两单位核实项目所在地。",
        period="2022-03", unit="鹿寨县", file=_file("鹿寨县"), sheet="项目表", row=5,
        project="乙新材料产业园项目")]
    assert _checks(result) == ["territorial_conflict"]


def test_each_later_district_is_a_conflict_of_its_own():
    result = _run(_row("乙新材料产业园项目", unit="融水县", period="2022-04", row=8),
                  _row("乙新材料产业园项目", row=5),
                  _row("乙新材料产业园项目", unit="融安县", period="2022-05", row=7))
    found = _found(result, "territorial_conflict")
    assert [f["message"].split("（")[1].split("）")[0] for f in found] == [
        "鹿寨县 2022-03 首报；融水县 2022-04 报送，见2022-04/融水县2022-04台账.xlsx「项目表」第8行",
        "鹿寨县 2022-03 首报；融安县 2022-05 报送，见2022-05/融安县2022-05台账.xlsx「项目表」第7行",
    ]
    assert {(f["unit_name"], f["source_row"], f["period"]) for f in found} == {("鹿寨县", 5, "2022-03")}


# ------------------------------------------------------------------ co_credited_project

def test_a_co_credited_project_names_the_territory_and_every_lead():
    result = _run(
        _row("丙智能制造基地项目", unit="鹿寨县", row=5, source_file="2022-03/b鹿寨县.xlsx"),
        _row("丙智能制造基地项目", unit="市工业和信息化局", row=6,
             source_file="2022-03/a工信局.xlsx", source_sheet="工信项目"),
        _row("丙智能制造基地项目", unit="市商务局", period="2022-04", row=3,
             source_file="2022-04/c商务局.xlsx"),
    )
    # the project's first report is the 工信局 row (same month, file a… before b…)
    assert _found(result, "co_credited_project") == [_expected(
        "co_credited_project", "info",
        "市工业和信息化局 2022-03 2022-03/a工信局.xlsx「工信项目」第6行：项目「丙智能制造基地项目」"
        "由鹿寨县（属地）和市工业和信息化局、市商务局（牵头/共同引进）分别报送，"
        "已合并为同一项目，分别计入各单位，全市合计按属地鹿寨县只计一次。",
        period="2022-03", unit="鹿寨县", file="2022-03/a工信局.xlsx", sheet="工信项目", row=6,
        project="丙智能制造基地项目")]
    assert _checks(result) == ["co_credited_project"]


# ------------------------------------------------------------------ no_territorial_report

def test_no_district_report_with_a_district_partner_names_the_reporters_and_the_territory():
    result = _run(
        _row("丁冷链仓储中心项目", unit="市工业和信息化局", row=6, partners="融安县",
             source_sheet="工信项目"),
        _row("丁冷链仓储中心项目", unit="市商务局", period="2022-04", row=2),
    )
    assert _found(result, "no_territorial_report") == [_expected(
        "no_territorial_report", "warning",
        "项目「丁冷链仓储中心项目」只有市工业和信息化局、市商务局报送，没有县区、开发区台账报送；"
        "已按合作单位/项目所在地计入融安县属地，请融安县核实是否应纳入本单位台账。",
        period="2022-03", unit="市工业和信息化局", file=_file("市工业和信息化局"),
        sheet="工信项目", row=6, project="丁冷链仓储中心项目")]
    assert _checks(result) == ["no_territorial_report"]


def test_no_district_report_and_no_district_partner_asks_the_reporter_to_fill_the_place():
    result = _run(_row("戊文旅综合体项目", unit="市商务局", row=11, partners="市工业和信息化局",
                       source_sheet="商务项目"))
    assert _found(result, "no_territorial_report") == [_expected(
        "no_territorial_report", "warning",
        "项目「戊文旅综合体项目」只有市商务局报送，没有县区、开发区台账报送，"
        "合作单位/项目所在地也未写明县区，属地暂空；请市商务局在"
        "2022-03/市商务局2022-03台账.xlsx「商务项目」第11行补填项目所在地，或由所在县区纳入台账。",
        period="2022-03", unit="市商务局", file=_file("市商务局"), sheet="商务项目", row=11,
        project="戊文旅综合体项目")]


# ------------------------------------------------------------------ below_threshold

def test_a_project_below_the_threshold_is_named_with_its_total_once():
    result = _run(_row("己农产品加工项目", total_investment=Decimal("0.04")),
                  _row("己农产品加工项目", period="2022-04", row=6,
                       total_investment=Decimal("0.04")),
                  _row("庚物流园项目", row=7, total_investment=Decimal("0.05")))  # at the bar
    assert _found(result, "below_threshold") == [_expected(
        "below_threshold", "info",
        "鹿寨县 2022-03 2022-03/鹿寨县2022-03台账.xlsx「项目表」第5行：项目「己农产品加工项目」"
        "投资总额0.04亿元，低于统计起点（区外总投资500万元），保留在仓库中但不计入任何指标。",
        period="2022-03", unit="鹿寨县", file=_file("鹿寨县"), sheet="项目表", row=5,
        project="己农产品加工项目")]
    assert _checks(result) == ["below_threshold"]


# ------------------------------------------------------------------ inside_region_project

def test_an_inside_region_project_names_its_source():
    result = _run(_row("辛机械加工项目", row=8, source="广西南宁", source_sheet="续建项目"),
                  _row("辛机械加工项目", period="2022-04", row=8, source="广西南宁"))
    assert _found(result, "inside_region_project") == [_expected(
        "inside_region_project", "info",
        "鹿寨县 2022-03 2022-03/鹿寨县2022-03台账.xlsx「续建项目」第8行：项目「辛机械加工项目」"
        "投资来源为「广西南宁」，属区内项目，按“区外境内”统计口径保留在仓库中但不计入任何指标。",
        period="2022-03", unit="鹿寨县", file=_file("鹿寨县"), sheet="续建项目", row=8,
        project="辛机械加工项目")]
    assert _checks(result) == ["inside_region_project"]


# ------------------------------------------------------------------ unknown_source

def test_an_unknown_source_says_what_was_written_and_what_the_rule_does():
    result = _run(_row("壬电子元件项目", unit="融水县", row=9, source="外地",
                       source_sheet="在建项目"), periods=["2022-03"])
    assert _found(result, "unknown_source") == [_expected(
        "unknown_source", "warning",
        "融水县 2022-03 2022-03/融水县2022-03台账.xlsx「在建项目」第9行：项目「壬电子元件项目」"
        "投资来源「外地」不在地名参考表中，无法判断是否区外境内项目，按规则暂不计入任何指标；"
        "请补填投资来源（省、市或国家/地区，如“广东佛山”“香港”）。",
        period="2022-03", unit="融水县", file=_file("融水县"), sheet="在建项目", row=9,
        project="壬电子元件项目")]
    assert _checks(result) == ["unknown_source"]


def test_a_blank_source_under_the_include_rule_says_so():
    result = _run(_row("癸包装材料项目", unit="市工业和信息化局", row=3, source=None,
                       partners="柳城县"),
                  periods=["2022-03"], unknown_source="include")
    assert _found(result, "unknown_source") == [_expected(
        "unknown_source", "warning",
        "市工业和信息化局 2022-03 2022-03/市工业和信息化局2022-03台账.xlsx「项目表」第3行："
        "项目「癸包装材料项目」投资来源为空，无法判断是否区外境内项目，按规则暂按区外境内项目计入；"
        "请补填投资来源（省、市或国家/地区，如“广东佛山”“香港”）。",
        period="2022-03", unit="市工业和信息化局", file=_file("市工业和信息化局"), sheet="项目表",
        row=3, project="癸包装材料项目")]


def test_an_unknown_source_is_named_for_every_period_from_the_row_of_that_period():
    result = _run(_row("壬电子元件项目", row=9, source="外地"),
                  _row("壬电子元件项目", period="2022-04", row=4, source="外地"),
                  periods=["2022-03", "2022-04"])
    found = _found(result, "unknown_source")
    assert [(f["period"], f["source_file"], f["source_row"]) for f in found] == [
        ("2022-03", _file("鹿寨县"), 9), ("2022-04", _file("鹿寨县", "2022-04"), 4)]
    assert found[1]["message"].startswith(
        "鹿寨县 2022-04 2022-04/鹿寨县2022-04台账.xlsx「项目表」第4行：项目「壬电子元件项目」投资来源「外地」")


# ------------------------------------------------------------------ the 三企入桂 cohort list

def _cohort(*rows) -> pd.DataFrame:
    return pd.DataFrame([{
        "year": 2022, "project_name": name, "investor": investor, "signed_on": "2022-03-01",
        "contract_investment": Decimal("2.5"), "territorial_unit": unit,
        "responsible_unit": None, "source_file": LIST_FILE, "source_sheet": "清单",
        "source_row": row, "row_ok": True,
    } for name, investor, unit, row in rows])


def test_an_unmatched_list_row_names_the_list_row_the_project_and_the_unit():
    result = _run(_row("旋切板生产线项目", investor="广东畔森木业有限公司", is_sanqi=True),
                  cohort=_cohort(("旋切板生产线项目", "广东畔森木业有限公司", "鹿寨县", 3),
                                 ("年产2万吨锂电池隔膜项目", "湖南湘桂隔膜有限公司", "柳城县", 5),
                                 ("数控机床再制造项目", None, None, 6)))
    assert _found(result, "cohort_project_unmatched") == [
        _expected(
            "cohort_project_unmatched", "warning",
            f"2022年三企入桂清单 {LIST_FILE}「清单」第5行：项目「年产2万吨锂电池隔膜项目」"
            "（湖南湘桂隔膜有限公司）在各单位报送的项目台账中找不到对应项目，四率暂无法统计该项目；"
            "请柳城县核实是否已纳入项目台账、项目名称与签约企业是否一致。",
            period=None, unit="柳城县", file=LIST_FILE, sheet="清单", row=5,
            project="年产2万吨锂电池隔膜项目"),
        _expected(
            "cohort_project_unmatched", "warning",
            f"2022年三企入桂清单 {LIST_FILE}「清单」第6行：项目「数控机床再制造项目」"
            "（签约企业未填）在各单位报送的项目台账中找不到对应项目，四率暂无法统计该项目；"
            "请属地单位核实是否已纳入项目台账、项目名称与签约企业是否一致。",
            period=None, unit=None, file=LIST_FILE, sheet="清单", row=6,
            project="数控机床再制造项目"),
    ]
    assert _checks(result) == ["cohort_project_unmatched"] * 2


def test_a_flag_outside_the_list_names_the_first_report_of_that_year():
    result = _run(_row("冷链物流中心项目", unit="柳城县", period="2022-04", row=7, is_sanqi=True,
                       source_sheet="新签项目"),
                  _row("冷链物流中心项目", unit="柳城县", period="2022-05", row=7, is_sanqi=True),
                  _row("旋切板生产线项目", investor="广东畔森木业有限公司", is_sanqi=True),
                  cohort=_cohort(("旋切板生产线项目", "广东畔森木业有限公司", "鹿寨县", 3)))
    assert _found(result, "cohort_flag_outside_list") == [_expected(
        "cohort_flag_outside_list", "info",
        "柳城县 2022-04 2022-04/柳城县2022-04台账.xlsx「新签项目」第7行：项目「冷链物流中心项目」"
        "在台账中标为三企入桂项目，但不在自治区下达的2022年三企入桂清单中，"
        "2022年四率按清单统计、不含该项目；如清单有误请向上级核实。",
        period="2022-04", unit="柳城县", file=_file("柳城县", "2022-04"), sheet="新签项目", row=7,
        project="冷链物流中心项目")]
    assert _checks(result) == ["cohort_flag_outside_list"]


# ------------------------------------------------------------------ the explanation of a match

def test_a_project_reported_once_is_explained_as_one_spelling():
    result = _run(_row("子汽车座椅项目", investor="柳州子座椅有限公司"))
    (keys,) = result.dim_project["match_keys"].tolist()
    # the keys: name without 项目; investor without its legal form and place, the place kept as @region
    assert keys == "1种写法：「子汽车座椅」/「子座椅@柳州」"
    assert result.matched_ledger["match_keys"].tolist() == ["单一写法（名称+项目方完全一致）"]


# ------------------------------------------------------------------ where each credit came from

def _bridge(result):
    """The credit rows of one project, as a set (the bridge's rows have no order), each once."""
    rows = [tuple(r) for r in result.bridge[["unit_name", "role", "first_period", "source_file",
                                             "source_sheet", "source_row"]].itertuples(index=False)]
    assert len(rows) == len(set(rows))
    return set(rows)


def test_the_bridge_names_the_row_of_each_credit():
    result = _run(
        _row("丙智能制造基地项目", unit="鹿寨县", row=5, source_file="2022-03/b鹿寨县.xlsx"),
        _row("丙智能制造基地项目", unit="市工业和信息化局", row=6,
             source_file="2022-03/a工信局.xlsx", source_sheet="工信项目"),
        _row("丙智能制造基地项目", unit="市商务局", period="2022-04", row=3,
             source_file="2022-04/c商务局.xlsx"),
    )
    assert _bridge(result) == {
        ("鹿寨县", "territorial", "2022-03", "2022-03/b鹿寨县.xlsx", "项目表", 5),
        ("市工业和信息化局", "lead", "2022-03", "2022-03/a工信局.xlsx", "工信项目", 6),
        ("市商务局", "lead", "2022-04", "2022-04/c商务局.xlsx", "项目表", 3),
    }
    assert set(result.bridge["project_id"]) == set(result.dim_project["project_id"])


def test_a_partner_s_credit_comes_from_the_row_that_names_it():
    result = _run(
        _row("丁冷链仓储中心项目", unit="市工业和信息化局", row=6, partners="融安县、市商务局",
             source_sheet="工信项目"),
        _row("丁冷链仓储中心项目", unit="市农业农村局", period="2022-04", row=2,
             partners="市国资委"),
    )
    assert _bridge(result) == {
        ("市工业和信息化局", "lead", "2022-03", _file("市工业和信息化局"), "工信项目", 6),
        ("市农业农村局", "lead", "2022-04", _file("市农业农村局", "2022-04"), "项目表", 2),
        ("融安县", "territorial", "2022-03", _file("市工业和信息化局"), "工信项目", 6),
        ("市商务局", "co", "2022-03", _file("市工业和信息化局"), "工信项目", 6),
        ("市国资委", "co", "2022-04", _file("市农业农村局", "2022-04"), "项目表", 2),
    }
    (note,) = _found(result, "no_territorial_report")
    assert note["message"].startswith("项目「丁冷链仓储中心项目」只有市工业和信息化局、市农业农村局报送，")


def test_a_row_that_failed_its_checks_or_has_no_name_is_not_matched_and_says_why():
    result = _run(_row("丑饲料加工项目", total_investment=None, row_ok=False),  # missing_amount at ingest
                  _row("丑饲料加工项目", period="2022-04", row=6),
                  _row("（）", period="2022-04", row=7))  # no name left once the brackets go
    keys = result.matched_ledger["match_keys"].tolist()
    assert keys == ["未参与匹配（该行缺项目名称或投资总额）", "单一写法（名称+项目方完全一致）",
                    "未参与匹配（该行缺项目名称或投资总额）"]
    assert result.matched_ledger["project_id"].isna().tolist() == [True, False, True]
