"""Asset checks on the marts: the figures a 通报 publishes must add up (issue 18).

Each check reads the stored mart rows of the run's period (what BI tools and the 通报 read) and
is blocking: a failure stops the 通报 of that run, so a wrong figure is not published.  The
pure `*_problems` functions take DataFrames and return one dict per problem, so they are tested
on their own and on a deliberately corrupted warehouse table.
"""


from collections import defaultdict
from decimal import Decimal

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from assets.marts.assets import read_core
from assets.marts.common import build_view, to_dec
from assets.marts.indicators import compute_actuals
from runtime.partitions import run_periods
from runtime.resources import RunInputsResource, WarehouseResource

# rules.md: "Score (0–100)" — a definition of the 红黑榜 score, not a tunable rule
SCORE_RANGE = (0.0, 100.0)
# totals are rounded to 2 decimals after summing; a difference within half a cent is rounding
ROUNDING = 0.005 + 1e-9
# additive indicators: the city figure is the sum of the per-territory figures
ADDITIVE = ("funds_in_place", "foreign_funds_in_place", "new_projects", "new_industrial_projects",
            "new_100m_industrial_projects", "started_projects", "major_projects")


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def rank_problems(ranking: pd.DataFrame) -> list[dict]:
    """Within each list group the ranked units hold ranks 1..n, each once."""
    out = []
    ranked = ranking[ranking["rank"].notna()]
    for group, grp in ranked.groupby("list_group", dropna=False):
        ranks = sorted(int(r) for r in grp["rank"])
        if ranks != list(range(1, len(ranks) + 1)):
            dup = sorted({r for r in ranks if ranks.count(r) > 1})
            out.append({"list_group": str(group), "ranks": ranks, "duplicated": dup,
                        "units": sorted(grp["unit_name"])})
    return out


def score_problems(ranking: pd.DataFrame, assessment: pd.DataFrame) -> list[dict]:
    """红黑榜 scores within [0, 100]; every 绩效考评 score at most its item's maximum."""
    low, high = SCORE_RANGE
    out = []
    for unit, score in zip(ranking["unit_name"], ranking["score"]):
        s = _num(score)
        if s is not None and not low <= s <= high:
            out.append({"mart": "红黑榜", "unit_name": unit, "score": s,
                        "allowed": f"{low:g}–{high:g}"})
    for unit, item, score, cap in zip(assessment["unit_name"], assessment["item"],
                                      assessment["score"], assessment["max_score"]):
        s, m = _num(score), _num(cap)
        if s is not None and m is not None and s > m + ROUNDING:
            out.append({"mart": "绩效考评", "unit_name": unit, "item": item, "score": s,
                        "max_score": m})
    return out


def total_problems(assessment: pd.DataFrame) -> list[dict]:
    """Each unit's `total` row equals the sum of its scored items (NULL items left out)."""
    out = []
    for unit, grp in assessment.groupby("unit_name"):
        totals = grp[grp["item"] == "total"]
        items = [s for s in (_num(v) for v in grp.loc[grp["item"] != "total", "score"])
                 if s is not None]
        if totals.empty:
            if items:
                out.append({"unit_name": unit, "problem": "缺少合计行"})
            continue
        stated = _num(totals["score"].iloc[0]) or 0.0
        if len(totals) > 1 or abs(stated - sum(items)) > ROUNDING:
            out.append({"unit_name": unit, "total": stated, "sum_of_items": round(sum(items), 4),
                        "total_rows": len(totals)})
    return out


def territorial_sums(core, period: str, rules) -> dict[str, Decimal]:
    """Each additive indicator summed over the territories (each project under its territorial
    unit, projects without one as a group of their own)."""
    view = build_view(core, period, rules)
    groups = defaultdict(list)
    for project in view.all_projects():
        groups[project.territorial_unit].append(project)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for projects in groups.values():
        actuals = compute_actuals(projects, view, rules)
        for ind in ADDITIVE:
            value = getattr(actuals, ind, None)
            if value is not None:
                sums[ind] += Decimal(str(value))
    return dict(sums)


