"""红黑榜: gate, weight rescaling, ties, unranked units, list groups, cadence, reasons."""

from __future__ import annotations

import pandas as pd
import pytest

from assets.marts.build import build_marts

from .builders import fact, make_core, project, rules_variant

CONTRACT = ["period", "list_group", "unit_name", "score", "rank", "list", "reasons"]


def _funds_world(completions: dict[str, float], period: str = "2023-06", extra=()):
    """Each district gets a funds target of 10 and one continuing project with funds
    10 × completion at `period`; no new projects, no 三企入桂."""
    projects, bridge, facts, targets = [], [], [], []
    for i, (unit, c) in enumerate(completions.items()):
        pid = f"F{i}"
        projects.append(project(pid, 3, signed="2022-01"))
        bridge.append((pid, unit, "territorial", "2022-01"))
        facts.append(fact(pid, period, funds=round(10 * c, 6), by=unit))
        targets.append((2023, unit, "funds_in_place", 10))
    return make_core(projects, bridge, facts, [*targets, *extra])


def _rb(core, period, rules):
    return build_marts(core, period, rules)["red_black_list"]


def test_contract_columns_and_groups(rules):
    rb = _rb(_funds_world({"城中区": 0.6}), "2023-06", rules)
    assert list(rb.columns[:7]) == CONTRACT
    groups = dict(zip(rb["unit_name"], rb["list_group"]))
    assert groups["城中区"] == "柳州市·县区"
    assert groups["市科技局"] == "柳州市·部门"
    assert groups["鹿寨县林木加工产业招商组"] == "鹿寨县·产业招商组"
    assert groups["市科技局汽车产业链招商专班"] == "市科技局·专班"
    assert "柳州市" not in set(rb["unit_name"])


def test_ties_break_by_gate_completion_then_name(rules):
    # tp = 0.5; 0.9, 0.8, 0.8 all ≥ 1.5 × tp → funds item 1; major 0 of 0 → score 40/55
    core = _funds_world({"鱼峰区": 0.8, "城中区": 0.9, "柳南区": 0.8, "柳北区": 0.2})
    rb = _rb(core, "2023-06", rules).set_index("unit_name")
    top = round(100 * 40 / 55, 2)
    for unit in ("城中区", "鱼峰区", "柳南区"):
        assert rb.loc[unit, "score"] == top
    # same score: higher gate completion first, then unit name (code point order)
    assert rb.loc["城中区", "rank"] == 1
    assert rb.loc["柳南区", "rank"] == 2
    assert rb.loc["鱼峰区", "rank"] == 3
    assert rb.loc["柳北区", "rank"] == 4
    assert rb.loc["柳北区", "score"] == round(100 * 40 * (0.4 / 1.5) / 55, 2)
    assert list(rb.loc[["城中区", "柳南区", "鱼峰区"], "list"]) == ["red"] * 3
    assert rb.loc["柳北区", "list"] == "black"
    assert rb.loc["柳北区", "reasons"].startswith(
        "到位资金 2.00 亿元，目标 10.00 亿元，到位资金完成率 20.0%，低于序时进度 50.0%")


def test_top_and_bottom_n(tmp_path):
    rules = rules_variant(tmp_path, red_black__top_n=1, red_black__bottom_n=1)
    core = _funds_world({"城中区": 0.9, "鱼峰区": 0.6, "柳南区": 0.3, "柳北区": 0.1})
    rb = _rb(core, "2023-06", rules).set_index("unit_name")
    assert rb.loc["城中区", "list"] == "red"
    assert rb.loc["鱼峰区", "list"] is None  # on schedule but not in the top 1
    assert rb.loc["柳南区", "list"] is None  # behind, but not the last
    assert rb.loc["柳北区", "list"] == "black"


def test_unit_without_gate_target_is_not_ranked(rules):
    rb = _rb(_funds_world({"城中区": 0.6}), "2023-06", rules).set_index("unit_name")
    r = rb.loc["鹿寨县"]
    assert pd.isna(r["score"]) and pd.isna(r["rank"]) and r["list"] is None
    assert "不参与排名" in r["reasons"]
    assert r["gate_indicator"] is None


