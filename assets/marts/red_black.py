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
  increment counts 0; an increment target of 0 gives 1 when the increment is >= 0.  When all
  four increments are NULL (no previous-December baseline, revision 2) the item is not scored
  and the weights are rescaled, as for an empty cohort.
- Units with a qualifying bar (`indicators.qualifying_projects`: 专班, 市科技局) count only their
  qualifying new projects in the projects item and the new-project gate (revision 2).
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
    UnitRef,
    amt,
    build_view,
    cents,
    core_memo,
    finalize,
    num,
    pct,
    prev_december,
    ratio,
    targets_for_year,
    time_progress,
    unit_refs,
)
from .four_rates import RATE_LABELS, RATES, FourRatesResult, compute_four_rates
from .indicators import qualifying_entry, unit_actuals

RED_BLACK_COLUMNS = [
    "period", "list_group", "unit_name", "score", "rank", "list", "reasons",
    "year", "unit_type", "gate_indicator", "gate_completion", "time_progress", "is_list_period",
    "funds_points", "projects_points", "major_projects_points", "four_rates_points",
]
GROUP_TYPE_ORDER = {"district": 1, "department": 2, "task_group": 3}
NO_PARENT = "无上级"
TIE_NAMES_MAX = 3  # reasons name each tied unit up to this many; beyond, one summary sentence


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
    has_bar: bool = False  # counts qualifying projects only
    funds_completion: float | None = None
    projects_completion: float | None = None
    funds: Any = None
    funds_target: Any = None
    new_projects: int = 0
    non_qualifying: int = 0  # new projects below the unit's qualifying bar
    projects_target: Any = None
    major: int = 0
    group_max_major: int = 0
    rates: FourRatesResult | None = None
    gate: str | None = None
    gate_completion: float | None = None
    score: float | None = None
    points: dict | None = None
    rank: int | None = None
    list: str | None = None


def four_rates_scored(res: FourRatesResult | None) -> bool:
    """The 四率 item applies: a non-empty cohort and a baseline (FourRatesResult.scored)."""
    return res is not None and res.scored


# --- phase 1: each unit's figures --------------------------------------------------------------
def _unit_figures(view: PeriodView, urow: UnitRef, group: str, targets: dict, rates: dict,
                  rules: Rules) -> _Unit:
    name = urow.name
    u = _Unit(name, urow.unit_type, group)
    act = unit_actuals(view, name, rules)
    u.has_bar = qualifying_entry(urow, rules) is not None
    u.funds, u.major = act.funds_in_place, act.major_projects
    u.new_projects, u.non_qualifying = act.new_projects, act.non_qualifying
    u.funds_target = targets.get((name, "funds_in_place"))
    u.projects_target = targets.get((name, "new_projects"))
    u.funds_completion = ratio(u.funds, u.funds_target)
    u.projects_completion = ratio(u.new_projects, u.projects_target)
    u.rates = rates.get(name)
    if u.funds_completion is not None:
        u.gate, u.gate_completion = "funds_in_place", u.funds_completion
    elif u.projects_completion is not None:
        u.gate, u.gate_completion = "new_projects", u.projects_completion
    return u


# --- phase 2: items and score ------------------------------------------------------------------
def _score_unit(u: _Unit, tp: float, rules: Rules) -> None:
    rb, w = rules.red_black, rules.red_black.weights
    items: dict[str, tuple[float, float]] = {}
    if u.funds_completion is not None:
        items["funds"] = (w.funds, item_ratio_score(u.funds_completion, tp, rb.ratio_cap))
    if u.projects_completion is not None:
        items["projects"] = (w.projects, item_ratio_score(u.projects_completion, tp, rb.ratio_cap))
    items["major_projects"] = (
        w.major_projects, u.major / u.group_max_major if u.group_max_major else 0.0)
    if four_rates_scored(u.rates):
        items["four_rates"] = (w.four_rates, four_rates_item(u.rates, rules))
    total_w = sum(wi for wi, _s in items.values())
    u.points = {k: (100 * wi * s / total_w if total_w else 0.0) for k, (wi, s) in items.items()}
    u.score = cents(sum(u.points.values()))


# --- phase 3: rank and lists within a group ----------------------------------------------------
def _rank_group(members: list[_Unit], tp: float, listing: bool, rules: Rules) -> list[_Unit]:
    """Order (score desc, gate completion desc, name), ranks, 红榜 and 黑榜; the ranked units."""
    rb = rules.red_black
    ranked = sorted((m for m in members if m.score is not None),
                    key=lambda m: (-m.score, -m.gate_completion, m.name))
    for i, m in enumerate(ranked, start=1):
        m.rank = i
    if listing:
        for m in [m for m in ranked if m.gate_completion >= tp][: rb.top_n]:
            m.list = "red"
        behind = [m for m in ranked if m.gate_completion < tp]
        for m in behind[max(0, len(behind) - rb.bottom_n):] if rb.bottom_n else []:
            m.list = "black"
    return ranked


