"""红黑榜, revision 2: qualifying projects for 专班, 四率 without baseline, and reasons that
explain ties, the gate and why a higher score is not red or a lower one not black."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from assets.marts.build import build_marts
from assets.marts.common import UnitRef, build_view, prev_december, unit_refs
from assets.marts.four_rates import BASELINE_DECEMBER, BASELINE_NONE, RATES, compute_four_rates
from assets.marts.indicators import qualifies
from assets.marts.red_black import build_red_black
from runtime.rules import RulesError, load_rules

from .builders import fact, make_core, project, rules_variant
from .scoring_builders import TASK_FORCE, task_force_world


def _rb(core, period, rules):
    return build_marts(core, period, rules)["red_black_list"].set_index("unit_name")


def _world(units: dict[str, dict], period="2023-06"):
    """Per district: funds completion `c` (target 10, a continuing project), optional new-project
    target `pt` with `new` new 1 亿 projects, and `major` new 6 亿 projects."""
    projects, bridge, facts, targets = [], [], [], []
    for i, (unit, spec) in enumerate(units.items()):
        pid = f"F{i}"
        projects.append(project(pid, 3, signed="2022-01"))
        bridge.append((pid, unit, "territorial", "2022-01"))
        facts.append(fact(pid, period, funds=round(10 * spec["c"], 6), by=unit))
        targets.append((2023, unit, "funds_in_place", 10))
        if "pt" in spec:
            targets.append((2023, unit, "new_projects", spec["pt"]))
        for k in range(spec.get("new", 0) + spec.get("major", 0)):
            npid = f"N{i}{k}"
            inv = 6 if k < spec.get("major", 0) else 1
            projects.append(project(npid, inv, signed="2023-03"))
            bridge.append((npid, unit, "territorial", "2023-03"))
            facts.append(fact(npid, period, by=unit))
    return make_core(projects, bridge, facts, targets)


# --- ties ------------------------------------------------------------------------------------
def test_tie_broken_by_gate_completion_against_name_order(rules):
    # tp 0.5: 0.8 and 0.9 both ≥ 0.75 → funds item 1; major 0 of 0 → same score 40/55.
    # 城中区 comes first by name, but 鱼峰区's gate completion is higher: 鱼峰区 ranks first.
    rb = _rb(_world({"城中区": {"c": 0.8}, "鱼峰区": {"c": 0.9}}), "2023-06", rules)
    assert rb.loc["城中区", "score"] == rb.loc["鱼峰区", "score"] == round(100 * 40 / 55, 2)
    assert rb.loc["鱼峰区", "rank"] == 1 and rb.loc["城中区", "rank"] == 2
    assert "与鱼峰区得分相同（72.73 分），门槛指标完成率 80.0% 低于鱼峰区的 90.0%，排在其后" \
        in rb.loc["城中区", "reasons"]
    assert "与城中区得分相同（72.73 分），门槛指标完成率 90.0% 高于城中区的 80.0%，排在其前" \
        in rb.loc["鱼峰区", "reasons"]


def test_tie_on_score_and_gate_broken_by_name(rules):
    rb = _rb(_world({"鱼峰区": {"c": 0.8}, "城中区": {"c": 0.8}}), "2023-06", rules)
    assert rb.loc["城中区", "rank"] == 1 and rb.loc["鱼峰区", "rank"] == 2
    assert "门槛指标完成率与鱼峰区相同，按单位名称排在其前" in rb.loc["城中区", "reasons"]
    assert "门槛指标完成率与城中区相同，按单位名称排在其后" in rb.loc["鱼峰区", "reasons"]


# --- why not red / not black -----------------------------------------------------------------
def test_reasons_explain_higher_score_not_red_and_lower_score_not_black(tmp_path):
    rules = rules_variant(tmp_path, red_black__top_n=1, red_black__bottom_n=1)
    core = _world({
        # behind (0.45 < 0.5) but new projects 2 of 2 and the group's one major project
        "城中区": {"c": 0.45, "pt": 2, "new": 1, "major": 1},
        "柳南区": {"c": 0.40, "pt": 2, "new": 2},   # behind, the last of the behind → black
        "鱼峰区": {"c": 0.75, "pt": 2},             # on schedule, first of them → red
        "柳北区": {"c": 0.50, "pt": 2},             # on schedule, lowest score
    })
    rb = _rb(core, "2023-06", rules)
    s = {u: rb.loc[u, "score"] for u in rb.index if u in ("城中区", "柳南区", "鱼峰区", "柳北区")}
    # funds s = min(c/0.5, 1.5)/1.5; projects 2/2 → 1/0.5 = 2 → 1; weights 40 + 30 + 15 = 85
    assert s["城中区"] == round(100 * (40 * (0.9 / 1.5) + 30 + 15) / 85, 2)
    assert s["柳南区"] == round(100 * (40 * (0.8 / 1.5) + 30) / 85, 2)
    assert s["鱼峰区"] == round(100 * 40 / 85, 2)
    assert s["柳北区"] == round(100 * 40 * (1 / 1.5) / 85, 2)
    assert [rb.loc[u, "rank"] for u in ("城中区", "柳南区", "鱼峰区", "柳北区")] == [1, 2, 3, 4]
    assert rb.loc["鱼峰区", "list"] == "red" and rb.loc["柳南区", "list"] == "black"
    assert rb.loc["城中区", "list"] is None and rb.loc["柳北区", "list"] is None
    assert "得分排在红榜单位鱼峰区之前，但门槛指标完成率低于序时进度，不能列入红榜" \
        in rb.loc["城中区", "reasons"]
    assert "得分排在黑榜单位柳南区之后，但门槛指标完成率达到序时进度，不列入黑榜" \
        in rb.loc["柳北区", "reasons"]
    # each item's figure and score, and the gate against time progress
    r = rb.loc["城中区", "reasons"]
    assert r.startswith("到位资金 4.50 亿元，目标 10.00 亿元，到位资金完成率 45.0%，"
                        "低于序时进度 50.0%（门槛指标），计 ")
    assert "新引进项目 2 个，目标 2 个，完成率 100.0%，计 35.29 分" in r
    assert "5亿元以上重大产业项目 1 个（组内最多 1 个），计 17.65 分" in r
    assert "组内第 1 名（共 4 个单位）" in r


def test_no_why_not_outside_list_periods(tmp_path):
    rules = rules_variant(tmp_path, red_black__cadence="quarterly", red_black__top_n=1,
                          red_black__bottom_n=1)
    core = _world({"城中区": {"c": 0.45, "pt": 2, "new": 1, "major": 1},
                   "鱼峰区": {"c": 0.75, "pt": 2}}, period="2023-05")
    rb = _rb(core, "2023-05", rules)
    assert "不能列入红榜" not in rb.loc["城中区", "reasons"]
    assert "按季度发布" in rb.loc["城中区", "reasons"]


# --- 四率 without a baseline -----------------------------------------------------------------
def test_four_rates_without_baseline_not_scored(rules):
    # 城中区 has a 三企入桂 cohort; rev2-marts returns NULL increments when there is no baseline:
    # the item is then not scored and the weights rescale (funds 40 + major 15 = 55).
    core = make_core([project("S", 10, sanqi=True, signed="2022-06"),
                      project("F", 3, signed="2022-01")],
                     [("S", "城中区", "territorial", "2022-06"),
                      ("F", "城中区", "territorial", "2022-01")],
                     [fact("S", "2022-12", "签约", funds=0, cum=0),
                      fact("S", "2023-06", "开工", funds=1, cum=1), fact("F", "2023-06", funds=4)],
                     [(2023, "城中区", "funds_in_place", 10)])
    view = build_view(core, "2023-06", rules)
    rates = compute_four_rates(core, "2023-06", rules, view,
                               build_view(core, prev_december("2023-06"), rules))
    scored = build_red_black(core, "2023-06", rules, view, rates).set_index("unit_name")
    assert rates["城中区"].baseline == BASELINE_DECEMBER
    assert scored.loc["城中区", "four_rates_points"] > 0  # against the 2022-12 rates
    no_base = {k: replace(v, baseline=BASELINE_NONE, increments={r: None for r in RATES})
               for k, v in rates.items()}
    rb = build_red_black(core, "2023-06", rules, view, no_base).set_index("unit_name")
    assert pd.isna(rb.loc["城中区", "four_rates_points"])
    # funds 4 + 1 = 5 of 10 = 0.5 = time progress → s = 1/1.5; S signed 2022 is not new
    assert rb.loc["城中区", "score"] == round(100 * 40 * (1 / 1.5) / 55, 2)
    assert "无上年12月四率基数，增量无法计算，四率不计分（权重按比例折算）" \
        in rb.loc["城中区", "reasons"]


# --- qualifying projects ---------------------------------------------------------------------
@pytest.mark.parametrize("inv,industrial,expected", [
    (1, True, True), (0.99, True, False), (0.5, False, True), (0.49, False, False),
])
def test_qualifies_at_the_bars(rules, inv, industrial, expected):
    core = task_force_world([project("Q", inv, industrial=industrial, signed="2023-02")])
    view = build_view(core, "2023-06", rules)
    rows = unit_refs(core)
    assert rows[TASK_FORCE].parent_type == "department"
    assert qualifies(rows[TASK_FORCE], view.projects["Q"], rules) is expected
    assert qualifies(rows["市科技局"], view.projects["Q"], rules) is expected  # by name
    assert qualifies(rows["城中区"], view.projects["Q"], rules) is True  # no bar
    group = rows["鹿寨县林木加工产业招商组"]
    assert qualifies(group, view.projects["Q"], rules) is True  # parent is a county


def test_task_force_projects_item_counts_qualifying_only(rules):
    # target 2; projects 0.8 (industrial, below the bar) and 1.2 (industrial): 1 of 2 = 0.5 =
    # time progress → on schedule; s = (0.5/0.5)/1.5; major 0 of 0; weights 30 + 15
    core = task_force_world([project("A", 0.8, signed="2023-02"),
                             project("B", 1.2, signed="2023-03")],
                            targets=[(2023, TASK_FORCE, "new_projects", 2)])
    r = _rb(core, "2023-06", rules).loc[TASK_FORCE]
    assert r["gate_indicator"] == "new_projects" and r["gate_completion"] == 0.5
    assert r["score"] == round(100 * 30 * (1 / 1.5) / 45, 2)
    assert r["list"] == "red"
    assert "新引进达标项目 1 个（另有 1 个未达到投资额标准，不计）" in r["reasons"]


def test_qualifying_rules_validation(tmp_path):
    with pytest.raises(RulesError, match=r"未知的键 indicators.qualifying_projects\[0\].colour"):
        rules_variant(tmp_path, indicators__qualifying_projects=[
            {"unit_type": "task_group", "colour": "red", "industrial_min_investment": 1, "other_min_investment": 0.5}])
    with pytest.raises(RulesError, match=r"qualifying_projects\[0\] 至少要有"):
        rules_variant(tmp_path, indicators__qualifying_projects=[
            {"industrial_min_investment": 1, "other_min_investment": 0.5}])
    with pytest.raises(RulesError, match="excellent ≥ good ≥ pass"):
        rules_variant(tmp_path, assessment__grade__good=0.95)
    with pytest.raises(RulesError, match="缺少键 assessment.task_force.joint_meetings.duty"):
        rules_variant(tmp_path, assessment__task_force__joint_meetings={"max": 10,
                                                                        "classes": ["x"]})
    # a bar on districts by rule: 城中区's 0.8 亿 industrial project no longer counts
    r = rules_variant(tmp_path, indicators__qualifying_projects=[
        {"unit_type": "district", "industrial_min_investment": 1, "other_min_investment": 0.5}])
    core = task_force_world([project("Q", 0.8, signed="2023-02")])
    view = build_view(core, "2023-06", r)
    row = UnitRef("城中区", "district", "柳州市", "city")
    assert qualifies(row, view.projects["Q"], r) is False
    assert qualifies(row, view.projects["Q"], load_rules()) is True


def test_long_tie_is_summarised(rules):
    # five districts all at funds 0 (tp 0.5): same score 0, same gate → by name
    units = {u: {"c": 0.0} for u in ("城中区", "鱼峰区", "柳南区", "柳北区", "鹿寨县")}
    rb = _rb(_world(units), "2023-06", rules)
    order = sorted(units)  # code-point order of the names
    for pos, u in enumerate(order, start=1):
        assert rb.loc[u, "rank"] == pos
        assert f"与另外 4 个单位得分相同（0.00 分），依次按门槛指标完成率（高者在前）和单位名称排序，" \
            f"本单位排其中第 {pos} 位" in rb.loc[u, "reasons"]
