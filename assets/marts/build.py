"""Entry point of the marts: `build_marts(core, period, rules)` → the five mart DataFrames.

Pure (plain pandas, no Dagster, no database).  A mart at period P reads only core rows with
period <= P (bridge rows with first_period <= P), so building P again, or after later months were
loaded, gives the same result.  Red/black appearances for the 绩效考评 are computed from the
core data of each list period of the year; the assets layer may hand in (`seed_lists`) the lists
of earlier list periods whose stored marts are current, i.e. built from the same core rows, rules
and code (`assets.marts.assets._seed_earlier_lists`).
"""

from __future__ import annotations

import pandas as pd

from runtime.rules import QUARTER_MONTHS, Rules, load_rules

from .assessment import build_assessment
from .common import CoreTables, build_view, parse_period, period_str, prev_december
from .four_rates import build_four_rates, compute_four_rates, no_baseline_findings
from .pipeline_views import build_industry_summary, build_project_pipeline
from .red_black import appearances, build_red_black, seed_lists
from .submissions import build_submission_status, submission_findings
from .target_progress import build_city_summary, build_target_progress
from .watch import build_early_warning, build_interview_list

__all__ = ["CoreTables", "MART_NAMES", "build_marts", "lists_read", "load_rules", "marts_findings"]

MART_NAMES = (
    "target_progress", "city_summary", "four_rates", "red_black_list", "performance_assessment",
    "submission_status", "interview_list", "early_warning", "project_pipeline", "industry_summary",
)


def build_marts(core: CoreTables, period: str, rules: Rules) -> dict[str, pd.DataFrame]:
    """keys: MART_NAMES"""
    year, month = parse_period(period)
    p = period_str(year, month)
    view = build_view(core, p, rules)
    view_dec = build_view(core, prev_december(p), rules)
    rates = compute_four_rates(core, p, rules, view, view_dec)
    red_black = build_red_black(core, p, rules, view, rates)
    seed_lists(core, rules, {p: list(zip(red_black["unit_name"], red_black["list"]))})
    return {
        "target_progress": build_target_progress(core, p, rules, view),
        "city_summary": build_city_summary(core, p, rules, view),
        "four_rates": build_four_rates(core, p, rules, rates),
        "red_black_list": red_black,
        "performance_assessment": build_assessment(
            core, p, rules, view, appearances(core, p, rules)
        ),
        "submission_status": build_submission_status(core, p, rules),
        "interview_list": build_interview_list(core, p, rules, red_black),
        "early_warning": build_early_warning(core, p, rules, red_black, view),
        "project_pipeline": build_project_pipeline(core, p, rules, view),
        "industry_summary": build_industry_summary(core, p, rules, view),
    }


def lists_read(period: str, rules: Rules) -> list[str]:
    """The months before P whose 红黑榜 the marts of P read: the list months of P's year (the
    绩效考评's appearances) and, when P ends a quarter, the quarter's months (the 约谈名单)."""
    year, month = parse_period(period)
    quarter = range(month - 2, month) if month in QUARTER_MONTHS else range(0)
    return [period_str(year, m) for m in range(1, month)
            if rules.red_black.is_list_month(m) or m in quarter]


def marts_findings(core: CoreTables, period: str, rules: Rules) -> list:
    """Findings the marts of P raise (stage 'marts'): `no_four_rates_baseline`, once per unit
    and year (dated at the unit's first month with a cohort that year); `missing_submission`
    and `late_submission` of month P."""
    p = period_str(*parse_period(period))
    return no_baseline_findings(core, p, rules) + submission_findings(core, p, rules)
