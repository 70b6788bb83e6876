"""The rules the reference needs, read from reference/rules.yaml with yaml alone (no runtime/).

Attribute names follow the YAML keys, so tests/marts/reference_impl.py (which only reads
`rules.indicators.*`) can take these objects too."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).resolve().parents[2] / "reference" / "rules.yaml"


def _d(x) -> Decimal:
    return Decimal(str(x))


@dataclass(frozen=True)
class Bars:
    industrial_min_investment: Decimal
    other_min_investment: Decimal
    unit_type: str | None = None
    parent_type: str | None = None
    parent: str | None = None
    units: tuple | None = None


@dataclass(frozen=True)
class IndicatorRules:
    below_threshold_amount: Decimal
    industrial_100m_min_investment: Decimal
    emerging_share_threshold: Decimal
    major_project_min_investment: Decimal
    major_project_excluded_industries: tuple
    unknown_source: str
    qualifying_projects: tuple


@dataclass(frozen=True)
class RedBlackRules:
    cadence: str
    top_n: int
    bottom_n: int
    ratio_cap: Decimal
    weights: dict
    group_format: str
    labels: dict
    zhuanban_label: str


@dataclass(frozen=True)
class Duty:
    max: Decimal
    duty: Decimal
    classes: tuple = ()


@dataclass(frozen=True)
class AssessmentRules:
    dept_packaged_max: Decimal
    dept_packaged_required: Decimal
    dept_activities_max: Decimal
    dept_activities_each: Decimal
    dept_activity_classes: tuple
    dept_new_projects_max: Decimal
    district_weights: dict
    emerging_deduction: Decimal
    emerging_unit_types: tuple
    bonus_cap: Decimal
    bonus_tiers: tuple  # ((min_investment, points), ...) highest first
    red_points: Decimal
    black_points: Decimal
    adjustment_cap: Decimal
    task_force: dict  # item -> Duty
    grades: tuple  # ((share, grade), ...) highest first


@dataclass(frozen=True)
class RefRules:
    indicators: IndicatorRules
    increment_targets: dict
    red_black: RedBlackRules
    assessment: AssessmentRules
    # rules.md `reporting`: (points per missing, points per late, cap)
    reporting: tuple = (Decimal("0.5"), Decimal("0.2"), Decimal(3))
    watch: WatchRules | None = None


@dataclass(frozen=True)
class WatchRules:
    """rules.md 季约谈 and 预警, and the reporting duty's local-time offset (revision 2)."""

    interview_black_months: int
    interview_gate_share: Decimal  # of time progress; strictly below it is listed
    not_started_months: int
    no_funds_months: int
    behind_gap: Decimal  # time progress − gate completion ≥ this
    utc_offset_hours: int


def load(path: Path = RULES_PATH, **overrides) -> RefRules:
    """overrides: dotted keys as a__b__c=value, applied to the YAML before reading it."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for dotted, value in overrides.items():
        node, keys = data, dotted.split("__")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    ind, rb, a = data["indicators"], data["red_black"], data["assessment"]
    indicators = IndicatorRules(
        below_threshold_amount=_d(ind["below_threshold_amount"]),
        industrial_100m_min_investment=_d(ind["industrial_100m_min_investment"]),
        emerging_share_threshold=_d(ind["emerging_share_threshold"]),
        major_project_min_investment=_d(ind["major_project_min_investment"]),
        major_project_excluded_industries=tuple(ind["major_project_excluded_industries"]),
        unknown_source=ind["unknown_source"],
        qualifying_projects=tuple(
            Bars(_d(e["industrial_min_investment"]), _d(e["other_min_investment"]),
                 e.get("unit_type"), e.get("parent_type"), e.get("parent"),
                 tuple(e["units"]) if e.get("units") is not None else None)
            for e in ind.get("qualifying_projects") or ()),
    )
    groups = rb["list_group"]
    red_black = RedBlackRules(
        cadence=rb["cadence"], top_n=int(rb["top_n"]), bottom_n=int(rb["bottom_n"]),
        ratio_cap=_d(rb["ratio_cap"]), weights={k: _d(v) for k, v in rb["weights"].items()},
        group_format=groups["name_format"], labels=dict(groups["labels"]),
        zhuanban_label=groups["task_group_under_department"],
    )
    dept, dist, tf = a["department"], a["district"], a["task_force"]
    bonus, adj = dist["big_project_bonus"], dist["red_black_adjustment"]
    assessment = AssessmentRules(
        dept_packaged_max=_d(dept["packaged_projects"]["max"]),
        dept_packaged_required=_d(dept["packaged_projects"]["required"]),
        dept_activities_max=_d(dept["activities"]["max"]),
        dept_activities_each=_d(dept["activities"]["points_each"]),
        dept_activity_classes=tuple(dept["activities"]["classes"]),
        dept_new_projects_max=_d(dept["new_projects"]["max"]),
        district_weights={k: _d(v) for k, v in dist["weights"].items()},
        emerging_deduction=_d(dist["emerging_share_deduction"]),
        emerging_unit_types=tuple(dist["emerging_share_unit_types"]),
        bonus_cap=_d(bonus["cap"]),
        bonus_tiers=tuple(sorted(((_d(t["min_investment"]), _d(t["points"]))
                                  for t in bonus["tiers"]), reverse=True)),
        red_points=_d(adj["red"]), black_points=_d(adj["black"]), adjustment_cap=_d(adj["cap"]),
        task_force={k: Duty(_d(v["max"]), _d(v["duty"]), tuple(v.get("classes") or ()))
                    for k, v in tf.items()},
        grades=((_d(a["grade"]["excellent"]), "优秀"), (_d(a["grade"]["good"]), "良好"),
                (_d(a["grade"]["pass"]), "合格")),
    )
    rep = data["reporting"]["assessment"]
    iv, ew = data["interview"], data["early_warning"]
    watch = WatchRules(int(iv["black_list_months"]), _d(iv["gate_share_of_time_progress"]),
                       int(ew["signed_not_started_months"]), int(ew["signed_no_funds_months"]),
                       _d(ew["behind_schedule_gap"]), int(data["reporting"]["utc_offset_hours"]))
    return RefRules(indicators, {k: _d(v) for k, v in data["four_rates"]["increment_targets"].items()},
                    red_black, assessment,
                    (_d(rep["missing_points"]), _d(rep["late_points"]), _d(rep["cap"])), watch)
