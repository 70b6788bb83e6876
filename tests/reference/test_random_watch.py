"""Production's revision-2 marts (季约谈, 预警, project pipeline, industry summary, submission
status) against the independent reference on random worlds, both ways, every column."""

from __future__ import annotations

import pytest

from assets.marts.build import build_marts

from . import rules as ref_rules
from .compare import mart_differences
from .pipeline_views import industry_summary, project_pipeline
from .submissions import submission_status
from .tables import from_frames
from .watch import early_warning, interview_list
from .worlds import duty_world

SEEDS = [1, 2, 3, 4, 5, 6]
PERIODS = ["2022-12", "2023-01", "2023-03", "2023-06"]

# mart -> (keys, columns compared to the cent / exactly, columns compared within 1e-9)
SPECS = {
    "interview_list": (["quarter", "unit_name"], ["period", "list_group", "black_list_months"],
                       ["gate_completion", "time_progress"]),
    "early_warning": (["warning_type", "unit_name", "project_id"],
                      ["period", "project_name", "months"], []),
    "project_pipeline": (["unit_name", "stage"],
                         ["period", "projects", "entered_this_period"],
                         ["total_investment", "funds_this_year"]),
    "industry_summary": (["industry"], ["period", "chain", "new_projects"],
                         ["total_investment", "funds_in_place", "actual_last_year"]),
    "submission_status": (["unit_name", "kind"], ["period", "unit_type", "status",
                                                  "source_file", "deadline", "received_at"], []),
}
REFERENCE = {"interview_list": interview_list, "early_warning": early_warning,
             "project_pipeline": project_pipeline, "industry_summary": industry_summary}


def compare(name: str, prod, ref) -> list[str]:
    keys, exact, close = SPECS[name]
    return mart_differences(prod, ref, keys, exact, close)


def reference_marts(core, period, rules, as_of=None) -> dict:
    out = {k: f(core, period, rules) for k, f in REFERENCE.items()}
    out["submission_status"] = submission_status(core, period, rules, as_of=as_of)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_revision_two_marts_agree(rules, seed):
    core = duty_world(seed)
    ref_core, mine = from_frames(core), ref_rules.load()
    problems, counted = [], {k: 0 for k in SPECS}
    for period in PERIODS:
        prod = build_marts(core, period, rules)
        ref = reference_marts(ref_core, period, mine, core.as_of)
        for name in SPECS:
            counted[name] += len(ref[name])
            problems += [f"{period} {name} {d}" for d in compare(name, prod[name], ref[name])]
    assert problems == [], problems[:20]
    assert all(counted.values()), counted  # every mart had rows to compare
