"""Duplicate rows, the 属地 rule and the project↔unit credit bridge (domain.md, "Projects and
their credit").  Pure functions over the matched ledger rows (a `project_id` column).

Roles:
- `territorial`: the district/zone that reports the project; when two districts report it, the one
  that reported it first (earliest reporting month, then file name) — the other gets no credit and
  a `territorial_conflict` error names both.  When no district reports it, the first district named
  in the 合作单位 / 项目所在地 (`partners`) column of a department/task-group report, else nobody
  (`no_territorial_report` warning either way).
- `lead`: a department or task group that reports the project in its own ledger.
- `co`: a department or task group named in `partners` of another unit's report, when it has no
  other role.  Districts get credit only by 属地: a district named in `partners` of a project that
  has another territorial unit gets nothing (decision: the 属地 principle of seed 000 附件1 注).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from runtime.findings import Finding, location
from runtime.reference import Reference
from runtime.values import map_distinct

ORDER = ["period", "source_file", "source_sheet", "source_row"]
BRIDGE_COLUMNS = [
    "project_id", "unit_name", "role", "first_period", "source_file", "source_row", "source_sheet",
]
CREDIT_TYPES = ("department", "task_group")


def truthy(series: pd.Series, default: bool) -> pd.Series:
    """A boolean Series from a column of bool / numpy bool / None / NaN (missing → `default`)."""
    if series.dtype == bool:  # nothing missing: as it is (perf, issue 17)
        return series.astype(bool)
    def one(value: object) -> bool:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            return default
        return bool(value)
    return series.map(one).astype(bool)


def report_order(rows: pd.DataFrame) -> np.ndarray:
    """The positions of `rows` in report order: period, then source_file, source_sheet,
    source_row (stable)."""
    keys = rows[ORDER].reset_index(drop=True)
    keys["source_sheet"] = map_distinct(keys["source_sheet"], _text)
    keys["source_file"] = map_distinct(keys["source_file"], _text)
    keys["source_row"] = pd.to_numeric(keys["source_row"], errors="coerce").fillna(0)
    return keys.sort_values(ORDER, kind="mergesort").index.to_numpy()


def sort_reports(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows in report order (`report_order`)."""
    return rows.iloc[report_order(rows)]


