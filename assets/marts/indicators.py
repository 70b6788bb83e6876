"""Per-unit actuals of the indicators at period P (统计口径 of domain.md).

A project counts for unit U at P when U has a bridge row (any role) with first_period <= P, the
project's total investment is known and not below `indicators.below_threshold_amount`, and its
stage at P is not 退库.  The city counts every project known at P once, whoever reported it.

- new_projects: signed_month in [YYYY-01, P]; new_industrial_projects: also is_industrial;
  new_100m_industrial_projects: also total_investment >= industrial_100m_min_investment.
- funds_in_place: Σ funds_this_year of the fact rows of period P (continuing projects included).
- emerging_share: emerging new ÷ new (None when there is no new project).
- major_projects: new, total_investment >= major_project_min_investment and industry not in
  major_project_excluded_industries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from runtime.rules import QualifyingRule, Rules

from .common import ZERO, CoreTables, PeriodView, ProjectState, period_str, unit_frame


@dataclass
class Actuals:
    funds_in_place: Decimal = ZERO
    new_projects: int = 0
    new_industrial_projects: int = 0
    new_100m_industrial_projects: int = 0
    emerging_new_projects: int = 0
    major_projects: int = 0
    new_project_ids: list[Any] = field(default_factory=list)
    new_investments: list[Decimal] = field(default_factory=list)  # of the new projects

    @property
    def emerging_share(self) -> float | None:
        if self.new_projects == 0:
            return None
        return self.emerging_new_projects / self.new_projects

    def value(self, indicator: str) -> Any:
        return getattr(self, indicator)


def is_new(p: ProjectState, view: PeriodView) -> bool:
    start = period_str(view.year, 1)
    return p.signed_month is not None and start <= p.signed_month <= view.period


def compute_actuals(projects: list[ProjectState], view: PeriodView, rules: Rules) -> Actuals:
    ind = rules.indicators
    min_100m = Decimal(str(ind.industrial_100m_min_investment))
    min_major = Decimal(str(ind.major_project_min_investment))
    excluded = set(ind.major_project_excluded_industries)
    a = Actuals()
    for p in projects:
        if not p.countable:
            continue
        a.funds_in_place += p.funds_this_year
        if not is_new(p, view):
            continue
        inv = p.total_investment
        a.new_projects += 1
        a.new_project_ids.append(p.project_id)
        a.new_investments.append(inv)
        if p.is_emerging:
            a.emerging_new_projects += 1
        if p.is_industrial:
            a.new_industrial_projects += 1
            if inv >= min_100m:
                a.new_100m_industrial_projects += 1
        if inv >= min_major and (p.industry or "") not in excluded:
            a.major_projects += 1
    return a


def unit_actuals(view: PeriodView, unit: str, rules: Rules) -> Actuals:
    return compute_actuals(view.credited(unit), view, rules)


def city_actuals(view: PeriodView, rules: Rules) -> Actuals:
    return compute_actuals(view.all_projects(), view, rules)


# --- qualifying projects (revision 2; interface shared with the red/black and assessment marts) --
class UnitRow(NamedTuple):
    unit_name: str
    unit_type: str | None
    parent_name: str | None
    parent_type: str | None


def unit_rows(core: CoreTables) -> dict[str, UnitRow]:
    units = unit_frame(core)
    type_of = dict(zip(units["unit_name"], units["unit_type"]))
    return {n: UnitRow(n, t, p, type_of.get(p)) for n, t, p in units.itertuples(index=False)}


def qualifying_rule(unit_row: UnitRow, rules: Rules) -> QualifyingRule | None:
    """The first `indicators.qualifying_projects` entry selecting the unit; None = no bar."""
    for rule in rules.indicators.qualifying_projects:
        if rule.selects(unit_row.unit_name, unit_row.unit_type, unit_row.parent_type):
            return rule
    return None


def qualifies(unit_row: UnitRow, project_state: ProjectState, rules: Rules) -> bool:
    """True when the project clears the unit's qualifying bar (always, for a unit without one):
    industrial ≥ industrial_min 亿元, any other project ≥ other_min 亿元."""
    rule = qualifying_rule(unit_row, rules)
    if rule is None:
        return True
    inv = project_state.total_investment
    if inv is None:
        return False
    bar = rule.industrial_min if project_state.is_industrial else rule.other_min
    return inv >= Decimal(str(bar))
