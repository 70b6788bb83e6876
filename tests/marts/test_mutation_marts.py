"""Marts behaviour that the mutation samples of 2026-11-30 found untested (docs/testing.md,
"Mutation testing"); every expected figure is worked by hand in the comment next to it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.baseline import parse_baseline
from assets.marts.build import build_marts
from assets.marts.four_rates import build_four_rates
from assets.marts.pipeline_views import build_industry_summary
from assets.marts.submissions import period_has_submissions, submission_findings
from assets.marts.target_progress import build_target_progress
from assets.marts.watch import black_listed, build_early_warning

from .builders import fact, make_core, project, rules_variant
from .scoring_builders import TASK_FORCE, activity, task_force_world, with_activities
from .test_boundaries import _adjustment_world
from .test_submission_status import core_with as submission_core
from .test_submission_status import files
from .test_target_progress import _world as target_world
from .test_watch_marts import _quarter_world as quarter_world


def _task_force(core, period, rules):
    pa = build_marts(core, period, rules)["performance_assessment"]
    return pa[pa["unit_name"] == TASK_FORCE].set_index("item")


def test_undated_joint_meetings_each_count_on_their_own(rules):
    """design.md: a joint meeting with no usable date counts once on its own.  By 2023-06 two are
    due (4 a year × 6/12); two undated meetings under different names are 2 of 2 → 10 points, not
    one quarter (1 of 2 → 5)."""
    core = task_force_world((), "2023-06", ())
    core = with_activities(core, [activity("2023-06", TASK_FORCE, None, "第一次联席会", "联席会"),
                                  activity("2023-06", TASK_FORCE, "待定", "第二次联席会", "联席会")])
    assert _task_force(core, "2023-06", rules).loc["joint_meetings", "score"] == 10.0


@pytest.mark.parametrize(("red", "black", "capped"), [
    (7, 0, "，超过 ±3 分上限，计 +3.00 分"),   # 7 × 0.5 = 3.5 > the cap of 3
    (6, 0, None),                                # 6 × 0.5 = 3: at the cap, not over it
    (0, 7, "，超过 ±3 分上限，计 -3.00 分"),   # −3.5 < −3
])
def test_the_red_black_adjustment_detail_says_when_the_cap_applies(rules, red, black, capped):
    core, period = _adjustment_world(red, black)
    pa = build_marts(core, period, rules)["performance_assessment"].set_index(["unit_name", "item"])
    detail = pa.loc[("城中区", "red_black_adjustment"), "detail"]
    if capped:
        assert capped in detail
    else:
        assert "上限" not in detail


# --- seed-7 sample of the marts modules never sampled before (docs/testing.md) -------------------
def test_a_target_row_explains_target_actual_completion_and_time_progress(rules):
    """Each target row explains itself in Chinese (warehouse.md revision 2).  _world at 2023-03
    (test_target_progress): 城中区 has 0.8 亿元 of a 4 亿元 funds target (20.0 %) and 1 of 3 new
    projects (33.3 %), against a time progress of 3/12 = 25.0 %."""
    tp = build_marts(target_world(), "2023-03", rules)["target_progress"].set_index(
        ["unit_name", "indicator"])
    assert tp.loc[("城中区", "funds_in_place"), "detail"] == (
        "区外境内到位资金：目标 4.00 亿元，完成 0.80 亿元，完成率 20.0%，低于序时进度 25.0%")
    assert tp.loc[("城中区", "new_projects"), "detail"] == (
        "新引进项目：目标 3 个，完成 1 个，完成率 33.3%，不低于序时进度 25.0%")


def test_target_progress_built_on_its_own_builds_its_period(rules):
    """build_target_progress without a prepared view reads the period it is given: the same
    hand-worked 城中区 figures as through build_marts (0.8 of 4 亿元 at 2023-03; 0.4 at 2023-02,
    A only)."""
    for period, actual, rate in (("2023-03", Decimal("0.8"), 0.2), ("2023-02", Decimal("0.4"),
                                                                    0.1)):
        tp = build_target_progress(target_world(), period, rules).set_index(
            ["unit_name", "indicator"])
        row = tp.loc[("城中区", "funds_in_place")]
        assert (row["period"], row["actual"], row["completion_rate"]) == (period, actual, rate)


def test_a_month_has_submissions_only_when_a_file_was_recognised(rules):
    """The empty-period refusal (design.md): a month counts as submitted when a file in its
    folder was recognised as some unit's submission — a unit AND a kind; a file whose kind
    was not recognised, or a file of another month, does not count."""
    recognised = ("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 1))
    unknown_kind = ("2022-02/说明.xlsx", "城中区", None, datetime(2022, 3, 1))
    unknown_unit = ("2022-02/某表.xlsx", None, "project_ledger", datetime(2022, 3, 1))
    assert period_has_submissions(files(recognised), "2022-02")
    assert not period_has_submissions(files(recognised), "2022-03")
    assert not period_has_submissions(files(unknown_kind), "2022-02")
    assert not period_has_submissions(files(unknown_unit), "2022-02")
    assert period_has_submissions(files(unknown_kind, recognised), "2022-02")
    assert not period_has_submissions(files(), "2022-02")


def test_a_credit_row_without_a_first_period_dates_from_the_project_s_first_period(rules):
    """No 属地 unit: the warning names the unit credited first (design.md 预警).  A bridge row
    without first_period takes dim_project.first_period (design.md, PeriodView's credit): 市科技局's
    undated row dates from P1's first period 2023-01, before 市投资促进局's 2023-02 — although
    市投资促进局 comes first by name."""
    core = make_core(
        [project("P1", 3, signed="2023-01", first_period="2023-01")],
        [("P1", "市投资促进局", "co", "2023-02"), ("P1", "市科技局", "lead", None)],
        [fact("P1", "2023-01", funds=0)])
    df = build_early_warning(core, "2023-04", rules, pd.DataFrame(columns=[
        "unit_name", "gate_completion", "time_progress", "year"]))
    row = df.set_index(["warning_type", "project_id"]).loc[("signed_no_funds", "P1")]
    assert (row["unit_name"], row["months"]) == ("市科技局", 3)


def test_an_empty_mart_keeps_its_integer_columns(rules):
    """A mart has the same column types whatever the data (data_dictionary.md: counts and the
    year are INTEGER), also with no row at all: a month with no project gives an empty
    industry summary, and a 四率 of no unit an empty table."""
    core = make_core()
    industry = build_marts(core, "2023-03", rules)["industry_summary"]
    assert len(industry) == 0
    assert (industry["new_projects"].dtype, industry["year"].dtype) == ("int64", "int64")
    four = build_four_rates(core, "2023-03", rules, results={})
    assert len(four) == 0
    for col in ("signed_projects", "performing_projects", "started_projects",
                "completed_projects", "year"):
        assert four[col].dtype == "int64", col


def test_a_baseline_row_cut_short_before_its_year_is_a_finding():
    """rules.md "Baseline" / baseline.py: a row that cannot be read is left out with an
    `invalid_value` finding naming its line.  The header may put the columns in any order: here
    unit_name comes first, and line 3 stops after it (no year, no rate)."""
    text = ("unit_name,year,performance_rate,funds_rate,start_rate,completion_rate\n"
            "柳北区,2021,1,1,1,1\n"
            "柳南区\n")
    frame, findings = parse_baseline(text, "four_rates_baseline.csv")
    assert list(frame["unit_name"]) == ["柳北区"]
    assert [(f.check_name, f.source_row, f.message) for f in findings] == [
        ("invalid_value", 3,
         "四率基数文件 four_rates_baseline.csv 第3行：年度或单位为空或不是数字年份，该行未采用")]


def test_an_industry_row_says_whether_last_year_was_loaded(rules):
    """industry_summary (warehouse.md revision 2): actual_last_year is NULL when the same month
    a year earlier is not loaded, and the row's explanation says 未载入 then, else the amount.
    P1 (3 亿元, 汽车零部件) signed 2023-01 with 1 亿元 in place; P0 (新材料) had 1.25 亿元 in
    2022-01 when that month is loaded."""
    this_year = ([project("P1", 3, signed="2023-01")],
                 [("P1", "城中区", "territorial", "2023-01")], [fact("P1", "2023-01", funds=1)])
    alone = build_industry_summary(make_core(*this_year), "2023-01", rules).set_index("industry")
    assert alone.loc["汽车零部件", "detail"] == (
        "汽车零部件：本年新引进项目 1 个（投资总额 3.00 亿元），区外境内到位资金 1.00 亿元，"
        "上年同期 未载入（每个项目只计一次）")
    projects, bridge, facts = this_year
    core = make_core([*projects, project("P0", 4, signed="2022-01", industry="新材料")],
                     [*bridge, ("P0", "鱼峰区", "territorial", "2022-01")],
                     [*facts, fact("P0", "2022-01", "开工", funds=1.25, by="鱼峰区")])
    both = build_industry_summary(core, "2023-01", rules).set_index("industry")
    assert both.loc["汽车零部件", "detail"].endswith("上年同期 0.00 亿元（每个项目只计一次）")
    assert both.loc["新材料", "detail"] == (
        "新材料：本年新引进项目 0 个（投资总额 0.00 亿元），区外境内到位资金 0.00 亿元，"
        "上年同期 1.25 亿元（每个项目只计一次）")


def test_each_rules_file_gets_its_own_black_lists_of_the_quarter(tmp_path):
    """The quarter's black lists are rebuilt from each month's data under the rules in force
    (rules.md 季约谈): the same core under two rules files gives two answers.  _quarter_world at
    2023-03: all four districts are behind time progress (3/12); with 10 black places all four
    are black, with 1 only the lowest, 柳北区 (1.44 of a 12 亿元 target)."""
    core = quarter_world()
    (tmp_path / "ten").mkdir()
    (tmp_path / "one").mkdir()
    every = rules_variant(tmp_path / "ten", red_black__bottom_n=10)
    one = rules_variant(tmp_path / "one", red_black__bottom_n=1)
    assert black_listed(core, "2023-03", every) == {"城中区", "鱼峰区", "柳南区", "柳北区"}
    assert black_listed(core, "2023-03", one) == {"柳北区"}


def test_a_credit_row_without_a_first_period_credits_from_the_project_s_first_period(rules):
    """design.md (PeriodView's credit): a bridge row without first_period takes
    dim_project.first_period.  城中区's only row for P1 is undated; P1 first appears 2023-02, signed
    then with 1 亿元 in place: 城中区 has 0 new projects at 2023-01 and 1 (and 1.00 亿元) at
    2023-02 against its target of 2."""
    core = make_core([project("P1", 3, signed="2023-02", first_period="2023-02")],
                     [("P1", "城中区", "territorial", None)],
                     [fact("P1", "2023-02", funds=1)], [(2023, "城中区", "new_projects", 2)])
    for period, count, funds in (("2023-01", 0, Decimal(0)), ("2023-02", 1, Decimal(1))):
        tp = build_marts(core, period, rules)["target_progress"].set_index(
            ["unit_name", "indicator"])
        assert tp.loc[("城中区", "new_projects"), "actual"] == count, period
        assert tp.loc[("城中区", "funds_in_place"), "actual"] == funds, period


def test_submission_findings_belong_to_the_marts_stage_of_their_month(rules):
    """marts_findings (build.py): missing_submission and late_submission are findings of stage
    'marts' for month P, the stage whose findings a rebuild of P replaces.  City test world of
    test_submission_status: 城中区's ledger arrived late, 市投资促进局 sent nothing."""
    f = files(("2022-02/城中区.xlsx", "城中区", "project_ledger", datetime(2022, 3, 7, 1, 30)))
    found = submission_findings(submission_core(f), "2022-02", rules)
    assert {x.check_name for x in found} == {"late_submission", "missing_submission"}
    assert {(x.stage, x.period) for x in found} == {("marts", "2022-02")}


def test_a_zero_target_row_shows_the_actual_in_its_own_unit(rules):
    """target_progress: a target of 0 gives no completion rate (warehouse.md) and the row says
    so, with the actual in its unit: 城中区 has a funds target of 0 and 0.8 亿元 in place
    at 2023-03 (A 0.6 + B 0.2 of test_target_progress's world)."""
    core = target_world()
    core.targets.loc[(core.targets["unit_name"] == "城中区")
                     & (core.targets["indicator"] == "funds_in_place"), "target"] = Decimal(0)
    tp = build_marts(core, "2023-03", rules)["target_progress"].set_index(
        ["unit_name", "indicator"])
    assert tp.loc[("城中区", "funds_in_place"), "detail"] == (
        "区外境内到位资金：完成 0.80 亿元，目标为 0，不计算完成率")


def test_each_rules_file_gets_its_own_period_view(tmp_path, rules):
    """The 统计起点 is a rule (indicators.below_threshold_amount, 0.05 亿元): the same core read
    under a lower threshold counts project C (0.03 亿元, 0.02 亿元 in place at 2023-03) for 城中区
    — 0.8 亿元 under the shipped rules (A 0.6 + B 0.2), 0.82 under a 0.01 threshold."""
    core = target_world()
    low = rules_variant(tmp_path, indicators__below_threshold_amount=0.01)
    for r, funds in ((rules, Decimal("0.8")), (low, Decimal("0.82")), (rules, Decimal("0.8"))):
        tp = build_marts(core, "2023-03", r)["target_progress"].set_index(
            ["unit_name", "indicator"])
        assert tp.loc[("城中区", "funds_in_place"), "actual"] == funds
