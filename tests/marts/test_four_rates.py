"""四率 of 三企入桂 signed projects: cohort, cumulative funds fallback, increments vs December."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.build import build_marts
from assets.marts.four_rates import compute_four_rates, no_baseline_findings

from .builders import cohort_row, fact, make_core, project

CONTRACT = [
    "period", "unit_name", "signed_projects", "performing_projects", "started_projects",
    "completed_projects", "contract_investment", "funds_cumulative", "performance_rate",
    "funds_rate", "start_rate", "completion_rate", "performance_rate_increment",
    "funds_rate_increment", "start_rate_increment", "completion_rate_increment",
]


def _world():
    projects = [
        project("S1", 10, sanqi=True, signed="2022-03"),
        project("S2", 5, sanqi=True, signed="2022-08"),
        project("S3", 5, sanqi=True, signed="2023-02"),
        project("S4", 4, sanqi=True, signed="2022-05"),
        project("N5", 9, sanqi=False, signed="2022-05"),
        project("S7", 0.04, sanqi=True, signed="2022-05"),
        project("Y1", 2, sanqi=True, signed="2023-01"),
    ]
    bridge = [(p, "城中区", "territorial", "2022-01") for p in ("S1", "S2", "S4", "N5", "S7")]
    bridge += [("S3", "城中区", "territorial", "2023-02"),
               ("Y1", "鱼峰区", "territorial", "2023-01")]
    facts = [
        fact("S1", "2022-03", funds=0.5), fact("S1", "2022-12", funds=1),
        fact("S1", "2023-01", funds=0), fact("S1", "2023-06", "开工", funds=2),
        fact("S2", "2022-08", funds=0.2, cum=0.2),
        fact("S2", "2022-12", "注册", funds=0.5, cum=0.5),
        fact("S2", "2023-06", "竣工投产", funds=3.5, cum=4),
        fact("S3", "2023-02"), fact("S3", "2023-06"),
        fact("S4", "2022-05"), fact("S4", "2022-12"), fact("S4", "2023-03", "退库"),
        fact("N5", "2022-05", "竣工投产", funds=9),
        fact("S7", "2022-05", "竣工投产", funds=0.04),
        fact("Y1", "2023-01"), fact("Y1", "2023-06", "注册", funds=0.5, by="鱼峰区"),
    ]
    return make_core(projects, bridge, facts)


def test_contract_columns(rules):
    fr = build_marts(_world(), "2023-06", rules)["four_rates"]
    assert list(fr.columns[: len(CONTRACT)]) == CONTRACT


def test_unit_hand_worked(rules):
    fr = build_marts(_world(), "2023-06", rules)["four_rates"].set_index("unit_name")
    r = fr.loc["城中区"]
    # cohort S1..S4 (S4 withdrawn stays; N5 not 三企入桂; S7 below threshold)
    assert r["signed_projects"] == 4
    assert r["performing_projects"] == 2  # S1 开工, S2 竣工投产
    assert r["started_projects"] == 2
    assert r["completed_projects"] == 1
    assert r["contract_investment"] == Decimal(24)
    # S1: no 累计 given → last 本年 of 2022 (1) + of 2023 (2) = 3; S2: latest 累计 4
    assert r["funds_cumulative"] == Decimal(7)
    assert isinstance(r["funds_cumulative"], Decimal)
    assert r["performance_rate"] == 0.5
    assert r["funds_rate"] == pytest.approx(7 / 24)
    assert (r["start_rate"], r["completion_rate"]) == (0.5, 0.25)
    # December 2022: cohort S1, S2, S4; S1 performing via funds 1 > 0, S2 注册
    assert r["performance_rate_increment"] == pytest.approx(0.5 - 2 / 3)
    assert r["funds_rate_increment"] == pytest.approx(7 / 24 - 1.5 / 19)
    assert r["start_rate_increment"] == pytest.approx(0.5)
    assert r["completion_rate_increment"] == pytest.approx(0.25)


def test_empty_december_cohort_gives_no_baseline_never_zero(rules):
    """revision 2: 鱼峰区 had no cohort at 2022-12 (loaded) → no baseline, increments NULL,
    never the rate itself (an empty baseline is not 0)."""
    fr = build_marts(_world(), "2023-06", rules)["four_rates"].set_index("unit_name")
    r = fr.loc["鱼峰区"]
    assert (r["signed_projects"], r["performing_projects"]) == (1, 1)
    assert r["funds_rate"] == 0.25
    for rate in ("performance_rate", "funds_rate", "start_rate", "completion_rate"):
        assert pd.isna(r[f"{rate}_increment"]), rate
    assert r["baseline_source"] == "none"
    assert "无上年12月基数" in r["detail"]
    assert fr.loc["城中区", "baseline_source"] == "december"


def test_city_counts_each_project_once_and_units_without_cohort_absent(rules):
    fr = build_marts(_world(), "2023-06", rules)["four_rates"]
    assert fr.iloc[0]["unit_name"] == "柳州市"
    assert set(fr["unit_name"]) == {"柳州市", "城中区", "鱼峰区"}
    city = fr.set_index("unit_name").loc["柳州市"]
    assert city["signed_projects"] == 5
    assert city["contract_investment"] == Decimal(26)
    assert city["funds_cumulative"] == Decimal("7.5")


def test_stage_at_period_uses_only_earlier_rows(rules):
    fr = build_marts(_world(), "2023-03", rules)["four_rates"].set_index("unit_name")
    r = fr.loc["城中区"]
    # at 2023-03 S1 and S2 are still at their 2022-12 stage: no start yet
    assert r["started_projects"] == 0
    assert r["signed_projects"] == 4


# --- revision 2: cohort list and baseline order ------------------------------------------------
RATES = ("performance_rate", "funds_rate", "start_rate", "completion_rate")


def _baseline_world(*, december: bool = True, cohort=(), baseline=()):
    """城中区: S1 (三企入桂, signed 2022-03, 注册 at 2022-12, 开工 at 2023-06) and S2 (三企入桂,
    signed 2022-05, 签约 all along, 1 of 4 in place at 2023-06); L1 not flagged (signed 2022-04,
    竣工投产 at 2023-06).  december=False leaves 2022-12 unloaded (2022-11 instead)."""
    dec = "2022-12" if december else "2022-11"
    projects = [project("S1", 10, sanqi=True, signed="2022-03"),
                project("S2", 4, sanqi=True, signed="2022-05"),
                project("L1", 6, sanqi=False, signed="2022-04")]
    bridge = [(p, "城中区", "territorial", "2022-03") for p in ("S1", "S2", "L1")]
    facts = [fact("S1", dec, "注册"), fact("S2", dec), fact("L1", dec),
             fact("S1", "2023-06", "开工"), fact("S2", "2023-06", funds=1, cum=1),
             fact("L1", "2023-06", "竣工投产", funds=3, cum=3)]
    targets = [(2023, "城中区", "funds_in_place", 10), (2023, "鱼峰区", "funds_in_place", 10)]
    return make_core(projects, bridge, facts, targets, cohort=cohort, baseline=baseline)


def test_baseline_from_previous_december(rules):
    r = build_marts(_baseline_world(), "2023-06", rules)["four_rates"].set_index(
        "unit_name").loc["城中区"]
    assert r["signed_projects"] == 2
    # at P: performing 2/2, funds 1/14, started 1/2, completed 0; at 2022-12: 1/2, 0, 0, 0
    assert r["performance_rate_increment"] == pytest.approx(0.5)
    assert r["funds_rate_increment"] == pytest.approx(1 / 14)
    assert r["start_rate_increment"] == pytest.approx(0.5)
    assert r["completion_rate_increment"] == pytest.approx(0.0)
    assert r["baseline_source"] == "december"
    assert "上年12月" in r["detail"] and "协议履约率 50.0%" in r["detail"]


def test_baseline_file_wins_over_december(rules):
    core = _baseline_world(baseline=[(2023, "城中区", 0.25, 0.05, 0.1, 0.0),
                                     (2022, "城中区", 0.9, 0.9, 0.9, 0.9)])
    r = build_marts(core, "2023-06", rules)["four_rates"].set_index("unit_name").loc["城中区"]
    assert r["baseline_source"] == "file"
    assert r["performance_rate_increment"] == pytest.approx(1 - 0.25)
    assert r["funds_rate_increment"] == pytest.approx(1 / 14 - 0.05)
    assert r["start_rate_increment"] == pytest.approx(0.5 - 0.1)
    assert r["completion_rate_increment"] == pytest.approx(0.0)
    city = build_marts(core, "2023-06", rules)["four_rates"].set_index("unit_name").loc["柳州市"]
    assert city["baseline_source"] == "december"  # the file has no 柳州市 row for 2023


def test_no_loaded_december_means_no_baseline(rules):
    """2022-11 is loaded (the same cohort existed) but 2022-12 is not: no baseline, NULL
    increments, not scored, and the finding once per unit and year."""
    core = _baseline_world(december=False)
    marts = build_marts(core, "2023-06", rules)
    fr = marts["four_rates"].set_index("unit_name")
    for unit in ("城中区", "柳州市"):
        assert fr.loc[unit, "baseline_source"] == "none"
        assert all(pd.isna(fr.loc[unit, f"{r}_increment"]) for r in RATES)
        assert fr.loc[unit, "performance_rate"] == 1.0  # the rates themselves stand
    rb = marts["red_black_list"].set_index("unit_name")
    assert pd.isna(rb.loc["城中区", "four_rates_points"])
    assert "无上年12月四率基数" in rb.loc["城中区", "reasons"]
    results = compute_four_rates(core, "2023-06", rules)
    assert not results["城中区"].scored and results["城中区"].figures.signed_projects == 2
    found = no_baseline_findings(core, "2023-06", rules)
    assert sorted((f.unit_name, f.period) for f in found) == [
        ("城中区", "2023-01"), ("柳州市", "2023-01")]
    assert all(f.check_name == "no_four_rates_baseline" and f.stage == "marts" for f in found)
    assert "2022年12月" in found[0].message and "四率基数文件" in found[0].message
    # the same rows whichever period of the year is built
    assert [(f.unit_name, f.period, f.message) for f in
            no_baseline_findings(core, "2023-03", rules)] == [
        (f.unit_name, f.period, f.message) for f in found]


def test_scored_four_rates_item_with_a_baseline(rules):
    rb = build_marts(_baseline_world(), "2023-06", rules)["red_black_list"].set_index("unit_name")
    assert not pd.isna(rb.loc["城中区", "four_rates_points"])
    assert compute_four_rates(_baseline_world(), "2023-06", rules)["城中区"].scored
    assert no_baseline_findings(_baseline_world(), "2023-06", rules) == []


def test_cohort_list_defines_the_year_cohort(rules):
    """2023 has a list (L1 and an unmatched row): the cohort is L1 alone, the 三企入桂 flags
    are ignored; 2022 has no list, so the December baseline uses the flags (S1, S2)."""
    core = _baseline_world(cohort=[cohort_row(2023, "L1"), cohort_row(2023, None, "未匹配项目")])
    r = build_marts(core, "2023-06", rules)["four_rates"].set_index("unit_name").loc["城中区"]
    assert (r["signed_projects"], r["completed_projects"]) == (1, 1)
    assert r["contract_investment"] == Decimal(6)
    assert r["completion_rate_increment"] == pytest.approx(1.0 - 0.0)
    assert r["performance_rate_increment"] == pytest.approx(1.0 - 0.5)


def test_year_without_list_uses_the_flag(rules):
    core = _baseline_world(cohort=[cohort_row(2021, "L1")])
    r = build_marts(core, "2023-06", rules)["four_rates"].set_index("unit_name").loc["城中区"]
    assert r["signed_projects"] == 2


def test_inside_region_sanqi_project_not_in_flag_cohort(rules):
    core = _baseline_world()
    core.projects.loc[core.projects["project_id"] == "S2", "source_class"] = "inside_region"
    r = build_marts(core, "2023-06", rules)["four_rates"].set_index("unit_name").loc["城中区"]
    assert r["signed_projects"] == 1


def test_four_rates_are_worked_out_once_per_core_and_views(rules):
    """The marts, the 红黑榜 and the marts findings of a month share one result; a replaced core
    table, another month or a view not built by `build_view` is worked out anew, with the figures
    of working it out afresh."""
    import dataclasses

    from assets.marts.common import build_view, prev_december

    core = _baseline_world()
    first = compute_four_rates(core, "2023-06", rules)
    assert compute_four_rates(core, "2023-06", rules) is first
    assert compute_four_rates(core, "2023-05", rules) is not first
    fresh = _baseline_world()
    again = compute_four_rates(fresh, "2023-06", rules)
    assert again is not first and again == first
    view = dataclasses.replace(build_view(fresh, "2023-06", rules))  # equal, not the same object
    other = compute_four_rates(fresh, "2023-06", rules, view,
                               build_view(fresh, prev_december("2023-06"), rules))
    assert other is not again and other == again
    fresh.facts = fresh.facts.iloc[:0]  # a replaced table: the memo is dropped
    assert compute_four_rates(fresh, "2023-06", rules) != again
