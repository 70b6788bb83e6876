"""Tests for mutants that survived benchmarks/mutation.py (docs/testing.md): each one pins a
rule the other tests left open."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assets.marts.build import build_marts
from assets.marts.red_black import four_rates_item

from .builders import rules_variant
from .scoring_builders import TASK_FORCE, activity, task_force_world, with_activities, with_reserve


def _increments(**values):
    base = dict(performance_rate=None, funds_rate=None, start_rate=None, completion_rate=None)
    return SimpleNamespace(increments={**base, **values})


def test_four_rates_item_counts_a_single_null_increment_as_zero(rules):
    """design.md: a NULL increment among others counts 0 (not skipped, not full): targets
    0.11 / 0.15 / 0.11 / 0.11 → terms 1, 0 (NULL), 0.5, 1 → 0.625."""
    res = _increments(performance_rate=0.11, start_rate=0.055, completion_rate=0.5)
    assert four_rates_item(res, rules) == pytest.approx(0.625)


@pytest.mark.parametrize("inc, term", [(0.0, 1.0), (0.01, 1.0), (-0.01, 0.0), (None, 1.0)])
def test_four_rates_zero_increment_target_means_do_not_fall(tmp_path, inc, term):
    """An increment target of 0 (an office that only asks a rate not to fall): the term is 1
    when the rate held or rose, 0 when it fell; the other three terms are 0 here."""
    rules = rules_variant(tmp_path, four_rates__increment_targets__start_rate=0)
    res = _increments(start_rate=inc, performance_rate=-0.1, funds_rate=-0.1,
                      completion_rate=-0.1)
    assert four_rates_item(res, rules) == pytest.approx(term / 4)


def test_task_force_duty_of_zero_gives_full_marks_and_says_so(tmp_path):
    rules = rules_variant(tmp_path, assessment__task_force__reserve_projects__duty=0)
    core = with_reserve(with_activities(task_force_world(period="2023-06"), [
        activity("2023-06", TASK_FORCE, "2023-02-01", "走出去", "走出去", 1)]),
        "2023-06", TASK_FORCE, [])
    pa = build_marts(core, "2023-06", rules)["performance_assessment"]
    row = pa[pa["unit_name"] == TASK_FORCE].set_index("item").loc["reserve_projects"]
    assert row["score"] == 15
    assert "年度任务为 0，得满分 15 分" in row["detail"]


def test_same_activity_name_on_two_dates_counts_twice(rules):
    """Activities are distinct by date and name: the same 推介会 held on two dates is two
    activities (0.5 + 0.5), the same row twice is one."""
    from .builders import make_core

    rows = [activity("2023-06", "市投资促进局", "2023-03-01", "汽车产业推介会", "推介会"),
            activity("2023-06", "市投资促进局", "2023-05-01", "汽车产业推介会", "推介会"),
            activity("2023-06", "市投资促进局", "2023-05-01", "汽车产业推介会", "推介会")]
    core = with_activities(make_core(), rows)
    pa = build_marts(core, "2023-06", rules)["performance_assessment"]
    row = pa[pa["unit_name"] == "市投资促进局"].set_index("item").loc["activities"]
    assert row["score"] == 1.0


def test_task_force_activity_class_without_a_label_is_named(tmp_path):
    """A class the office adds to task_force.activities.classes that has no Chinese label is
    shown by its name rather than breaking the detail."""
    rules = rules_variant(tmp_path, assessment__task_force__activities__classes=[
        "going_out", "key_event", "other"])
    core = with_activities(task_force_world(period="2023-06"), [
        activity("2023-06", TASK_FORCE, "2023-02-01", "走出去", "走出去", 1)])
    pa = build_marts(core, "2023-06", rules)["performance_assessment"]
    detail = pa[pa["unit_name"] == TASK_FORCE].set_index("item").loc["activities", "detail"]
    assert detail.startswith("走出去、重点活动、other招商活动")


def test_task_force_activities_detail_when_none_held(rules):
    core = with_activities(task_force_world(period="2023-06"), [
        activity("2023-06", TASK_FORCE, "2023-02-01", "走访某企业", "走访", 1)])
    pa = build_marts(core, "2023-06", rules)["performance_assessment"]
    detail = pa[pa["unit_name"] == TASK_FORCE].set_index("item").loc["activities", "detail"]
    assert detail.endswith("得 0.00 分（满分 20 分）"), detail


def test_build_assessment_alone_finds_the_appearances_itself(rules):
    """Called without the year's red/black appearances, build_assessment computes them: the
    same mart as the one build_marts passes them to."""
    import pandas as pd

    from assets.marts.assessment import build_assessment

    from .test_boundaries import _adjustment_world

    core, period = _adjustment_world(2, 1)
    alone = build_assessment(core, period, rules)
    pd.testing.assert_frame_equal(alone, build_marts(core, period, rules)[
        "performance_assessment"])
    row = alone.set_index(["unit_name", "item"]).loc[("城中区", "red_black_adjustment")]
    assert row["score"] == 0.5


def test_assessment_scores_are_floats_to_the_cent(tmp_path):
    """score and max_score are float64 whatever the rules' numbers, and an adjustment of
    0.125 a red-list month is published to 2 decimals."""
    from .test_boundaries import _adjustment_world

    rules = rules_variant(tmp_path, assessment__district__red_black_adjustment__red=0.125)
    core, period = _adjustment_world(1, 0)
    pa = build_marts(core, period, rules)["performance_assessment"]
    assert pa["score"].dtype == "float64" and pa["max_score"].dtype == "float64"
    score = pa.set_index(["unit_name", "item"]).loc[("城中区", "red_black_adjustment"), "score"]
    assert score in (0.12, 0.13)  # 2 decimals (the rounding mode: test_known_deviations.py)


def test_capped_bonus_detail_names_the_raw_sum(rules):
    from .test_boundaries import _district_world

    extra = [(f"B{i}", "城中区", 100, "汽车零部件", True) for i in range(3)]
    pa = build_marts(_district_world({"城中区": 5}, "2023-06", extra=extra), "2023-06",
                     rules)["performance_assessment"]
    row = pa.set_index(["unit_name", "item"]).loc[("城中区", "big_project_bonus")]
    assert row["score"] == 10
    assert "合计 15 分超过上限，按 10 分计" in row["detail"], row["detail"]


def test_red_black_rows_types_order_and_red_reason(rules):
    """The mart's rows: unit_type filled, numeric columns float64 even with NULLs (a unit
    without a project target has no projects_points, an unranked one no score), rows in list
    group then rank order, and a 红榜 unit's reasons say why it is red."""
    from .test_boundaries import _district_world

    core = _district_world({"城中区": 2, "鱼峰区": 9, "柳南区": 5}, "2023-06")
    rb = build_marts(core, "2023-06", rules)["red_black_list"]
    assert rb["projects_points"].isna().any() and rb["score"].isna().any()
    for col in ("score", "gate_completion", "time_progress", "funds_points", "projects_points",
                "major_projects_points", "four_rates_points"):
        assert rb[col].dtype == "float64", col
    assert set(rb.loc[rb["unit_name"] == "城中区", "unit_type"]) == {"district"}
    districts = rb[rb["list_group"] == "柳州市·县区"]
    ranked = districts[districts["rank"].notna()]
    assert list(ranked["unit_name"]) == ["鱼峰区", "柳南区", "城中区"]
    assert list(ranked["rank"]) == [1, 2, 3]
    assert districts.index.get_loc(ranked.index[-1]) == len(ranked) - 1  # unranked after
    red = rb.set_index("unit_name").loc["鱼峰区"]
    assert red["list"] == "red"
    assert red["reasons"].endswith("组内第 1 名（共 3 个单位），达到序时进度，列入红榜")


