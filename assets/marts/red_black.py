"""marts.red_black_list: score, rank and 红榜/黑榜 per list group at period P (rules.md).

Decisions where the spec is silent:
- Every unit of dim_unit except the city gets a row every period.  List group = the units of
  the same unit_type under the same parent_name, named by `red_black.list_group.name_format`,
  e.g. "柳州市·县区", "柳州市·部门", "鹿寨县·产业招商组", "市科技局·专班" (a task group whose parent
  is a department takes the label `task_group_under_department`); no parent → "无上级".
- A target of 0 counts as no target (its completion rate is NULL).  Gate = funds_in_place when
  the unit has a funds target, else new_projects; neither → not ranked (score, rank NULL).
- major-projects item: the unit's count ÷ the largest count among all units of its list group
  (ranked or not); 0 when that largest count is 0.
- 四率 item: mean over the four rates of clamp(increment ÷ increment target, 0, 1); a NULL
  increment counts 0; an increment target of 0 gives 1 when the increment is >= 0.
- Score = 100 × Σ wᵢsᵢ ÷ Σ wᵢ over the items that apply, rounded to 2 decimals; the item columns
  (`*_points`) hold each item's rescaled contribution so they add up to the score.
- Order within a group (rank 1 = best): score (rounded) desc, gate completion desc, unit name.
  红榜 = the first top_n of that order among units with gate completion >= time progress;
  黑榜 = the last bottom_n among the others.
- Quarterly cadence: scores and ranks are still computed every month, but `list` is NULL outside
  months 3, 6, 9, 12 (`is_list_period` false) and those months add no appearances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from runtime.rules import Rules

from .common import (
    CITY_TYPE,
    CoreTables,
    PeriodView,
    amt,
    build_view,
    core_memo,
    finalize,
    pct,
    prev_december,
    ratio,
    targets_for_year,
    time_progress,
    unit_frame,
)
from .four_rates import RATES, FourRatesResult, compute_four_rates
from .indicators import unit_actuals

RED_BLACK_COLUMNS = [
    "period", "list_group", "unit_name", "score", "rank", "list", "reasons",
    "year", "unit_type", "gate_indicator", "gate_completion", "time_progress", "is_list_period",
    "funds_points", "projects_points", "major_projects_points", "four_rates_points",
]
GROUP_TYPE_ORDER = {"district": 1, "department": 2, "task_group": 3}
NO_PARENT = "无上级"


def list_group_name(unit_type: str | None, parent: str | None, parent_type: str | None,
                    rules: Rules) -> str:
    lg = rules.red_black.list_group
    if unit_type == "district":
        label = lg.label_district
    elif unit_type == "department":
        label = lg.label_department
    elif unit_type == "task_group":
        label = lg.task_group_under_department if parent_type == "department" \
            else lg.label_task_group
    else:
        label = str(unit_type)
    return lg.name_format.format(parent=parent or NO_PARENT, label=label)


def item_ratio_score(completion: float, tp: float, cap: float) -> float:
    """min(completion ÷ time progress, cap) ÷ cap."""
    if cap <= 0:
        return 1.0
    return min(completion / tp, cap) / cap


def four_rates_item(res: FourRatesResult, rules: Rules) -> float:
    targets = rules.four_rates.increment_targets
    terms = []
    for r in RATES:
        inc = res.increments.get(r)
        inc = 0.0 if inc is None else inc
        target = getattr(targets, r)
        if target <= 0:
            terms.append(1.0 if inc >= 0 else 0.0)
        else:
            terms.append(min(max(inc / target, 0.0), 1.0))
    return sum(terms) / len(terms)


@dataclass
class _Unit:
    name: str
    unit_type: str | None
    group: str
    funds_completion: float | None = None
    projects_completion: float | None = None
    funds: Any = None
    funds_target: Any = None
    new_projects: int = 0
    projects_target: Any = None
    major: int = 0
    rates: FourRatesResult | None = None
    gate: str | None = None
    gate_completion: float | None = None
    score: float | None = None
    points: dict | None = None
    rank: int | None = None
    list: str | None = None


def build_red_black(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None,
    rates: dict | None = None,
) -> pd.DataFrame:
    view = view or build_view(core, period, rules)
    if rates is None:
        rates = compute_four_rates(
            core, view.period, rules, view, build_view(core, prev_december(view.period), rules)
        )
    rb = rules.red_black
    tp = time_progress(view.period)
    listing = rb.is_list_month(view.month)
    targets = targets_for_year(core, view.year)
    units = unit_frame(core)
    type_of = dict(zip(units["unit_name"], units["unit_type"]))

    entries: list[_Unit] = []
    for name, utype, parent in units.itertuples(index=False):
        if utype == CITY_TYPE:
            continue
        u = _Unit(name, utype, list_group_name(utype, parent, type_of.get(parent), rules))
        act = unit_actuals(view, name, rules)
        u.funds, u.new_projects, u.major = act.funds_in_place, act.new_projects, act.major_projects
        u.funds_target = targets.get((name, "funds_in_place"))
        u.projects_target = targets.get((name, "new_projects"))
        u.funds_completion = ratio(u.funds, u.funds_target)
        u.projects_completion = ratio(u.new_projects, u.projects_target)
        u.rates = rates.get(name)
        if u.funds_completion is not None:
            u.gate, u.gate_completion = "funds_in_place", u.funds_completion
        elif u.projects_completion is not None:
            u.gate, u.gate_completion = "new_projects", u.projects_completion
        entries.append(u)

    groups: dict[str, list[_Unit]] = {}
    for u in entries:
        groups.setdefault(u.group, []).append(u)

    w = rb.weights
    for members in groups.values():
        max_major = max(m.major for m in members)
        for u in members:
            if u.gate is None:
                continue
            items: dict[str, tuple[float, float]] = {}
            if u.funds_completion is not None:
                items["funds"] = (w.funds, item_ratio_score(u.funds_completion, tp, rb.ratio_cap))
            if u.projects_completion is not None:
                items["projects"] = (
                    w.projects, item_ratio_score(u.projects_completion, tp, rb.ratio_cap)
                )
            items["major_projects"] = (w.major_projects, u.major / max_major if max_major else 0.0)
            if u.rates is not None and u.rates.scored:
                items["four_rates"] = (w.four_rates, four_rates_item(u.rates, rules))
            total_w = sum(wi for wi, _s in items.values())
            u.points = {
                k: (100 * wi * s / total_w if total_w else 0.0) for k, (wi, s) in items.items()
            }
            u.score = round(sum(u.points.values()), 2)
        ranked = sorted(
            (m for m in members if m.score is not None),
            key=lambda m: (-m.score, -m.gate_completion, m.name),
        )
        for i, m in enumerate(ranked, start=1):
            m.rank = i
        if listing:
            for m in [m for m in ranked if m.gate_completion >= tp][: rb.top_n]:
                m.list = "red"
            behind = [m for m in ranked if m.gate_completion < tp]
            for m in behind[max(0, len(behind) - rb.bottom_n):] if rb.bottom_n else []:
                m.list = "black"

    rows = []
    order = sorted(
        entries,
        key=lambda m: (GROUP_TYPE_ORDER.get(m.unit_type, 9), m.group,
                       m.rank if m.rank is not None else 10**9, m.name),
    )
    for u in order:
        pts = u.points or {}
        rows.append(dict(
            period=view.period, list_group=u.group, unit_name=u.name, score=u.score,
            rank=u.rank, list=u.list, reasons=_reasons(u, tp, listing),
            year=view.year, unit_type=u.unit_type, gate_indicator=u.gate,
            gate_completion=u.gate_completion, time_progress=tp, is_list_period=listing,
            funds_points=_r(pts.get("funds")), projects_points=_r(pts.get("projects")),
            major_projects_points=_r(pts.get("major_projects")),
            four_rates_points=_r(pts.get("four_rates")),
        ))
    return finalize(
        rows, RED_BLACK_COLUMNS,
        floats=("score", "gate_completion", "time_progress", "funds_points", "projects_points",
                "major_projects_points", "four_rates_points"),
        objects=("list", "gate_indicator", "unit_type"), ints=("year",), nullable_ints=("rank",),
    )


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _reasons(u: _Unit, tp: float, listing: bool) -> str:
    if u.gate is None:
        return (
            f"无到位资金和新引进项目目标任务，不参与排名（到位资金 {amt(u.funds)} 亿元，"
            f"新引进项目 {u.new_projects} 个）"
        )
    parts = []
    gate_label = "到位资金" if u.gate == "funds_in_place" else "新引进项目"
    cmp = "不低于" if u.gate_completion >= tp else "低于"
    parts.append(f"{gate_label}完成率 {pct(u.gate_completion)}，{cmp}序时进度 {pct(tp)}")
    if u.gate == "funds_in_place":
        parts[0] = (
            f"到位资金 {amt(u.funds)} 亿元，目标 {amt(u.funds_target)} 亿元，" + parts[0]
        )
        if u.projects_completion is not None:
            parts.append(
                f"新引进项目 {u.new_projects} 个，完成率 {pct(u.projects_completion)}"
            )
        else:
            parts.append(f"新引进项目 {u.new_projects} 个（无目标任务，不计分）")
    else:
        parts[0] = f"新引进项目 {u.new_projects} 个，" + parts[0] + "（无到位资金目标任务）"
    parts.append(f"5亿元以上重大产业项目 {u.major} 个")
    if u.rates is not None and u.rates.scored:
        inc = u.rates.increments
        parts.append(
            "三企入桂四率增量：" + "、".join(
                f"{label} {pct(inc.get(r)) if inc.get(r) is not None else '—'}"
                for r, label in (
                    ("performance_rate", "履约率"), ("funds_rate", "资金到位率"),
                    ("start_rate", "开工率"), ("completion_rate", "竣工投产率"),
                )
            )
        )
    elif u.rates is not None:  # a cohort without a baseline (revision 2)
        parts.append(f"三企入桂四率{u.rates.note}（权重按比例折算）")
    else:
        parts.append("无三企入桂签约项目，四率不计分（权重按比例折算）")
    tail = f"综合得分 {u.score:.2f}，组内第 {u.rank} 名"
    if u.list == "red":
        tail += "，列入红榜"
    elif u.list == "black":
        tail += "，列入黑榜"
    elif not listing:
        tail += "（本期不发布红黑榜，按季度发布）"
    parts.append(tail)
    return "；".join(parts)


def appearances(core: CoreTables, period: str, rules: Rules) -> dict[str, tuple[int, int]]:
    """unit_name -> (red, black) appearances in the list periods of P's year up to P, each list
    built from the data of its own period."""
    view = build_view(core, period, rules)
    view_dec = build_view(core, prev_december(view.period), rules)  # the same for every month
    out: dict[str, list[int]] = {}
    for month in range(1, view.month + 1):
        if not rules.red_black.is_list_month(month):
            continue
        per = f"{view.year:04d}-{month:02d}"
        # Perf (issue 9): a list period's list depends only on (core, period, rules), so it is
        # memoised on this CoreTables object — building every month of a year no longer
        # rebuilds the earlier list periods (quadratic in months).
        memo = core_memo(core, "red_black_lists", rules)
        if per not in memo:
            v = view if per == view.period else build_view(core, per, rules)
            rates = compute_four_rates(core, per, rules, v, view_dec)
            df = build_red_black(core, per, rules, v, rates)
            memo[per] = list(zip(df["unit_name"], df["list"]))
        for name, lst in memo[per]:
            counts = out.setdefault(name, [0, 0])
            if lst == "red":
                counts[0] += 1
            elif lst == "black":
                counts[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
