"""marts.interview_list (季约谈) and marts.early_warning (预警) — rules.md, revision 2.

季约谈, at quarter ends only (March, June, September, December; other months: no rows): a unit of
the period's 红黑榜 goes on the list when it was on the 黑榜 in >= `interview.black_list_months` of
the quarter's months (each month's list built from that month's own data), or when its gate
completion at quarter end is strictly below `interview.gate_share_of_time_progress` × time
progress.  A unit without a gate indicator (no target) is judged on the first reason only.

预警, every period:
- signed_not_started: a project at 签约 or 注册 at P whose signing month is >=
  `early_warning.signed_not_started_months` before P (months = P − signing month);
- signed_no_funds: a project at 签约 or later (not 退库) at P with no funds in place ever
  (cumulative 0) and signed >= `early_warning.signed_no_funds_months` before P;
- behind_schedule: a unit of the period's 红黑榜 whose gate completion is
  >= `early_warning.behind_schedule_gap` below time progress.
Projects below the 统计起点 are left out (they count nowhere).  A project warning names the
project's 属地 unit, else the first unit credited with it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from runtime.rules import QUARTER_MONTHS, Rules

from .common import (
    STAGE_RANK,
    WITHDRAWN,
    CoreTables,
    PeriodView,
    ProjectState,
    amt,
    build_view,
    credit_rows,
    finalize,
    parse_period,
    pct,
    period_str,
)

INTERVIEW_COLUMNS = ["quarter", "period", "list_group", "unit_name", "black_list_months",
                     "gate_completion", "time_progress", "reasons", "year", "unit_type"]
WARNING_COLUMNS = ["period", "warning_type", "unit_name", "project_id", "project_name", "months",
                   "message", "year"]
SIGNED, STARTED = STAGE_RANK["签约"], STAGE_RANK["开工"]
_EPS = 1e-9  # rates are floats: compare at the boundary without representation noise


def month_index(month: str) -> int:
    y, m = parse_period(month)
    return y * 12 + m


def black_listed(core: CoreTables, period: str, rules: Rules) -> set[str]:
    """The units on the 黑榜 of `period`, from that period's own data (memoised per core)."""
    from .red_black import list_of

    return {unit for unit, listed in list_of(core, period, rules) if listed == "black"}


def _interview_reasons(u: dict, blacks: list[str], rules: Rules) -> list[str]:
    ir = rules.interview
    reasons = []
    if len(blacks) >= ir.black_list_months:
        reasons.append(f"本季度 {len(blacks)} 个月上黑榜（{'、'.join(blacks)}），达到 "
                       f"{ir.black_list_months} 个月")
    gate, tp = u["gate_completion"], u["time_progress"]
    bar = ir.gate_share_of_time_progress * tp
    if gate is not None and gate == gate and gate < bar - _EPS:
        reasons.append(f"季末门槛指标完成率 {pct(gate)}，低于序时进度 {pct(tp)} 的 "
                       f"{ir.gate_share_of_time_progress:g} 倍（{pct(bar)}）")
    return reasons


def build_interview_list(core: CoreTables, period: str, rules: Rules,
                         red_black: pd.DataFrame) -> pd.DataFrame:
    """The 约谈名单 of the quarter ending at P (`red_black`: the 红黑榜 rows of P)."""
    year, month = parse_period(period)
    rows = []
    if month in QUARTER_MONTHS:
        months = [period_str(year, m) for m in range(month - 2, month + 1)]
        lists = {m: black_listed(core, m, rules) for m in months}
        for u in red_black.to_dict("records"):
            blacks = [m for m in months if u["unit_name"] in lists[m]]
            reasons = _interview_reasons(u, blacks, rules)
            if reasons:
                rows.append(dict(
                    quarter=f"{year}-Q{month // 3}", period=period_str(year, month),
                    list_group=u["list_group"], unit_name=u["unit_name"],
                    black_list_months=len(blacks), gate_completion=u["gate_completion"],
                    time_progress=u["time_progress"], year=year, unit_type=u["unit_type"],
                    reasons="；".join(reasons)))
    return finalize(rows, INTERVIEW_COLUMNS, floats=("gate_completion", "time_progress"),
                    ints=("black_list_months", "year"))


