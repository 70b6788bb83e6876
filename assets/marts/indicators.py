"""Per-unit actuals of the indicators at period P (统计口径 of domain.md, revision 2).

A project counts for unit U at P when U has a bridge row (any role) with first_period <= P, the
project's total investment is known and not below `indicators.below_threshold_amount`, its
投资来源 counts (not 区内; unknown only when `indicators.unknown_source` is include) and its stage
at P is not 退库.  The city counts every project known at P once, whoever reported it.

- new_projects: signed_month in [YYYY-01, P] and, at P, stage 签约 or later or 入库 (a project
  still 在谈 without 入库 is not new yet); new_industrial_projects: also is_industrial;
  new_100m_industrial_projects: also total_investment >= industrial_100m_min_investment.
- started_projects: new and at stage 开工 or later at P.
- funds_in_place: Σ funds_this_year of the fact rows of period P (continuing projects included)
  over domestic_outside projects (and unknown ones when included); foreign_funds_in_place: the
  same over foreign projects.
- emerging_share: emerging new ÷ new (None when there is no new project).
- major_projects: new, total_investment >= major_project_min_investment and industry not in
  major_project_excluded_industries.
- Qualifying units (rules `indicators.qualifying_projects`: 专班, 市科技局): every "new" indicator
  counts only the new projects that pass the unit's bars (`qualifies`); funds are not affected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from runtime.rules import QualifyingEntry, Rules

from .common import (
    FOREIGN,
    STAGE_RANK,
    ZERO,
    CoreTables,
    PeriodView,
    ProjectState,
    UnitRef,
    is_missing,
    num,
    period_str,
    to_dec,
    unit_refs,
)

SIGNED_RANK = STAGE_RANK["签约"]
STARTED_RANK = STAGE_RANK["开工"]


@dataclass
class Actuals:
    funds_in_place: Decimal = ZERO
    foreign_funds_in_place: Decimal = ZERO
    new_projects: int = 0
    new_industrial_projects: int = 0
    new_100m_industrial_projects: int = 0
    started_projects: int = 0
    emerging_new_projects: int = 0
    major_projects: int = 0
    non_qualifying: int = 0  # new projects below the unit's qualifying bars (not counted)
    new_project_ids: list[Any] = field(default_factory=list)
    new_investments: list[Decimal] = field(default_factory=list)  # of the new projects
    qualifying: QualifyingEntry | None = None  # the unit's bars: qualifying new projects only

    @property
    def qualifying_only(self) -> bool:
        return self.qualifying is not None

    @property
    def qualifying_note(self) -> str:
        """'（只计达标项目：工业项目投资≥1亿元、其他项目≥0.5亿元）' for a qualifying unit, else ''."""
        q = self.qualifying
        if q is None:
            return ""
        return (f"（只计达标项目：工业项目投资≥{num(q.industrial_min_investment)}亿元、"
                f"其他项目≥{num(q.other_min_investment)}亿元）")

    @property
    def emerging_share(self) -> float | None:
        if self.new_projects == 0:
            return None
        return self.emerging_new_projects / self.new_projects

    def value(self, indicator: str) -> Any:
        return getattr(self, indicator)


# --- qualifying projects (domain.md, revision 2) --------------------------------------------------
def qualifying_entry(unit: UnitRef, rules: Rules) -> QualifyingEntry | None:
    """The first rules entry that selects the unit; None: the unit uses the 统计起点 only."""
    for entry in rules.indicators.qualifying_projects:
        if entry.matches(unit.name, unit.unit_type, unit.parent_name, unit.parent_type):
            return entry
    return None


def qualifies(unit: UnitRef, project: Any, rules: Rules) -> bool:
    """Whether `project` (anything with total_investment and is_industrial) passes the unit's
    qualifying bars: industrial ≥ industrial_min_investment, other ≥ other_min_investment
    (亿元, boundary included).  True for units without bars; False when the amount is unknown
    for a unit with bars.  is_industrial unknown counts as not industrial."""
    if not isinstance(unit, UnitRef):
        raise TypeError("qualifies() needs a UnitRef: view.unit(name) or unit_ref(core, name)")
    entry = qualifying_entry(unit, rules)
    if entry is None:
        return True
    inv = to_dec(getattr(project, "total_investment", None))
    if inv is None:
        return False
    industrial = getattr(project, "is_industrial", False)
    industrial = False if is_missing(industrial) else bool(industrial)
    bar = entry.industrial_min_investment if industrial else entry.other_min_investment
    return inv >= Decimal(str(bar))


# --- new projects and the actuals ---------------------------------------------------------------
def is_new(p: ProjectState, view: PeriodView) -> bool:
    """Signed in [YYYY-01, P] and, at P, signed (签约 or later) or 入库 — never while only 在谈.
    (退库 at P is excluded by `countable`.)"""
    start = period_str(view.year, 1)
    if p.signed_month is None or not (start <= p.signed_month <= view.period):
        return False
    return p.stage_rank >= SIGNED_RANK or p.in_library


def compute_actuals(projects: list[ProjectState], view: PeriodView, rules: Rules,
                    unit: UnitRef | None = None) -> Actuals:
    ind = rules.indicators
    min_100m = Decimal(str(ind.industrial_100m_min_investment))
    min_major = Decimal(str(ind.major_project_min_investment))
    excluded = set(ind.major_project_excluded_industries)
    bars = qualifying_entry(unit, rules) if unit is not None else None
    a = Actuals(qualifying=bars)
    for p in projects:
        if not p.countable:
            continue
        if p.source_class == FOREIGN:
            a.foreign_funds_in_place += p.funds_this_year
        else:
            a.funds_in_place += p.funds_this_year
        if not is_new(p, view):
            continue
        if bars is not None and not qualifies(unit, p, rules):
            a.non_qualifying += 1
            continue
        inv = p.total_investment
        a.new_projects += 1
        a.new_project_ids.append(p.project_id)
        a.new_investments.append(inv)
        if p.stage_rank >= STARTED_RANK:
            a.started_projects += 1
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
    """A unit's actuals, its qualifying bars (if any) applied (the view knows dim_unit)."""
    return compute_actuals(view.credited(unit), view, rules, view.unit(unit))


def city_actuals(view: PeriodView, rules: Rules) -> Actuals:
    return compute_actuals(view.all_projects(), view, rules)


def unit_ref(core: CoreTables, name: str) -> UnitRef:
    """The UnitRef of a unit of dim_unit (for `qualifies` outside a PeriodView)."""
    return unit_refs(core).get(name) or UnitRef(name)
