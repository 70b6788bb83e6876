from decimal import Decimal

import pandas as pd
import pytest

from assets.conform.build import DIM_PROJECT_COLUMNS, conform
from assets.conform.credit import BRIDGE_COLUMNS
from runtime.reference import Reference
from tests.conform.helpers import empty, file_row, ledger, ledger_row

REF = Reference.load()
PERIODS = ["2022-03", "2022-04", "2022-05", "2022-06"]


def run(*rows, periods=PERIODS, **kw):
    return conform(ledger(*rows), kw.get("activities", empty()), kw.get("reserve", empty()),
                   kw.get("targets", empty()), kw.get("files", empty()), REF, periods)


def checks(result, name):
    return [f for f in result.findings if f.check_name == name]


def bridge_of(result):
    return {(r.unit_name, r.role, r.first_period) for r in result.bridge.itertuples()}


def test_columns_follow_the_contract():
    res = run(ledger_row("XX汽车零部件项目"))
    assert list(res.dim_project.columns) == DIM_PROJECT_COLUMNS
    assert list(res.bridge.columns[:3]) == ["project_id", "unit_name", "role"]
    assert list(res.bridge.columns) == BRIDGE_COLUMNS
    assert list(res.fact_project_period.columns[:9]) == [
        "project_id", "period", "reported_by", "status", "stage", "total_investment",
        "funds_this_year", "funds_cumulative", "source_file"]
    assert list(res.dim_unit.columns[:3]) == ["unit_name", "unit_type", "parent_name"]
    lz = res.dim_unit.set_index("unit_name").loc["融水县"]
    assert lz["unit_type"] == "district" and lz["parent_name"] == "柳州市"
    assert "融水苗族自治县" in lz["aliases"].split("、")
    assert isinstance(res.dim_project["total_investment"].iloc[0], Decimal)
    assert isinstance(res.fact_project_period["funds_this_year"].iloc[0], Decimal)


def test_territorial_conflict_between_two_districts():
    res = run(
        ledger_row("XX新材料产业园", "柳江区", "2022-04", investor="XX新材料有限公司"),
        ledger_row("XX新材料产业园项目", "柳南区", "2022-03", investor="XX新材料公司"),
        ledger_row("XX新材料产业园", "柳江区", "2022-05", investor="XX新材料有限公司"),
    )
    assert len(res.dim_project) == 1
    assert res.dim_project["territorial_unit"].iloc[0] == "柳南区"
    assert bridge_of(res) == {("柳南区", "territorial", "2022-03")}  # the loser gets nothing
    (conflict,) = checks(res, "territorial_conflict")
    assert conflict.severity is None or conflict.severity == "error"
    assert conflict.as_row()["severity"] == "error"
    assert "柳南区" in conflict.message and "柳江区" in conflict.message
    # located at the territorial unit's first report (the clerk sees both units in the message)
    assert conflict.unit_name == "柳南区" and conflict.period == "2022-03"
    assert conflict.stage == "conform"


def test_conflict_tie_on_month_goes_to_file_name():
    res = run(
        ledger_row("XX产业园", "柳江区", "2022-03", investor="XX公司"),
        ledger_row("XX产业园", "柳北区", "2022-03", investor="XX公司"),
    )
    # "2022-03/柳北区…" < "2022-03/柳江区…"
    assert res.dim_project["territorial_unit"].iloc[0] == "柳北区"


