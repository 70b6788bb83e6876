"""Packaged / reserve project lists (策划包装项目 / 招商项目储备库) → staging.reserve_rows."""

from __future__ import annotations

from typing import Any

from assets.ingest.common import Context, SheetResult, data_rows, parse_row_fields, short
from assets.ingest.header import Header, load_columns


def parse_reserve_sheet(
    sheet_name: str, grid: list[list[Any]], copies: set[tuple[int, int]], header: Header,
    ctx: Context,
) -> SheetResult:
    """One row per packaged/reserve project: project_name, chain, planned_investment (亿元),
    entered_on, status (+ stage), remarks (each with `<field>_raw`)."""
    spec = load_columns(ctx.ref.directory)["reserve_projects"]
    result = SheetResult()
    for excel_row, values, _total in data_rows(
        sheet_name, grid, copies, header, spec, "project_name", ctx, result,
        ("planned_investment",),
    ):
        row, problems, _ = parse_row_fields(values, header, spec, ctx.ref, excel_row)
        name = row["project_name"]
        where = ctx.where(sheet_name, excel_row)
        for _, problem in problems:
            result.findings.append(
                ctx.finding(
                    problem.check_name,
                    f"{where}：储备项目「{short(name)}」{problem.message}，请核实更正。",
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
                "row_ok": bool(name),
            }
        )
        result.rows.append(row)
    return result
