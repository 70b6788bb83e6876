"""Dagster asset: the period's marts → the 红黑榜通报 in REPORTS_DIR: workbook, HTML page, Word
document, and a PDF printed from the HTML when a Chromium is installed."""

from dagster import AssetExecutionContext, BackfillPolicy, MaterializeResult, MetadataValue, asset

from assets.marts.common import FILE_COLUMNS
from assets.marts.submissions import period_has_submissions
from assets.reports.docx import write_docx
from assets.reports.excel import write_excel
from assets.reports.html import write_html
from assets.reports.pdf import find_chromium, write_pdf
from assets.reports.tongbao import load_report_data
from runtime.metadata import OWNERS, asset_metadata, findings_by_severity, report_freshness
from runtime.partitions import monthly, run_periods
from runtime.resources import DropFolderResource, WarehouseResource

MART_DEPS = [["marts", name] for name in (
    "target_progress", "city_summary", "four_rates", "red_black_list", "performance_assessment",
)]


@asset(
    key=["reports", "tongbao"],
    group_name="reports",
    partitions_def=monthly,
    backfill_policy=BackfillPolicy.single_run(),
    deps=MART_DEPS,
    kinds={"excel", "html", "pdf"},
    owners=OWNERS,
    freshness_policy=report_freshness(),
    description="招商引资工作红黑榜通报：正文、红榜、黑榜、目标任务完成进度、四率、绩效考评及"
                "完成率图（Excel、HTML、Word 各一份，有 Chromium 时另印 PDF，写入 REPORTS_DIR）。",
)
def tongbao(context: AssetExecutionContext, warehouse: WarehouseResource,
            drop_folder: DropFolderResource) -> MaterializeResult:
    """Write `<period>_招商引资红黑榜通报.xlsx`, `.html`, `.docx` (and `.pdf`) for the period; a
    range run (single-run backfill) writes each month's, except a month without submissions
    (its marts were not built: no 通报)."""
    wh = warehouse.get()
    periods = run_periods(context)
    if len(periods) == 1:
        return MaterializeResult(metadata=_report(context, wh, drop_folder.reports, periods[0]))
    files = wh.read(f"SELECT {', '.join(FILE_COLUMNS)} FROM staging.files")
    written = {p: _report(context, wh, drop_folder.reports, p)["excel_path"].value
               for p in periods if period_has_submissions(files, p)}
    return MaterializeResult(metadata={"periods": MetadataValue.json(sorted(written)),
                                       "excel_paths": MetadataValue.json(written)})


def _report(context, wh, out_dir, period: str) -> dict:
    data = load_report_data(wh, period)
    xlsx = write_excel(data, out_dir)
    html = write_html(data, out_dir)
    docx = write_docx(data, out_dir)
    pdf, pdf_note = _pdf(html)
    counts = data.row_counts
    written = "、".join(p.name for p in (xlsx, html, docx, pdf) if p is not None)
    context.log.info(f"通报已生成：{written}")
    if pdf is None:
        context.log.warning(pdf_note)
    # the findings behind the figures of this 通报: the period's, of every stage
    severity = findings_by_severity(wh, None, period)
    ranking = data.ranking[[c for c in ("rank", "unit_name", "list_group", "score", "list")
                            if c in data.ranking.columns]]
    return asset_metadata(
        ranking, severity,
        period=period,
        excel_path=MetadataValue.path(str(xlsx)),
        html_path=MetadataValue.path(str(html)),
        docx_path=MetadataValue.path(str(docx)),
        pdf=MetadataValue.path(str(pdf)) if pdf is not None else MetadataValue.text(pdf_note),
        assessment_rows=counts["assessment"],
        red_units=counts["red"],
        black_units=counts["black"],
        progress_rows=counts["progress"],
        four_rates_rows=counts["four_rates"],
        ranking_rows=counts["ranking"],
        time_progress=MetadataValue.float(data.time_progress),
    )


def _pdf(html):
    """(PDF path, None) or (None, why there is none)."""
    binary = find_chromium()
    if binary is None:
        return None, "未生成 PDF：本机未安装 Chromium（可安装 chromium，或用 CHROMIUM 指定其路径）"
    try:
        return write_pdf(html, binary), None
    except RuntimeError as exc:
        return None, f"未生成 PDF：{exc}"
