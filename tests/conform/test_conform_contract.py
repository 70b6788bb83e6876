"""Whole outputs of conform for small hand-made inputs (issue #21: tests broadly stronger than
the survivor-specific ones): every column of dim_project, the bridge, fact_project_period,
fact_target, fact_activity, fact_reserve_project, fact_cohort and the matched ledger, every field
of the findings, the match explanations, and the matching with non-default `MatchConfig`s.

Expected values are worked out by hand from docs/spec (warehouse.md, domain.md "Projects and their
credit", rules.md), docs/design.md and the documented behaviour in the modules' docstrings
(normalisation steps, scores, the stable id 'P' + sha1(period|name key|investor key)[:10]); they
are written literally, never computed by the code under test.  Pure DataFrames: milliseconds."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pandas as pd
import pytest

from assets.conform.build import conform
from assets.conform.evaluate import pairwise_precision_recall
from assets.conform.matching import (
    MatchConfig,
    candidate_pairs,
    investor_similarity,
    match_projects,
    name_similarity,
    score_pair,
    weighted_dice,
)
from assets.conform.normalize import Normalizer
from runtime.reference import Reference
from tests.conform.helpers import empty, file_row, ledger, ledger_row

REF = Reference.load()
PERIODS = ["2022-03", "2022-04", "2022-05", "2022-06"]
LZ3, LZ5 = "2022-03/鹿寨县2022-03台账.xlsx", "2022-05/鹿寨县2022-05台账.xlsx"
GX4 = "2022-04/市工业和信息化局2022-04台账.xlsx"
SW4 = "2022-04/市商务局2022-04台账.xlsx"


def _pid(period: str, name_key: str, investor_key: str) -> str:
    """The stable id as documented in matching.py (step 5), written out independently."""
    return "P" + hashlib.sha1(f"{period}|{name_key}|{investor_key}".encode()).hexdigest()[:10]


# Project 1: one key (鹿寨 is a place prefix, 项目 a suffix), reported by its district in March
# and May and by a department in April; the department names 市商务局 as a partner.
WOOD = _pid("2022-03", "金润木业生产线", "金润木业@广东")
# Project 2: a department's project, placed in 柳江区 by its partner column, below the 统计起点.
SNAIL = _pid("2022-04", "螺蛳粉产业园", "")


def _scenario():
    inv = "广东金润木业有限公司"
    return ledger(
        ledger_row("鹿寨金润木业生产线项目", "鹿寨县", "2022-03", 5, investor=inv, source="广东佛山",
                   industry=None, total_investment=Decimal("2.5"), funds_this_year=Decimal("0.5"),
                   funds_cumulative=Decimal("1.0"), status="已签约", stage="签约",
                   is_industrial=False, partners="市商务局、柳江区、鹿寨县", file_id="f-lz-03",
                   in_library=None),
        ledger_row("金润木业生产线", "市工业和信息化局", "2022-04", 3, investor=inv, source="香港",
                   industry="汽车零部件", chain="汽车", total_investment=Decimal("3.0"),
                   funds_this_year=Decimal("0.8"), status="在建", stage="开工", is_sanqi=True,
                   signed_on="2022-02-15", source_sheet="工信项目", in_library=None),
        # the same keys written otherwise (鹿寨县 a place prefix, 广东省 a region with its suffix)
        ledger_row("鹿寨县金润木业生产线项目", "鹿寨县", "2022-05", 6, investor="广东省金润木业有限公司",
                   source=None, industry=None, total_investment=Decimal("2.6"),
                   funds_this_year=Decimal("0.9"),
                   funds_cumulative=Decimal("1.4"), status="开工", stage="开工", in_library=True),
        ledger_row("柳江螺蛳粉产业园", "市商务局", "2022-04", 8, investor=None, source="火星",
                   industry=None, total_investment=Decimal("0.04"), funds_this_year=None,
                   status="在谈", stage="在谈", partners="柳江区", in_library=None),
    )


def _conform_scenario():
    return conform(_scenario(), empty(), empty(), empty(), empty(), REF, PERIODS)


def test_every_column_of_the_project_dimension():
    dim = _conform_scenario().dim_project
    rows = {r["project_id"]: r for r in dim.to_dict("records")}
    assert set(rows) == {WOOD, SNAIL}
    assert rows[WOOD] == {
        "project_id": WOOD,
        # the territorial unit's latest report first: 鹿寨县 2022-05
        "project_name": "鹿寨县金润木业生产线项目", "investor": "广东省金润木业有限公司",
        # blank in both 鹿寨县 reports: the department's
        "industry": "汽车零部件", "total_investment": Decimal("2.6"),
        # explicit 否 of 鹿寨县 wins over the industry table; 新兴 from the table; 三企 from 工信局
        "is_industrial": False, "is_emerging": False, "is_sanqi": True,
        "signed_month": "2022-02",  # a signing date with a month wins over the first signed report
        "territorial_unit": "鹿寨县",
        # 鹿寨县's latest report has no source: its earlier one (a known place) before 工信局's
        "source_region": "广东佛山", "source_class": "domestic_outside",
        "chain": "汽车", "first_period": "2022-03", "first_reported_by": "鹿寨县",
        "below_threshold": False,
        "match_keys": "1种写法：「金润木业生产线」/「金润木业@广东」",
    }
    assert rows[SNAIL] == {
        "project_id": SNAIL, "project_name": "柳江螺蛳粉产业园", "investor": None,
        "industry": None, "total_investment": Decimal("0.04"),
        "is_industrial": None, "is_emerging": None, "is_sanqi": None,
        "signed_month": None,  # 在谈, never 入库, no date
        "territorial_unit": "柳江区",  # from the 合作单位 column: no district reports it
        "source_region": "火星", "source_class": "unknown",
        "chain": None, "first_period": "2022-04", "first_reported_by": "市商务局",
        "below_threshold": True,
        "match_keys": "1种写法：「螺蛳粉产业园」/「—」",
    }


def test_every_column_of_the_bridge():
    bridge = _conform_scenario().bridge
    assert bridge.to_dict("records") == sorted([
        {"project_id": WOOD, "unit_name": "鹿寨县", "role": "territorial",
         "first_period": "2022-03", "source_file": LZ3, "source_row": 5, "source_sheet": "项目表"},
        {"project_id": WOOD, "unit_name": "市工业和信息化局", "role": "lead",
         "first_period": "2022-04", "source_file": GX4, "source_row": 3,
         "source_sheet": "工信项目"},
        # named as a partner in 鹿寨县's March report; 柳江区 (a district) gets nothing
        {"project_id": WOOD, "unit_name": "市商务局", "role": "co",
         "first_period": "2022-03", "source_file": LZ3, "source_row": 5, "source_sheet": "项目表"},
        {"project_id": SNAIL, "unit_name": "市商务局", "role": "lead",
         "first_period": "2022-04", "source_file": SW4, "source_row": 8, "source_sheet": "项目表"},
        {"project_id": SNAIL, "unit_name": "柳江区", "role": "territorial",
         "first_period": "2022-04", "source_file": SW4, "source_row": 8, "source_sheet": "项目表"},
    ], key=lambda r: (r["project_id"], r["unit_name"]))  # by project id, then unit


def test_every_column_of_the_project_period_facts():
    facts = _conform_scenario().fact_project_period

    def wood(period, row_period, status, stage, total, funds, cumulative, file, row, lib):
        return {"project_id": WOOD, "period": period, "reported_by": "鹿寨县", "status": status,
                "stage": stage, "total_investment": total, "funds_this_year": funds,
                "funds_cumulative": cumulative, "source_file": file, "source_sheet": "项目表",
                "source_row": row, "report_period": row_period, "is_territorial_report": True,
                "in_library": lib}

    def snail(period):
        return {"project_id": SNAIL, "period": period, "reported_by": "市商务局", "status": "在谈",
                "stage": "在谈", "total_investment": Decimal("0.04"), "funds_this_year": None,
                "funds_cumulative": None, "source_file": SW4, "source_sheet": "项目表",
                "source_row": 8, "report_period": "2022-04", "is_territorial_report": False,
                "in_library": None}

    wood_rows = [
        wood("2022-03", "2022-03", "已签约", "签约", Decimal("2.5"), Decimal("0.5"), Decimal("1.0"), LZ3, 5, None),
        # April: 工信局 reported later, but the territorial unit's latest report wins
        wood("2022-04", "2022-03", "已签约", "签约", Decimal("2.5"), Decimal("0.5"), Decimal("1.0"), LZ3, 5, None),
        wood("2022-05", "2022-05", "开工", "开工", Decimal("2.6"), Decimal("0.9"), Decimal("1.4"), LZ5, 6, True),
        wood("2022-06", "2022-05", "开工", "开工", Decimal("2.6"), Decimal("0.9"), Decimal("1.4"), LZ5, 6, True),
    ]
    snail_rows = [snail("2022-04"), snail("2022-05"), snail("2022-06")]
    expected = wood_rows + snail_rows if WOOD < SNAIL else snail_rows + wood_rows
    assert facts.to_dict("records") == expected


def test_every_field_of_the_scenario_s_findings():
    found = sorted((f.as_row() for f in _conform_scenario().findings),
                   key=lambda r: r["check_name"])
    assert found == [
        {"check_name": "below_threshold", "severity": "info", "period": "2022-04",
         "unit_name": "市商务局", "source_file": SW4, "source_sheet": "项目表", "source_row": 8,
         "project_name": "柳江螺蛳粉产业园", "stage": "conform", "file_id": None,
         "message": f"市商务局 2022-04 {SW4}「项目表」第8行：项目「柳江螺蛳粉产业园」投资总额0.04亿元，"
                    "低于统计起点（区外总投资500万元），保留在仓库中但不计入任何指标。"},
        {"check_name": "co_credited_project", "severity": "info", "period": "2022-03",
         "unit_name": "鹿寨县", "source_file": LZ3, "source_sheet": "项目表", "source_row": 5,
         "project_name": "鹿寨金润木业生产线项目", "stage": "conform", "file_id": "f-lz-03",
         "message": f"鹿寨县 2022-03 {LZ3}「项目表」第5行：项目「鹿寨金润木业生产线项目」由鹿寨县（属地）和"
                    "市工业和信息化局（牵头/共同引进）分别报送，已合并为同一项目，分别计入各单位，"
                    "全市合计按属地鹿寨县只计一次。"},
        {"check_name": "no_territorial_report", "severity": "warning", "period": "2022-04",
         "unit_name": "市商务局", "source_file": SW4, "source_sheet": "项目表", "source_row": 8,
         "project_name": "柳江螺蛳粉产业园", "stage": "conform", "file_id": None,
         "message": "项目「柳江螺蛳粉产业园」只有市商务局报送，没有县区、开发区台账报送；"
                    "已按合作单位/项目所在地计入柳江区属地，请柳江区核实是否应纳入本单位台账。"},
    ]


def test_the_matched_ledger_row_by_row():
    led = _conform_scenario().matched_ledger
    cols = ["project_id", "name_key", "investor_key", "match_score", "match_keys", "is_duplicate"]
    single = "单一写法（名称+项目方完全一致）"
    assert [tuple(r) for r in led[cols].itertuples(index=False)] == [
        (WOOD, "金润木业生产线", "金润木业@广东", 1.0, single, False),
        (WOOD, "金润木业生产线", "金润木业@广东", 1.0, single, False),
        (WOOD, "金润木业生产线", "金润木业@广东", 1.0, single, False),
        (SNAIL, "螺蛳粉产业园", "", 1.0, single, False),
    ]


def test_a_duplicate_row_is_marked_in_the_matched_ledger_and_counted_once():
    rows = _scenario()
    dup = ledger_row("鹿寨金润木业生产线项目", "鹿寨县", "2022-05", 9, investor="广东金润木业有限公司",
                     total_investment=Decimal("7"))
    res = conform(pd.concat([rows, ledger(dup)], ignore_index=True), empty(), empty(), empty(),
                  empty(), REF, PERIODS)
    assert res.matched_ledger["is_duplicate"].tolist() == [False, False, False, False, True]
    may = res.fact_project_period.loc[
        (res.fact_project_period["project_id"] == WOOD)
        & (res.fact_project_period["period"] == "2022-05")]
    assert may[["source_row", "total_investment"]].values.tolist() == [[6, Decimal("2.6")]]


# ------------------------------------------------------------------ matching explanations

def _spellings(config: MatchConfig | None = None):
    """Two spellings of one project in two ledgers, same investor: name Dice 2·6/(6+8)=0.857
    (below the difflib ratio 2·7/16=0.875), investor exact: 0.7·0.857+0.3·1 = 0.90."""
    inv = "广东金润木业有限公司"
    rows = ledger(
        ledger_row("金润木业生产线", "鹿寨县", "2022-03", 5, investor=inv),
        ledger_row("金润木业生产线扩建", "柳江区", "2022-04", 7, investor=inv),
    )
    return match_projects(rows, REF, config or MatchConfig())


def test_two_spellings_merge_with_their_score_and_explanation():
    res = _spellings()
    pid = _pid("2022-03", "金润木业生产线", "金润木业@广东")
    link = "name~0.86+investor=exact→0.90"
    assert res.rows.to_dict("records") == [
        {"project_id": pid, "name_key": "金润木业生产线", "investor_key": "金润木业@广东",
         "match_score": 0.9, "match_keys": f"{link}，与「金润木业生产线扩建」/「金润木业@广东」"},
        {"project_id": pid, "name_key": "金润木业生产线扩建", "investor_key": "金润木业@广东",
         "match_score": 0.9, "match_keys": f"{link}，与「金润木业生产线」/「金润木业@广东」"},
    ]
    assert (res.pairs_considered, res.pairs_merged) == (1, 1)
    assert res.clusters.to_dict("records") == [{
        "project_id": pid,
        "match_keys": f"2种写法合并（最弱连接0.90；{link}）："
                      "「金润木业生产线」/「金润木业@广东」；「金润木业生产线扩建」/「金润木业@广东」"}]


@pytest.mark.parametrize("config, merged", [
    (MatchConfig(threshold=0.89), True),
    (MatchConfig(threshold=0.91), False),
    (MatchConfig(name_weight=0.5, investor_weight=0.5, threshold=0.92), True),   # 0.929
    (MatchConfig(name_weight=0.5, investor_weight=0.5, threshold=0.93), False),
    (MatchConfig(name_weight=0.9, investor_weight=0.1, threshold=0.88), False),  # 0.871
    (MatchConfig(threshold=0.88), True),
])
def test_the_caller_s_weights_and_threshold_decide_the_merge(config, merged):
    res = _spellings(config)
    ids = res.rows["project_id"].tolist()
    assert (ids[0] == ids[1]) is merged
    assert (res.pairs_considered, res.pairs_merged) == (1, int(merged))
    if not merged:
        assert res.rows["match_keys"].tolist() == ["单一写法（名称+项目方完全一致）"] * 2
        assert res.rows["match_score"].tolist() == [1.0, 1.0]
        assert ids == [_pid("2022-03", "金润木业生产线", "金润木业@广东"),
                       _pid("2022-04", "金润木业生产线扩建", "金润木业@广东")]


def test_two_rows_of_one_ledger_merge_only_when_cannot_link_is_off():
    inv = "广东金润木业有限公司"
    rows = ledger(
        ledger_row("金润木业生产线", "鹿寨县", "2022-03", 5, investor=inv),
        ledger_row("金润木业生产线扩建", "鹿寨县", "2022-03", 6, investor=inv),
    )
    apart = match_projects(rows, REF, MatchConfig())
    assert apart.rows["project_id"].nunique() == 2 and apart.pairs_merged == 0
    together = match_projects(rows, REF, MatchConfig(cannot_link=False))
    assert together.rows["project_id"].nunique() == 1 and together.pairs_merged == 1
    # a near-identical pair (score >= duplicate_score) is a duplicate row, merged anyway
    dup = match_projects(rows, REF, MatchConfig(duplicate_score=0.9))
    assert dup.rows["project_id"].nunique() == 1


def test_two_investors_join_only_when_as_similar_as_investor_min():
    # 合力机械 / 通力机械: difflib 2·3/8 = 0.75 less one substituted character of four = 0.50;
    # the pair scores 0.7·1 + 0.3·0.5 = 0.85, over the threshold, and investor_min decides
    rows = ledger(
        ledger_row("变速器壳体生产线", "鹿寨县", "2022-03", 5, investor="柳州合力机械有限公司"),
        ledger_row("变速器壳体生产线", "柳江区", "2022-03", 5, investor=None),
        ledger_row("变速器壳体生产线", "柳南区", "2022-03", 5, investor="柳州通力机械有限公司"),
    )
    assert match_projects(rows, REF, MatchConfig()).rows["project_id"].nunique() == 1
    strict = match_projects(rows, REF, MatchConfig(investor_min=0.6)).rows["project_id"]
    # the row without investor joins one of the two firms, never both
    assert strict.nunique() == 2 and strict.iloc[0] != strict.iloc[2]


def test_three_spellings_the_weakest_link_and_the_id_of_the_earliest_row():
    """A–B and A–C score 0.90 (as above); B–C (扩建/改造: two of nine characters substituted)
    0.7·(12/16 − 2/9) + 0.3 = 0.67, under the threshold: one cluster through A.  The id is that of
    the earliest row: the same month and file, row 9 before row 10 (as numbers, not text)."""
    inv, book = "广东金润木业有限公司", "2022-02/汇总.xlsx"
    rows = ledger(
        ledger_row("金润木业生产线", "鹿寨县", "2022-02", 10, investor=inv, source_file=book),
        ledger_row("金润木业生产线扩建", "柳江区", "2022-03", 7, investor=inv),
        ledger_row("金润木业生产线改造", "柳南区", "2022-02", 9, investor=inv, source_file=book),
    )
    res = match_projects(rows, REF)
    pid = _pid("2022-02", "金润木业生产线改造", "金润木业@广东")
    assert res.rows["project_id"].tolist() == [pid] * 3
    link = "name~0.86+investor=exact→0.90"
    assert res.rows["match_keys"].tolist() == [
        f"{link}，与「金润木业生产线扩建」/「金润木业@广东」",  # the first of its equal links
        f"{link}，与「金润木业生产线」/「金润木业@广东」",
        f"{link}，与「金润木业生产线」/「金润木业@广东」",
    ]
    assert res.rows["match_score"].tolist() == [0.9, 0.9, 0.9]
    assert (res.pairs_considered, res.pairs_merged) == (3, 2)
    assert res.clusters.to_dict("records") == [{
        "project_id": pid,
        "match_keys": f"3种写法合并（最弱连接0.90；{link}）：「金润木业生产线」/「金润木业@广东」；"
                      "「金润木业生产线扩建」/「金润木业@广东」；「金润木业生产线改造」/「金润木业@广东」"}]


def test_the_caller_s_statistical_floor_decides_below_threshold():
    rows = ledger(
        ledger_row("甲汽配生产线项目", total_investment=Decimal("0.05"), investor="甲实业有限公司",
                   source="广东佛山"),
        ledger_row("乙汽配生产线项目", row=6, total_investment=Decimal("2.5"),
                   investor="乙实业有限公司", source="广东佛山"),
    )
    default = conform(rows, empty(), empty(), empty(), empty(), REF, PERIODS)
    by_name = default.dim_project.set_index("project_name")["below_threshold"].to_dict()
    assert by_name == {"甲汽配生产线项目": False, "乙汽配生产线项目": False}  # 0.05 is not below 0.05
    raised = conform(rows, empty(), empty(), empty(), empty(), REF, PERIODS,
                     below_threshold=Decimal("3"))
    by_name = raised.dim_project.set_index("project_name")["below_threshold"].to_dict()
    assert by_name == {"甲汽配生产线项目": True, "乙汽配生产线项目": True}
    assert sorted(f.source_row for f in raised.findings if f.check_name == "below_threshold") == [
        5, 6]


def test_the_unit_dimension_row_by_row():
    units = conform(empty(), empty(), empty(), empty(), empty(), REF, PERIODS).dim_unit
    rows = {r["unit_name"]: r for r in units.to_dict("records")}
    assert rows["柳州市"] == {"unit_name": "柳州市", "unit_type": "city", "parent_name": None,
                            "aliases": "全市、市本级"}
    assert rows["市商务局"] == {"unit_name": "市商务局", "unit_type": "department",
                              "parent_name": "柳州市", "aliases": "商务局"}
    assert rows["鹿寨县农业产业招商组"] == {
        "unit_name": "鹿寨县农业产业招商组", "unit_type": "task_group", "parent_name": "鹿寨县",
        "aliases": "农业产业招商组、农业组"}


# ------------------------------------------------------------------ scores

def test_score_pair_names_each_key_and_its_value():
    exact = score_pair("金润木业生产线", "金润木业@广东", "金润木业生产线", "金润木业@广东")
    assert (exact.score, exact.name_sim, exact.investor_sim, exact.keys, exact.veto) == (
        1.0, 1.0, 1.0, ("name=exact", "investor=exact"), None)
    assert exact.explain() == "name=exact+investor=exact→1.00"
    # one investor missing: the score is the name similarity alone (0.857 → 0.857143)
    alone = score_pair("金润木业生产线", "", "金润木业生产线扩建", "金润木业@广东")
    assert (alone.score, alone.investor_sim, alone.keys) == (
        0.857143, None, ("name~0.86", "investor=missing"))
    assert alone.explain() == "name~0.86+investor=missing→0.86"
    # contained investor: at least 0.9 (difflib 2·6/14 = 0.857)
    cont = score_pair("金润木业生产线", "上汽通用五菱", "金润木业生产线", "上汽通用五菱汽车")
    assert (cont.investor_sim, cont.keys, cont.score) == (
        0.9, ("name=exact", "investor=contained"), 0.97)
    other = score_pair("金润木业生产线", "上汽通用五菱", "金润木业生产线", "上汽通用五菱汽车",
                       MatchConfig(investor_contained=0.5))
    assert other.keys == ("name=exact", "investor~0.86")
    assert other.score == pytest.approx(0.7 + 0.3 * 12 / 14, abs=1e-6)


def test_a_substitution_is_named_and_taken_off_by_the_caller_s_penalty():
    # 合力/通力: difflib 2·6/14 = 0.857, Dice 2·5/12 = 0.833, one character of seven substituted
    default = score_pair("合力变速器壳体", "", "通力变速器壳体", "")
    assert default.keys == ("name~0.69(替换1字)", "investor=missing")
    assert default.score == pytest.approx(10 / 12 - 1 / 7, abs=1e-6)
    none = score_pair("合力变速器壳体", "", "通力变速器壳体", "",
                      MatchConfig(substitution_penalty=0.0))
    assert none.keys == ("name~0.83(替换1字)", "investor=missing")
    half = name_similarity("合力变速器壳体", "通力变速器壳体", substitution_penalty=0.5)
    assert half == pytest.approx(10 / 12 - 0.5 / 7)
    assert investor_similarity("合力机械", "通力机械") == pytest.approx(6 / 8 - 1 / 4)
    assert investor_similarity("合力机械", "通力机械", substitution_penalty=0.0) == 0.75
    assert investor_similarity("", "通力机械") is None
    assert investor_similarity("合力机械", None) is None


def test_vetoes_score_zero_and_say_why():
    phase = score_pair("旋切基地配套1期", "", "旋切基地配套2期", "")
    assert (phase.score, phase.veto) == (0.0, "名称中的数字不同（1 / 2）")
    assert phase.explain() == "name~0.59(替换1字)+investor=missing；否决：名称中的数字不同（1 / 2）"
    region = score_pair("华骏食品加工", "华骏食品@香港", "华骏食品加工", "华骏食品@湖南")
    assert (region.score, region.veto) == (0.0, "项目方地区不同（湖南 / 香港）")
    local = score_pair("华骏食品加工", "华骏食品@广西", "华骏食品加工", "华骏食品@柳州")
    assert (local.score, local.veto) == (1.0, None)


def test_weighted_dice_by_hand():
    assert weighted_dice("甲乙丙", "甲乙丁") == pytest.approx(2 * 1 / 4)
    assert weighted_dice("甲乙丙", "甲乙丙") == 1.0
    # a bigram of weight 0.5 shared: 2·0.5 / (0.5+1 + 0.5+1)
    half = {"甲乙": 0.5}
    assert weighted_dice("甲乙丙", "甲乙丁", lambda t: half.get(t, 1.0)) == pytest.approx(1 / 3)


def test_candidate_pairs_follow_the_caller_s_blocking_settings():
    names = ["金润木业生产线", "金润木业生产线扩建", "畔森旋切板"]
    invs = ["金润木业@广东", "", ""]
    assert candidate_pairs(names, invs) == {(0, 1)}
    assert candidate_pairs(names, invs, MatchConfig(max_block=1)) == set()
    # no bigram rare enough to post: only the same investor core or name would pair them
    assert candidate_pairs(names, invs, MatchConfig(max_posting=0)) == set()
    assert candidate_pairs(names, ["金润木业@广东", "金润木业", ""],
                           MatchConfig(max_posting=0)) == {(0, 1)}
    assert candidate_pairs(["甲乙丙", "甲乙丙", "丁"], ["", "", ""],
                           MatchConfig(max_posting=0)) == {(0, 1)}


# ------------------------------------------------------------------ normalisation

@pytest.mark.parametrize("raw, key", [
    ("柳州市鹿寨县金润木业（二期）项目", "金润木业2期"),
    ("金润木业第3期工程", "金润木业3期"),
    ("金润木业Ⅲ期", "金润木业3期"),
    ("金润木业第十期", "金润木业10期"),
    ("广西壮族自治区柳州金润木业股份有限公司", "金润木业"),
    ("金润木业（柳州）有限公司", "金润木业"),
    ("柳东新区金润木业集团", "金润木业"),
    ("融水苗族自治县金润木业", "金润木业"),
    ("金润·木业—生产线", "金润木业生产线"),
    ("ＡＢＣ金润", "abc金润"),
    ("项目", "项目"),
    ("柳州市", "柳州市"),
])
def test_normalised_names(raw, key):
    assert Normalizer(REF)(raw) == key


@pytest.mark.parametrize("raw, key", [
    ("广东金润木业有限公司", ("金润木业", "广东")),
    ("金润木业（江苏）有限公司", ("金润木业", "江苏")),
    ("江苏省金润木业有限公司", ("金润木业", "江苏")),
    ("柳州金润木业有限公司", ("金润木业", "柳州")),
    ("广西金润木业有限公司", ("金润木业", "广西")),
    ("鹿寨县金润木业有限公司", ("金润木业", "柳州")),
    ("金润木业有限公司", ("金润木业", "")),
    (None, ("", "")),
    (float("nan"), ("", "")),
])
def test_investor_core_and_region(raw, key):
    assert Normalizer(REF).investor_key(raw) == key


# ------------------------------------------------------------------ facts of the other tables

def test_every_column_of_the_target_facts():
    def t(unit, indicator, target, file, row, total=False, sub=None, ok=True):
        return {"year": 2022, "unit_name": unit, "sub_unit": sub, "indicator": indicator,
                "target": Decimal(target), "is_total_row": total, "source_file": file,
                "source_sheet": "Sheet1", "source_row": row, "row_ok": ok}

    dist, dept, old = "targets/2022区县目标.xlsx", "targets/2022部门目标.xlsx", "targets/旧目标.xlsx"
    targets = pd.DataFrame([
        t("柳南区", "funds_in_place", "30", dist, 5),
        t("柳北区", "funds_in_place", "20", dist, 6),
        t("合计", "funds_in_place", "50", dist, 7, total=True, sub="全市"),
        t("柳北区", "new_projects", "3", dist, 8, ok=False),       # failed its checks at ingest
        t("市商务局", "new_projects", "8", dept, 5, sub="外贸科"),
        t("合计", "new_projects", "8", dept, 6, total=True),        # not a districts' table
        t("柳南区", "funds_in_place", "99", old, 5),                # superseded file
    ])
    files = pd.DataFrame([
        file_row(dist, None, "targets", "2022-01", "superseded"),  # replaced in place: kept
        file_row(dist, None, "targets", "2022-01"),
        file_row(dept, None, "targets", "2022-01"),
        file_row(old, None, "targets", "2022-01", "superseded"),
    ])
    res = conform(empty(), empty(), empty(), targets, files, REF, PERIODS)
    cols = ["year", "unit_name", "indicator", "target", "sub_unit", "source_file", "source_sheet",
            "source_row", "is_total_row"]
    assert list(res.fact_target.columns) == cols
    assert [tuple(r) for r in res.fact_target.itertuples(index=False)] == [
        (2022, "市商务局", "new_projects", Decimal("8"), "外贸科", dept, "Sheet1", 5, False),
        (2022, "柳北区", "funds_in_place", Decimal("20"), None, dist, "Sheet1", 6, False),
        (2022, "柳南区", "funds_in_place", Decimal("30"), None, dist, "Sheet1", 5, False),
        (2022, "柳州市", "funds_in_place", Decimal("50"), None, dist, "Sheet1", 7, True),
    ]


def _act(src, unit, period, date, name, row, led="是", ok=True):
    return {"source_file": src, "source_sheet": "活动", "source_row": row, "period": period,
            "unit_name": unit, "activity_date": date, "activity_name": name,
            "activity_type": "走出去", "leader": "张三", "led_by_principal": led,
            "enterprises_docked": 3, "row_ok": ok}


def test_every_column_of_the_activity_facts():
    a3, a4, a5 = "2022-03/科技局活动.xlsx", "2022-04/科技局活动旧.xlsx", "2022-05/科技局活动.xlsx"
    yf = "2022-04/鱼峰区活动.xlsx"  # not in the registry: its rows' unit and period are used
    activities = pd.DataFrame([
        _act(a3, "市科技局", "2022-03", "2022-02-10", "赴深圳招商", 5),
        _act(a3, "市科技局", "2022-03", "2022-03-01", "未通过校验", 9, ok=False),
        _act(a4, "市科技局", "2022-04", "2022-04-02", "旧文件活动", 5),
        _act(a5, "市科技局", "2022-05", "2022-04-20", "柳州推介会", 7, led="否"),
        _act(a5, "市科技局", "2022-05", "2022-02-10", "赴深圳招商", 6, led=None),
        _act(a5, "市科技局", "2022-05", "2022-02-10", "赴深圳招商", 5),
        _act(yf, "鱼峰区", "2022-04", "2022-04-08", "企业座谈", 3),
    ])
    files = pd.DataFrame([
        file_row(a3, "市科技局", "activity_ledger", "2022-03"),
        file_row(a4, "市科技局", "activity_ledger", "2022-04", "superseded"),
        file_row(a5, "市科技局", "activity_ledger", "2022-05"),
    ])
    res = conform(empty(), activities, empty(), empty(), files, REF, PERIODS)

    def row(period, unit, date, name, led, src, r, month):
        return (period, unit, date, name, "走出去", "张三", led, 3, src, "活动", r, None, None,
                month)

    assert [tuple(r) for r in res.fact_activity.itertuples(index=False)] == [
        row("2022-03", "市科技局", "2022-02-10", "赴深圳招商", True, a3, 5, "2022-03"),
        row("2022-04", "市科技局", "2022-02-10", "赴深圳招商", True, a3, 5, "2022-03"),
        # rows in sheet/row order, the repeated activity (row 6) once
        row("2022-05", "市科技局", "2022-02-10", "赴深圳招商", True, a5, 5, "2022-05"),
        row("2022-05", "市科技局", "2022-04-20", "柳州推介会", False, a5, 7, "2022-05"),
        row("2022-06", "市科技局", "2022-02-10", "赴深圳招商", True, a5, 5, "2022-05"),
        row("2022-06", "市科技局", "2022-04-20", "柳州推介会", False, a5, 7, "2022-05"),
        row("2022-04", "鱼峰区", "2022-04-08", "企业座谈", True, yf, 3, "2022-04"),
        row("2022-05", "鱼峰区", "2022-04-08", "企业座谈", True, yf, 3, "2022-04"),
        row("2022-06", "鱼峰区", "2022-04-08", "企业座谈", True, yf, 3, "2022-04"),
    ]


def test_every_column_of_the_reserve_facts():
    r4, r6 = "2022-04/柳北区储备.xlsx", "2022-06/柳北区储备.xlsx"

    def res_row(src, period, name, row, ok=True):
        return {"source_file": src, "source_sheet": "储备", "source_row": row, "period": period,
                "unit_name": "柳北区", "project_name": name, "chain": "汽车",
                "planned_investment": Decimal("3"), "entered_on": "2022-04", "status": "在谈",
                "stage": "在谈", "row_ok": ok}

    reserve = pd.DataFrame([
        res_row(r4, "2022-03", "甲储备", 4),   # the registry's month (2022-04) wins over the rows'
        res_row(r4, "2022-03", "甲储备", 5),   # no de-duplication of reserve rows
        res_row(r4, "2022-03", "乙储备", 6, ok=False),
        res_row(r6, "2022-06", "丙储备", 2),
    ])
    files = pd.DataFrame([
        file_row(r4, "柳北区", "reserve_projects", "2022-04"),
        file_row(r6, "柳北区", "reserve_projects", "2022-06", "quarantined"),
    ])
    res = conform(empty(), empty(), reserve, empty(), files, REF, PERIODS)

    def row(period, r):
        return (period, "柳北区", "甲储备", "汽车", Decimal("3"), "2022-04", "在谈", r4, "储备", r,
                "在谈", "2022-04")

    assert [tuple(r) for r in res.fact_reserve_project.itertuples(index=False)] == [
        row("2022-04", 4), row("2022-04", 5), row("2022-05", 4), row("2022-05", 5),
        row("2022-06", 4), row("2022-06", 5),
    ]


# ------------------------------------------------------------------ the cohort list

def test_every_column_of_the_cohort_facts():
    lst = "targets/2022年三企入桂签约项目清单.xlsx"
    cohort = pd.DataFrame([
        {"year": 2022, "project_name": "金润木业生产线", "investor": "广东金润木业有限公司",
         "signed_on": "2022-02-15", "contract_investment": Decimal("3"),
         "territorial_unit": "鹿寨县", "responsible_unit": "市工业和信息化局",
         "source_file": lst, "source_sheet": "清单", "source_row": 4, "row_ok": True},
        {"year": 2022, "project_name": "湘桂隔膜项目", "investor": None,
         "signed_on": None, "contract_investment": None, "territorial_unit": None,
         "responsible_unit": None, "source_file": lst, "source_sheet": "清单", "source_row": 3,
         "row_ok": True},
        {"year": 2022, "project_name": "未通过校验", "investor": None, "signed_on": None,
         "contract_investment": None, "territorial_unit": None, "responsible_unit": None,
         "source_file": lst, "source_sheet": "清单", "source_row": 5, "row_ok": False},
    ])
    res = conform(_scenario(), empty(), empty(), empty(), empty(), REF, PERIODS, cohort=cohort)
    assert res.fact_cohort.to_dict("records") == [
        {"year": 2022, "project_id": None, "project_name": "湘桂隔膜项目", "investor": None,
         "signed_date": None, "contract_investment": None, "territorial_unit": None,
         "responsible_unit": None, "source_file": lst, "source_sheet": "清单", "source_row": 3,
         "match_keys": "未找到得分达到阈值的项目"},
        {"year": 2022, "project_id": WOOD, "project_name": "金润木业生产线",
         "investor": "广东金润木业有限公司", "signed_date": "2022-02-15",
         "contract_investment": Decimal("3"), "territorial_unit": "鹿寨县",
         "responsible_unit": "市工业和信息化局", "source_file": lst, "source_sheet": "清单",
         "source_row": 4, "match_keys": "名称+项目方完全一致"},
    ]
    unmatched = [f.as_row() for f in res.findings if f.check_name == "cohort_project_unmatched"]
    assert unmatched == [{
        "check_name": "cohort_project_unmatched", "severity": "warning", "period": None,
        "unit_name": None, "source_file": lst, "source_sheet": "清单", "source_row": 3,
        "project_name": "湘桂隔膜项目", "stage": "conform", "file_id": None,
        "message": f"2022年三企入桂清单 {lst}「清单」第3行：项目「湘桂隔膜项目」（签约企业未填）"
                   "在各单位报送的项目台账中找不到对应项目，四率暂无法统计该项目；"
                   "请属地单位核实是否已纳入项目台账、项目名称与签约企业是否一致。"}]
    # the flagged project is on the list: no cohort_flag_outside_list
    assert not [f for f in res.findings if f.check_name == "cohort_flag_outside_list"]


def test_a_cohort_list_without_any_ledger_matches_nothing():
    cohort = pd.DataFrame([{"year": 2022, "project_name": "金润木业生产线", "investor": None,
                            "source_file": "l.xlsx", "source_sheet": "清单", "source_row": 2}])
    res = conform(empty(), empty(), empty(), empty(), empty(), REF, PERIODS, cohort=cohort)
    assert res.fact_cohort[["project_id", "match_keys", "source_row"]].values.tolist() == [
        [None, "没有可匹配的项目台账", 2]]


# ------------------------------------------------------------------ evaluation

def test_pairwise_precision_and_recall_by_hand():
    # predicted pairs: (0,1), (2,3); true pairs: (0,1), (0,2), (1,2); both: (0,1)
    assert pairwise_precision_recall(["a", "a", "b", "b"], ["x", "x", "x", "y"]) == (1 / 2, 1 / 3)
    assert pairwise_precision_recall(["a", "b"], ["x", "y"]) == (1.0, 1.0)
    assert pairwise_precision_recall(["a", "a", "a"], ["x", "x", "y"]) == (1 / 3, 1.0)
    with pytest.raises(ValueError, match="same length"):
        pairwise_precision_recall(["a"], ["x", "y"])


# ------------------------------------------------------------------ revision-2 attributes

def _signed(*reports):
    res = conform(ledger(*reports), empty(), empty(), empty(), empty(), REF, PERIODS)
    (month,) = res.dim_project["signed_month"].tolist()
    return month


def test_signed_month_from_dates_stages_and_the_library_flag():
    talk = {"status": "洽谈中", "stage": "在谈", "investor": "甲实业有限公司"}
    name = "甲汽配生产线项目"
    # dates with a month: the earliest, whatever report it is in; a date without a month is ignored
    assert _signed(ledger_row(name, period="2022-04", signed_on="2022-03-05", **talk),
                   ledger_row(name, period="2022-05", signed_on="2022-01", **talk),
                   ledger_row(name, period="2022-06", signed_on="2021年", **talk)) == "2022-01"
    # no date: the first report at stage 签约 or later, or 入库 (a flag written as text too)
    assert _signed(ledger_row(name, period="2022-03", **talk),
                   ledger_row(name, period="2022-04", **{**talk, "stage": "注册"})) == "2022-04"
    assert _signed(ledger_row(name, period="2022-03", **talk),
                   ledger_row(name, period="2022-04", in_library="是", **talk)) == "2022-04"
    # 退库 and 在谈 are not signed; 入库 否 is not 入库
    assert _signed(ledger_row(name, period="2022-03", **{**talk, "stage": "退库"}),
                   ledger_row(name, period="2022-04", in_library="否", **talk)) is None


@pytest.mark.parametrize("sources, region, cls", [
    ((None, "火星", "月球"), "火星", "unknown"),           # none known: the first written one
    ((None, " ", None), None, "unknown"),                  # none written
    (("火星", "香港", "广东佛山"), "香港", "foreign"),  # the first known (domain.md 境外), by preference
])
def test_the_source_of_a_project_by_preference(sources, region, cls):
    # reports of one district: latest first is the preference order
    rows = [ledger_row("甲汽配生产线项目", period=p, investor="甲实业有限公司", source=s)
            for p, s in zip(["2022-05", "2022-04", "2022-03"], sources, strict=True)]
    res = conform(ledger(*rows), empty(), empty(), empty(), empty(), REF, PERIODS)
    assert res.dim_project[["source_region", "source_class"]].values.tolist() == [[region, cls]]


def test_periods_that_are_not_months_are_ignored_and_the_rest_sorted():
    rows = ledger(ledger_row("甲汽配生产线项目", period="2022-03", investor="甲实业有限公司"))
    res = conform(rows, empty(), empty(), empty(), empty(), REF, ["2022-05", "2022", "2022-03", "x"])
    assert res.fact_project_period["period"].tolist() == ["2022-03", "2022-05"]
    assert res.fact_project_period["report_period"].tolist() == ["2022-03", "2022-03"]


def test_a_long_project_name_is_cut_to_40_characters_in_a_message():
    name = "甲" * 38 + "汽配生产线"  # 43 characters
    res = conform(ledger(ledger_row(name, unit="市商务局", period="2022-03", row=4,
                                    investor="甲实业有限公司", source="广东佛山")),
                  empty(), empty(), empty(), empty(), REF, PERIODS)
    (finding,) = [f for f in res.findings if f.check_name == "no_territorial_report"]
    assert f"项目「{'甲' * 38}汽配…」只有市商务局报送" in finding.message
    assert finding.project_name == name  # the finding's own column keeps the whole name


# ------------------------------------------------------------------ parameter boundaries

def test_a_bigram_held_by_exactly_max_posting_keys_still_pairs():
    names, invs = ["甲乙丙", "甲乙丁"], ["", ""]  # they share 甲乙, held by two keys
    assert candidate_pairs(names, invs, MatchConfig(max_posting=2)) == {(0, 1)}
    assert candidate_pairs(names, invs, MatchConfig(max_posting=1)) == set()


@pytest.mark.parametrize("share, pairs", [(0.5, set()), (0.6, {(0, 1)}), (1.0, {(0, 1)})])
def test_prefix_filtering_keeps_the_rarest_ceil_share_plus_one_bigrams(share, pairs):
    """Four bigrams each; the shared 己庚 is the commonest (two keys), so it is posted only when
    ceil(share·4)+1 reaches 4: not at 0.5 (3), at 0.6 (ceil 2.4 = 3, +1)."""
    names = ["丙丁戊己庚", "子丑寅己庚"]
    assert candidate_pairs(names, ["", ""], MatchConfig(prefix_share=share)) == pairs


def test_targets_without_a_file_status_are_all_kept():
    targets = pd.DataFrame([{"year": 2022, "unit_name": "市商务局", "sub_unit": None,
                             "indicator": "new_projects", "target": Decimal("8"),
                             "is_total_row": False, "source_file": "t.xlsx",
                             "source_sheet": "S", "source_row": "4"}])
    files = pd.DataFrame([{"source_file": "t.xlsx", "kind": "targets"}])  # no status column
    res = conform(empty(), empty(), empty(), targets, files, REF, PERIODS)
    assert [tuple(r) for r in res.fact_target.itertuples(index=False)] == [
        (2022, "市商务局", "new_projects", Decimal("8"), None, "t.xlsx", "S", 4, False)]
