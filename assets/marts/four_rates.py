"""marts.four_rates: 三企入桂 签约项目“四率” per unit at period P (rules.md, revision 2).

Cohort of unit U at P: when core.fact_cohort has rows for P's year (the 自治区's list, kind 5),
the list's matched projects credited to U at P (the list says they are signed; withdrawn ones
stay); otherwise projects with is_sanqi, credited to U at P, signed_month <= P, total investment
known and not below the 统计起点 and a counted 投资来源 (not 区内; unknown by
`indicators.unknown_source`); withdrawn (退库) projects stay in the cohort.  The city's cohort
counts every project known at P once.

- performing: stage at P is 注册 or later (注册, 开工, 竣工投产), or cumulative funds > 0
  (taken literally, so a withdrawn project with funds in place still counts as performing);
- started: 开工 or 竣工投产; completed: 竣工投产;
- funds_rate = Σ cumulative funds ÷ Σ total investment (contract_investment); NULL when 0;
- cumulative funds: the latest funds_cumulative given up to P, else Σ over the years up to P of
  the last reported funds_this_year of each year (see common.PeriodView);
- baseline (the rates at the previous December), in order: the office's file
  reference/four_rates_baseline.csv (year = the year assessed, unit_name); else the rates
  computed from the previous December's data, only when that December is loaded and the unit's
  cohort then was not empty; else none.  `*_increment` = rate at P − baseline rate; NULL when
  either is NULL — never against an empty baseline taken as 0.  Without a baseline the 四率 item
  of 红黑榜 is not scored (`FourRatesResult.scored`) and `no_four_rates_baseline` is reported.

Rows: the city (first) and every unit whose cohort at P is not empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import pandas as pd

from runtime.findings import Finding
from runtime.rules import Rules

from .common import (
    CITY_TYPE,
    NEVER,
    STAGE_RANK,
    ZERO,
    CoreTables,
    PeriodView,
    ProjectState,
    build_view,
    city_name,
    cohort_ids,
    core_memo,
    credit_at,
    finalize,
    known_months,
    parse_period,
    pct,
    period_str,
    prev_december,
    project_fields,
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
    "year", "unit_type", "baseline_source", "detail",
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


def in_cohort(f: dict, period: str, cohort: frozenset | None) -> bool:
    """Whether a project is in the cohort at `period` (`cohort`: the year's list, None when the
    year has none).  `f`: the project's fields (a ProjectState's `vars`, or `project_fields`);
    only those that do not depend on the period are read."""
    if cohort is not None:  # the year's cohort list decides
        return f["project_id"] in cohort
    return (
        f["is_sanqi"]
        and f["total_investment"] is not None
        and not f["below_threshold"]
        and f["source_counted"]
        and f["signed_month"] is not None
        and f["signed_month"] <= period
    )


def rate_figures(projects: list[ProjectState], view: PeriodView) -> RateFigures:
    cohort = [p for p in projects if in_cohort(vars(p), view.period, view.cohort_ids)]
    reg, start, done = STAGE_RANK["注册"], STAGE_RANK["开工"], STAGE_RANK["竣工投产"]
    return RateFigures(
        signed_projects=len(cohort),
        performing_projects=sum(
            1 for p in cohort if p.stage_rank >= reg or p.funds_cumulative > 0
        ),
        started_projects=sum(1 for p in cohort if p.stage_rank >= start),
        completed_projects=sum(1 for p in cohort if p.stage_rank >= done),
        contract_investment=sum(
            (p.total_investment for p in cohort if p.total_investment is not None), ZERO),
        funds_cumulative=sum((p.funds_cumulative for p in cohort), ZERO),
    )


def unit_rate_figures(view: PeriodView, unit: str | None) -> RateFigures:
    """Figures of a unit, or of the city (each project once) when unit is None."""
    projects = view.all_projects() if unit is None else view.credited(unit)
    return rate_figures(projects, view)


# --- the baseline (rules.md "Baseline", revision 2) ----------------------------------------------
BASELINE_FILE, BASELINE_DECEMBER, BASELINE_NONE = "file", "december", "none"
BASELINE_LABELS = {
    BASELINE_FILE: "基数取自四率基数文件（自治区公布的上年末四率）",
    BASELINE_DECEMBER: "基数为上年12月数据计算的四率",
    BASELINE_NONE: "无上年12月基数（基数文件无此单位，且未载入上年12月数据或当时无签约项目），"
                   "增量无法计算，四率不计分",
}


def file_baselines(core: CoreTables, year: int) -> dict[str, dict[str, float]]:
    """unit_name -> the four rates of the office's baseline file for `year` (rows already
    validated by assets.marts.baseline)."""
    b = core.four_rates_baseline
    out: dict[str, dict[str, float]] = {}
    if b is None or not len(b):
        return out
    rows = b[pd.to_numeric(b["year"], errors="coerce") == year]
    for row in rows.to_dict("records"):
        out[str(row["unit_name"])] = {r: float(row[r]) for r in RATES}
    return out


def baseline(unit_key: str, dec: RateFigures | None, from_file: dict) -> tuple[str, dict]:
    """(source, rates) of one unit: file, else December figures (None = December not loaded;
    an empty December cohort gives no rates), else none."""
    if unit_key in from_file:
        return BASELINE_FILE, dict(from_file[unit_key])
    if dec is not None and dec.signed_projects:
        return BASELINE_DECEMBER, {r: dec.rate(r) for r in RATES}
    return BASELINE_NONE, {r: None for r in RATES}


def increments(now: RateFigures, base: dict[str, float | None]) -> dict[str, float | None]:
    out = {}
    for r in RATES:
        value, before = now.rate(r), base.get(r)
        out[r] = None if value is None or before is None else value - before
    return out


@dataclass
class FourRatesResult:
    """One unit's 四率 at P.  rev2-scoring reads `scored`: False (empty cohort or no baseline)
    means the 四率 item does not apply and the weights are rescaled; `note` says why."""

    figures: RateFigures
    increments: dict[str, float | None]
    baseline: str = BASELINE_DECEMBER  # file | december | none
    baseline_rates: dict[str, float | None] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        return bool(self.figures.signed_projects) and self.baseline != BASELINE_NONE

    @property
    def note(self) -> str:
        if not self.figures.signed_projects:
            return "无三企入桂签约项目，四率不计分"
        return BASELINE_LABELS[self.baseline]


def compute_four_rates(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None,
    view_dec: PeriodView | None = None,
) -> dict[str | None, FourRatesResult]:
    """unit_name (None = the city) -> figures and increments, for units with a cohort at P.
    Worked out once per core, rules and pair of views (the marts, the 红黑榜 and the marts
    findings of one month all ask; perf, issue 17); callers treat the result as read-only."""
    view = view or build_view(core, period, rules)
    view_dec = view_dec or build_view(core, prev_december(view.period), rules)
    memo = core_memo(core, "four_rates", rules)
    hit = memo.get(view.period)
    if hit is not None and hit[0] is view and hit[1] is view_dec:  # the very views: same result
        return hit[2]
    memo[view.period] = (view, view_dec, out := _four_rates(core, view, view_dec))
    return out


def _four_rates(core: CoreTables, view: PeriodView, view_dec: PeriodView
                ) -> dict[str | None, FourRatesResult]:
    from_file = file_baselines(core, view.year)
    city = city_name(core)
    out: dict[str | None, FourRatesResult] = {}
    for unit in [None, *sorted(view.credit)]:
        fig = unit_rate_figures(view, unit)
        if unit is not None and fig.signed_projects == 0:
            continue
        dec = unit_rate_figures(view_dec, unit) if view_dec.has_facts else None
        source, base = baseline(city if unit is None else unit, dec, from_file)
        out[unit] = FourRatesResult(fig, increments(fig, base), source, base)
    return out


def no_baseline_findings(core: CoreTables, period: str, rules: Rules) -> list[Finding]:
    """`no_four_rates_baseline` (info), once per unit and year: dated at the first month of the
    year in which the unit has a cohort, so every period of the year reports the same row."""
    results = compute_four_rates(core, period, rules)  # the marts' own, when they built P
    year, month = parse_period(period)
    city = city_name(core)
    out = []
    credit = cache(lambda m: credit_at(core, period_str(year, m)))  # each month's, once
    for unit, res in results.items():
        if res.baseline != BASELINE_NONE or not res.figures.signed_projects:
            continue
        first = next(m for m in range(1, month + 1)
                     if has_cohort_at(core, period_str(year, m), rules, unit, credit(m)))
        name = city if unit is None else unit
        out.append(Finding(
            "no_four_rates_baseline",
            f"{name} {year}年三企入桂签约项目“四率”没有上年12月基数：四率基数文件中没有该单位"
            f"{year}年的记录，且未载入{year - 1}年12月数据（或当时没有签约项目），"
            "四率增量无法计算，不计入红黑榜得分。请在四率基数文件中补录自治区公布的上年末四率。",
            period=period_str(year, first), unit_name=name, stage="marts",
        ))
    return out


def has_cohort_at(core: CoreTables, period: str, rules: Rules, unit: str | None,
                  credit: dict[str, list] | None = None) -> bool:
    """Whether the unit's (None: the city's) cohort at `period` is not empty — what
    `unit_rate_figures(build_view(core, period, rules), unit).signed_projects` says, without
    building the view (perf, issue 17): membership reads only a project's fields that do not
    depend on the period, its credit at the period (`credit`: `credit_at` of the period, when
    the caller has it) and whether it is known then."""
    fields_of = project_fields(core, rules)
    cohort = cohort_ids(core, parse_period(period)[0])
    if unit is None:  # every project known at the period
        known = known_months(core)
        return any(in_cohort(f, period, cohort) and known.get(pid, NEVER) <= period
                   for pid, f in fields_of.items())
    credit = credit if credit is not None else credit_at(core, period)
    return any(pid in fields_of and in_cohort(fields_of[pid], period, cohort)
               for pid in credit.get(unit, ()))


def _detail(res: FourRatesResult) -> str:
    """How the row was computed, in plain Chinese."""
    f = res.figures
    head = f"签约项目 {f.signed_projects} 个"
    if res.baseline == BASELINE_NONE:
        return f"{head}；{res.note}"
    base = "、".join(f"{RATE_LABELS[r]} {pct(res.baseline_rates.get(r))}" for r in RATES)
    return f"{head}；{res.note}：{base}"


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
        row["baseline_source"] = res.baseline
        row["detail"] = _detail(res)
        rows.append(row)
    return finalize(
        rows, FOUR_RATES_COLUMNS,
        floats=[*RATES, *(f"{r}_increment" for r in RATES)],
        objects=("contract_investment", "funds_cumulative", "unit_type", "baseline_source",
                 "detail"),
        ints=("signed_projects", "performing_projects", "started_projects",
              "completed_projects", "year"),
    )