def test_behind_unit_in_the_top_n_says_why_it_is_not_red(tmp_path):
    """bottom_n 1: 城中区 is behind schedule (4.9 of 10 in June) but ranks 2nd on its major
    project, no 红榜 unit ranks below it, and 柳南区 is the one black unit: its reasons say it
    is in the top 3 yet cannot be red, and is not black."""
    from .test_boundaries import _district_world

    rules = rules_variant(tmp_path, red_black__bottom_n=1)
    extra = [("M1", "鱼峰区", 6, "汽车零部件", True), ("M2", "城中区", 6, "汽车零部件", True)]
    core = _district_world({"鱼峰区": 9, "城中区": 4.9, "柳南区": 1}, "2023-06", extra=extra)
    rb = build_marts(core, "2023-06", rules)["red_black_list"].set_index("unit_name")
    assert list(rb.loc[["鱼峰区", "城中区", "柳南区"], "rank"]) == [1, 2, 3]
    assert rb.loc["鱼峰区", "list"] == "red" and rb.loc["柳南区", "list"] == "black"
    reasons = rb.loc["城中区", "reasons"]
    assert "得分居组内前 3 名，但门槛指标完成率低于序时进度，不能列入红榜；" in reasons, reasons
    assert reasons.endswith("低于序时进度的单位中不属最后 1 名，未列入黑榜"), reasons
