"""Metadata helpers shared by the assets: row counts, findings by severity, a markdown head."""

from __future__ import annotations

import pandas as pd
from dagster import MetadataValue

from runtime.findings import mask_phones

OWNERS = ["team:data-engineering"]


def preview(df: pd.DataFrame, rows: int = 10) -> MetadataValue:
    """A markdown table of the first rows, phone numbers masked (it is shown in the UI)."""
    if df is None or df.empty:
        return MetadataValue.md("_(无数据)_")
    head = df.head(rows).astype(object).where(df.head(rows).notna(), "")
    return MetadataValue.md(mask_phones(head.to_markdown(index=False)))


def findings_by_severity(wh, stage: str | None, period: str | None = None) -> dict[str, int]:
    """Findings in quality.findings by severity, of one stage (all stages when None).

    With a period: the findings of that period plus those that belong to no period.
    """
    sql = "SELECT severity, COUNT(*) AS n FROM quality.findings WHERE 1 = 1"
    params: dict[str, str] = {}
    if stage:
        sql += " AND stage = :s"
        params["s"] = stage
    if period:
        sql += " AND (period = :p OR period IS NULL)"
        params["p"] = period
    df = wh.read(sql + " GROUP BY severity", params)
    counts = {"error": 0, "warning": 0, "info": 0}
    counts.update({str(k): int(v) for k, v in zip(df["severity"], df["n"])})
    return counts


def asset_metadata(df: pd.DataFrame, severity: dict[str, int], **extra) -> dict:
    """The metadata every materialisation reports: row count, findings by severity, preview."""
    return {
        "dagster/row_count": int(0 if df is None else len(df)),
        "findings_by_severity": MetadataValue.json(severity),
        **extra,
        "preview": preview(df),
    }
