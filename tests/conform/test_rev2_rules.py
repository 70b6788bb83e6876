"""Revision 2 rules of the data side, worked by hand: the 投资来源 classifier, the signing month with
入库, the cohort list matched to projects, and each new conform finding."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from assets.conform.build import conform
from runtime.reference import PlaceTable, Reference
from tests.conform.helpers import empty, ledger, ledger_row

REF = Reference.load()
PERIODS = ["2022-03", "2022-04", "2022-05"]


# ------------------------------------------------------------------ the place table / classifier

@pytest.mark.parametrize(("raw", "region", "cls"), [
    ("重庆", "重庆", "domestic_outside"),
    ("重庆市", "重庆", "domestic_outside"),          # full name → canonical short name
    ("广东佛山", "广东佛山", "domestic_outside"),      # province first decides
    ("广东省佛山市", "广东佛山", "domestic_outside"),
    ("深圳市", "深圳", "domestic_outside"),          # a big city of another province
    ("广西南宁", "广西南宁", "inside_region"),
    ("柳州本地", "柳州本地", "inside_region"),
    ("本市", "本市", "inside_region"),
    ("区内", "区内", "inside_region"),
    ("鹿寨县", "鹿寨", "inside_region"),              # a county of Liuzhou
    ("香港", "香港", "foreign"),
    ("中国香港", "香港", "foreign"),                  # the country prefix says nothing
    ("新加坡", "新加坡", "foreign"),
    ("德国 慕尼黑", "德国慕尼黑", "foreign"),
    ("外地", "外地", "unknown"),                      # not a place the table knows
    ("", None, "unknown"),
    ("  ", None, "unknown"),
    (None, None, "unknown"),
    (float("nan"), None, "unknown"),
])
def test_classify_each_class_blank_and_unknown(raw, region, cls):
    assert REF.classify_source(raw) == (region, cls)


def test_longest_prefix_wins_then_contains():
    table = PlaceTable({"北": ("北", "domestic_outside"), "北海": ("北海", "inside_region"),
                        "北京": ("北京", "domestic_outside"), "深圳": ("深圳", "domestic_outside")})
    assert table.classify("北海银滩") == ("北海银滩", "inside_region")   # 北海 beats 北
    assert table.classify("北京朝阳") == ("北京朝阳", "domestic_outside")
    assert table.classify("来自深圳") == ("来自深圳", "domestic_outside")  # no prefix: contains
    assert table.classify("来自北方") == ("来自北方", "unknown")  # one-character entries: prefix only


def test_place_table_is_read_from_reference_dir(tmp_path, monkeypatch):
    """$REFERENCE_DIR with its own places.csv is honoured; without one the repo's is used."""
    from runtime.reference import REFERENCE_DIR

    for name in ("units.yaml", "industries.csv", "statuses.csv", "stages.csv"):
        (tmp_path / name).write_bytes((REFERENCE_DIR / name).read_bytes())
    monkeypatch.setenv("REFERENCE_DIR", str(tmp_path))
    assert Reference.load().classify_source("香港")[1] == "foreign"  # the repo's table
    (tmp_path / "places.csv").write_text(
        "# 测试\nplace,source_class,aliases\n香港,domestic_outside,\n", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    for name in ("units.yaml", "industries.csv", "statuses.csv", "stages.csv", "places.csv"):
        (other / name).write_bytes((tmp_path / name).read_bytes())
    monkeypatch.setenv("REFERENCE_DIR", str(other))
    assert Reference.load().classify_source("香港")[1] == "domestic_outside"


def test_a_bad_class_in_the_place_table_is_refused(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("place,source_class,aliases\n火星,outer_space,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="outer_space"):
        PlaceTable.read(path)


# ------------------------------------------------------------------ conform: sources, signing

def _conform(*rows, cohort=None):
    return conform(ledger(*rows), empty(), empty(), empty(), empty(), REF, PERIODS, cohort=cohort)


def _project(result, name_part: str) -> dict:
    dim = result.dim_project
    return dim[dim["project_name"].str.contains(name_part)].iloc[0].to_dict()


def test_project_source_prefers_a_known_place_over_blank_and_unknown():
    result = _conform(
        ledger_row("甲汽配项目", period="2022-03", source=None),
        ledger_row("甲汽配项目", unit="市工业和信息化局", period="2022-03", row=6, source="外地"),
        ledger_row("甲汽配项目", unit="市工业和信息化局", period="2022-04", row=6, source="广东佛山"),
        ledger_row("乙汽配项目", period="2022-03", row=7, source="外地"),
        ledger_row("丙汽配项目", period="2022-03", row=8, source=None),
    )
    assert (_project(result, "甲")["source_region"], _project(result, "甲")["source_class"]) == (
        "广东佛山", "domestic_outside")
    assert (_project(result, "乙")["source_region"], _project(result, "乙")["source_class"]) == (
        "外地", "unknown")
    assert _project(result, "丙")["source_region"] is None
    assert _project(result, "丙")["source_class"] == "unknown"


def test_signed_month_revision_2():
    """A signing date with its month wins; otherwise the first month the project is signed or 入库;
    never while only 在谈."""
    talk = {"status": "洽谈中", "stage": "在谈"}
    result = _conform(
        # dated: the date's month, even though the ledger first lists it in May
        ledger_row("甲汽配项目", period="2022-05", signed_on="2022-03-14"),
        # only a year: the first month it is signed (April), not its first listing (March)
        ledger_row("乙汽配项目", period="2022-03", row=6, signed_on="2022", **talk),
        ledger_row("乙汽配项目", period="2022-04", row=6, signed_on="2022"),
        # 在谈 but 入库 in March: new from March
        ledger_row("丙汽配项目", period="2022-03", row=7, in_library=True, **talk),
        # 在谈 and not 入库 all along: never signed
        ledger_row("丁汽配项目", period="2022-03", row=8, in_library=False, **talk),
        ledger_row("丁汽配项目", period="2022-05", row=8, **talk),
    )
    assert _project(result, "甲")["signed_month"] == "2022-03"
    assert _project(result, "乙")["signed_month"] == "2022-04"
    assert _project(result, "丙")["signed_month"] == "2022-03"
    assert _project(result, "丁")["signed_month"] is None


def test_in_library_follows_the_conformed_row():
    result = _conform(
        ledger_row("甲汽配项目", period="2022-03", in_library=None, status="洽谈中", stage="在谈"),
        ledger_row("甲汽配项目", unit="市科技局", period="2022-03", row=9, in_library=True),
        ledger_row("甲汽配项目", period="2022-04", in_library=True),
    )
    facts = result.fact_project_period.set_index("period")
    # March: the territorial unit's row (blank) is the conformed one, not the bureau's 是
    assert facts.loc["2022-03", "in_library"] is None
    assert facts.loc["2022-04", "in_library"] is True
    assert facts.loc["2022-05", "in_library"] is True  # April's row still in force


# ------------------------------------------------------------------ conform: findings

def _findings(result, check):
    """The findings of one check, as the rows written to quality.findings."""
    return [pd.Series(f.as_row()) for f in result.findings if f.check_name == check]


def test_inside_region_project_once_per_project_at_its_first_row():
    result = _conform(
        ledger_row("甲汽配项目", period="2022-03", row=5, source="柳州本地"),
        ledger_row("甲汽配项目", period="2022-04", row=5, source="柳州本地"),
        ledger_row("乙汽配项目", period="2022-03", row=6, source="重庆"),
    )
    (finding,) = _findings(result, "inside_region_project")
    assert (finding.severity, finding.period, finding.source_row) == ("info", "2022-03", 5)
    assert "柳州本地" in finding.message and "不计入任何指标" in finding.message


def test_unknown_source_per_project_and_period_naming_the_row():
    result = _conform(
        ledger_row("甲汽配项目", period="2022-03", row=5, source=None),
        ledger_row("甲汽配项目", period="2022-05", row=11, source="外地"),
        ledger_row("乙汽配项目", period="2022-03", row=6, source="新加坡"),
        # below the 统计起点: counted nowhere anyway, not repeated every month
        ledger_row("丙汽配项目", period="2022-03", row=7, source=None,
                   total_investment=Decimal("0.03")),
    )
    found = _findings(result, "unknown_source")
    assert [(f.period, f.source_row, f.severity) for f in found] == [
        ("2022-03", 5, "warning"), ("2022-04", 5, "warning"), ("2022-05", 11, "warning")]
    assert "第5行" in found[0].message and "外地" in found[2].message


def _cohort(*rows) -> pd.DataFrame:
    return pd.DataFrame([{
        "year": 2022, "project_name": name, "investor": investor, "signed_on": "2022-03-01",
        "contract_investment": Decimal("2.5"), "territorial_unit": "鹿寨县",
        "responsible_unit": None, "source_file": "targets/2022年三企入桂签约项目清单.xlsx",
        "source_sheet": "清单", "source_row": row, "row_ok": True,
    } for name, investor, row in rows])


def test_cohort_rows_are_matched_like_ledger_rows():
    result = _conform(
        ledger_row("旋切板生产线项目", investor="广东畔森木业有限公司", is_sanqi=True),
        ledger_row("石墨烯复合材料项目", investor="深圳银河新材料有限公司", row=6, is_sanqi=True),
        ledger_row("冷链物流中心项目", investor="重庆顺达物流有限公司", row=7, is_sanqi=True),
        cohort=_cohort(("旋切板生产线", "广东畔森木业公司", 3),          # spelled differently
                       ("石墨烯复合材料项目", "深圳银河新材料有限公司", 4),  # the same
                       ("年产2万吨锂电池隔膜项目", "湖南湘桂隔膜有限公司", 5)),  # nobody reports it
    )
    cohort = result.fact_cohort
    ids = dict(zip(result.dim_project["project_name"], result.dim_project["project_id"],
                   strict=True))
    assert cohort["project_id"].tolist() == [ids["旋切板生产线项目"], ids["石墨烯复合材料项目"], None]
    assert cohort["source_row"].tolist() == [3, 4, 5]
    (unmatched,) = _findings(result, "cohort_project_unmatched")
    assert (unmatched.severity, unmatched.source_row, unmatched.unit_name) == ("warning", 5, "鹿寨县")
    (outside,) = _findings(result, "cohort_flag_outside_list")
    assert outside.severity == "info" and outside.source_row == 7
    assert "冷链物流中心" in outside.message and "2022年三企入桂清单" in outside.message


def test_a_different_firm_or_phase_is_not_matched():
    """The ledger matcher's vetoes hold for the list: another region, another number."""
    result = _conform(
        ledger_row("华骏食品加工项目", investor="湖南华骏食品有限公司"),
        ledger_row("旋切基地配套1期项目", investor="广西畔森装饰材料有限公司", row=6),
        cohort=_cohort(("华骏食品加工项目", "香港华骏食品有限公司", 3),
                       ("旋切基地配套2期项目", "广西畔森装饰材料有限公司", 4)),
    )
    assert result.fact_cohort["project_id"].isna().all()
    assert len(_findings(result, "cohort_project_unmatched")) == 2


def test_no_list_no_cohort_and_no_cohort_findings():
    result = _conform(ledger_row("甲汽配项目", is_sanqi=True, source="重庆"))
    assert result.fact_cohort.empty
    assert not [f for f in result.findings if f.check_name.startswith("cohort")]


def test_unknown_source_message_follows_the_setting():
    row = ledger_row("甲汽配项目", source=None)
    excluded = conform(ledger(row), empty(), empty(), empty(), empty(), REF, ["2022-03"])
    included = conform(ledger(row), empty(), empty(), empty(), empty(), REF, ["2022-03"],
                       unknown_source="include")
    (a,) = _findings(excluded, "unknown_source")
    (b,) = _findings(included, "unknown_source")
    assert "暂不计入任何指标" in a["message"] and "暂按区外境内项目计入" in b["message"]


@pytest.mark.parametrize("unit", [u.name for u in REF.units.values() if u.type == "district"])
def test_every_district_of_the_city_is_inside_the_region(unit):
    assert REF.classify_source(unit)[1] == "inside_region"
    assert REF.classify_source("柳州市" + unit)[1] == "inside_region"