def test_new_projects_gate_when_no_funds_target(rules):
    core = make_core(
        [project("D1", 2, signed="2023-03")], [("D1", "市科技局", "lead", "2023-03")],
        [fact("D1", "2023-03", by="市科技局")], [(2023, "市科技局", "new_projects", 4)],
    )
    rb = _rb(core, "2023-06", rules).set_index("unit_name")
    r = rb.loc["市科技局"]
    assert r["gate_indicator"] == "new_projects" and r["gate_completion"] == 0.25
    # projects 0.25/0.5 = 0.5 → s = 1/3; major 0/0 → 0; items projects 30 + major 15
    assert r["score"] == round(100 * 30 * (0.5 / 1.5) / 45, 2)
    assert r["list"] == "black" and r["rank"] == 1
    # the science bureau counts qualifying projects only (D1: industrial 2 亿 ≥ 1 亿)
    assert "新引进达标项目 1 个，目标 4 个，新引进达标项目完成率 25.0%，低于序时进度 50.0%" \
        in r["reasons"]


def test_empty_sanqi_cohort_rescales_weights(rules):
    # 城中区: funds 0.4 → s = 0.8/1.5; projects 2 of 4 → 0.5/0.5 = 1 → s = 1/1.5;
    # one new major project (max in group 1) → 1; no 三企入桂 → weights 40+30+15 = 85
    projects = [project("M1", 6, signed="2023-02"), project("M2", 1, signed="2023-05"),
                project("S1", 10, sanqi=True, signed="2022-06")]
    bridge = [("M1", "城中区", "territorial", "2023-02"),
              ("M2", "城中区", "territorial", "2023-05"),
              ("S1", "鱼峰区", "territorial", "2022-06")]
    facts = [fact("M1", "2023-06", funds=3), fact("M2", "2023-06", funds=1),
             fact("S1", "2022-12", funds=0), fact("S1", "2023-06", "开工", funds=1, cum=1)]
    targets = [(2023, "城中区", "funds_in_place", 10), (2023, "城中区", "new_projects", 4),
               (2023, "鱼峰区", "funds_in_place", 10)]
    rb = _rb(make_core(projects, bridge, facts, targets), "2023-06", rules).set_index("unit_name")
    expected = 100 * (40 * (0.8 / 1.5) + 30 * (1 / 1.5) + 15 * 1) / 85
    assert rb.loc["城中区", "score"] == round(expected, 2)
    assert pd.isna(rb.loc["城中区", "four_rates_points"])
    assert "四率不计分（权重按比例折算）" in rb.loc["城中区", "reasons"]
    # 鱼峰区: funds 0.1 → s = 0.2/1.5; major 0 of 1; 四率: S1 signed 2022, at Dec 签约 no funds
    # → 0; at 06 开工 with 累计 1 of 10: increments 1, 0.1, 1, 0 → terms 1, 2/3, 1, 0
    four = (1 + 0.1 / 0.15 + 1 + 0) / 4
    expected_y = 100 * (40 * (0.2 / 1.5) + 15 * 0 + 15 * four) / 70
    assert rb.loc["鱼峰区", "score"] == round(expected_y, 2)
    pts = rb.loc["城中区", ["funds_points", "projects_points", "major_projects_points"]]
    assert sum(pts) == pytest.approx(rb.loc["城中区", "score"], abs=0.02)


def test_quarterly_cadence_lists_only_in_quarter_months(tmp_path):
    rules = rules_variant(tmp_path, red_black__cadence="quarterly")
    core = _funds_world({"城中区": 0.9, "柳北区": 0.1}, period="2023-08")
    rb8 = _rb(core, "2023-08", rules)
    assert rb8["list"].isna().all() and not rb8["is_list_period"].any()
    assert rb8["rank"].notna().sum() == 2  # still scored and ranked
    assert "按季度发布" in rb8.set_index("unit_name").loc["城中区", "reasons"]
    core9 = _funds_world({"城中区": 0.9, "柳北区": 0.1}, period="2023-09")
    rb9 = _rb(core9, "2023-09", rules).set_index("unit_name")
    assert rb9.loc["城中区", "list"] == "red" and rb9.loc["柳北区", "list"] == "black"
