"""Marts behaviour that the mutation samples of 2026-11-30 found untested (docs/testing.md,
"Mutation testing"); every expected figure is worked by hand in the comment next to it."""

from __future__ import annotations

from assets.marts.build import build_marts

from .scoring_builders import TASK_FORCE, activity, task_force_world, with_activities


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
