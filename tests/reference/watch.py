"""季约谈 (interview_list) and 预警 (early_warning) from rules.md / warehouse.md (revision 2),
written without looking at assets/marts/watch.py.

Project state (stage at P, signing month, 统计起点, cumulative funds) comes from
tests/marts/reference_impl.py `_state`; the 红黑榜 of each month from tests/reference/red_black.py.
Exact arithmetic: gate completion and time progress are Fractions, so "below half of time
progress" and "20 points or more behind" are decided exactly at the bar."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from tests.marts.reference_impl import STAGES, _missing, _records, _state

from .red_black import red_black_list

INTERVIEW_COLUMNS = ["quarter", "period", "list_group", "unit_name", "black_list_months",
                     "gate_completion", "time_progress"]
WARNING_COLUMNS = ["period", "warning_type", "unit_name", "project_id", "project_name", "months"]


def month_list(core, period: str, rules) -> pd.DataFrame:
    """The reference 红黑榜 of one month, built from that month's own data (cached per core)."""
    cache = core.__dict__.setdefault("_red_black_lists", {})
    key = (period, id(rules))
    if key not in cache:
        cache[key] = red_black_list(core, period, rules)
    return cache[key]


def interview_list(core, period: str, rules) -> pd.DataFrame:
    """rules.md 季约谈: at the end of a quarter, a unit of the 红黑榜 that was on the 黑榜 in ≥ N of
    the quarter's months, or whose gate completion at quarter end is below share × time
    progress (strictly: "below")."""
    year, month = int(period[:4]), int(period[5:7])
    if month % 3:
        return pd.DataFrame(columns=INTERVIEW_COLUMNS)
    w = rules.watch
    months = [f"{year}-{m:02d}" for m in range(month - 2, month + 1)]
    blacks = {m: {r["unit_name"] for r in month_list(core, m, rules).to_dict("records")
                  if r["list"] == "black"} for m in months}
    rows = []
    for r in month_list(core, period, rules).to_dict("records"):
        n = sum(1 for m in months if r["unit_name"] in blacks[m])
        gate = r["gate_completion"]
        low = gate is not None and gate < Fraction(str(w.interview_gate_share)) * r["time_progress"]
        if n >= w.interview_black_months or low:
            rows.append(dict(quarter=f"{year}-Q{month // 3}", period=period,
                             list_group=r["list_group"], unit_name=r["unit_name"],
                             black_list_months=n, gate_completion=gate,
                             time_progress=r["time_progress"]))
    return pd.DataFrame(rows, columns=INTERVIEW_COLUMNS)


def _months_between(signed: str, period: str) -> int:
    return (int(period[:4]) - int(signed[:4])) * 12 + int(period[5:7]) - int(signed[5:7])


def warned_unit(core, pid, period: str) -> str | None:
    """The project's 属地 unit; else the unit credited with it first (earliest first period,
    then name)."""
    for p in _records(core.projects):
        if p["project_id"] == pid and not _missing(p.get("territorial_unit")) \
                and p["territorial_unit"]:
            return p["territorial_unit"]
    credits = sorted((str(b["first_period"])[:7], b["unit_name"]) for b in _records(core.bridge)
                     if b["project_id"] == pid and str(b["first_period"])[:7] <= period)
    return credits[0][1] if credits else None


def early_warning(core, period: str, rules) -> pd.DataFrame:
    """rules.md 预警: 签约未开工 (signed ≥ N months, stage 签约 or 注册), 签约未到资 (signed ≥ M
    months, stage 签约 or later, no funds in place since signing), and each unit of the 红黑榜
    whose gate completion is ≥ gap behind time progress."""
    w = rules.watch
    projects, _credited = _state(core, period, rules)
    names = {p["project_id"]: p.get("project_name") for p in _records(core.projects)}
    rows = []
    for pid, p in sorted(projects.items(), key=lambda kv: str(kv[0])):
        if p["signed"] is None or p["below"] or p["stage"] in (None, "退库"):
            continue
        rank, months = STAGES.get(p["stage"], -1), _months_between(p["signed"], period)
        base = dict(period=period, project_id=pid, project_name=names.get(pid), months=months)
        if STAGES["签约"] <= rank < STAGES["开工"] and months >= w.not_started_months:
            rows.append(dict(base, warning_type="signed_not_started",
                             unit_name=warned_unit(core, pid, period)))
        if rank >= STAGES["签约"] and p["funds_cum"] == 0 and months >= w.no_funds_months:
            rows.append(dict(base, warning_type="signed_no_funds",
                             unit_name=warned_unit(core, pid, period)))
    gap = Fraction(str(w.behind_gap))
    for r in month_list(core, period, rules).to_dict("records"):
        if r["gate_completion"] is not None and r["time_progress"] - r["gate_completion"] >= gap:
            rows.append(dict(period=period, warning_type="behind_schedule",
                             unit_name=r["unit_name"], project_id=None, project_name=None,
                             months=None))
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)