def test_co_credit_district_and_department():
    res = run(
        ledger_row("岭南药业柳州中药生产基地", "鹿寨县", "2022-03",
                   investor="柳州鹿寨金润房地产开发有限公司"),
        ledger_row("岭南药业柳州中药生产基地项目", "市工业和信息化局", "2022-04",
                   investor="鹿寨金润房地产开发公司", partners="市商务局"),
        ledger_row("岭南药业(柳州)中药生产基地", "鹿寨县林木加工产业招商组", "2022-05"),
        ledger_row("岭南药业柳州中药生产基地", "鹿寨县", "2022-04",
                   investor="柳州鹿寨金润房地产开发有限公司"),
    )
    assert len(res.dim_project) == 1
    assert bridge_of(res) == {
        ("鹿寨县", "territorial", "2022-03"),
        ("市工业和信息化局", "lead", "2022-04"),
        ("鹿寨县林木加工产业招商组", "lead", "2022-05"),
        ("市商务局", "co", "2022-04"),
    }
    (info,) = checks(res, "co_credited_project")
    assert info.as_row()["severity"] == "info"
    assert not checks(res, "territorial_conflict") and not checks(res, "no_territorial_report")


def test_no_territorial_report_with_a_named_district():
    res = run(ledger_row("XX数字经济产业园", "市大数据局", partners="柳东新区、市商务局"))
    assert res.dim_project["territorial_unit"].iloc[0] == "柳东新区"
    assert bridge_of(res) == {
        ("市大数据局", "lead", "2022-03"),
        ("柳东新区", "territorial", "2022-03"),
        ("市商务局", "co", "2022-03"),
    }
    (warning,) = checks(res, "no_territorial_report")
    assert "柳东新区" in warning.message and warning.as_row()["severity"] == "warning"


def test_no_territorial_report_without_a_district():
    res = run(ledger_row("XX数字经济产业园", "市大数据局"))
    assert res.dim_project["territorial_unit"].iloc[0] is None
    assert bridge_of(res) == {("市大数据局", "lead", "2022-03")}
    (warning,) = checks(res, "no_territorial_report")
    assert "属地暂空" in warning.message


def test_duplicate_rows_keep_the_first():
    res = run(
        ledger_row("XX汽车零部件项目", "柳江区", row=5, funds_this_year=Decimal("1")),
        ledger_row("XX汽车零部件", "柳江区", row=9, funds_this_year=Decimal("7")),
        ledger_row("XX汽车零部件项目", "柳江区", "2022-04", row=5, funds_this_year=Decimal("2")),
    )
    (dup,) = checks(res, "duplicate_row")
    assert dup.source_row == 9 and dup.period == "2022-03" and "第5行" in dup.message
    facts = res.fact_project_period.set_index("period")
    assert facts.loc["2022-03", "funds_this_year"] == Decimal("1")
    assert facts.loc["2022-03", "source_row"] == 5
    assert res.matched_ledger["is_duplicate"].tolist() == [False, True, False]


def test_funds_conformed_figure_territorial_wins():
    res = run(
        ledger_row("XX项目", "柳北区", "2022-03", funds_this_year=Decimal("1.2")),
        ledger_row("XX项目", "市商务局", "2022-04", funds_this_year=Decimal("3.0")),
        ledger_row("XX项目", "柳北区", "2022-05", funds_this_year=Decimal("1.5")),
        ledger_row("YY项目", "市商务局", "2022-04", row=6, funds_this_year=Decimal("0.8")),
        ledger_row("YY项目", "柳北区", "2022-05", row=6, funds_this_year=Decimal("0.6")),
    )
    pid = dict(zip(res.dim_project["project_name"], res.dim_project["project_id"], strict=True))
    f = res.fact_project_period.set_index(["project_id", "period"])
    xx, yy = pid["XX项目"], pid["YY项目"]
    assert f.loc[(xx, "2022-03"), "funds_this_year"] == Decimal("1.2")
    assert f.loc[(xx, "2022-04"), "funds_this_year"] == Decimal("1.2")  # not the 3.0
    assert f.loc[(xx, "2022-04"), "reported_by"] == "柳北区"
    assert f.loc[(xx, "2022-06"), "funds_this_year"] == Decimal("1.5")
    # before the territorial unit reports, the latest report of any unit
    assert f.loc[(yy, "2022-04"), "funds_this_year"] == Decimal("0.8")
    assert f.loc[(yy, "2022-05"), "funds_this_year"] == Decimal("0.6")
    assert (yy, "2022-03") not in f.index


