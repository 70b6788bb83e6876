"""Metadata helpers shared by the assets: row counts, findings by severity, a markdown head."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from dagster import MetadataValue, TableColumn, TableColumnConstraints, TableSchema

from runtime.findings import mask_phones
from runtime.warehouse import in_list

OWNERS = ["team:data-engineering"]


def preview(df: pd.DataFrame, rows: int = 10) -> MetadataValue:
    """A markdown table of the first rows, phone numbers masked (it is shown in the UI)."""
    if df is None or df.empty:
        return MetadataValue.md("_(无数据)_")
    head = df.head(rows).astype(object).where(df.head(rows).notna(), "")
    return MetadataValue.md(mask_phones(head.to_markdown(index=False)))


def findings_by_severity(wh, stage: str | None,
                         period: str | list[str] | None = None) -> dict[str, int]:
    """Findings in quality.findings by severity, of one stage (all stages when None).

    With a period (or the months of a range run): the findings of it plus those that belong to
    no period, each counted once.
    """
    sql = "SELECT severity, COUNT(*) AS n FROM quality.findings WHERE 1 = 1"
    params: dict[str, str] = {}
    if stage:
        sql += " AND stage = :s"
        params["s"] = stage
    if period:
        marker, in_params = in_list("p", [period] if isinstance(period, str) else period)
        sql += f" AND (period IN {marker} OR period IS NULL)"
        params.update(in_params)
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


def report_freshness():
    """The freshness policy of the marts and the 通报: materialised within
    `schedule.report_window_days` before each `schedule.report_deadline_cron` tick (Asia/Shanghai),
    else the UI shows them overdue.  None when the rules file is broken (the run reports it)."""
    from runtime.settings import Settings

    path = Settings.from_env().rules_file  # the configured RULES_FILE
    try:
        stat = path.stat()
    except OSError:
        return None
    return _freshness_of(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _freshness_of(path: str, mtime_ns: int, size: int):
    """One rules load per version of the file, not one per asset definition (every mart and
    report asks at import)."""
    from datetime import timedelta

    from dagster import FreshnessPolicy

    from runtime.rules import RulesError, load_rules

    try:
        rules = load_rules(path)
    except RulesError:
        return None
    return FreshnessPolicy.cron(deadline_cron=rules.report_deadline_cron,
                                lower_bound_delta=timedelta(days=rules.report_window_days),
                                timezone="Asia/Shanghai")


@lru_cache(maxsize=1)
def column_schemas() -> dict[str, TableSchema]:
    """table ('schema.name') → its columns, types and Chinese comments, read from the DDL itself
    (run in an in-memory DuckDB), so the UI shows exactly what warehouse_sql/ declares."""
    import duckdb

    from runtime.warehouse import ddl_statements

    con = duckdb.connect()
    try:
        for stmt in ddl_statements():
            con.execute(stmt)
        rows = con.execute(
            "SELECT schema_name || '.' || table_name, column_name, data_type, comment, is_nullable "
            "FROM duckdb_columns() WHERE NOT internal ORDER BY schema_name, table_name, "
            "column_index").fetchall()
    finally:
        con.close()
    columns: dict[str, list[TableColumn]] = {}
    for table, name, dtype, comment, nullable in rows:
        columns.setdefault(table, []).append(TableColumn(
            name=name, type=dtype.lower(), description=comment or None,
            constraints=TableColumnConstraints(nullable=bool(nullable))))
    return {table: TableSchema(columns=cols) for table, cols in columns.items()}


def table_metadata(table: str) -> dict:
    """Definition metadata of a table asset: `dagster/column_schema` and `dagster/table_name`."""
    schema = column_schemas().get(table)  # None: not in the DDL (a test requires every one)
    return {"dagster/table_name": table} | ({"dagster/column_schema": schema} if schema else {})