def build_red_black(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None,
    rates: dict | None = None,
) -> pd.DataFrame:
    view = view or build_view(core, period, rules)
    if rates is None:
        rates = compute_four_rates(
            core, view.period, rules, view, build_view(core, prev_december(view.period), rules)
        )
    tp = time_progress(view.period)
    listing = rules.red_black.is_list_month(view.month)
    targets = targets_for_year(core, view.year)
    groups: dict[str, list[_Unit]] = {}
    for urow in unit_refs(core).values():
        if urow.unit_type == CITY_TYPE:
            continue
        group = list_group_name(urow.unit_type, urow.parent_name, urow.parent_type, rules)
        u = _unit_figures(view, urow, group, targets, rates, rules)
        groups.setdefault(group, []).append(u)
    ranked_of: dict[str, list[_Unit]] = {}
    for group, members in groups.items():
        max_major = max(m.major for m in members)
        for u in members:
            u.group_max_major = max_major
            if u.gate is not None:
                _score_unit(u, tp, rules)
        ranked_of[group] = _rank_group(members, tp, listing, rules)
    entries = [u for members in groups.values() for u in members]
    order = sorted(
        entries,
        key=lambda m: (GROUP_TYPE_ORDER.get(m.unit_type, 9), m.group,
                       m.rank if m.rank is not None else 10**9, m.name),
    )
    rows = [_row(u, view, tp, listing, ranked_of[u.group], rules) for u in order]
    return finalize(
        rows, RED_BLACK_COLUMNS,
        floats=("score", "gate_completion", "time_progress", "funds_points", "projects_points",
                "major_projects_points", "four_rates_points"),
        objects=("list", "gate_indicator", "unit_type"), ints=("year",), nullable_ints=("rank",),
    )


# --- phase 4: output rows and reasons ----------------------------------------------------------
def _row(u: _Unit, view: PeriodView, tp: float, listing: bool, ranked: list[_Unit],
         rules: Rules) -> dict:
    pts = u.points or {}
    return dict(
        period=view.period, list_group=u.group, unit_name=u.name, score=u.score,
        rank=u.rank, list=u.list, reasons=_reasons(u, tp, listing, ranked, rules),
        year=view.year, unit_type=u.unit_type, gate_indicator=u.gate,
        gate_completion=u.gate_completion, time_progress=tp, is_list_period=listing,
        funds_points=_r(pts.get("funds")), projects_points=_r(pts.get("projects")),
        major_projects_points=_r(pts.get("major_projects")),
        four_rates_points=_r(pts.get("four_rates")),
    )


def _r(x: float | None) -> float | None:
    return None if x is None else cents(x)


def _pts(u: _Unit, item: str) -> str:
    return f"计 {u.points[item]:.2f} 分"


def _projects_phrase(u: _Unit) -> str:
    label = "新引进达标项目" if u.has_bar else "新引进项目"
    text = f"{label} {u.new_projects} 个"
    if u.non_qualifying:
        text += f"（另有 {u.non_qualifying} 个未达到投资额标准，不计）"
    return text


def _item_parts(u: _Unit, tp: float) -> list[str]:
    """Each item's figure and score; the gate compared with time progress."""
    cmp = "不低于" if u.gate_completion >= tp else "低于"
    gate_text = f"完成率 {pct(u.gate_completion)}，{cmp}序时进度 {pct(tp)}"
    projects = _projects_phrase(u)
    if u.gate == "funds_in_place":
        parts = [f"到位资金 {amt(u.funds)} 亿元，目标 {amt(u.funds_target)} 亿元，到位资金"
                 f"{gate_text}（门槛指标），{_pts(u, 'funds')}"]
        if u.projects_completion is not None:
            parts.append(f"{projects}，目标 {num(u.projects_target)} 个，完成率 "
                         f"{pct(u.projects_completion)}，{_pts(u, 'projects')}")
        else:
            parts.append(f"{projects}（无目标任务，不计分）")
    else:
        label = "新引进达标项目" if u.has_bar else "新引进项目"
        parts = [f"{projects}，目标 {num(u.projects_target)} 个，{label}{gate_text}"
                 f"（门槛指标；无到位资金目标任务），{_pts(u, 'projects')}"]
    parts.append(f"5亿元以上重大产业项目 {u.major} 个（组内最多 {u.group_max_major} 个），"
                 f"{_pts(u, 'major_projects')}")
    parts.append(_four_rates_phrase(u))
    return parts


def _four_rates_phrase(u: _Unit) -> str:
    if u.rates is None or not u.rates.figures.signed_projects:
        return "无三企入桂签约项目，四率不计分（权重按比例折算）"
    if not four_rates_scored(u.rates):
        return "无上年12月四率基数，增量无法计算，四率不计分（权重按比例折算）"
    inc = u.rates.increments
    return "三企入桂四率增量：" + "、".join(
        f"{RATE_LABELS[r]} {pct(inc.get(r)) if inc.get(r) is not None else '—'}" for r in RATES
    ) + f"，{_pts(u, 'four_rates')}"


