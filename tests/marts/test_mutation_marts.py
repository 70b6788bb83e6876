"""Marts behaviour that the mutation samples of 2026-11-30 found untested (docs/testing.md,
"Mutation testing"); every expected figure is worked by hand in the comment next to it."""

from __future__ import annotations

import pytest

from assets.marts.build import build_marts

from .scoring_builders import TASK_FORCE, activity, task_force_world, with_activities
from .test_boundaries import _adjustment_world


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
