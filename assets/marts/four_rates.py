"""marts.four_rates: 三企入桂 签约项目“四率” per unit at period P (rules.md).

Cohort of unit U at P: projects with is_sanqi, credited to U at P (bridge first_period <= P),
signed_month <= P, total investment known and not below the 统计起点; withdrawn (退库) projects
stay in the cohort.  The city's cohort counts every project known at P once.

- performing: stage at P is 注册 or later (注册, 开工, 竣工投产), or cumulative funds > 0
  (taken literally, so a withdrawn project with funds in place still counts as performing);
- started: 开工 or 竣工投产; completed: 竣工投产;
- funds_rate = Σ cumulative funds ÷ Σ total investment (contract_investment); NULL when 0;
- cumulative funds: the latest funds_cumulative given up to P, else Σ over the years up to P of
  the last reported funds_this_year of each year (see common.PeriodView);
- `*_increment` = rate at P − rate at the previous December computed the same way with data up
  to that December; 0 is used for the December value when that cohort was empty; NULL when the
  rate at P is NULL.

Rows: the city (first) and every unit whose cohort at P is not empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from runtime.rules import Rules

from .common import (
    CITY_TYPE,
    STAGE_RANK,
    ZERO,
    CoreTables,
    PeriodView,
    ProjectState,
    build_view,
    city_name,
    finalize,
    parse_period,
    period_str,
    prev_december,
    ratio,
    unit_frame,
)

RATES = ("performance_rate", "funds_rate", "start_rate", "completion_rate")
RATE_LABELS = {
    "performance_rate": "协议履约率",
    "funds_rate": "资金到位率",
    "start_rate": "项目开工率",
    "completion_rate": "竣工投产率",
}
FOUR_RATES_COLUMNS = [
    "period", "unit_name", "signed_projects", "performing_projects", "started_projects",
    "completed_projects", "contract_investment", "funds_cumulative", "performance_rate",
    "funds_rate", "start_rate", "completion_rate", "performance_rate_increment",
    "funds_rate_increment", "start_rate_increment", "completion_rate_increment",
    "year", "unit_type",
]


@dataclass
class RateFigures:
    signed_projects: int
    performing_projects: int
    started_projects: int
    completed_projects: int
    contract_investment: Decimal
    funds_cumulative: Decimal

    @property
    def performance_rate(self) -> float | None:
        return ratio(self.performing_projects, self.signed_projects)

    @property
    def funds_rate(self) -> float | None:
        return ratio(self.funds_cumulative, self.contract_investment)

    @property
    def start_rate(self) -> float | None:
        return ratio(self.started_projects, self.signed_projects)

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.completed_projects, self.signed_projects)

    def rate(self, name: str) -> float | None:
        return getattr(self, name)


def in_cohort(p: ProjectState, view: PeriodView) -> bool:
    return (
        p.is_sanqi
        and p.total_investment is not None
        and not p.below_threshold
        and p.signed_month is not None
        and p.signed_month <= view.period
    )


def rate_figures(projects: list[ProjectState], view: PeriodView) -> RateFigures:
    cohort = [p for p in projects if in_cohort(p, view)]
    reg, start, done = STAGE_RANK["注册"], STAGE_RANK["开工"], STAGE_RANK["竣工投产"]
    return RateFigures(
        signed_projects=len(cohort),
        performing_projects=sum(
            1 for p in cohort if p.stage_rank >= reg or p.funds_cumulative > 0
        ),
        started_projects=sum(1 for p in cohort if p.stage_rank >= start),
        completed_projects=sum(1 for p in cohort if p.stage_rank >= done),
        contract_investment=sum((p.total_investment for p in cohort), ZERO),
        funds_cumulative=sum((p.funds_cumulative for p in cohort), ZERO),
    )


def unit_rate_figures(view: PeriodView, unit: str | None) -> RateFigures:
    """Figures of a unit, or of the city (each project once) when unit is None."""
    projects = view.all_projects() if unit is None else view.credited(unit)
    return rate_figures(projects, view)


def increments(now: RateFigures, before: RateFigures) -> dict[str, float | None]:
    out = {}
    for r in RATES:
        value = now.rate(r)
        base = before.rate(r) if before.signed_projects else 0.0
        out[r] = None if value is None else value - (base or 0.0)
    return out


@dataclass
class FourRatesResult:
    figures: RateFigures
    increments: dict[str, float | None]


def compute_four_rates(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None,
    view_dec: PeriodView | None = None,
) -> dict[str | None, FourRatesResult]:
    """unit_name (None = the city) -> figures and increments, for units with a cohort at P."""
    view = view or build_view(core, period, rules)
    view_dec = view_dec or build_view(core, prev_december(view.period), rules)
    out: dict[str | None, FourRatesResult] = {}
    for unit in [None, *sorted(view.credit)]:
        fig = unit_rate_figures(view, unit)
        if unit is not None and fig.signed_projects == 0:
            continue
        out[unit] = FourRatesResult(fig, increments(fig, unit_rate_figures(view_dec, unit)))
    return out


def build_four_rates(
    core: CoreTables, period: str, rules: Rules, results: dict | None = None
) -> pd.DataFrame:
    results = results if results is not None else compute_four_rates(core, period, rules)
    year, month = parse_period(period)
    view_period = period_str(year, month)
    units = unit_frame(core)
    unit_type = dict(zip(units["unit_name"], units["unit_type"]))
    city = city_name(core)
    rows = []
    for unit, res in results.items():
        f = res.figures
        row = dict(
            period=view_period, unit_name=city if unit is None else unit,
            signed_projects=f.signed_projects, performing_projects=f.performing_projects,
            started_projects=f.started_projects, completed_projects=f.completed_projects,
            contract_investment=f.contract_investment, funds_cumulative=f.funds_cumulative,
            year=year, unit_type=CITY_TYPE if unit is None else unit_type.get(unit),
        )
        for r in RATES:
            row[r] = f.rate(r)
            row[f"{r}_increment"] = res.increments[r]
        rows.append(row)
    return finalize(
        rows, FOUR_RATES_COLUMNS,
        floats=[*RATES, *(f"{r}_increment" for r in RATES)],
        objects=("contract_investment", "funds_cumulative", "unit_type"),
        ints=("signed_projects", "performing_projects", "started_projects",
              "completed_projects", "year"),
    )
