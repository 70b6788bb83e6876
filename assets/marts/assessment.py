"""marts.performance_assessment: 绩效考评, year to date at period P (rules.md; the December row is
the year's result).

Departments (seed 000 附件2): packaged_projects = min(count ÷ required, 1) × max, count = the
distinct project names of the unit's reserve/packaged rows of period P; activities = min(count ×
points_each, max), count = the distinct (date, name) of the unit's activity rows of period P;
new_projects = min(completion, 1) × max.

Districts and task groups: funds_in_place, new_projects, new_industrial_projects,
new_100m_industrial_projects = min(completion, 1) × weight; emerging_share = −deduction when the
share of emerging projects among the unit's new projects is below the threshold; big_project_bonus
= each new project scores the points of its highest tier only, the sum capped; red_black_adjustment
= +red per 红榜 and −black per 黑榜 appearance in the list periods of the year up to P (lists
rebuilt from each period's own data), within ±cap.

Decisions where the spec is silent:
- An item whose target is missing (or 0) scores NULL, is left out of the total and `detail` says
  why.  emerging_share is NULL when the unit has no new-project target (the 30% requirement is
  part of that target); with a target but no new project yet there is no deduction (score 0).
- big_project_bonus and red_black_adjustment always score (0 when nothing applies); departments
  get only their three items (the red/black adjustment is a district/task-group rule).
- total: score = Σ of the non-NULL item scores; max_score = Σ of the max_score of the non-NULL
  items (so a district with every target has 100 + bonus cap + red/black cap = 113).
- Scores are rounded to 2 decimals.  The city itself is not assessed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from runtime.rules import Rules

from .common import (
    INDICATOR_LABELS,
    CoreTables,
    PeriodView,
    amt,
    build_view,
    finalize,
    is_missing,
    num,
    pct,
    ratio,
    targets_for_year,
    unit_frame,
)
from .indicators import Actuals, unit_actuals

ASSESSMENT_COLUMNS = [
    "period", "year", "unit_name", "unit_type", "item", "score", "max_score", "detail",
    "completion_rate",
]
DEPARTMENT_TYPES = frozenset({"department"})
DISTRICT_TYPES = frozenset({"district", "task_group"})
TYPE_ORDER = {"district": 1, "department": 2, "task_group": 3}


def _rows_at(df: pd.DataFrame, unit: str, period: str) -> pd.DataFrame:
    if not len(df):
        return df
    return df[(df["unit_name"] == unit) & (df["period"].astype(str).str[:7] == period)]


def _distinct(rows: pd.DataFrame, keys: list[str]) -> int:
    seen: set = set()
    n = 0
    for rec in rows.to_dict("records"):
        key = tuple(None if is_missing(rec.get(k)) else str(rec.get(k)) for k in keys)
        if all(v is None for v in key):
            n += 1  # nothing to identify it by: count the row
        elif key not in seen:
            seen.add(key)
            n += 1
    return n


def completion_item(item: str, actual: Any, target: Any, max_score: float, fmt) -> dict:
    label = INDICATOR_LABELS[item]
    completion = ratio(actual, target)
    if target is None:
        return dict(item=item, score=None, max_score=max_score, completion_rate=None,
                    detail=f"{label}：无目标任务，不计分（完成 {fmt(actual)}）")
    if completion is None:
        return dict(item=item, score=None, max_score=max_score, completion_rate=None,
                    detail=f"{label}：目标为 0，不计分（完成 {fmt(actual)}）")
    score = round(min(completion, 1.0) * max_score, 2)
    return dict(
        item=item, score=score, max_score=max_score, completion_rate=completion,
        detail=f"{label}：目标 {fmt(target)}，完成 {fmt(actual)}，完成率 {pct(completion)}，"
        f"得 {score:.2f} 分（满分 {num(max_score)} 分）",
    )


def _count(x: Any) -> str:
    return f"{num(x)} 个"


def _amount(x: Any) -> str:
    return f"{amt(x)} 亿元"


def department_items(core: CoreTables, unit: str, view: PeriodView, act: Actuals,
                     targets: dict, rules: Rules) -> list[dict]:
    d = rules.assessment.department
    packaged = _distinct(_rows_at(core.reserve, unit, view.period), ["project_name"])
    p_score = round(min(packaged / d.packaged_required, 1.0) * d.packaged_max, 2) \
        if d.packaged_required else d.packaged_max
    acts = _distinct(_rows_at(core.activities, unit, view.period),
                     ["activity_date", "activity_name"])
    a_score = round(min(acts * d.activity_points, d.activities_max), 2)
    return [
        dict(item="packaged_projects", score=p_score, max_score=d.packaged_max,
             completion_rate=packaged / d.packaged_required if d.packaged_required else None,
             detail=f"策划包装重点招商项目 {packaged} 个，要求 {d.packaged_required} 个以上，"
             f"得 {p_score:.2f} 分（满分 {num(d.packaged_max)} 分）"),
        dict(item="activities", score=a_score, max_score=d.activities_max, completion_rate=None,
             detail=f"参加招商活动 {acts} 次，每次 {num(d.activity_points)} 分，"
             f"得 {a_score:.2f} 分（最高 {num(d.activities_max)} 分）"),
        completion_item("new_projects", act.new_projects, targets.get((unit, "new_projects")),
                        d.new_projects_max, _count),
    ]


def big_project_bonus(investments: list[Decimal], rules: Rules) -> tuple[float, str]:
    dr = rules.assessment.district
    tiers = sorted(dr.bonus_tiers, key=lambda t: t.min_investment)
    counts = {t.min_investment: 0 for t in tiers}
    raw = 0.0
    for inv in investments:
        hit = None
        for t in tiers:
            if inv is not None and inv >= Decimal(str(t.min_investment)):
                hit = t
        if hit is not None:
            counts[hit.min_investment] += 1
            raw += hit.points
    score = round(min(raw, dr.bonus_cap), 2)
    desc = "、".join(
        f"{num(t.min_investment)}亿元以上 {counts[t.min_investment]} 个（每个 {num(t.points)} 分）"
        for t in reversed(tiers)
    )
    capped = f"，合计 {num(raw)} 分超过上限，按 {num(dr.bonus_cap)} 分计" if raw > dr.bonus_cap \
        else ""
    return score, (f"新引进重大项目（每个项目只按最高档计）：{desc}{capped}，加 {score:.2f} 分")


def district_items(unit: str, act: Actuals, targets: dict, rules: Rules,
                   apps: tuple[int, int]) -> list[dict]:
    dr = rules.assessment.district
    w = dr.weights
    items = [
        completion_item("funds_in_place", act.funds_in_place,
                        targets.get((unit, "funds_in_place")), w.funds_in_place, _amount),
        completion_item("new_projects", act.new_projects, targets.get((unit, "new_projects")),
                        w.new_projects, _count),
        completion_item("new_industrial_projects", act.new_industrial_projects,
                        targets.get((unit, "new_industrial_projects")),
                        w.new_industrial_projects, _count),
        completion_item("new_100m_industrial_projects", act.new_100m_industrial_projects,
                        targets.get((unit, "new_100m_industrial_projects")),
                        w.new_100m_industrial_projects, _count),
    ]
    threshold = rules.indicators.emerging_share_threshold
    share = act.emerging_share
    np_target = targets.get((unit, "new_projects"))
    if np_target is None or np_target == 0:
        e = dict(score=None, detail="新兴产业占比：无新引进项目目标任务，不考核")
    elif share is None:
        e = dict(score=0.0,
                 detail=f"新兴产业占比：暂无新引进项目，不扣分（要求不低于 {pct(threshold)}）")
    else:
        below = share < threshold
        score = -round(dr.emerging_share_deduction, 2) if below else 0.0
        e = dict(score=score, detail=(
            f"新兴产业占比 {pct(share)}（新兴产业项目 {act.emerging_new_projects} 个 / 新引进项目 "
            f"{act.new_projects} 个），" + (
                f"低于 {pct(threshold)}，扣 {num(dr.emerging_share_deduction)} 分" if below
                else f"不低于 {pct(threshold)}，不扣分"
            )))
    items.append(dict(item="emerging_share", max_score=0.0, completion_rate=share, **e))
    b_score, b_detail = big_project_bonus(act.new_investments, rules)
    items.append(dict(item="big_project_bonus", score=b_score, max_score=dr.bonus_cap,
                      completion_rate=None, detail=b_detail))
    red, black = apps
    raw = red * dr.red_points - black * dr.black_points
    adj = round(max(-dr.red_black_cap, min(dr.red_black_cap, raw)), 2)
    capped = f"，超过 ±{num(dr.red_black_cap)} 分上限，按 {adj:+.2f} 分计" \
        if abs(raw) > dr.red_black_cap else ""
    items.append(dict(
        item="red_black_adjustment", score=adj, max_score=dr.red_black_cap, completion_rate=None,
        detail=f"本年截至本期上红榜 {red} 次（每次 +{num(dr.red_points)} 分）、上黑榜 {black} 次"
        f"（每次 -{num(dr.black_points)} 分）{capped}，计 {adj:+.2f} 分",
    ))
    return items


def build_assessment(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None,
    apps: dict[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    from .red_black import appearances  # local: red_black imports are heavier

    view = view or build_view(core, period, rules)
    if apps is None:
        apps = appearances(core, view.period, rules)
    targets = targets_for_year(core, view.year)
    units = unit_frame(core)
    units = units[units["unit_type"].isin(DEPARTMENT_TYPES | DISTRICT_TYPES)]
    ordered = sorted(
        units.itertuples(index=False), key=lambda u: (TYPE_ORDER.get(u.unit_type, 9), u.unit_name)
    )
    rows = []
    for u in ordered:
        act = unit_actuals(view, u.unit_name, rules)
        if u.unit_type in DEPARTMENT_TYPES:
            items = department_items(core, u.unit_name, view, act, targets, rules)
        else:
            items = district_items(u.unit_name, act, targets, rules,
                                   apps.get(u.unit_name, (0, 0)))
        scored = [i for i in items if i["score"] is not None]
        total = round(sum(i["score"] for i in scored), 2)
        max_total = round(sum(i["max_score"] for i in scored), 2)
        left_out = [INDICATOR_LABELS.get(i["item"], i["item"]) for i in items
                    if i["score"] is None]
        detail = "；".join(
            [f"{len(scored)} 项计分，合计 {total:.2f} 分（可得最高 {num(max_total)} 分）"]
            + ([f"未计分：{'、'.join(left_out)}（无目标任务或目标为 0）"] if left_out else [])
        )
        items.append(dict(item="total", score=total, max_score=max_total,
                          completion_rate=None, detail=detail))
        for i in items:
            rows.append(dict(period=view.period, year=view.year, unit_name=u.unit_name,
                             unit_type=u.unit_type, **i))
    return finalize(rows, ASSESSMENT_COLUMNS, floats=("score", "max_score", "completion_rate"),
                    ints=("year",))
