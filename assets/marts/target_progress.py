"""marts.target_progress and marts.city_summary.

Rows: one per unit that has a target in P's year or credited projects at P, times the indicators
funds_in_place, new_projects, new_industrial_projects, new_100m_industrial_projects,
emerging_share, major_projects, started_projects, foreign_funds_in_place (plus any other
indicator found in core.fact_target, actual NULL),
and the city (unit_type city): city-wide figures, each project known at P counted once whoever
reported it, against 柳州市's own fact_target rows.  city_summary holds the same city figures,
plus actual_last_year / yoy_change (warehouse.md revision 2).

Decisions where the spec is silent:
- A target is the Σ of the unit's fact_target rows of the year; `completion_rate` is NULL when
  there is no target or it is 0, and `on_schedule` is NULL then.
- emerging_share: target = indicators.emerging_share_threshold (0.30) for the city and districts
  (revision 2: not departments, task groups, 专班 — their target is NULL); actual =
  the share (NULL without new projects); completion_rate = share ÷ 0.30; `on_schedule` means
  share >= 0.30 (a share is not accrued through the year, so time progress does not apply).
- major_projects has no target unless fact_target carries one.
- Amount targets/actuals are Decimal, counts int (a fractional count target stays Decimal),
  the share float.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from runtime.rules import Rules

from .common import (
    AMOUNT_INDICATORS,
    BASE_INDICATORS,
    CITY_TYPE,
    INDICATOR_LABELS,
    SHARE_INDICATORS,
    CoreTables,
    PeriodView,
    amt,
    as_target,
    build_view,
    city_name,
    finalize,
    num,
    pct,
    period_str,
    ratio,
    targets_for_year,
    time_progress,
    unit_frame,
)
from .indicators import Actuals, city_actuals, unit_actuals

TARGET_PROGRESS_COLUMNS = [
    "period", "year", "unit_name", "unit_type", "indicator", "target", "actual",
    "completion_rate", "time_progress", "on_schedule", "detail",
]
CITY_SUMMARY_COLUMNS = [
    "period", "indicator", "target", "actual", "year", "completion_rate", "time_progress",
    "on_schedule", "detail", "actual_last_year", "yoy_change",
]
_FLOATS = ("completion_rate", "time_progress")
_OBJECTS = ("target", "actual", "on_schedule", "unit_type", "actual_last_year")
# the 30% emerging share binds the city and its districts/zones/county only (revision 2)
SHARE_UNIT_TYPES = frozenset({CITY_TYPE, "district"})
# the indicators that count new projects (a qualifying unit's bars apply to them)
NEW_INDICATORS = frozenset({"new_projects", "new_industrial_projects",
                            "new_100m_industrial_projects", "started_projects", "major_projects"})
TYPE_ORDER = {"city": 0, "district": 1, "department": 2, "task_group": 3}


def _fmt_value(indicator: str, value: Any) -> str:
    if value is None:
        return "—"
    if indicator in AMOUNT_INDICATORS:
        return f"{amt(value)} 亿元"
    if indicator in SHARE_INDICATORS:
        return pct(value)
    return f"{num(value)} 个"


def indicator_row(
    indicator: str, actuals: Actuals | None, target_raw, tp: float, rules: Rules,
    unit_type: str | None = CITY_TYPE,
) -> dict[str, Any]:
    """target, actual, completion_rate, on_schedule, detail of one unit × indicator."""
    label = INDICATOR_LABELS.get(indicator, indicator)
    actual = actuals.value(indicator) if actuals is not None and indicator in BASE_INDICATORS \
        else None
    if indicator in SHARE_INDICATORS and unit_type not in SHARE_UNIT_TYPES:
        detail = f"{label} {pct(actual)}（新兴产业占比要求只适用于全市及县区、开发区，本单位不考核）"
        return dict(target=None, actual=actual, completion_rate=None, on_schedule=None,
                    detail=detail)
    if indicator in SHARE_INDICATORS:
        threshold = rules.indicators.emerging_share_threshold
        target = threshold
        completion = None if actual is None else ratio(actual, threshold)
        on_schedule = None if actual is None else bool(actual >= threshold)
        if actual is None:
            detail = f"{label}：暂无新引进项目，无法计算（要求不低于 {pct(threshold)}）"
        else:
            detail = (
                f"{label} {pct(actual)}（新兴产业项目 {actuals.emerging_new_projects} 个 / "
                f"新引进项目 {actuals.new_projects} 个），要求不低于 {pct(threshold)}，"
                + ("达标" if on_schedule else "未达标")
            )
        return dict(target=target, actual=actual, completion_rate=completion,
                    on_schedule=on_schedule, detail=detail)
    target = as_target(target_raw, indicator)
    completion = ratio(actual, target) if target is not None else None
    on_schedule = None if completion is None else bool(completion >= tp)
    if target is None:
        detail = f"{label}：完成 {_fmt_value(indicator, actual)}，无目标任务"
    elif completion is None:
        detail = f"{label}：完成 {_fmt_value(indicator, actual)}，目标为 0，不计算完成率"
    else:
        cmp = "不低于" if on_schedule else "低于"
        detail = (
            f"{label}：目标 {_fmt_value(indicator, target)}，完成 {_fmt_value(indicator, actual)}，"
            f"完成率 {pct(completion)}，{cmp}序时进度 {pct(tp)}"
        )
    if actuals is not None and indicator in NEW_INDICATORS:
        detail += actuals.qualifying_note
    return dict(target=target, actual=actual, completion_rate=completion,
                on_schedule=on_schedule, detail=detail)


def _indicators(targets: dict) -> list[str]:
    extra = sorted({ind for (_u, ind) in targets} - set(BASE_INDICATORS))
    return list(BASE_INDICATORS) + extra


def build_target_progress(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None
) -> pd.DataFrame:
    view = view or build_view(core, period, rules)
    tp = time_progress(view.period)
    targets = targets_for_year(core, view.year)
    units = unit_frame(core)
    unit_type = dict(zip(units["unit_name"], units["unit_type"]))
    city = city_name(core)
    names = {u for (u, _i) in targets} | set(view.credit)
    names.discard(city)
    ordered = sorted(names, key=lambda n: (TYPE_ORDER.get(unit_type.get(n), 9), n))
    indicators = _indicators(targets)
    rows = []
    for name in [city, *ordered]:
        if name == city:
            actuals, utype = city_actuals(view, rules), CITY_TYPE
        else:
            actuals, utype = unit_actuals(view, name, rules), unit_type.get(name)
        for ind in indicators:
            r = indicator_row(ind, actuals, targets.get((name, ind)), tp, rules, utype)
            rows.append(dict(period=view.period, year=view.year, unit_name=name,
                             unit_type=utype, indicator=ind, time_progress=tp, **r))
    return finalize(rows, TARGET_PROGRESS_COLUMNS, floats=_FLOATS, objects=_OBJECTS,
                    ints=("year",))


def year_on_year(actual: Any, last: Any) -> float | None:
    """同比增长率 (actual − last year) ÷ last year; NULL without a last-year figure or when it
    is 0 (for the emerging share too: the relative change of the share)."""
    if actual is None or last is None or last == 0:
        return None
    return ratio(actual, last) - 1


def _last_year_text(indicator: str, last: Any, yoy: float | None) -> str:
    if last is None:
        return "；上年同期数据未载入"
    text = f"；上年同期 {_fmt_value(indicator, last)}"
    if yoy is not None:
        text += f"，同比{'增长' if yoy >= 0 else '下降'} {pct(abs(yoy))}"
    return text


def build_city_summary(
    core: CoreTables, period: str, rules: Rules, view: PeriodView | None = None
) -> pd.DataFrame:
    """The city's figures; actual_last_year from the same month a year earlier, only when that
    month is loaded (some fact row has that period), else NULL."""
    view = view or build_view(core, period, rules)
    tp = time_progress(view.period)
    targets = targets_for_year(core, view.year)
    city = city_name(core)
    actuals = city_actuals(view, rules)
    last_view = build_view(core, period_str(view.year - 1, view.month), rules)
    last = city_actuals(last_view, rules) if last_view.has_facts else None
    rows = []
    for ind in _indicators(targets):
        r = indicator_row(ind, actuals, targets.get((city, ind)), tp, rules)
        before = last.value(ind) if last is not None and ind in BASE_INDICATORS else None
        yoy = year_on_year(r["actual"], before)
        r["detail"] += _last_year_text(ind, before, yoy)
        rows.append(dict(period=view.period, year=view.year, indicator=ind, time_progress=tp,
                         actual_last_year=before, yoy_change=yoy, **r))
    return finalize(rows, CITY_SUMMARY_COLUMNS, floats=(*_FLOATS, "yoy_change"),
                    objects=_OBJECTS, ints=("year",))
