"""The conform step: staging DataFrames → core DataFrames + findings (pure; no DB, no Dagster).

    result = conform(ledger, activities, reserve, targets, files, Reference.load(), periods)

Order of work: usable ledger rows (row_ok) are matched into projects (`matching.py`), duplicate
rows of one unit and month dropped (`duplicate_row`), credit assigned (`credit.py`), then the
project dimension and the facts are built (`facts.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from assets.conform.cohort import FACT_COHORT_COLUMNS, cohort_findings, fact_cohort
from assets.conform.conform_findings import FIELDS, ConformFindings
from assets.conform.credit import (
    BRIDGE_COLUMNS,
    assign_credit,
    drop_duplicates,
    reports_by_project,
    row_finding,
    row_where,
)
from assets.conform.facts import (
    FACT_PROJECT_PERIOD_COLUMNS,
    fact_activity,
    fact_reserve_project,
    fact_rows,
    fact_target,
)
from assets.conform.matching import (
    DEFAULT_CONFIG,
    KeyMemo,
    MatchConfig,
    ScoredPairs,
    match_projects,
)
from assets.conform.normalize import normalizer_for
from assets.conform.project_memo import (
    ProjectMemo,
    encode_findings,
    project_digests,
)
from assets.conform.sources import (
    inside_region_findings,
    project_source,
    signed_month,
    unknown_source_findings,
)
from runtime.findings import Finding
from runtime.reference import Reference
from runtime.values import as_flag, is_blank

DIM_UNIT_COLUMNS = ["unit_name", "unit_type", "parent_name", "aliases"]
DIM_PROJECT_COLUMNS = [
    # contract (warehouse.md)
    "project_id", "project_name", "investor", "industry", "total_investment", "is_industrial",
    "is_emerging", "is_sanqi", "signed_month", "territorial_unit", "source_region", "source_class",
    # ours (design.md)
    "chain", "first_period", "first_reported_by", "below_threshold", "match_keys",
]


@dataclass
class ConformResult:
    dim_unit: pd.DataFrame
    dim_project: pd.DataFrame
    bridge: pd.DataFrame
    fact_project_period: pd.DataFrame
    fact_target: pd.DataFrame
    fact_activity: pd.DataFrame
    fact_reserve_project: pd.DataFrame
    # the conform findings by where they come from (conform_findings.py); all: `findings`
    found: ConformFindings = field(default_factory=ConformFindings)
    # the 三企入桂 cohort lists (revision 2); empty when none was dropped
    fact_cohort: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=FACT_COHORT_COLUMNS))
    # the ledger rows with project_id, name/investor keys, match_score, match_keys, is_duplicate
    matched_ledger: pd.DataFrame | None = None
    # the scored candidate pairs of the matching, for the next build to reuse (ScoredPairs)
    scored_pairs: ScoredPairs | None = None
    # project_id -> (digest, findings) of every project, for the next build (project_memo.py)
    memo: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    projects_reused: int = 0  # projects taken from the previous build's memo
    # their ids: their dim_project, bridge and fact rows are the last build's rows, as read back
    reused_projects: frozenset[str] = frozenset()

    @property
    def findings(self) -> list[Finding]:
        return self.found.findings


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


def _preferred(records: list[dict], terr: str | None) -> list[dict]:
    """A project's reports latest first, the territorial unit's before the others'."""
    latest_first = records[::-1]
    mine = [r for r in latest_first if terr is not None and r["unit_name"] == terr]
    return mine + [r for r in latest_first if not (terr is not None and r["unit_name"] == terr)]


def _project_flags(preferred: list[dict], industry: object, chain: object,
                   ref: Reference) -> dict[str, bool | None]:
    """An explicit 是否工业项目/是否新兴产业/三企入桂 column wins, else the industry table."""
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
    return flags


