"""Revision 2 project attributes: where the money comes from (投资来源) and the signing month.

Pure functions over a project's reports (dicts in report order, as `credit.reports_by_project`):

- `project_source`: the 投资来源 of the project's preferred report (the territorial unit's latest,
  then every other unit's latest) that the place table knows; failing that the first non-empty one
  (classified `unknown`); failing that none (`unknown`).
- `signed_month`: domain.md "Signing month" — the month of a signing date written with month
  precision (the earliest, when reports disagree); otherwise the period of the first report in
  which the project is signed (stage 签约 or later) or 入库; None while it never was.
- `source_findings`: `inside_region_project` (info, once per project at its first report) and
  `unknown_source` (warning, per project and period at the conformed row of that period).
"""

from __future__ import annotations

import re

import pandas as pd

from assets.conform.credit import row_finding, row_where, short_name
from runtime.findings import Finding
from runtime.reference import Reference, parse_flag
from runtime.values import is_blank

_MONTH = re.compile(r"^(\d{4})-(\d{2})")
SIGNED_FROM = "签约"  # stage 签约 or later (by reference/stages.csv rank) means signed


def project_source(preferred: list[dict], ref: Reference) -> tuple[str | None, str]:
    """(source_region, source_class) of a project from its reports in preference order."""
    fallback: tuple[str | None, str] | None = None
    for rec in preferred:
        raw = rec.get("source")
        if is_blank(raw):
            continue
        region, cls = ref.classify_source(raw)
        if cls != "unknown":
            return region, cls
        fallback = fallback or (region, cls)
    return fallback or (None, "unknown")


def in_library(value: object) -> bool | None:
    """The staged 入库 flag (bool, numpy bool, None/NaN, or text from an older staging)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":
        return bool(value)
    return parse_flag(value)


def is_signed(rec: dict, ref: Reference) -> bool:
    """The report says the project is signed (stage 签约 or later, not 退库) or 入库."""
    stage = rec.get("stage")
    rank = ref.stage_rank.get(stage) if isinstance(stage, str) else None
    return (rank is not None and rank >= ref.stage_rank[SIGNED_FROM]) or bool(
        in_library(rec.get("in_library")))


def signed_month(records: list[dict], ref: Reference) -> str | None:
    """'YYYY-MM' (see the module docstring); `records` in report order."""
    dated = sorted(
        f"{m.group(1)}-{m.group(2)}"
        for r in records
        if isinstance(r.get("signed_on"), str) and (m := _MONTH.match(r["signed_on"]))
    )
    if dated:
        return dated[0]
    return next((str(r["period"]) for r in records if is_signed(r, ref)), None)


def inside_region_findings(projects: pd.DataFrame, grouped: dict[str, list[dict]]
                           ) -> list[Finding]:
    """One `inside_region_project` info per 区内 project, at its first report."""
    out = []
    for pid, name, region, cls in zip(projects["project_id"], projects["project_name"],
                                      projects["source_region"], projects["source_class"],
                                      strict=True):
        rows = grouped.get(pid)
        if cls != "inside_region" or not rows:
            continue
        first = rows[0]
        out.append(row_finding(
            "inside_region_project",
            f"{row_where(first)}：项目「{short_name(name)}」投资来源为「{region}」，属区内项目，"
            "按“区外境内”统计口径保留在仓库中但不计入任何指标。",
            first,
        ))
    return out


UNKNOWN_SOURCE_EFFECT = {  # rules `indicators.unknown_source` (rev2-marts) → what the clerk is told
    "exclude": "按规则暂不计入任何指标",
    "include": "按规则暂按区外境内项目计入",
}


def unknown_source_findings(projects: pd.DataFrame, facts: pd.DataFrame,
                            unknown_source: str = "exclude") -> list[Finding]:
    """One `unknown_source` warning per project of unknown source and period, naming the row the
    period's figures come from.  Projects below the 统计起点 count nowhere anyway: not repeated."""
    effect = UNKNOWN_SOURCE_EFFECT.get(unknown_source, UNKNOWN_SOURCE_EFFECT["exclude"])
    unknown = projects.loc[(projects["source_class"] == "unknown")
                           & ~projects["below_threshold"].map(lambda v: v is True)]
    if unknown.empty or facts.empty:
        return []
    names = dict(zip(unknown["project_id"], unknown["project_name"], strict=True))
    regions = dict(zip(unknown["project_id"], unknown["source_region"], strict=True))
    out = []
    for row in facts.loc[facts["project_id"].isin(names)].to_dict("records"):
        pid = row["project_id"]
        written = regions[pid]
        why = ("投资来源为空" if written is None
               else f"投资来源「{written}」不在地名参考表中")
        at = {**row, "unit_name": row["reported_by"], "project_name": names[pid]}
        out.append(row_finding(
            "unknown_source",
            f"{row_where(at)}：项目「{short_name(names[pid])}」{why}，无法判断是否区外境内项目，"
            f"{effect}；请补填投资来源（省、市或国家/地区，如“广东佛山”“香港”）。",
            at,
        ))
    return out
