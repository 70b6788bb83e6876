"""Dagster asset: the period's marts → the 红黑榜通报 workbook and page in REPORTS_DIR."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.reports.excel import write_excel
from assets.reports.html import write_html
from assets.reports.tongbao import load_report_data
from runtime.metadata import OWNERS, asset_metadata, findings_by_severity, report_freshness
from runtime.partitions import monthly
from runtime.resources import DropFolderResource, WarehouseResource

MART_DEPS = [["marts", name] for name in (
    "target_progress", "city_summary", "four_rates", "red_black_list", "performance_assessment",
)]


@asset(
    key=["reports", "tongbao"],
    group_name="reports",
    partitions_def=monthly,
    deps=MART_DEPS,
    kinds={"excel", "html"},
    owners=OWNERS,
    freshness_policy=report_freshness(),
    description="招商引资工作红黑榜通报：红榜、黑榜、目标任务完成进度、四率及完成率图"
                "（Excel 与 HTML 各一份，写入 REPORTS_DIR）。",
)
def tongbao(context: AssetExecutionContext, warehouse: WarehouseResource,
            drop_folder: DropFolderResource) -> MaterializeResult:
    """Write `<period>_招商引资红黑榜通报.xlsx` and `.html` for the partition's period."""
    period = context.partition_key
    wh = warehouse.get()
    data = load_report_data(wh, period)
    out_dir = drop_folder.reports
    xlsx = write_excel(data, out_dir)
    html = write_html(data, out_dir)
    counts = data.row_counts
    context.log.info(f"通报已生成：{xlsx.name}、{html.name}")
    # the findings behind the figures of this 通报: the period's, of every stage
    severity = findings_by_severity(wh, None, period)
    ranking = data.ranking[[c for c in ("rank", "unit_name", "list_group", "score", "list")
                            if c in data.ranking.columns]]
    return MaterializeResult(metadata=asset_metadata(
        ranking, severity,
        period=period,
        excel_path=MetadataValue.path(str(xlsx)),
        html_path=MetadataValue.path(str(html)),
        red_units=counts["red"],
        black_units=counts["black"],
        progress_rows=counts["progress"],
        four_rates_rows=counts["four_rates"],
        ranking_rows=counts["ranking"],
        time_progress=MetadataValue.float(data.time_progress),
    ))