def _dim_project(grouped: dict[str, list[dict]], territorial: dict[str, str | None],
                 explain: dict[str, object], ref: Reference, below_threshold: Decimal
                 ) -> list[dict]:
    """One dimension row per project of `grouped`, in its order."""
    out = []
    for pid, records in grouped.items():  # records in report order (earliest first)
        terr = territorial.get(pid)
        preferred = _preferred(records, terr)
        industry = _first(preferred, "industry")
        chain = _first(preferred, "chain")
        flags = _project_flags(preferred, industry, chain, ref)
        region, source_class = project_source(preferred, ref)
        first = records[0]
        total = _first(preferred, "total_investment")
        out.append({
            "project_id": pid,
            "project_name": _first(preferred, "project_name"),
            "investor": _first(preferred, "investor"),
            "industry": industry,
            "total_investment": total,
            **flags,
            "signed_month": signed_month(records, ref),
            "territorial_unit": terr,
            "source_region": region,
            "source_class": source_class,
            "chain": chain,
            "first_period": str(first["period"]),
            "first_reported_by": first["unit_name"],
            "below_threshold": None if total is None else Decimal(total) < below_threshold,
            "match_keys": explain.get(pid),
        })
    return out


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


# Projects are worked out a slice at a time: a project's reports are Python dicts only while its
# slice is worked on, so memory holds one slice's dicts, not the whole ledger's (over a gigabyte at
# province scale, issue 17).  Slices follow the sorted project ids; each project's results are
# the rows as built (not typed by a slice's frame), and each output column is typed from all its
# values at the end, so the result is the same as one pass over every project, and the same
# whether a project was worked out now or taken from the memo (`project_memo.py`).
PROJECT_SLICE = 4096
# what a finding made at a report reads of it (row_where, row_finding): all cohort_findings uses
_REPORT_WHERE = ["project_id", "period", "unit_name", "source_file", "source_sheet", "source_row",
                 "project_name", "file_id"]


class _Gathered:
    """A frame's columns gathered slice by slice."""

    def __init__(self, columns: list[str]):
        self.columns: dict[str, list] = {c: [] for c in columns}

    def add(self, rows: list[list]) -> None:
        for values, column in zip(zip(*rows), self.columns.values()):
            column.extend(values)

    def frame(self) -> pd.DataFrame:
        """Typed as `pd.DataFrame(records, columns=...)` of all the gathered rows would be."""
        if not next(iter(self.columns.values()), []):
            return pd.DataFrame([], columns=list(self.columns))
        return pd.DataFrame(self.columns, columns=list(self.columns))


@dataclass
class _PerProject:
    """What conform derives project by project, in project-id order."""

    projects: _Gathered = field(default_factory=lambda: _Gathered(DIM_PROJECT_COLUMNS))
    bridge: _Gathered = field(default_factory=lambda: _Gathered(BRIDGE_COLUMNS))
    facts: _Gathered = field(default_factory=lambda: _Gathered(FACT_PROJECT_PERIOD_COLUMNS))
    found: dict[str, list[list]] = field(default_factory=dict)  # pid -> [kind, *FIELDS] rows
    sanqi: dict[str, list[dict]] = field(default_factory=dict)  # reports of 三企入桂-flagged projects
    memo: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # for the next build
    reused: set[str] = field(default_factory=set)  # projects taken from the memo
    reused_findings: dict[str, str | None] = field(default_factory=dict)  # theirs, as JSON


def _worked_out(grouped: dict[str, list[dict]], explain: dict[str, object], ref: Reference,
                periods: list[str], below_threshold: Decimal, unknown_source: str,
                out: _PerProject) -> None:
    """Dimension row, credit, monthly facts and findings of every project of `grouped`."""
    credit = assign_credit(grouped, ref)
    dim = _dim_project(grouped, credit.territorial, explain, ref, below_threshold)
    facts = fact_rows(grouped, credit.territorial, periods)
    out.projects.add([[row[c] for c in DIM_PROJECT_COLUMNS] for row in dim])
    out.bridge.add([[row[c] for c in BRIDGE_COLUMNS] for row in credit.bridge])
    out.facts.add([[row[c] for c in FACT_PROJECT_PERIOD_COLUMNS] for row in facts])
    projects = pd.DataFrame(dim, columns=DIM_PROJECT_COLUMNS).astype(object)
    found = {
        "credit": credit.findings,
        "below_threshold": below_threshold_findings(projects, grouped),
        "inside_region": inside_region_findings(projects, grouped),
        "unknown_source": unknown_source_findings(
            projects, pd.DataFrame(facts, columns=FACT_PROJECT_PERIOD_COLUMNS), unknown_source),
    }
    for kind, findings in found.items():
        for f in findings:  # each made from one of the project's reports (row_finding)
            out.found.setdefault(f.project_id, []).append(
                [kind, *(getattr(f, n) for n in FIELDS)])
    flagged = projects.loc[projects["is_sanqi"].map(lambda v: v is True), "project_id"]
    out.sanqi.update({pid: grouped[pid] for pid in flagged})


