"""四率 of 三企入桂 signed projects: cohort, cumulative funds fallback, increments vs December."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.build import build_marts

from .builders import fact, make_core, project

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
