"""Dagster asset: the drop folder → staging (thin wrapper over assets/ingest/load.py)."""


from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.ingest.load import ingest
from runtime.metadata import OWNERS, preview, table_metadata
from runtime.partitions import monthly, run_periods
from runtime.resources import DropFolderResource, RunInputsResource, WarehouseResource
from runtime.warehouse import in_list

drop_folder_files = AssetSpec(
    key=["raw", "drop_folder"],
    description="报送目录（SUBMISSIONS_DIR）：targets/ 年度目标表与 YYYY-MM/ 月度报送工作簿。",
    group_name="ingest",
    kinds={"excel"},
    owners=OWNERS,
)


@asset(
    key=["staging", "submissions"],
    deps=[drop_folder_files],
    partitions_def=monthly,
    backfill_policy=BackfillPolicy.single_run(),  # the whole folder is read once for any range
    metadata=table_metadata("staging.files"),  # the registry; the row tables hang off it
    group_name="ingest",
    kinds={"python", "sql"},
    owners=OWNERS,
    description=(
        "读取报送目录中的全部工作簿，登记到 staging.files（哈希未变的文件不重复解析，"
        "更正文件取代旧文件），并把台账、活动、储备项目和目标表的每一行连同文件、工作表、行号写入 staging。"
        "每次运行都使 staging 与整个报送目录一致，因此任一月份的集市都不取决于运行顺序。"
    ),
)
def staging_submissions(
    context: AssetExecutionContext, warehouse: WarehouseResource, drop_folder: DropFolderResource,
    inputs: RunInputsResource,
) -> MaterializeResult:
    wh = warehouse.get()
    # The whole folder, not just this month: a later month can correct an earlier one (a
    # signing date, a resubmission), and a period's marts must not depend on run order.
    summary = ingest(wh, drop_folder.root, inputs=inputs.load())
    for problem in summary.problems:
        context.log.warning(f"隔离文件 {problem}")
    marker, months = in_list("m", run_periods(context))
    files = wh.read(
        "SELECT source_file, unit_name, kind, status, rows_loaded FROM staging.files "
        f"WHERE folder_month IN {marker} OR folder_month = 'targets' ORDER BY source_file",
        months,
    )
    return MaterializeResult(
        metadata={
            "files_seen": summary.files_seen,
            "files_parsed": summary.files_parsed,
            "files_unchanged": summary.files_unchanged,
            "files_by_status": MetadataValue.json(summary.status_counts),
            "rows_written": MetadataValue.json(summary.rows_written),
            "findings_by_severity": MetadataValue.json(summary.findings_by_severity),
            "seconds_reading": round(summary.seconds_reading, 2),
            "seconds_total": round(summary.seconds_total, 2),
            "preview": preview(files, 15),
        }
    )
