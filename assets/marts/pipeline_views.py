"""marts.project_pipeline and marts.industry_summary (warehouse.md, revision 2).

project_pipeline, period × unit × stage: the projects credited to each unit at P by their stage at
P (the latest stage reported up to P), with Σ total investment, Σ funds this year (the fact row of
P) and `entered_this_period` = those whose stage at P differs from their stage at P − 1 (or that
were not known then).  The city row counts each project once.  Every stage is listed for a unit
with at least one staged project (zeros included); a project with no stage reported yet is left
out.  Projects below the 统计起点 are left out (they count nowhere).

industry_summary, period × industry: each project once, like the city summary (indicators.py:
countable, new = signed or 入库 in the year up to P): new_projects, Σ total investment of those
new projects, funds_in_place (区外境内 funds this year), and actual_last_year = funds_in_place of the
same month a year earlier (NULL when that month is not loaded).  `chain` lists the 产业链 written
for the industry's projects.  A project without an industry is under （未填行业）.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from runtime.rules import Rules

from .common import (
    STAGE_RANK,
    ZERO,
    CoreTables,
    PeriodView,
    amt,
    build_view,
    city_name,
    finalize,
    parse_period,
    period_str,
)
from .indicators import compute_actuals

PIPELINE_COLUMNS = ["period", "unit_name", "stage", "projects", "total_investment",
                    "funds_this_year", "entered_this_period", "year", "detail"]
INDUSTRY_COLUMNS = ["period", "industry", "chain", "new_projects", "total_investment",
                    "funds_in_place", "actual_last_year", "year", "detail"]
STAGES = sorted(STAGE_RANK, key=lambda s: (STAGE_RANK[s] == 0, STAGE_RANK[s]))  # 在谈…竣工投产, 退库
NO_INDUSTRY = "（未填行业）"


def previous_month(period: str) -> str:
    y, m = parse_period(period)
    return period_str(y - 1, 12) if m == 1 else period_str(y, m - 1)


def _stage_rows(view: PeriodView, before: PeriodView, unit: str, ids: list) -> list[dict]:
    staged = [view.projects[i] for i in ids
              if i in view.projects and view.projects[i].stage in STAGE_RANK
              and not view.projects[i].below_threshold]
    if not staged:
        return []
    rows = []
    for stage in STAGES:
        here = [p for p in staged if p.stage == stage]
        moved = [p for p in here if p.project_id not in before.projects
                 or before.projects[p.project_id].stage != stage]
        inv = sum((p.total_investment or ZERO for p in here), ZERO)
        funds = sum((p.funds_this_year for p in here), ZERO)
        rows.append(dict(
            period=view.period, year=view.year, unit_name=unit, stage=stage, projects=len(here),
            total_investment=inv, funds_this_year=funds, entered_this_period=len(moved),
            detail=f"{unit} {view.period} 处于「{stage}」阶段的项目 {len(here)} 个（本月新进入 "
                   f"{len(moved)} 个），投资总额 {amt(inv)} 亿元，本年到位资金 {amt(funds)} 亿元"))
    return rows


def build_project_pipeline(core: CoreTables, period: str, rules: Rules,
                           view: PeriodView | None = None) -> pd.DataFrame:
    view = view or build_view(core, period, rules)
    before = build_view(core, previous_month(view.period), rules)
    rows = _stage_rows(view, before, city_name(core), sorted(view.projects, key=str))
    for unit in sorted(view.credit):
        rows += _stage_rows(view, before, unit, view.credit[unit])
    return finalize(rows, PIPELINE_COLUMNS, ints=("projects", "entered_this_period", "year"),
                    objects=("total_investment", "funds_this_year"))


def _by_industry(view: PeriodView) -> dict[str, list]:
    groups: dict[str, list] = {}
    for p in view.all_projects():
        groups.setdefault(p.industry or NO_INDUSTRY, []).append(p)
    return groups


def _chains(core: CoreTables, ids: list) -> str | None:
    if "chain" not in core.projects.columns:
        return None
    chain_of = dict(zip(core.projects["project_id"], core.projects["chain"]))
    names = sorted({str(chain_of[i]) for i in ids
                    if i in chain_of and isinstance(chain_of[i], str) and chain_of[i]})
    return "、".join(names) or None


def build_industry_summary(core: CoreTables, period: str, rules: Rules,
                           view: PeriodView | None = None) -> pd.DataFrame:
    view = view or build_view(core, period, rules)
    last_view = build_view(core, period_str(view.year - 1, view.month), rules)
    last = _by_industry(last_view) if last_view.has_facts else None
    rows = []
    groups = _by_industry(view)
    for industry in sorted(set(groups) | set(last or {})):
        a = compute_actuals(groups.get(industry, []), view, rules)
        before: Decimal | None = None
        if last is not None:
            before = compute_actuals(last.get(industry, []), last_view, rules).funds_in_place
        inv = sum((i for i in a.new_investments if i is not None), ZERO)
        if a.new_projects == 0 and a.funds_in_place == 0 and not before:
            continue
        rows.append(dict(
            period=view.period, year=view.year, industry=industry,
            chain=_chains(core, [p.project_id for p in groups.get(industry, [])]),
            new_projects=a.new_projects, total_investment=inv, funds_in_place=a.funds_in_place,
            actual_last_year=before,
            detail=f"{industry}：本年新引进项目 {a.new_projects} 个（投资总额 {amt(inv)} 亿元），"
                   f"区外境内到位资金 {amt(a.funds_in_place)} 亿元，上年同期 "
                   f"{'未载入' if before is None else amt(before) + ' 亿元'}（每个项目只计一次）"))
    return finalize(rows, INDUSTRY_COLUMNS, ints=("new_projects", "year"),
                    objects=("total_investment", "funds_in_place", "actual_last_year", "chain"))
