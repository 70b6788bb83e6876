"""The 三企入桂 cohort list (submissions.md kind 5, revision 2) → staging.cohort_rows.

The 自治区 hands the city its yearly list of 三企入桂 signed projects ("三企入桂签约项目清单"); the office
drops it into targets/.  One row per project: 项目名称, 投资方 / 签约企业, 签约时间, 合同投资额（亿元）,
属地 and often 责任单位.  The year comes from the title, else the file name.  Matching the rows to
reported projects is the conform layer's business (assets/conform/cohort.py).
"""

from __future__ import annotations

from typing import Any

from assets.ingest.common import Context, SheetResult, data_rows, parse_row_fields, short
from assets.ingest.detect import detect_year
from assets.ingest.header import Header, load_columns


def _unit(ctx: Context, text: str | None) -> str | None:
    """A 属地 / 责任单位 cell → canonical unit ("鹿寨县", "柳州市鹿寨县"), None when unknown (a
    containing match would read 自治区投资促进局 as 市投资促进局)."""
    return ctx.ref.resolve_unit(text) if text else None


def row_where(ctx: Context, sheet: str, row: int | None = None) -> str:
    """'三企入桂清单「Sheet1」第5行' — the list comes from the 自治区, not from a unit."""
    return f"{ctx.file_name}「{sheet}」" + (f"第{row}行" if row else "")


def parse_cohort_sheet(
    sheet_name: str, grid: list[list[Any]], copies: set[tuple[int, int]], header: Header,
    ctx: Context, title_lines: list[str],
) -> SheetResult:
    """One row per listed project: year, project_name, investor, signed_on, contract_investment
    (亿元), territorial_unit and responsible_unit (canonical units; the cell text in `*_raw`)."""
    spec = load_columns()["cohort_list"]
    result = SheetResult()
    year = detect_year(title_lines, ctx.file_name)
    for excel_row, values, _total in data_rows(
        sheet_name, grid, copies, header, spec, "project_name", ctx, result,
        ("contract_investment",),
    ):
        row, problems, _ = parse_row_fields(values, header, spec, ctx.ref)
        name = row["project_name"]
        where = row_where(ctx, sheet_name, excel_row)
        for _, problem in problems:
            result.findings.append(ctx.finding(
                problem.check_name,
                f"{where}：三企入桂清单项目「{short(name)}」{problem.message}，请核实。",
                sheet_name, excel_row, name,
            ))
        for field_name in ("territorial_unit", "responsible_unit"):
            text = row[field_name]
            row[field_name] = _unit(ctx, text)
            if text and row[field_name] is None:
                label = "属地" if field_name == "territorial_unit" else "责任单位"
                result.findings.append(ctx.finding(
                    "unknown_unit",
                    f"{where}：三企入桂清单项目「{short(name)}」的{label}「{short(text)}」不在单位参考表中，"
                    "请核实单位名称。",
                    sheet_name, excel_row, name, "warning",
                ))
        row.update({
            "year": year,
            "source_file": ctx.rel_path,
            "source_sheet": sheet_name,
            "source_row": excel_row,
            "row_ok": bool(name) and year is not None,
        })
        result.rows.append(row)
    if year is None:
        result.findings.append(ctx.finding(
            "invalid_value",
            f"{row_where(ctx, sheet_name)}：无法从标题或文件名中识别三企入桂清单的年度，请在标题中注明年份"
            "（如“2022年三企入桂签约项目清单”）；该清单未纳入四率统计。",
            sheet_name,
        ))
    return result