def _text(value: object) -> str:
    return "" if _blank(value) else str(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def short_name(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def row_where(row: pd.Series | dict) -> str:
    return f"{row['unit_name']} {row['period']} " + location(
        row.get("source_file"), row.get("source_sheet"), int_or_none(row.get("source_row"))
    )


def _loc(row: pd.Series | dict) -> str:
    return location(row.get("source_file"), row.get("source_sheet"), int_or_none(row.get("source_row")))


def int_or_none(value: object) -> int | None:
    try:
        return None if value is None or pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return None


def row_finding(check: str, message: str, row: pd.Series | dict) -> Finding:
    return Finding(
        check_name=check,
        message=message,
        period=row.get("period"),
        unit_name=row.get("unit_name"),
        source_file=row.get("source_file"),
        source_sheet=row.get("source_sheet"),
        source_row=int_or_none(row.get("source_row")),
        project_name=row.get("project_name"),
        stage="conform",
        file_id=row.get("file_id") if isinstance(row.get("file_id"), str) else None,
        project_id=row.get("project_id") if isinstance(row.get("project_id"), str) else None,
    )


def drop_duplicates(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Keep the first row of each (project_id, unit_name, period); a `duplicate_row` warning for
    every extra row.  `rows` must have project_id (rows without one are returned unchanged)."""
    # the wide rows are taken once, in report order and without their duplicates; the order
    # and the duplicates are worked out on the three key columns (perf, issue 17)
    order = report_order(rows)
    keys = rows[["project_id", "unit_name", "period"]].iloc[order].reset_index(drop=True)
    has_id = keys["project_id"].notna().to_numpy()
    dup = np.zeros(len(keys), dtype=bool)
    dup[has_id] = keys.loc[has_id].duplicated(keep="first").to_numpy()
    findings = []
    if dup.any():
        dups = rows.iloc[order[dup]]
        # index only the first rows of the projects that have a duplicate (perf, issue 17)
        again = has_id & ~dup & keys["project_id"].isin(set(dups["project_id"])).to_numpy()
        firsts = rows.iloc[order[again]].set_index(["project_id", "unit_name", "period"])
        for _, row in dups.iterrows():
            first = firsts.loc[(row["project_id"], row["unit_name"], row["period"])]
            at = location(None, first.get("source_sheet"), int_or_none(first.get("source_row")))
            same_file = first.get("source_file") == row.get("source_file")
            where_first = at if same_file else location(
                first.get("source_file"), first.get("source_sheet"), int_or_none(first.get("source_row")))
            findings.append(row_finding(
                "duplicate_row",
                f"{row_where(row)}：项目「{short_name(row['project_name'])}」与{where_first}"
                f"「{short_name(first['project_name'])}」是同一项目，本月台账重复填报；"
                f"已只计{where_first}，请删除重复行。",
                row,
            ))
    return rows.iloc[order[~dup]], findings


@dataclass
class Credit:
    bridge: list[dict]  # BRIDGE_COLUMNS rows, by project and then unit
    territorial: dict[str, str | None]  # project_id -> territorial unit (None: no territory)
    findings: list[Finding]


def _partners(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [p for p in str(value).split("、") if p]


def reports_by_project(rows: pd.DataFrame, in_order: bool = False) -> dict[str, list[dict]]:
    """project_id -> its rows as dicts in report order (one pass; no per-group DataFrames).
    `in_order`: the rows are already in report order (`sort_reports`, as `drop_duplicates`
    returns them), so they are not sorted again (perf, issue 17: 2 s at province scale)."""
    out: dict[str, list[dict]] = {}
    if rows.empty:
        return out
    rows = rows.loc[rows["project_id"].notna()]
    for rec in _records(rows if in_order else sort_reports(rows)):
        out.setdefault(rec["project_id"], []).append(rec)
    return dict(sorted(out.items()))


_PLAIN = {str, type(None), Decimal, int, float, bool, date, datetime}


def _records(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records"), faster (perf, issue 9): pandas boxes every value of an object
    column through maybe_box_native, a no-op for plain Python values; columns holding only
    those skip it."""
    from pandas.core.dtypes.cast import maybe_box_native

    cols = frame.columns.tolist()
    arrays = []
    for i in range(len(cols)):
        col = frame.iloc[:, i]
        values = col.tolist()
        if col.dtype == object and not all(type(v) in _PLAIN for v in values):
            values = [maybe_box_native(v) for v in values]
        arrays.append(values)
    return [dict(zip(cols, row)) for row in zip(*arrays)]


@dataclass
class _ProjectCredit:
    """One project's credit while it is worked out: roles by unit, bridge rows, findings."""

    pid: str
    reports: list[dict]
    unit_type: Callable[[str], str | None]
    roles: dict[str, str] = field(default_factory=dict)
    losers: set[str] = field(default_factory=set)
    terr: str | None = None
    bridge: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add(self, unit: str, role: str, row: dict) -> None:
        self.roles[unit] = role
        self.bridge.append({
            "project_id": self.pid, "unit_name": unit, "role": role, "first_period": row["period"],
            "source_file": row.get("source_file"), "source_row": int_or_none(row.get("source_row")),
            "source_sheet": row.get("source_sheet"),
        })


def _territory_from_districts(pc: _ProjectCredit, districts: list[dict]) -> None:
    """属地: the district that reported first; any other district is a `territorial_conflict`."""
    if not districts:
        return
    winner = districts[0]
    terr = pc.terr = winner["unit_name"]
    pc.add(terr, "territorial", winner)
    for loser in districts[1:]:
        pc.losers.add(loser["unit_name"])
        pc.findings.append(row_finding(
            "territorial_conflict",
            f"{row_where(winner)}：项目「{short_name(winner['project_name'])}」同时出现在{terr}和"
            f"{loser['unit_name']}的台账中（{terr} {winner['period']} 首报；"
            f"{loser['unit_name']} {loser['period']} 报送，见{_loc(loser)}），"
            f"属地按首报单位计为{terr}，{loser['unit_name']}不计入；请两单位核实项目所在地。",
            {**winner, "unit_name": terr},
        ))


def _co_credited(pc: _ProjectCredit, leads: list[dict]) -> None:
    names = "、".join(r["unit_name"] for r in leads)
    first = pc.reports[0]
    pc.findings.append(row_finding(
        "co_credited_project",
        f"{row_where(first)}：项目「{short_name(first['project_name'])}」由{pc.terr}（属地）和"
        f"{names}（牵头/共同引进）分别报送，已合并为同一项目，分别计入各单位，"
        f"全市合计按属地{pc.terr}只计一次。",
        {**first, "unit_name": pc.terr},
    ))


def _partner_credit(pc: _ProjectCredit, has_districts: bool) -> None:
    """合作单位 / 项目所在地: territory for a department-only project, co credit for departments."""
    for report in pc.reports:
        for partner in _partners(report.get("partners")):
            if partner == report["unit_name"] or partner in pc.roles or partner in pc.losers:
                continue
            ptype = pc.unit_type(partner)
            if ptype == "district":
                if pc.terr is None and not has_districts:
                    pc.terr = partner
                    pc.add(partner, "territorial", report)
            elif ptype in CREDIT_TYPES:
                pc.add(partner, "co", report)


def _no_territorial_report(pc: _ProjectCredit, leads: list[dict]) -> None:
    first = leads[0]
    project = short_name(pc.reports[-1]["project_name"])
    reporters = "、".join(r["unit_name"] for r in leads)
    terr = pc.terr
    if terr is not None:
        text = (f"项目「{project}」只有{reporters}报送，没有县区、开发区台账报送；"
                f"已按合作单位/项目所在地计入{terr}属地，请{terr}核实是否应纳入本单位台账。")
    else:
        text = (f"项目「{project}」只有{reporters}报送，没有县区、开发区台账报送，"
                f"合作单位/项目所在地也未写明县区，属地暂空；请{first['unit_name']}在"
                f"{_loc(first)}"
                "补填项目所在地，或由所在县区纳入台账。")
    pc.findings.append(row_finding("no_territorial_report", text, first))


def _credit_project(pid: str, reports: list[dict], unit_type: Callable[[str], str | None]
                    ) -> _ProjectCredit:
    """Phases: 属地 from district reports, lead credit, the co-credit note, partners, and the
    warning when no district reports the project."""
    pc = _ProjectCredit(pid, reports, unit_type)
    firsts: dict[str, dict] = {}
    for rec in reports:  # report order: a unit's first report
        firsts.setdefault(rec["unit_name"], rec)
    districts = [r for u, r in firsts.items() if unit_type(u) == "district"]
    leads = [r for u, r in firsts.items() if unit_type(u) in CREDIT_TYPES]
    _territory_from_districts(pc, districts)
    for lead in leads:
        pc.add(lead["unit_name"], "lead", lead)
    if districts and leads:
        _co_credited(pc, leads)
    _partner_credit(pc, bool(districts))
    if not districts and leads:
        _no_territorial_report(pc, leads)
    return pc


def assign_credit(rows: pd.DataFrame | dict[str, list[dict]], ref: Reference) -> Credit:
    """Bridge rows, territorial unit and credit findings for every project of the (de-duplicated,
    row_ok) matched ledger rows (a DataFrame or `reports_by_project` of it)."""
    grouped = rows if isinstance(rows, dict) else reports_by_project(rows)
    bridge: list[dict] = []
    territorial: dict[str, str | None] = {}
    findings: list[Finding] = []

    def unit_type(name: str) -> str | None:
        unit = ref.units.get(name)
        return unit.type if unit else None

    for pid, reports in grouped.items():
        pc = _credit_project(pid, reports, unit_type)
        # by unit, not in the order credit was given: the order a build that takes the project
        # from the last build's table gets too (build._with_reused)
        bridge += sorted(pc.bridge, key=lambda row: row["unit_name"])
        findings += pc.findings
        territorial[pid] = pc.terr
    return Credit(bridge, territorial, findings)
