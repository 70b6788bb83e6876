"""Builders for the revision-2 scoring tests (红黑榜 / 绩效): typed activities, 专班 worlds."""

from __future__ import annotations

import pandas as pd

from .builders import fact, make_core, project

ACTIVITY_FULL_COLS = ["period", "unit_name", "activity_date", "activity_name", "activity_type",
                      "enterprises_docked"]
TASK_FORCE = "市科技局汽车产业链招商专班"


def activity(period: str, unit: str, date: str, name: str, atype: str | None = None,
             docked: int | None = None) -> tuple:
    return (period, unit, date, name, atype, docked)


def with_activities(core, rows):
    """The core with its activity list replaced by typed rows (activity(...) tuples)."""
    core.activities = pd.DataFrame(list(rows), columns=ACTIVITY_FULL_COLS)
    return core


def with_reserve(core, period: str, unit: str, names):
    core.reserve = pd.DataFrame([(period, unit, n) for n in names],
                                columns=["period", "unit_name", "project_name"])
    return core


def task_force_world(projects=(), period: str = "2023-06", targets=()):
    """The 专班 is credited (lead) with `projects` (project(...) dicts) from their signing month."""
    bridge = [(p["project_id"], TASK_FORCE, "lead", p["signed_month"]) for p in projects]
    facts = [fact(p["project_id"], period, by=TASK_FORCE) for p in projects]
    return make_core(list(projects), bridge, facts, list(targets))


__all__ = ["activity", "fact", "project", "task_force_world", "with_activities", "with_reserve"]
