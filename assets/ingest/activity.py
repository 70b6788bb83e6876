"""Activity ledgers (招商活动台账 / 科技招商工作进度统计表) → staging.activity_rows rows + findings."""

from __future__ import annotations

from typing import Any

from assets.ingest.common import Context, SheetResult, data_rows, parse_row_fields, short
from assets.ingest.header import Header, load_columns


def parse_activity_sheet(
    sheet_name: str, grid: list[list[Any]], copies: set[tuple[int, int]], header: Header,
    ctx: Context,
) -> SheetResult:
    """One row per activity: activity_date, activity_name, activity_type, leader,
    led_by_principal, enterprises_docked, place, remarks (each with `<field>_raw`)."""
    spec = load_columns(ctx.ref.directory)["activity_ledger"]
    result = SheetResult()
    for excel_row, values, _total in data_rows(
        sheet_name, grid, copies, header, spec, "activity_name", ctx, result,
        ("enterprises_docked",),
    ):
        row, problems, _ = parse_row_fields(values, header, spec, ctx.ref, excel_row)
        name = row["activity_name"]
        where = ctx.where(sheet_name, excel_row)
        for _, problem in problems:
            result.findings.append(
                ctx.finding(
                    problem.check_name,
                    f"{where}：活动「{short(name)}」{problem.message}，请核实更正。",
                    sheet_name, excel_row, name,
                )
            )
        if row["activity_date"] is None and row["activity_date_raw"] is None:
            result.findings.append(
                ctx.finding(
                    "invalid_date", f"{where}：活动「{short(name)}」没有填写活动日期，请补填。",
                    sheet_name, excel_row, name,
                )
            )
        row.update(
            {
                "source_file": ctx.rel_path,
                "source_sheet": sheet_name,
                "source_row": excel_row,
                "period": ctx.period,
                "unit_name": ctx.unit_name,
                "row_ok": bool(name) and row["activity_date"] is not None,
            }
        )
        result.rows.append(row)
    return result
