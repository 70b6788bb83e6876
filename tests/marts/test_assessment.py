"""绩效考评: department rules of seed 000 附件2, district items, bonus tiers, caps, NULL items."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.assessment import big_project_bonus
from assets.marts.build import build_marts

from .builders import fact, make_core, project, rules_variant
from .scoring_builders import activity, with_activities

CONTRACT = ["period", "year", "unit_name", "unit_type", "item", "score", "max_score", "detail"]


def _pa(core, period, rules):
    return build_marts(core, period, rules)["performance_assessment"].set_index(
        ["unit_name", "item"])


def _department_world(n_projects=30, target=40):
    projects = [project(f"D{i}", 1, signed="2023-0" + str(1 + i % 5)) for i in range(n_projects)]
    bridge = [(f"D{i}", "市投资促进局", "lead", "2023-01") for i in range(n_projects)]
    facts = [fact(f"D{i}", "2023-06", by="市投资促进局") for i in range(n_projects)]
    targets = [(2023, "市投资促进局", "new_projects", target)] if target is not None else []
    reserve = [("2023-06", "市投资促进局", f"包装项目{i}") for i in range(3)]
    reserve += [("2023-05", "市投资促进局", f"包装项目{i}") for i in range(5)]  # other period
    acts = [activity("2023-06", "市投资促进局", f"2023-0{1 + i % 6}-10", f"推介会{i}", "推介会")
            for i in range(7)]
    acts.append(activity("2023-06", "市投资促进局", "2023-01-10", "推介会0", "推介会"))  # twice
    acts.append(activity("2023-06", "市科技局", "2023-02-10", "别的部门的活动", "推介会"))
    return with_activities(make_core(projects, bridge, facts, targets, (), reserve), acts)


def test_contract_columns(rules):
    pa = build_marts(_department_world(), "2023-06", rules)["performance_assessment"]
    assert list(pa.columns[:8]) == CONTRACT


def test_department_rules_of_seed_000(rules):
    pa = _pa(_department_world(), "2023-06", rules)
    d = "市投资促进局"
    assert pa.loc[(d, "packaged_projects"), "score"] == 2.25  # 3 of 4 × 3
    assert pa.loc[(d, "activities"), "score"] == 3.0  # 7 × 0.5 = 3.5, capped at 3
    assert pa.loc[(d, "new_projects"), "score"] == 3.0  # 30 of 40 × 4
    assert pa.loc[(d, "total"), "score"] == 8.25
    assert pa.loc[(d, "total"), "max_score"] == 10
    assert "策划包装重点招商项目 3 个" in pa.loc[(d, "packaged_projects"), "detail"]
    assert "本行业专题招商活动 7 次" in pa.loc[(d, "activities"), "detail"]
    items = [i for (u, i) in pa.index if u == d]
    assert items == ["packaged_projects", "activities", "new_projects", "total"]


def test_department_few_activities_and_full_projects(rules):
    core = _department_world(n_projects=45, target=40)
    core.activities = core.activities.iloc[:3]
    pa = _pa(core, "2023-06", rules)
    assert pa.loc[("市投资促进局", "activities"), "score"] == 1.5
    assert pa.loc[("市投资促进局", "new_projects"), "score"] == 4.0  # capped at completion 1


def test_missing_target_scores_null_and_is_left_out(rules):
    pa = _pa(_department_world(target=None), "2023-06", rules)
    row = pa.loc[("市投资促进局", "new_projects")]
    assert pd.isna(row["score"]) and "无目标任务" in row["detail"]
    total = pa.loc[("市投资促进局", "total")]
    assert total["score"] == 5.25 and total["max_score"] == 6
    assert "未计分：新引进项目" in total["detail"]


def test_big_project_bonus_tiers(rules):
    D = Decimal
    assert big_project_bonus([D(9.99)], rules)[0] == 0
    assert big_project_bonus([D(10)], rules)[0] == 1
    assert big_project_bonus([D(50)], rules)[0] == 3
    assert big_project_bonus([D(150)], rules)[0] == 5  # highest tier only, not 1 + 3 + 5
    assert big_project_bonus([D(12), D(60), D(150)], rules)[0] == 9
    score, detail = big_project_bonus([D(12), D(60), D(150), D(120)], rules)
    assert score == 10  # 14 capped
    assert "100亿元以上 2 个" in detail and "按 10 分计" in detail


def test_big_project_bonus_in_the_mart(rules):
    projects = [project("B1", 12, signed="2023-02"), project("B2", 60, signed="2023-03"),
                project("B3", 150, signed="2023-04"), project("B4", 200, signed="2022-04")]
    bridge = [(p, "柳南区", "territorial", "2022-04") for p in ("B1", "B2", "B3", "B4")]
    facts = [fact(p, "2023-06", by="柳南区") for p in ("B1", "B2", "B3", "B4")]
    pa = _pa(make_core(projects, bridge, facts), "2023-06", rules)
    assert pa.loc[("柳南区", "big_project_bonus"), "score"] == 9  # B4 not new this year
    assert pa.loc[("柳南区", "big_project_bonus"), "max_score"] == 10


def _share_world(n_new, n_emerging, target=4):
    projects = [project(f"E{i}", 2, signed="2023-03", emerging=i < n_emerging)
                for i in range(n_new)]
    bridge = [(f"E{i}", "鱼峰区", "territorial", "2023-03") for i in range(n_new)]
    facts = [fact(f"E{i}", "2023-06", by="鱼峰区") for i in range(n_new)]
    return make_core(projects, bridge, facts, [(2023, "鱼峰区", "new_projects", target)])


@pytest.mark.parametrize("n_new,n_emerging,expected", [
    (4, 1, -2.0),   # 25% < 30%
    (10, 3, 0.0),   # exactly 30%
    (0, 0, 0.0),    # no new project yet: no deduction
])
def test_emerging_share_deduction(rules, n_new, n_emerging, expected):
    pa = _pa(_share_world(n_new, n_emerging), "2023-06", rules)
    row = pa.loc[("鱼峰区", "emerging_share")]
    assert row["score"] == expected and row["max_score"] == 0
    if expected:
        assert "25.0%" in row["detail"] and "扣 2 分" in row["detail"]


def test_emerging_share_without_new_project_target_is_null(rules):
    core = _share_world(4, 0)
    core.targets = core.targets.iloc[0:0]
    pa = _pa(core, "2023-06", rules)
    assert pd.isna(pa.loc[("鱼峰区", "emerging_share"), "score"])


def _red_black_world(months: int):
    """城中区 always far ahead of time progress (red), 柳北区 always far behind (black)."""
    projects = [project("R", 3, signed="2022-01"), project("K", 3, signed="2022-01")]
    bridge = [("R", "城中区", "territorial", "2022-01"), ("K", "柳北区", "territorial", "2022-01")]
    facts = []
    for m in range(1, months + 1):
        facts += [fact("R", f"2023-{m:02d}", funds=10), fact("K", f"2023-{m:02d}", funds=0)]
    targets = [(2023, "城中区", "funds_in_place", 10), (2023, "柳北区", "funds_in_place", 10)]
    return make_core(projects, bridge, facts, targets)


def test_red_black_adjustment_counts_and_cap(rules):
    pa = _pa(_red_black_world(4), "2023-04", rules)
    assert pa.loc[("城中区", "red_black_adjustment"), "score"] == 2.0  # 4 × 0.5
    assert pa.loc[("柳北区", "red_black_adjustment"), "score"] == -2.0
    pa = _pa(_red_black_world(8), "2023-08", rules)
    assert pa.loc[("城中区", "red_black_adjustment"), "score"] == 3.0  # 8 × 0.5 = 4 → cap 3
    assert pa.loc[("柳北区", "red_black_adjustment"), "score"] == -3.0
    assert "上红榜 8 次" in pa.loc[("城中区", "red_black_adjustment"), "detail"]
    # total: funds 40 (capped at completion 1) + bonus 0 + adjustment 3
    assert pa.loc[("城中区", "total"), "score"] == 43.0


def test_red_black_adjustment_quarterly(tmp_path):
    rules = rules_variant(tmp_path, red_black__cadence="quarterly")
    pa = _pa(_red_black_world(8), "2023-08", rules)
    assert pa.loc[("城中区", "red_black_adjustment"), "score"] == 1.0  # lists of 03 and 06
    assert pa.loc[("柳北区", "red_black_adjustment"), "score"] == -1.0


def test_district_completion_items(rules):
    core = _red_black_world(6)
    core.targets = pd.concat([core.targets, pd.DataFrame([
        {"year": 2023, "unit_name": "城中区", "indicator": "new_projects", "target": Decimal(4),
         "sub_unit": None}])], ignore_index=True)
    pa = _pa(core, "2023-06", rules)
    assert pa.loc[("城中区", "funds_in_place"), "score"] == 40.0
    assert pa.loc[("城中区", "new_projects"), "score"] == 0.0
    assert pd.isna(pa.loc[("城中区", "new_industrial_projects"), "score"])
    assert pa.loc[("城中区", "total"), "max_score"] == 40 + 25 + 0 + 10 + 3
