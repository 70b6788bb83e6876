"""Conformed facts: project × period figures, targets, activities and reserve projects.

Pure functions over staging DataFrames (docs/design.md).  Amount columns keep `Decimal` objects.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from assets.conform.credit import truthy
from assets.conform.sources import in_library
from runtime.reference import Reference
from runtime.values import as_flag

FACT_PROJECT_PERIOD_COLUMNS = [
    "project_id", "period", "reported_by", "status", "stage", "total_investment",
    "funds_this_year", "funds_cumulative", "source_file", "source_sheet", "source_row",
    "report_period", "is_territorial_report", "in_library",
]
FACT_TARGET_COLUMNS = [
    "year", "unit_name", "indicator", "target", "sub_unit", "source_file", "source_sheet",
    "source_row", "is_total_row",
]
FACT_ACTIVITY_COLUMNS = [
    "period", "unit_name", "activity_date", "activity_name", "activity_type", "leader",
    "led_by_principal", "enterprises_docked", "source_file", "source_sheet", "source_row",
    "place", "remarks", "file_period",
]
FACT_RESERVE_COLUMNS = [
    "period", "unit_name", "project_name", "chain", "planned_investment", "entered_on", "status",
    "source_file", "source_sheet", "source_row", "stage", "file_period",
]
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _value(row: dict, name: str) -> object:
    value = row.get(name)
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def fact_rows(grouped: dict[str, list[dict]], territorial: dict[str, str | None],
              periods: list[str]) -> list[dict]:
    """The fact_project_period rows (FACT_PROJECT_PERIOD_COLUMNS) of the projects of `grouped`
    (`reports_by_project`), project by project, each by month: one row per project and period P
    (year Y) when the project was reported in [Y-01, P]: the territorial unit's latest report in
    that range, else the latest report of any unit (ties: later period, then later file name)."""
    out: list[dict] = []
    periods = sorted(p for p in periods if _MONTH.match(str(p)))
    for pid, records in grouped.items():
        terr = territorial.get(pid)
        by_year: dict[str, list[dict]] = {}
        for rec in records:
            by_year.setdefault(str(rec["period"])[:4], []).append(rec)
        for year, recs in sorted(by_year.items()):
            pos = 0
            best_any: dict | None = None
            best_terr: dict | None = None
            for period in periods:
                if period[:4] != year:
                    continue
                while pos < len(recs) and str(recs[pos]["period"]) <= period:
                    best_any = recs[pos]
                    if terr is not None and recs[pos]["unit_name"] == terr:
                        best_terr = recs[pos]
                    pos += 1
                chosen = best_terr or best_any
                if chosen is None:
                    continue
                out.append({
                    "project_id": pid,
                    "period": period,
                    "reported_by": chosen["unit_name"],
                    "status": _value(chosen, "status"),
                    "stage": _value(chosen, "stage"),
                    "total_investment": _value(chosen, "total_investment"),
                    "funds_this_year": _value(chosen, "funds_this_year"),
                    "funds_cumulative": _value(chosen, "funds_cumulative"),
                    "source_file": chosen.get("source_file"),
                    "source_sheet": chosen.get("source_sheet"),
                    "source_row": _int_or_none(chosen.get("source_row")),
                    "report_period": chosen["period"],
                    "is_territorial_report": chosen is best_terr,
                    "in_library": in_library(chosen.get("in_library")),
                })
    return out


def _int_or_none(value: object) -> int | None:
    try:
        return None if value is None or pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return None


def _excluded_files(files: pd.DataFrame | None) -> set[str]:
    if files is None or files.empty or "status" not in files:
        return set()
    # by path: a file replaced in place keeps its path, so its new version must not be excluded
    loaded = files["status"] == "loaded"
    return set(files.loc[~loaded, "source_file"].astype(str)) - set(
        files.loc[loaded, "source_file"].astype(str))


def fact_target(targets: pd.DataFrame, files: pd.DataFrame | None,
                ref: Reference) -> pd.DataFrame:
    """Unit rows of the target tables; the 合计 row of a table whose unit rows are all districts is
    stored as unit 柳州市 (the city target); other 合计 rows are dropped (only checked at ingest)."""
    if targets is None or targets.empty:
        return pd.DataFrame(columns=FACT_TARGET_COLUMNS)
    t = targets.loc[~targets["source_file"].astype(str).isin(_excluded_files(files))].copy()
    if "row_ok" in t:
        t = t.loc[truthy(t["row_ok"], True)]
    total = truthy(t["is_total_row"], False)
    city = next((u.name for u in ref.units.values() if u.type == "city"), "柳州市")
    keep = t.loc[~total & t["unit_name"].notna()].copy()
    keep["is_total_row"] = False
    parts = [keep]
    table_keys = ["source_file", "source_sheet"]
    for _key, tab in t.groupby(table_keys, sort=True, dropna=False):
        units = tab.loc[~truthy(tab["is_total_row"], False), "unit_name"].dropna()
        if units.empty:
            continue
        if all(ref.units.get(u) is not None and ref.units[u].type == "district" for u in units):
            tot = tab.loc[truthy(tab["is_total_row"], False)].copy()
            if not tot.empty:
                tot["unit_name"] = city
                tot["sub_unit"] = None
                tot["is_total_row"] = True
                parts.append(tot)
    result = pd.concat(parts, ignore_index=True)
    for col in FACT_TARGET_COLUMNS:
        if col not in result:
            result[col] = None
    result["source_row"] = result["source_row"].map(_int_or_none).astype(object)
    result = result.sort_values(["year", "unit_name", "indicator", "source_file", "source_row"],
                                kind="mergesort")
    return result[FACT_TARGET_COLUMNS].reset_index(drop=True)


def _latest_files(rows: pd.DataFrame, files: pd.DataFrame | None, kind: str,
                  periods: list[str]) -> list[tuple[str, str, str, str]]:
    """(period P, unit, source_file, file's month) of each unit's latest `kind` file of P's year
    up to P."""
    cand: dict[str, tuple[str, str]] = {}  # source_file -> (unit, month)
    excluded = _excluded_files(files)
    if files is not None and not files.empty:
        f = files.loc[(files.get("kind") == kind)] if "kind" in files else files.iloc[0:0]
        if "status" in f:
            f = f.loc[f["status"] == "loaded"]
        for rec in f.to_dict("records"):
            month = str(rec.get("folder_month") or "")
            if _MONTH.match(month) and rec.get("unit_name"):
                cand[str(rec["source_file"])] = (rec["unit_name"], month)
    if rows is not None and not rows.empty:
        for rec in rows[["source_file", "unit_name", "period"]].drop_duplicates().to_dict(
                "records"):
            src = str(rec["source_file"])
            if src in excluded or src in cand:
                continue
            if _MONTH.match(str(rec["period"])) and rec["unit_name"]:
                cand[src] = (rec["unit_name"], str(rec["period"]))
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for src, (unit, month) in cand.items():
        by_unit.setdefault(unit, []).append((month, src))
    out = []
    for unit, lst in sorted(by_unit.items()):
        lst.sort()
        for period in sorted(p for p in periods if _MONTH.match(str(p))):
            eligible = [x for x in lst if x[0][:4] == period[:4] and x[0] <= period]
            if eligible:
                month, src = eligible[-1]
                out.append((period, unit, src, month))
    return out


def _rows_of_latest(rows: pd.DataFrame, files: pd.DataFrame | None, kind: str,
                    periods: list[str], columns: list[str], dedupe: list[str] | None
                    ) -> pd.DataFrame:
    if rows is None:
        rows = pd.DataFrame(columns=["source_file", "unit_name", "period"])
    usable = rows
    if "row_ok" in usable and not usable.empty:
        usable = usable.loc[truthy(usable["row_ok"], True)]
    # every file's rows in sheet/row order, each file's rows together (one stable sort, not one
    # per file: thousands of files at province scale), de-duplicated once per file
    spans: dict[str, tuple[int, int]] = {}
    if not usable.empty:
        usable = usable.assign(_file=usable["source_file"].astype(str)).sort_values(
            ["_file", "source_sheet", "source_row"], kind="mergesort")
        if dedupe:
            usable = usable.drop_duplicates(["_file", *dedupe], keep="first")
        files_in_order = usable["_file"].to_numpy()
        starts = np.flatnonzero(np.r_[True, files_in_order[1:] != files_in_order[:-1]])
        ends = np.r_[starts[1:], len(files_in_order)]
        spans = {files_in_order[a]: (a, b) for a, b in zip(starts, ends, strict=True)}
    chosen = [(period, unit, src, month)
              for period, unit, src, month in _latest_files(rows, files, kind, periods)
              if src in spans]
    if not chosen:
        return pd.DataFrame(columns=columns)
    # the chosen files' rows, each file's period / unit / file month repeated over them
    take = [np.arange(*spans[src]) for _, _, src, _ in chosen]
    sizes = [len(t) for t in take]
    result = usable.iloc[np.concatenate(take)].reset_index(drop=True)
    for col, pos in (("period", 0), ("unit_name", 1), ("file_period", 3)):
        result[col] = np.repeat(np.array([c[pos] for c in chosen], dtype=object), sizes)
    for col in columns:
        if col not in result:
            result[col] = None
    result["source_row"] = result["source_row"].map(_int_or_none).astype(object)
    return result[columns].reset_index(drop=True)


def fact_activity(activities: pd.DataFrame, files: pd.DataFrame | None,
                  periods: list[str]) -> pd.DataFrame:
    """For every period P and unit: the activities of the unit's latest activity file of P's year
    up to P, de-duplicated by (activity_date, activity_name)."""
    result = _rows_of_latest(activities, files, "activity_ledger", periods,
                             FACT_ACTIVITY_COLUMNS, ["activity_date", "activity_name"])
    if "led_by_principal" in result and not result.empty:
        result["led_by_principal"] = result["led_by_principal"].map(as_flag).astype(object)
    return result


def fact_reserve_project(reserve: pd.DataFrame, files: pd.DataFrame | None,
                         periods: list[str]) -> pd.DataFrame:
    """For every period P and unit: the reserve/packaged projects of the unit's latest such file
    of P's year up to P."""
    return _rows_of_latest(reserve, files, "reserve_projects", periods, FACT_RESERVE_COLUMNS,
                           None)