# --- 预警 ----------------------------------------------------------------------------------------
def first_credited(core: CoreTables, period: str) -> dict:
    """project id -> the unit credited with it first by P (earliest first period, then name):
    who is warned about a project that has no 属地 unit (docs/design.md)."""
    rows = sorted((key, str(unit), pid) for key, pid, unit in credit_rows(core) if key <= period)
    out: dict = {}
    for _, unit, pid in rows:
        out.setdefault(pid, unit)
    return out


def warned_unit(p: ProjectState, first: dict) -> str | None:
    return p.territorial_unit or first.get(p.project_id)


def _project_warning(kind: str, p: ProjectState, view: PeriodView, months: int, names: dict,
                     text: str, first: dict) -> dict:
    name = names.get(p.project_id) or str(p.project_id)
    return dict(period=view.period, warning_type=kind, unit_name=warned_unit(p, first),
                project_id=p.project_id, project_name=name, months=months, year=view.year,
                message=f"项目「{name}」{text}")


def project_warnings(core: CoreTables, view: PeriodView, rules: Rules) -> list[dict]:
    ew = rules.early_warning
    names = dict(zip(core.projects["project_id"], core.projects["project_name"]))
    first = first_credited(core, view.period)
    out = []
    for p in sorted(view.all_projects(), key=lambda x: str(x.project_id)):
        if p.signed_month is None or p.below_threshold or p.stage in (None, WITHDRAWN):
            continue
        months = month_index(view.period) - month_index(p.signed_month)
        if SIGNED <= p.stage_rank < STARTED and months >= ew.signed_not_started_months:
            out.append(_project_warning(
                "signed_not_started", p, view, months, names,
                f"{p.signed_month} 签约，至 {view.period} 已 {months} 个月仍未开工（现为{p.stage}，"
                f"满 {ew.signed_not_started_months} 个月预警），请督促开工", first))
        if p.stage_rank >= SIGNED and p.funds_cumulative == 0 \
                and months >= ew.signed_no_funds_months:
            out.append(_project_warning(
                "signed_no_funds", p, view, months, names,
                f"{p.signed_month} 签约，至 {view.period} 已 {months} 个月仍无到位资金（投资总额 "
                f"{amt(p.total_investment)} 亿元，满 {ew.signed_no_funds_months} 个月预警），"
                "请督促资金到位", first))
    return out


def unit_warnings(red_black: pd.DataFrame, period: str, rules: Rules) -> list[dict]:
    gap_rule = rules.early_warning.behind_schedule_gap
    out = []
    for u in red_black.to_dict("records"):
        gate, tp = u["gate_completion"], u["time_progress"]
        if gate is None or gate != gate:
            continue
        gap = tp - gate
        if gap >= gap_rule - _EPS:
            out.append(dict(
                period=period, warning_type="behind_schedule", unit_name=u["unit_name"],
                project_id=None, project_name=None, months=None, year=u["year"],
                message=f"{u['unit_name']} 门槛指标完成率 {pct(gate)}，落后序时进度 {pct(tp)} "
                f"{gap * 100:.1f} 个百分点（落后 {gap_rule * 100:g} 个百分点以上预警）"))
    return out


def build_early_warning(core: CoreTables, period: str, rules: Rules,
                        red_black: pd.DataFrame, view: PeriodView | None = None) -> pd.DataFrame:
    view = view or build_view(core, period, rules)
    rows: list[dict[str, Any]] = project_warnings(core, view, rules)
    rows += unit_warnings(red_black, view.period, rules)
    return finalize(rows, WARNING_COLUMNS, ints=("year",), nullable_ints=("months",),
                    objects=("project_id", "project_name", "unit_name"))
