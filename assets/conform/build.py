"""The conform step: staging DataFrames → core DataFrames + findings (pure; no DB, no Dagster).

    result = conform(ledger, activities, reserve, targets, files, Reference.load(), periods)

Order of work: usable ledger rows (row_ok) are matched into projects (`matching.py`), duplicate
rows of one unit and month dropped (`duplicate_row`), credit assigned (`credit.py`), then the
project dimension and the facts are built (`facts.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from assets.conform.credit import (
    BRIDGE_COLUMNS,
    assign_credit,
    drop_duplicates,
    reports_by_project,
    row_finding,
    row_where,
)
from assets.conform.facts import (
    fact_activity,
    fact_project_period,
    fact_reserve_project,
    fact_target,
)
from assets.conform.matching import DEFAULT_CONFIG, MatchConfig, match_projects
from runtime.findings import Finding
from runtime.reference import Reference
from runtime.values import as_flag, is_blank

DIM_UNIT_COLUMNS = ["unit_name", "unit_type", "parent_name", "aliases"]
DIM_PROJECT_COLUMNS = [
    # contract (warehouse.md)
    "project_id", "project_name", "investor", "industry", "total_investment", "is_industrial",
    "is_emerging", "is_sanqi", "signed_month", "territorial_unit",
    # ours (design.md)
    "chain", "first_period", "first_reported_by", "below_threshold", "match_keys",
]
_MONTH = re.compile(r"^(\d{4})-(\d{2})")


@dataclass
class ConformResult:
    dim_unit: pd.DataFrame
    dim_project: pd.DataFrame
    bridge: pd.DataFrame
    fact_project_period: pd.DataFrame
    fact_target: pd.DataFrame
    fact_activity: pd.DataFrame
    fact_reserve_project: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    # the ledger rows with project_id, name/investor keys, match_score, match_keys, is_duplicate
    matched_ledger: pd.DataFrame | None = None


def dim_unit(ref: Reference) -> pd.DataFrame:
    rows = [
        {"unit_name": u.name, "unit_type": u.type, "parent_name": u.parent,
         "aliases": "、".join(u.aliases) if u.aliases else None}
        for u in ref.units.values()
    ]
    return pd.DataFrame(rows, columns=DIM_UNIT_COLUMNS)


def _first(records: list[dict], name: str) -> object:
    for rec in records:
        if not is_blank(rec.get(name)):
            return rec[name]
    return None


def _dim_project(grouped: dict[str, list[dict]], territorial: dict[str, str | None], clusters: pd.DataFrame,
                 ref: Reference, below_threshold: Decimal) -> pd.DataFrame:
    explain = dict(zip(clusters["project_id"], clusters["match_keys"], strict=True))
    out = []
    for pid, records in grouped.items():  # records in report order (earliest first)
        terr = territorial.get(pid)
        latest_first = records[::-1]
        preferred = [r for r in latest_first if terr is not None and r["unit_name"] == terr]
        preferred += [r for r in latest_first if not (terr is not None and r["unit_name"] == terr)]
        industry = _first(preferred, "industry")
        chain = _first(preferred, "chain")
        flags: dict[str, bool | None] = {}
        for name in ("is_industrial", "is_emerging", "is_sanqi"):
            flags[name] = next(
                (as_flag(r.get(name)) for r in preferred if as_flag(r.get(name)) is not None), None
            )
        known = ref.classify_industry(industry) or ref.classify_industry(chain)
        if flags["is_industrial"] is None and known is not None:
            flags["is_industrial"] = known[0]
        if flags["is_emerging"] is None and known is not None:
            flags["is_emerging"] = known[1]
        signed = sorted(
            f"{m.group(1)}-{m.group(2)}"
            for r in records
            if isinstance(r.get("signed_on"), str) and (m := _MONTH.match(r["signed_on"]))
        )
        first = records[0]
        total = _first(preferred, "total_investment")
        out.append({
            "project_id": pid,
            "project_name": _first(preferred, "project_name"),
            "investor": _first(preferred, "investor"),
            "industry": industry,
            "total_investment": total,
            "is_industrial": flags["is_industrial"],
            "is_emerging": flags["is_emerging"],
            "is_sanqi": flags["is_sanqi"],
            "signed_month": signed[0] if signed else str(first["period"]),
            "territorial_unit": terr,
            "chain": chain,
            "first_period": str(first["period"]),
            "first_reported_by": first["unit_name"],
            "below_threshold": None if total is None else Decimal(total) < below_threshold,
            "match_keys": explain.get(pid),
        })
    return pd.DataFrame(out, columns=DIM_PROJECT_COLUMNS).astype(object)


def below_threshold_findings(projects: pd.DataFrame, grouped: dict[str, list[dict]]) -> list:
    """One `below_threshold` info per project (not per monthly row of a cumulative ledger),
    placed at the project's first report."""
    out = []
    for pid, name, total, below in zip(projects["project_id"], projects["project_name"],
                                       projects["total_investment"], projects["below_threshold"]):
        rows = grouped.get(pid)
        if not rows or below is None or below is pd.NA or not bool(below):
            continue
        first = rows[0]
        out.append(row_finding(
            "below_threshold",
            f"{row_where(first)}：项目「{name}」投资总额{total}亿元，低于统计起点（区外总投资500万元），"
            "保留在仓库中但不计入任何指标。",
            first,
        ))
    return out


def conform(ledger: pd.DataFrame, activities: pd.DataFrame, reserve: pd.DataFrame,
            targets: pd.DataFrame, files: pd.DataFrame, ref: Reference,
            periods: list[str], below_threshold: Decimal = Decimal("0.05"),
            config: MatchConfig = DEFAULT_CONFIG) -> ConformResult:
    """Staging DataFrames (docs/design.md) → core DataFrames + conform findings."""
    findings: list[Finding] = []
    # reset_index copies: the caller's frame is never modified (and, when the caller passed its
    # only reference, freed here: at province scale every copy of the ledger is a gigabyte)
    ledger = ledger.reset_index(drop=True) if ledger is not None else pd.DataFrame()
    if ledger.empty:
        ledger = pd.DataFrame(columns=[
            "project_name", "investor", "unit_name", "period", "source_file", "source_sheet",
            "source_row", "row_ok",
        ])
    for col in ("source_sheet", "investor", "partners", "signed_on", "row_ok"):
        if col not in ledger:
            ledger[col] = True if col == "row_ok" else None
    matched = match_projects(ledger, ref, config)
    ledger = ledger.join(matched.rows)
    usable = ledger.loc[ledger["project_id"].notna()]
    kept, dup_findings = drop_duplicates(usable)
    del usable
    findings += dup_findings
    ledger["is_duplicate"] = ~ledger.index.isin(kept.index) & ledger["project_id"].notna()
    grouped = reports_by_project(kept)
    del kept  # from here on the projects' reports are the dicts of `grouped`
    credit = assign_credit(grouped, ref)
    findings += credit.findings

    bridge = credit.bridge[BRIDGE_COLUMNS].astype(object)
    projects = _dim_project(grouped, credit.territorial, matched.clusters, ref, below_threshold)
    facts = fact_project_period(grouped, credit.territorial, periods)
    findings += below_threshold_findings(projects, grouped)
    return ConformResult(
        dim_unit=dim_unit(ref),
        dim_project=projects,
        bridge=bridge,
        fact_project_period=facts,
        fact_target=fact_target(targets, files, ref),
        fact_activity=fact_activity(activities, files, periods),
        fact_reserve_project=fact_reserve_project(reserve, files, periods),
        findings=findings,
        matched_ledger=ledger,
    )
