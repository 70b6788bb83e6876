"""The 三企入桂 cohort list (rules.md "Cohort list", revision 2) → core.fact_cohort + findings.

Each list row is matched to a conformed project the way ledger rows are matched to each other
(`matching.match_to_projects`: the same keys, scores, vetoes and threshold).  A list row that
matches nothing keeps project_id NULL and is a `cohort_project_unmatched` warning; a project whose
ledgers flag it 三企入桂 but that is not on its year's list is a `cohort_flag_outside_list` info.
Years without a list: nothing here (the ledger flag defines the cohort, in the marts).
"""

from __future__ import annotations

import pandas as pd

from assets.conform.credit import int_or_none, row_finding, short_name, truthy
from assets.conform.matching import DEFAULT_CONFIG, MatchConfig, match_to_projects
from assets.conform.normalize import Normalizer
from runtime.findings import Finding, location

FACT_COHORT_COLUMNS = [
    "year", "project_id", "project_name", "investor", "signed_date", "contract_investment",
    "territorial_unit", "responsible_unit", "source_file", "source_sheet", "source_row",
    "match_keys",
]


def _value(value: object) -> object:
    try:
        return None if value is None or pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _list_rows(cohort: pd.DataFrame | None) -> pd.DataFrame:
    if cohort is None or cohort.empty:
        return pd.DataFrame(columns=FACT_COHORT_COLUMNS)
    rows = cohort
    if "row_ok" in rows:
        rows = rows.loc[truthy(rows["row_ok"], True)]
    rows = rows.loc[rows["year"].notna() & rows["project_name"].notna()].copy()
    rows["year"] = rows["year"].astype(int)
    rows["source_row"] = rows["source_row"].map(int_or_none)
    return rows.sort_values(["year", "source_file", "source_sheet", "source_row"],
                            kind="mergesort").reset_index(drop=True)


def fact_cohort(cohort: pd.DataFrame | None, matched: pd.DataFrame, norm: Normalizer,
                config: MatchConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """One row per list row, with the project it matched (None when none)."""
    rows = _list_rows(cohort)
    if rows.empty:
        return pd.DataFrame(columns=FACT_COHORT_COLUMNS)
    keys = matched.loc[matched["project_id"].notna() & ~truthy(
        matched.get("is_duplicate", pd.Series(False, index=matched.index)), False),
        ["name_key", "investor_key", "project_id"]] if not matched.empty else None
    found = match_to_projects(rows["project_name"].tolist(),
                              rows.get("investor", pd.Series(None, index=rows.index)).tolist(),
                              keys, norm, config)
    out = pd.DataFrame({
        "year": rows["year"].astype(object),
        "project_id": [pid for pid, _ in found],
        "project_name": rows["project_name"],
        "investor": rows.get("investor"),
        "signed_date": rows.get("signed_on"),
        "contract_investment": rows.get("contract_investment"),
        "territorial_unit": rows.get("territorial_unit"),
        "responsible_unit": rows.get("responsible_unit"),
        "source_file": rows["source_file"],
        "source_sheet": rows.get("source_sheet"),
        "source_row": rows["source_row"].astype(object),
        "match_keys": [why for _, why in found],
    })
    for col in FACT_COHORT_COLUMNS:
        if col not in out or out[col] is None:
            out[col] = None
    return out[FACT_COHORT_COLUMNS].astype(object).map(_value)


def cohort_findings(cohort: pd.DataFrame, projects: pd.DataFrame,
                    grouped: dict[str, list[dict]]) -> list[Finding]:
    """`cohort_project_unmatched` per unmatched list row; `cohort_flag_outside_list` per project
    flagged 三企入桂 in a ledger of a year whose list does not name it (at its first report of that
    year)."""
    out: list[Finding] = []
    if cohort.empty:
        return out
    for row in cohort.loc[cohort["project_id"].isna()].to_dict("records"):
        unit = row.get("territorial_unit")
        out.append(Finding(
            check_name="cohort_project_unmatched", stage="conform",
            message=f"{row['year']}年三企入桂清单 {location(row['source_file'], row['source_sheet'], row['source_row'])}："
                    f"项目「{short_name(row['project_name'])}」（{short_name(row.get('investor') or '签约企业未填')}）"
                    "在各单位报送的项目台账中找不到对应项目，四率暂无法统计该项目；"
                    f"请{unit or '属地单位'}核实是否已纳入项目台账、项目名称与签约企业是否一致。",
            unit_name=unit, source_file=row["source_file"], source_sheet=row.get("source_sheet"),
            source_row=int_or_none(row.get("source_row")), project_name=row["project_name"],
        ))
    flagged = projects.loc[projects["is_sanqi"].map(lambda v: v is True), ["project_id",
                                                                          "project_name"]]
    for year, listed in cohort.groupby("year"):
        on_list = set(listed["project_id"].dropna())
        for pid, name in zip(flagged["project_id"], flagged["project_name"], strict=True):
            first = next((r for r in grouped.get(pid, []) if str(r["period"])[:4] == str(year)),
                         None)
            if pid in on_list or first is None:
                continue
            out.append(row_finding(
                "cohort_flag_outside_list",
                f"{first['unit_name']} {first['period']} "
                f"{location(first.get('source_file'), first.get('source_sheet'), int_or_none(first.get('source_row')))}："
                f"项目「{short_name(name)}」在台账中标为三企入桂项目，但不在自治区下达的{year}年三企入桂清单中，"
                f"{year}年四率按清单统计、不含该项目；如清单有误请向上级核实。",
                first,
            ))
    return out
