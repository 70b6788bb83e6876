"""marts.submission_status and the reporting duty (domain.md "Reporting duty", revision 2).

Who owes: every unit with a target in the year (core.fact_target) owes, each month of that year
up to P that has a month folder in the drop folder, the kinds its row of the duty table
(reference/reporting_duties.csv) names, from that row's `from_month`.

When it arrived: a file's modification time, never later than the pipeline's first registration
of it (staging.files.first_seen_at).  A unit's month is decided by its FIRST file of that kind
in that month's folder, whatever became of it later (a late correction of an on-time ledger is
not late; a superseded first file still arrived).  Only files whose unit and kind were recognised
count.  Deadlines are local dates (UTC + rules reporting.utc_offset_hours): a file is on time when
it arrived by the end of the deadline day; `received_at` is shown in local time.

Status: on_time / late; without a file, `missing` once the deadline day is over at `core.as_of`
(the run's time; None = every deadline is over) and `not_due` before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from runtime.duties import KIND_LABELS, Duty, duties_of
from runtime.findings import Finding
from runtime.rules import Rules
from runtime.values import is_missing

from .common import (
    CoreTables,
    UnitRef,
    cents,
    core_once,
    finalize,
    parse_period,
    period_str,
    unit_refs,
)

SUBMISSION_COLUMNS = ["period", "unit_name", "unit_type", "kind", "deadline", "received_at",
                      "status", "source_file", "year", "detail"]
ON_TIME, LATE, MISSING, NOT_DUE = "on_time", "late", "missing", "not_due"
STATUS_LABELS = {ON_TIME: "按时", LATE: "迟报", MISSING: "缺报", NOT_DUE: "未到截止日"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DUTY_TYPES = frozenset({"district", "department", "task_group"})


@dataclass(frozen=True)
class Arrival:
    at: datetime  # UTC, naive
    source_file: str


@dataclass(frozen=True)
class Owed:
    """One unit, month and kind owed, and what became of it."""

    month: str
    unit: UnitRef
    duty: Duty
    deadline: date
    status: str
    arrival: Arrival | None  # received_at in local time


def _ts(value: Any) -> datetime | None:
    if is_missing(value):
        return None
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)


def drop_months(files: pd.DataFrame) -> set[str]:
    """The month folders the drop folder had (every registered file's folder)."""
    if not len(files):
        return set()
    return {str(m) for m in files["folder_month"].dropna() if _MONTH.match(str(m))}


def first_arrivals(files: pd.DataFrame, offset: timedelta) -> dict[tuple, Arrival]:
    """(unit, kind, month) -> the first file's arrival, in local time."""
    out: dict[tuple, Arrival] = {}
    for rec in files.to_dict("records"):
        unit, kind, month = rec.get("unit_name"), rec.get("kind"), rec.get("folder_month")
        if is_missing(unit) or is_missing(kind) or is_missing(month):
            continue
        times = [t for t in (_ts(rec.get("modified_at")), _ts(rec.get("first_seen_at"))) if t]
        if not times:
            continue
        arrival = Arrival(min(times) + offset, str(rec["source_file"]))
        key = (unit, kind, str(month))
        if key not in out or (arrival.at, arrival.source_file) < (out[key].at,
                                                                   out[key].source_file):
            out[key] = arrival
    return out


def units_with_target(core: CoreTables, year: int) -> set[str]:
    t = core.targets
    if not len(t):
        return set()
    return set(t.loc[pd.to_numeric(t["year"], errors="coerce") == year, "unit_name"])


def _status(arrival: Arrival | None, deadline: date, as_of_local: datetime | None) -> str:
    if arrival is not None:
        return ON_TIME if arrival.at.date() <= deadline else LATE
    if as_of_local is not None and as_of_local.date() <= deadline:
        return NOT_DUE
    return MISSING


def owed_submissions(core: CoreTables, period: str, rules: Rules,
                     months: list[str] | None = None) -> list[Owed]:
    """Every (month, unit, kind) owed in P's year up to P (or in `months`), with its status."""
    year, month = parse_period(period)
    p = period_str(year, month)
    if months is None:
        months = sorted(m for m in drop_months(core.files) if m[:4] == p[:4] and m <= p)
    offset = timedelta(hours=rules.reporting.utc_offset_hours)
    arrivals = core_once(core, ("first_arrivals", offset), None,  # asked by several marts
                         lambda: first_arrivals(core.files, offset))
    as_of = None if core.as_of is None else _ts(core.as_of) + offset
    owing = units_with_target(core, year)
    units = sorted((u for u in unit_refs(core).values()
                    if u.unit_type in DUTY_TYPES and u.name in owing), key=lambda u: u.name)
    out = []
    for m in months:
        for u in units:
            for d in duties_of(core.duties, u.name, u.unit_type, u.parent_type):
                if d.owed_in(m):
                    arrival = arrivals.get((u.name, d.kind, m))
                    deadline = d.deadline(m)
                    out.append(Owed(m, u, d, deadline, _status(arrival, deadline, as_of),
                                    arrival))
    return out


def _detail(o: Owed) -> str:
    what = f"{o.unit.name} {o.month} {KIND_LABELS.get(o.duty.kind, o.duty.kind)}"
    due = f"截止 {o.deadline:%Y-%m-%d}"
    if o.arrival is None:
        return f"{what}：{due}，{'尚未到截止日' if o.status == NOT_DUE else '未报送'}"
    return (f"{what}：{due}，{o.arrival.at:%Y-%m-%d %H:%M} 收到（{o.arrival.source_file}），"
            f"{STATUS_LABELS[o.status]}")


def build_submission_status(core: CoreTables, period: str, rules: Rules) -> pd.DataFrame:
    """The rows of month P (P's month folder exists, else none: the month is not owed)."""
    year, month = parse_period(period)
    p = period_str(year, month)
    months = [p] if p in drop_months(core.files) else []
    rows = [dict(period=o.month, year=year, unit_name=o.unit.name, unit_type=o.unit.unit_type,
                 kind=o.duty.kind, deadline=o.deadline,
                 received_at=o.arrival.at if o.arrival else None, status=o.status,
                 source_file=o.arrival.source_file if o.arrival else None, detail=_detail(o))
            for o in owed_submissions(core, p, rules, months)]
    return finalize(rows, SUBMISSION_COLUMNS, ints=("year",),
                    objects=("deadline", "received_at", "source_file"))


def submission_findings(core: CoreTables, period: str, rules: Rules) -> list[Finding]:
    """`missing_submission` / `late_submission` of month P."""
    p = period_str(*parse_period(period))
    out = []
    for o in owed_submissions(core, p, rules, [p] if p in drop_months(core.files) else []):
        label = KIND_LABELS.get(o.duty.kind, o.duty.kind)
        if o.status == MISSING:
            out.append(Finding(
                "missing_submission", stage="marts", period=p, unit_name=o.unit.name,
                message=f"{o.unit.name} 未报送 {p} {label}（截止日期 {o.deadline:%Y-%m-%d}），"
                        "请督促补报"))
        elif o.status == LATE:
            out.append(Finding(
                "late_submission", stage="marts", period=p, unit_name=o.unit.name,
                source_file=o.arrival.source_file,
                message=f"{o.unit.name} {p} {label}于 {o.arrival.at:%Y-%m-%d %H:%M} 报送"
                        f"（{o.arrival.source_file}），晚于截止日期 {o.deadline:%Y-%m-%d}"))
    return out


def reporting_counts(core: CoreTables, period: str, rules: Rules) -> dict[str, tuple[int, int]]:
    """unit -> (missing, late) over the months of P's year up to P; only units that owe."""
    out: dict[str, tuple[int, int]] = {}
    for o in owed_submissions(core, period, rules):
        m, late = out.get(o.unit.name, (0, 0))
        out[o.unit.name] = (m + (o.status == MISSING), late + (o.status == LATE))
    return out


def reporting_item(missing: int, late: int, rules: Rules) -> dict:
    """rules.md `reporting`: −missing_points each, −late_points each, at most −cap; max 0."""
    r = rules.reporting
    raw = missing * r.missing_points + late * r.late_points
    score = -cents(min(raw, r.cap))
    capped = f"，超过 {r.cap:g} 分上限，按 {r.cap:g} 分扣" if raw > r.cap else ""
    return dict(item="reporting", score=score + 0.0, max_score=0.0, completion_rate=None,
                detail=f"按时报送：本年截至本期缺报 {missing} 次（每次扣 {r.missing_points:g} 分）、"
                f"迟报 {late} 次（每次扣 {r.late_points:g} 分）{capped}，计 {score + 0.0:.2f} 分")


TYPE_LABELS = {"district": "县区、开发区", "department": "牵头部门", "task_group": "招商组/专班"}


def _selector_text(d: Duty) -> str:
    if d.units:
        return "、".join(d.units)
    text = TYPE_LABELS.get(d.unit_type or "", "各单位")
    if d.unit_type == "task_group" and d.parent_type:
        text = "部门招商专班" if d.parent_type == "department" else "县区产业招商组"
    return text


def expected_text(core: CoreTables, period: str, rules: Rules) -> str:
    """What month P was owed by whom, for the no-submissions failure message."""
    p = period_str(*parse_period(period))
    owed = owed_submissions(core, p, rules, [p])
    if not owed:  # no unit has a target that year yet: say what the duty table asks of whom
        return f"{p[:4]}年尚未载入目标任务，按报送责任表：" + "；".join(
            f"{_selector_text(d)}报送{d.describe()}" for d in core.duties)
    by_duty: dict[str, list[str]] = {}
    for o in owed:
        by_duty.setdefault(o.duty.describe(), []).append(o.unit.name)
    return "；".join(f"{what}：{'、'.join(names)}" for what, names in by_duty.items())


def as_of_key(duties: tuple[Duty, ...], period: str, as_of: datetime | None,
              rules: Rules) -> str:
    """What of `as_of` the marts of P depend on: its local date, up to the day after P's latest
    deadline (from then on nothing can still be `not_due`), so a rebuild is needed only while
    a deadline of P's months can still pass."""
    if as_of is None or not duties:
        return "all-past"
    p = period_str(*parse_period(period))
    last = max(d.deadline(p) for d in duties) + timedelta(days=1)
    local = (_ts(as_of) + timedelta(hours=rules.reporting.utc_offset_hours)).date()
    return min(local, last).isoformat()


def period_has_submissions(files: pd.DataFrame, period: str) -> bool:
    """Some file in P's month folder was recognised as a unit's submission."""
    if not len(files):
        return False
    p = period_str(*parse_period(period))
    rows = files[files["folder_month"].astype(str) == p]
    return bool((rows["unit_name"].notna() & rows["kind"].notna()).any())