def test_facts_restart_each_year():
    res = run(
        ledger_row("XX项目", "柳北区", "2021-11"),
        ledger_row("XX项目", "柳北区", "2022-04"),
        periods=["2021-11", "2021-12", "2022-01", "2022-02", "2022-03", "2022-04"],
    )
    assert res.fact_project_period["period"].tolist() == ["2021-11", "2021-12", "2022-04"]


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (["2022-04-18", "2022-03"], "2022-03"),  # the earliest date that has a month
        (["2022", "2022-05-02"], "2022-05"),
        (["2022", None], "2022-03"),  # only a year: the first submission listing it
        ([None, None], "2022-03"),
    ],
)
def test_signed_month(signed, expected):
    res = run(
        ledger_row("XX项目", "柳北区", "2022-04", signed_on=signed[0]),
        ledger_row("XX项目", "市商务局", "2022-03", signed_on=signed[1]),
    )
    assert res.dim_project["signed_month"].iloc[0] == expected


def test_dim_project_attributes_from_the_territorial_unit():
    res = run(
        ledger_row("XX项目", "柳北区", "2022-03", industry="房地产业", investor="XX置业",
                   total_investment=Decimal("0.03")),
        ledger_row("XX项目", "市商务局", "2022-05", industry="新能源汽车", investor="XX置业公司"),
        ledger_row("YY项目", "市商务局", "2022-05", row=7, industry="商贸物流",
                   is_industrial=True),
        ledger_row("ZZ项目", "市商务局", "2022-05", row=8, industry="不认识的行业"),
    )
    d = res.dim_project.set_index("project_name")
    assert d.loc["XX项目", "industry"] == "房地产业"
    assert d.loc["XX项目", "is_industrial"] is False and d.loc["XX项目", "is_emerging"] is False
    assert d.loc["XX项目", "below_threshold"] is True
    assert d.loc["XX项目", "first_reported_by"] == "柳北区"
    assert d.loc["YY项目", "is_industrial"] is True  # the explicit column wins
    assert d.loc["YY项目", "is_emerging"] is False
    assert d.loc["ZZ项目", "is_industrial"] is None and d.loc["ZZ项目", "is_emerging"] is None
    assert "写法" in d.loc["XX项目", "match_keys"]


def test_rows_not_ok_count_nowhere():
    res = run(
        ledger_row("XX项目", "柳北区"),
        ledger_row("YY项目", "柳北区", row=6, total_investment=None, row_ok=False),
    )
    assert res.dim_project["project_name"].tolist() == ["XX项目"]


def test_fact_target_city_total_and_other_totals():
    def t(unit, indicator, target, total=False, file="targets/2022目标.xlsx", row=5, sub=None):
        return {"year": 2022, "unit_name": unit, "sub_unit": sub, "indicator": indicator,
                "target": Decimal(target), "is_total_row": total, "source_file": file,
                "source_sheet": "Sheet1", "source_row": row}

    targets = pd.DataFrame([
        t("柳南区", "funds_in_place", "30", row=5),
        t("柳北区", "funds_in_place", "20", row=6),
        t("市投资促进局", "funds_in_place", "50", total=True, row=7),
        t("市商务局", "new_projects", "8", file="targets/部门.xlsx", row=5),
        t("市投资促进局", "new_projects", "8", total=True, file="targets/部门.xlsx", row=6),
        t("鹿寨县林木加工产业招商组", "new_projects", "3", file="targets/鹿寨.xlsx", row=5,
          sub="县林业局（旋切基地项目）"),
        t("鹿寨县林木加工产业招商组", "new_projects", "2", file="targets/鹿寨.xlsx", row=6,
          sub="县投促中心（林木深加工项目）"),
        t("鹿寨县", "new_projects", "5", total=True, file="targets/鹿寨.xlsx", row=7),
    ])
    res = run(ledger_row("XX项目"), targets=targets)
    ft = res.fact_target
    assert set(ft["unit_name"]) == {"柳南区", "柳北区", "柳州市", "市商务局", "鹿寨县林木加工产业招商组"}
    city = ft.loc[ft["unit_name"] == "柳州市"].iloc[0]
    assert city["target"] == Decimal("50") and city["indicator"] == "funds_in_place"
    group = ft.loc[ft["unit_name"] == "鹿寨县林木加工产业招商组", "target"]
    assert sum(group) == Decimal("5")


