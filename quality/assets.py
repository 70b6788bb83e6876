"""The `quality` group: quality.findings as an asset of its own, with a check on it.

Every stage writes its findings into quality.findings; this asset reads the period's findings
after the marts, so the UI shows them as one table in the `quality` group with counts by check,
and its check fails (as a warning) when the period has errors a clerk must correct.
"""


from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from runtime.metadata import OWNERS, asset_metadata, findings_by_severity, table_metadata
from runtime.partitions import monthly, run_periods
from runtime.resources import WarehouseResource
from runtime.warehouse import in_list

MART_KEYS = [["marts", m] for m in ("target_progress", "city_summary", "four_rates",
                                      "red_black_list", "performance_assessment")]
_PERIOD_FINDINGS = ("SELECT * FROM quality.findings WHERE period IN {months} OR period IS NULL "
                    "ORDER BY period, severity, check_name, source_file, source_row")


@asset(
    key=["quality", "findings"],
    group_name="quality",
    partitions_def=monthly,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[["staging", "submissions"], ["core", "fact_project_period"], *MART_KEYS],
    kinds={"sql"},
    owners=OWNERS,
    metadata=table_metadata("quality.findings"),
    description="数据质量问题清单：本期（及不属于某一期的）采集、整合、集市各环节发现的问题，"
                "每条为办事员可据以整改的中文说明。",
)
def quality_findings(context: AssetExecutionContext,
                     warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    periods = run_periods(context)  # a range run (single-run backfill): all its months
    marker, params = in_list("p", periods)  # one query for every month of a range run
    rows = wh.read(_PERIOD_FINDINGS.format(months=marker), params)
    period = periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
    by_check = rows.groupby(["check_name", "severity"]).size() if len(rows) else None
    counts = ({f"{c}（{s}）": int(n) for (c, s), n in by_check.items()}
              if by_check is not None else {})
    columns = ["severity", "check_name", "unit_name", "source_file", "source_row", "message"]
    return MaterializeResult(metadata=asset_metadata(
        rows[columns] if len(rows) else rows, findings_by_severity(wh, None, periods),
        period=period, findings_by_check=MetadataValue.json(counts),
    ))


@asset_check(asset=["quality", "findings"], blocking=False,
             description="本期没有“错误”级别的数据质量问题（有则需报送单位更正）。")
def no_error_findings(context: AssetCheckExecutionContext,
                      warehouse: WarehouseResource) -> AssetCheckResult:
    wh = warehouse.get()
    errors = findings_by_severity(wh, None, run_periods(context))["error"]
    return AssetCheckResult(
        passed=errors == 0,
        severity=AssetCheckSeverity.WARN,
        description="本期没有错误级别的问题" if not errors
        else f"本期有 {errors} 条错误级别的数据质量问题，见 quality.findings",
        metadata={"failing_count": errors},
    )