def _with_reused(fresh: pd.DataFrame, old: pd.DataFrame | None, reused: set[str],
                 keys: list[str]) -> pd.DataFrame:
    """The rows worked out now and the reused projects' rows of the last build, in `keys` order
    (the order of one pass); pandas types each column from both parts as from all the values at
    once (an integer column with a missing value is float either way)."""
    if not reused or old is None:
        return fresh
    parts = [part for part in (fresh, old.loc[old["project_id"].isin(reused), fresh.columns])
             if len(part)]
    whole = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return whole.sort_values(keys, kind="stable", ignore_index=True)


def _memo_entries(pids, out: _PerProject, memo: ProjectMemo, digests: dict[str, str]) -> None:
    """The memo entries for the next build, and the reused projects' findings as the memo
    keeps them (decoded only if the whole list is asked for: `ConformFindings`)."""
    for pid in pids:
        if pid in out.reused:
            text = out.reused_findings[pid] = memo.findings.get(pid)
        else:
            try:
                text = encode_findings(out.found.get(pid, []))
            except (TypeError, ValueError):  # not kept exactly: worked out again next time
                continue
        out.memo[pid] = (digests[pid], text)


def _per_project(kept: pd.DataFrame, explain: dict[str, object], ref: Reference,
                 periods: list[str], below_threshold: Decimal, unknown_source: str,
                 size: int, memo: ProjectMemo | None = None, given: list[str] | None = None
                 ) -> tuple[_PerProject, dict[str, pd.DataFrame]]:
    """Credit, dimension row, monthly facts and findings of every project of `kept` (the matched,
    de-duplicated rows), `size` projects at a time; a project whose inputs' digest equals the
    one in `memo` is taken from the last build instead of being worked out.  Returns the
    findings, the memo for the next build, and the frames dim_project, bridge and facts."""
    out = _PerProject()
    memo = memo or ProjectMemo()
    context = "|".join([memo.context, *map(str, periods), str(below_threshold), unknown_source])
    digests = project_digests(kept, explain, context, given)
    out.reused = memo.reusable(digests)
    codes, pids = pd.factorize(kept["project_id"], sort=True)
    todo = np.array([pid not in out.reused for pid in pids], dtype=bool)
    rows = todo[codes] if len(codes) else np.zeros(0, dtype=bool)
    # `kept` comes from drop_duplicates in report order, and a selection keeps that order; a
    # first or forced build works every project out: no copy of the whole ledger (memory)
    work, work_codes = (kept, codes) if rows.all() else (kept.loc[rows], codes[rows])
    todo_codes = np.flatnonzero(todo)
    for low in range(0, len(todo_codes), size):
        first, last = todo_codes[low], todo_codes[min(low + size, len(todo_codes)) - 1]
        grouped = reports_by_project(work.loc[(work_codes >= first) & (work_codes <= last)],
                                     in_order=True)
        _worked_out(grouped, explain, ref, periods, below_threshold, unknown_source, out)
    _memo_entries(pids, out, memo, digests)
    frames = {  # each worked out in the order of its keys: credit rows by unit, facts by month
        "dim_project": _with_reused(out.projects.frame(), memo.core.get("dim_project"),
                                    out.reused, ["project_id"]).astype(object),
        "bridge": _with_reused(out.bridge.frame(), memo.core.get("bridge"), out.reused,
                               ["project_id", "unit_name"]).astype(object),
        "facts": _with_reused(out.facts.frame(), memo.core.get("facts"), out.reused,
                              ["project_id", "period"]),
    }
    memo.release()  # the last build's rows are in the frames now (memory)
    # the reports of the reused 三企入桂 projects, with the columns the cohort findings read
    dim = frames["dim_project"]
    again = set(dim.loc[dim["is_sanqi"].map(lambda v: v is True), "project_id"]) - set(out.sanqi)
    if again:
        rows = kept.loc[np.isin(codes, [i for i, pid in enumerate(pids) if pid in again]),
                        [c for c in _REPORT_WHERE if c in kept.columns]]
        out.sanqi.update(reports_by_project(rows, in_order=True))
    out.sanqi = dict(sorted(out.sanqi.items()))
    return out, frames