def test_activity_and_reserve_latest_file_of_the_year():
    def act(src, date, name, row):
        return {"source_file": src, "source_sheet": "活动", "source_row": row,
                "period": src[:7], "unit_name": "市科技局", "activity_date": date,
                "activity_name": name, "activity_type": "走出去", "leader": None,
                "led_by_principal": "是", "enterprises_docked": 3, "row_ok": True}

    a3, a5 = "2022-03/科技局活动.xlsx", "2022-05/科技局活动.xlsx"
    activities = pd.DataFrame([
        act(a3, "2022-02-10", "赴深圳招商", 5),
        act(a5, "2022-02-10", "赴深圳招商", 5),
        act(a5, "2022-02-10", "赴深圳招商", 6),  # the same activity twice
        act(a5, "2022-04-20", "柳州推介会", 7),
    ])
    r5 = "2022-05/科技局储备库.xlsx"
    reserve = pd.DataFrame([{"source_file": r5, "source_sheet": "储备", "source_row": 4,
                             "period": "2022-05", "unit_name": "市科技局", "project_name": "AA",
                             "chain": "汽车", "planned_investment": Decimal("3"),
                             "entered_on": "2022-05", "status": "在谈", "row_ok": True}])
    files = pd.DataFrame([
        file_row(a3, "市科技局", "activity_ledger", "2022-03"),
        file_row(a5, "市科技局", "activity_ledger", "2022-05"),
        file_row("2022-04/old.xlsx", "市科技局", "activity_ledger", "2022-04", "superseded"),
        file_row(r5, "市科技局", "reserve_projects", "2022-05"),
    ])
    res = run(ledger_row("XX项目"), activities=activities, reserve=reserve, files=files)
    fa = res.fact_activity
    assert fa.groupby("period").size().to_dict() == {"2022-03": 1, "2022-04": 1, "2022-05": 2,
                                                     "2022-06": 2}
    assert set(fa.loc[fa["period"] == "2022-04", "source_file"]) == {a3}
    assert fa["led_by_principal"].iloc[0] is True
    fr = res.fact_reserve_project
    assert fr["period"].tolist() == ["2022-05", "2022-06"]
    assert isinstance(fr["planned_investment"].iloc[0], Decimal)


def test_empty_inputs():
    res = conform(pd.DataFrame(), empty(), empty(), empty(), empty(), REF, PERIODS)
    assert res.dim_project.empty and res.bridge.empty and res.fact_project_period.empty
    assert len(res.dim_unit) == len(REF.units)


def test_below_threshold_is_one_finding_per_project_at_its_first_report():
    small = dict(total_investment=Decimal("0.03"), investor="某商贸公司")
    res = run(
        ledger_row("小商铺装修项目", period="2022-03", row=7, **small),
        ledger_row("小商铺装修项目", period="2022-04", row=7, **small),
        ledger_row("小商铺装修项目", period="2022-05", row=8, **small),
        ledger_row("XX汽车零部件项目", period="2022-03", row=5),
    )
    found = checks(res, "below_threshold")
    assert [(f.period, f.source_row, f.severity or "info") for f in found] == [("2022-03", 7, "info")]
    assert "0.03" in found[0].message and "小商铺装修项目" in found[0].message
    below = res.dim_project.set_index("project_name")["below_threshold"]
    assert bool(below["小商铺装修项目"]) and not bool(below["XX汽车零部件项目"])
