"""Dagster asset checks: GX suites on staging and core, plus the 合计 check on target tables.

Checks on the core tables guard the marts and are blocking (a failure stops the marts from
being rebuilt, so the previous marts stay in place); checks on staging warn.  Each result
carries the failing count and a sample of failing values in its metadata.
"""


from decimal import Decimal

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from assets.conform.normalize import normalize
from quality import suites
from quality.gx_runner import SuiteOutcome, run_suite
from runtime.findings import location, mask_phones
from runtime.reference import Reference
from runtime.resources import RunInputsResource, WarehouseResource


def failing_locations(df: pd.DataFrame, outcome: SuiteOutcome, limit: int = 5) -> list[str]:
    """Where the failing values are: '2021-02/融水县.xlsx「项目表」第4行 funds_this_year=3000'
    for tables that keep their source cell (so the CLI line names the files and cells)."""
    if "source_file" not in df.columns:
        return []
    out: list[str] = []
    for o in outcome.outcomes:
        if o.success or not o.column or o.column not in df.columns or not o.sample:
            continue
        hits = df[df[o.column].astype(str).isin(set(o.sample))]
        for row in hits.head(limit - len(out)).itertuples(index=False):
            rec = row._asdict()
            where = location(rec.get("source_file"), rec.get("source_sheet"),
                             int(rec["source_row"]) if pd.notna(rec.get("source_row")) else None)
            out.append(mask_phones(f"{where} {o.column}={rec[o.column]}"))
        if len(out) >= limit:
            break
    return out


def _result(outcome: SuiteOutcome, blocking: bool, locations: list[str] | None = None
            ) -> AssetCheckResult:
    failing = [o for o in outcome.outcomes if not o.success]
    return AssetCheckResult(
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
        description=(
            f"{outcome.suite}: {len(outcome.outcomes)} 项期望全部通过" if not failing else
            f"{outcome.suite}: {len(failing)} 项期望未通过，共 {outcome.failing_count} 个不合格值"
        ),
        metadata={
            "rows_checked": outcome.rows,
            "failing_count": outcome.failing_count,
            "failing_expectations": MetadataValue.json([
                {"expectation": o.expectation, "column": o.column,
                 "unexpected_count": o.unexpected_count,
                 "sample": [mask_phones(s) for s in o.sample]}
                for o in failing
            ]),
            "locations": MetadataValue.json(locations or []),
        },
    )


def staging_ledger_frame(wh, ref: Reference) -> pd.DataFrame:
    df = wh.read(
        "SELECT source_file, source_row, unit_name, period, project_name, stage, "
        "total_investment, funds_this_year FROM staging.ledger_rows WHERE row_ok AND file_id IN "
        "(SELECT file_id FROM staging.files WHERE status = 'loaded')"
    )
    df["match_name"] = [normalize(n, ref) for n in df["project_name"]]
    for col in ("total_investment", "funds_this_year"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


@asset_check(asset=["staging", "submissions"], blocking=False,
             description="台账行：关键字段非空、单位与阶段可识别、金额在合理范围、同单位同月无重复项目。")
def staging_ledger_rows_valid(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource, inputs: RunInputsResource
) -> AssetCheckResult:
    ref = inputs.load().reference
    df = staging_ledger_frame(warehouse.get(), ref)
    return _result(run_suite("staging_ledger_rows", df, suites.staging_ledger_rows(ref)),
                   blocking=False)


def target_total_differences(targets: pd.DataFrame) -> list[dict]:
    """Per file and indicator, where the 合计 row differs from the sum of the unit rows."""
    out = []
    for (source_file, indicator), grp in targets.groupby(["source_file", "indicator"]):
        totals = grp[grp["is_total_row"].astype(bool)]
        rows = grp[~grp["is_total_row"].astype(bool)]
        if totals.empty:
            continue
        stated = Decimal(str(totals["target"].iloc[0]))
        summed = sum((Decimal(str(v)) for v in rows["target"].dropna()), Decimal(0))
        if stated != summed:
            out.append({"source_file": source_file, "indicator": indicator,
                        "total_row": str(stated), "sum_of_rows": str(summed)})
    return out


@asset_check(asset=["staging", "submissions"], blocking=False,
             description="目标任务分解表的合计行等于各单位行之和。")
def target_totals_match(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    targets = warehouse.get().read(
        "SELECT source_file, indicator, target, is_total_row FROM staging.target_rows "
        "WHERE file_id IN (SELECT file_id FROM staging.files WHERE status = 'loaded')"
    )
    diffs = target_total_differences(targets)
    return AssetCheckResult(
        passed=not diffs,
        severity=AssetCheckSeverity.WARN,
        description="合计行与明细一致" if not diffs else f"{len(diffs)} 处合计行与明细之和不符",
        metadata={"failing_count": len(diffs), "sample": MetadataValue.json(diffs[:10])},
    )


def _core_check(table: str, suite_fn, name: str, description: str):
    @asset_check(asset=["core", table], name=name, blocking=True, description=description)
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource,
               inputs: RunInputsResource):
        df = warehouse.get().read(f"SELECT * FROM core.{table}")
        for col in df.columns:
            if col in ("total_investment", "funds_this_year", "funds_cumulative", "target"):
                df[col] = pd.to_numeric(df[col], errors="coerce")
        outcome = run_suite(f"core_{table}", df, suite_fn(inputs.load().reference))
        return _result(outcome, blocking=True, locations=failing_locations(df, outcome))

    return _check


asset_checks = [
    staging_ledger_rows_valid,
    target_totals_match,
    _core_check("dim_project", suites.core_dim_project, "dim_project_valid",
                "项目维表：编号非空且唯一、属地为县区开发区、签约月份格式正确。"),
    _core_check("bridge_project_unit", suites.core_bridge, "bridge_valid",
                "桥表：单位可识别、角色合法、每个项目每个单位只计一次。"),
    _core_check("fact_project_period", suites.core_fact_project_period, "fact_project_period_valid",
                "项目月度事实：每个项目每期一行、阶段合法、到位资金在合理范围。"),
    _core_check("fact_target", suites.core_fact_target, "fact_target_valid",
                "目标：单位与指标可识别、目标值非负。"),
]