def city_problems(city: pd.DataFrame, sums: dict[str, Decimal]) -> list[dict]:
    """The city summary's `actual` of each additive indicator equals the territorial sum."""
    out = []
    for ind, actual in zip(city["indicator"], city["actual"]):
        if ind not in sums:
            continue
        stated = to_dec(actual) or Decimal(0)
        if stated != sums[ind]:
            out.append({"indicator": ind, "city_summary": str(stated),
                        "sum_of_territories": str(sums[ind])})
    return out


def _result(problems: list[dict], ok: str, failed: str) -> AssetCheckResult:
    return AssetCheckResult(
        passed=not problems,
        severity=AssetCheckSeverity.ERROR,
        description=ok if not problems else failed.format(n=len(problems)),
        metadata={"failing_count": len(problems), "sample": MetadataValue.json(problems[:10])},
    )


_NO_RANKING = pd.DataFrame(columns=["unit_name", "score"])
_NO_ASSESSMENT = pd.DataFrame(columns=["unit_name", "item", "score", "max_score"])


def _period_rows(wh, table: str, period: str) -> pd.DataFrame:
    return wh.read(f"SELECT * FROM marts.{table} WHERE period = :p", {"p": period})


def _each_period(context, problems) -> list:
    """problems(period) for the run's month, or for each month of a range run (single-run
    backfill), one after the other: a month's ranks and totals are judged on their own."""
    return [p for period in run_periods(context) for p in problems(period)]


@asset_check(asset=["marts", "red_black_list"], blocking=True,
             description="红黑榜：同一排名组内名次从 1 起连续且不重复。")
def red_black_rank_unique(context: AssetCheckExecutionContext,
                          warehouse: WarehouseResource) -> AssetCheckResult:
    wh = warehouse.get()
    return _result(_each_period(context, lambda p: rank_problems(
        _period_rows(wh, "red_black_list", p))), "各排名组名次连续且唯一",
                   "{n} 个排名组的名次重复或不连续，本期通报不予生成")


@asset_check(asset=["marts", "red_black_list"], blocking=True,
             description="红黑榜：综合得分在 0–100 之间。")
def red_black_score_in_range(context: AssetCheckExecutionContext,
                             warehouse: WarehouseResource) -> AssetCheckResult:
    wh = warehouse.get()
    return _result(_each_period(context, lambda p: score_problems(
        _period_rows(wh, "red_black_list", p), _NO_ASSESSMENT)), "全部综合得分在 0–100 之间",
                   "{n} 个综合得分超出 0–100，本期通报不予生成")


@asset_check(asset=["marts", "performance_assessment"], blocking=True,
             description="绩效考评：各项得分（含合计）不超过其满分。")
def assessment_score_within_max(context: AssetCheckExecutionContext,
                                warehouse: WarehouseResource) -> AssetCheckResult:
    wh = warehouse.get()
    return _result(_each_period(context, lambda p: score_problems(
        _NO_RANKING, _period_rows(wh, "performance_assessment", p))), "各项得分均不超过满分",
                   "{n} 个得分超过满分，本期通报不予生成")


@asset_check(asset=["marts", "performance_assessment"], blocking=True,
             description="绩效考评：每个单位的合计行等于其各计分项目得分之和。")
def assessment_total_is_sum(context: AssetCheckExecutionContext,
                            warehouse: WarehouseResource) -> AssetCheckResult:
    wh = warehouse.get()
    return _result(_each_period(context, lambda p: total_problems(
        _period_rows(wh, "performance_assessment", p))), "各单位合计等于分项之和",
                   "{n} 个单位的合计与分项之和不符，本期通报不予生成")


@asset_check(asset=["marts", "city_summary"], blocking=True,
             description="全市汇总：每个可加总指标的全市完成值等于按属地逐项目汇总之和（每个项目只计一次）。")
def city_summary_matches_territories(context: AssetCheckExecutionContext,
                                     warehouse: WarehouseResource,
                                     inputs: RunInputsResource) -> AssetCheckResult:
    wh = warehouse.get()
    core, rules = read_core(wh), inputs.load().rules  # core read once for a range run
    return _result(_each_period(context, lambda p: city_problems(
        _period_rows(wh, "city_summary", p), territorial_sums(core, p, rules))),
                   "全市汇总与按属地汇总一致", "{n} 个指标的全市汇总与按属地汇总不符，本期通报不予生成")


mart_checks = [red_black_rank_unique, red_black_score_in_range, assessment_score_within_max,
               assessment_total_is_sum, city_summary_matches_territories]