def _tie_phrase(u: _Unit, ranked: list[_Unit]) -> str | None:
    tied = [m for m in ranked if m is not u and m.score == u.score]
    if not tied:
        return None
    if len(tied) > TIE_NAMES_MAX:  # a long tie (e.g. many units at 0) is summarised
        block = sorted([u, *tied], key=lambda m: m.rank)
        return (f"与另外 {len(tied)} 个单位得分相同（{u.score:.2f} 分），依次按门槛指标完成率（高者在前）"
                f"和单位名称排序，本单位排其中第 {block.index(u) + 1} 位")
    how = []
    for m in tied:
        side = "前" if m.rank > u.rank else "后"
        if m.gate_completion != u.gate_completion:
            hl = "高于" if u.gate_completion > m.gate_completion else "低于"
            how.append(f"门槛指标完成率 {pct(u.gate_completion)} {hl}{m.name}的 "
                       f"{pct(m.gate_completion)}，排在其{side}")
        else:
            how.append(f"门槛指标完成率与{m.name}相同，按单位名称排在其{side}")
    names = "、".join(m.name for m in tied)
    return f"与{names}得分相同（{u.score:.2f} 分），" + "；".join(how)


def _why_not_listed(u: _Unit, ranked: list[_Unit], tp: float, rules: Rules) -> str | None:
    """Why a unit ranked above a 红榜 unit is not red, or below a 黑榜 unit is not black."""
    rb = rules.red_black
    on_schedule = u.gate_completion >= tp
    if u.list is None and not on_schedule:
        below_red = [m.name for m in ranked if m.list == "red" and m.rank > u.rank]
        if below_red or u.rank <= rb.top_n:
            who = f"排在红榜单位{'、'.join(below_red)}之前" if below_red \
                else f"居组内前 {rb.top_n} 名"
            return f"得分{who}，但门槛指标完成率低于序时进度，不能列入红榜；" \
                f"低于序时进度的单位中不属最后 {rb.bottom_n} 名，未列入黑榜"
        return f"门槛指标完成率低于序时进度，但在低于序时进度的单位中不属最后 {rb.bottom_n} 名，" \
            "未列入黑榜"
    if u.list is None and on_schedule:
        above_black = [m.name for m in ranked if m.list == "black" and m.rank < u.rank]
        base = f"达到序时进度，但在达到序时进度的单位中未进入前 {rb.top_n} 名，未列入红榜"
        if above_black or u.rank > len(ranked) - rb.bottom_n:
            who = f"排在黑榜单位{'、'.join(above_black)}之后" if above_black \
                else f"居组内后 {rb.bottom_n} 名"
            return f"得分{who}，但门槛指标完成率达到序时进度，不列入黑榜；{base}"
        return base
    return None


def _reasons(u: _Unit, tp: float, listing: bool, ranked: list[_Unit], rules: Rules) -> str:
    if u.gate is None:
        return (
            f"无到位资金和新引进项目目标任务，不参与排名（到位资金 {amt(u.funds)} 亿元，"
            f"{_projects_phrase(u)}）"
        )
    parts = _item_parts(u, tp)
    tail = f"综合得分 {u.score:.2f}，组内第 {u.rank} 名（共 {len(ranked)} 个单位）"
    if u.list == "red":
        tail += "，达到序时进度，列入红榜"
    elif u.list == "black":
        tail += "，低于序时进度，列入黑榜"
    elif not listing:
        tail += "（本期不发布红黑榜，按季度发布）"
    parts.append(tail)
    tie = _tie_phrase(u, ranked)
    if tie:
        parts.append(tie)
    if listing:
        why = _why_not_listed(u, ranked, tp, rules)
        if why:
            parts.append(why)
    return "；".join(parts)


def seed_lists(core: CoreTables, rules: Rules, lists: dict[str, list[tuple[str, object]]]
               ) -> None:
    """Give `list_of` the (unit, list) rows of periods already built from this same core data
    (their stored marts, whose fingerprint says so, or this run's own), instead of rebuilding
    them."""
    core_memo(core, "red_black_lists", rules).update(lists)


def list_of(core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None
            ) -> list[tuple[str, object]]:
    """(unit_name, list) of the 红黑榜 of `period`, built from that period's own data.  A period's
    list depends only on (core, period, rules), so it is memoised on the CoreTables object (perf,
    issue 9): building every month of a year does not rebuild the earlier months' lists."""
    memo = core_memo(core, "red_black_lists", rules)
    if period not in memo:
        view = view or build_view(core, period, rules)
        rates = compute_four_rates(core, period, rules, view,
                                   build_view(core, prev_december(period), rules))
        df = build_red_black(core, period, rules, view, rates)
        memo[period] = list(zip(df["unit_name"], df["list"]))
    return memo[period]


def appearances(core: CoreTables, period: str, rules: Rules) -> dict[str, tuple[int, int]]:
    """unit_name -> (red, black) appearances in the list periods of P's year up to P, each list
    built from the data of its own period."""
    view = build_view(core, period, rules)
    out: dict[str, list[int]] = {}
    for month in range(1, view.month + 1):
        if not rules.red_black.is_list_month(month):
            continue
        per = f"{view.year:04d}-{month:02d}"
        for name, lst in list_of(core, per, rules, view if per == view.period else None):
            counts = out.setdefault(name, [0, 0])
            if lst == "red":
                counts[0] += 1
            elif lst == "black":
                counts[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
