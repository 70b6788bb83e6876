"""Where production and the spec-written reference once disagreed and production was wrong
(found by tests/reference): a 专班 not at work has no total, and scores are rounded 四舍五入.
Each test states the spec's answer."""

from __future__ import annotations

import pandas as pd

from assets.marts.build import build_marts
from tests.marts.builders import make_core

TASK_FORCE = "市科技局汽车产业链招商专班"


def test_unassessed_task_force_total_is_null(rules):
    pa = build_marts(make_core(), "2023-06", rules)["performance_assessment"]
    rows = pa[pa["unit_name"] == TASK_FORCE].set_index("item")
    assert rows.drop(index="total")["score"].isna().all()  # not at work: items NULL
    assert pd.isna(rows.loc["total", "score"])


def test_half_cent_scores_are_rounded_half_up(rules):
    from tests.marts.builders import fact, project

    projects = [project(f"P{i}", 2, signed="2023-02") for i in range(3)]
    core = make_core(projects, [(p["project_id"], "城中区", "territorial", "2023-02")
                                for p in projects],
                     [fact(p["project_id"], "2023-06") for p in projects],
                     [(2023, "城中区", "new_100m_industrial_projects", 8)])
    pa = build_marts(core, "2023-06", rules)["performance_assessment"]
    row = pa[(pa["unit_name"] == "城中区")].set_index("item")
    assert row.loc["new_100m_industrial_projects", "score"] == 5.63