def conform(ledger: pd.DataFrame, activities: pd.DataFrame, reserve: pd.DataFrame,
            targets: pd.DataFrame, files: pd.DataFrame, ref: Reference,
            periods: list[str], below_threshold: Decimal = Decimal("0.05"),
            config: MatchConfig = DEFAULT_CONFIG, cohort: pd.DataFrame | None = None,
            unknown_source: str = "exclude",
            previous_pairs: ScoredPairs | None = None,
            project_slice: int = PROJECT_SLICE,
            memo: ProjectMemo | None = None,
            known_keys: KeyMemo | None = None) -> ConformResult:
    """Staging DataFrames (docs/design.md) → core DataFrames + conform findings.  `cohort`: the
    三企入桂 list rows; `unknown_source`: the rules setting, only to tell the clerk its effect;
    `previous_pairs`: the last build's scored pairs (reused when the matching keys are the same);
    `project_slice`: how many projects are worked out at a time (memory only, never the result);
    `memo`: the last build's per-project results, reused where a project's inputs are unchanged
    (speed only, never the result); `known_keys`: the matching keys of texts keyed by earlier
    builds with the same reference and code (speed only; the texts keyed now are added to it).
    The ledger may carry `row_hash` (`project_memo.ROW_HASH`):
    a digest of the row's other columns, which the memo then trusts in their place.
    """
    given = list(ledger.columns) if ledger is not None else []
    # reset_index copies: the caller's frame is never modified (and, when the caller passed its
    # only reference, freed here: at province scale every copy of the ledger is a gigabyte)
    ledger = ledger.reset_index(drop=True) if ledger is not None else pd.DataFrame()
    if ledger.empty:
        ledger = pd.DataFrame(columns=[
            "project_name", "investor", "unit_name", "period", "source_file", "source_sheet",
            "source_row", "row_ok",
        ])
    for col in ("source_sheet", "investor", "partners", "signed_on", "row_ok", "source",
                "in_library", "stage"):
        if col not in ledger:
            ledger[col] = True if col == "row_ok" else None
    matched = match_projects(ledger, ref, config, previous=previous_pairs, known_keys=known_keys)
    ledger = ledger.join(matched.rows)
    usable = ledger.loc[ledger["project_id"].notna()]
    kept, dup_findings = drop_duplicates(usable)
    del usable
    ledger["is_duplicate"] = ~ledger.index.isin(kept.index) & ledger["project_id"].notna()
    explain = dict(zip(matched.clusters["project_id"], matched.clusters["match_keys"], strict=True))
    per, frames = _per_project(kept, explain, ref, periods, below_threshold, unknown_source,
                               project_slice, memo, given)
    del kept
    projects = frames["dim_project"]
    cohort_facts = fact_cohort(cohort, ledger, normalizer_for(ref), config)
    found = ConformFindings(dup_findings, per.found, per.reused_findings,
                            cohort_findings(cohort_facts, projects, per.sanqi))
    return ConformResult(
        dim_unit=dim_unit(ref),
        dim_project=projects,
        bridge=frames["bridge"],
        fact_project_period=frames["facts"],
        fact_target=fact_target(targets, files, ref),
        fact_activity=fact_activity(activities, files, periods),
        fact_reserve_project=fact_reserve_project(reserve, files, periods),
        found=found,
        fact_cohort=cohort_facts,
        matched_ledger=ledger,
        scored_pairs=matched.scored,
        memo=per.memo,
        projects_reused=len(per.reused),
        reused_projects=frozenset(per.reused),
    )
