"""Target tables (目标任务分解表) → staging.target_rows rows + findings.

Handles the three seed layouts and their variants: a 单位 column and indicator columns whose
headers name the indicator (到位资金, 新引进项目, 新引进工业项目, 亿元工业项目); a 合计 row first or
last; text columns between the numbers (责任领导, 牵头单位, 协办单位, 备注, scoring rules); a group
(产业招商组) merged over several rows, each row a target of its own with `sub_unit` = its 牵头单位.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assets.ingest.common import Context, SheetResult, data_rows, extra_json
from assets.ingest.detect import detect_year
from assets.ingest.header import Header, load_columns
from assets.ingest.values import cell_text, clean_text, parse_amount, parse_int, tidy_decimal
from runtime.indicators import load_indicators


def _carry_group_names(grid: list[list[Any]], header: Header) -> list[list[Any]]:
    """A group name written once over several sub-rows (not merged): copy it down to sub-rows
    that have their own 牵头单位 and figures but an empty 单位 cell."""
    unit_col = header.columns.get("unit")
    sub_col = header.columns.get("sub_unit")
    if unit_col is None or sub_col is None:
        return grid
    grid = [list(row) for row in grid]
    last: Any = None
    for r in range(header.last_row + 1, len(grid)):
        row = grid[r]
        unit = row[unit_col] if unit_col < len(row) else None
        sub = row[sub_col] if sub_col < len(row) else None
        if clean_text(unit):
            text = clean_text(unit) or ""
            last = unit if not text.startswith(("合计", "总计", "小计", "注")) else None
        elif clean_text(sub) and last is not None:
            row.extend([None] * (unit_col + 1 - len(row)))
            row[unit_col] = last
        elif not any(clean_text(v) for v in row):
            continue
        else:
            last = None
    return grid


def _row_unit(values: list[Any], is_total: bool, header: Header, ctx: Context,
              result: SheetResult, where: str, sheet_name: str, excel_row: int
              ) -> tuple[str | None, str | None, str | None]:
    """(unit_raw, unit_name, sub_unit) of one row; an unknown unit is a finding."""
    unit_col = header.columns["unit"]
    sub_col = header.columns.get("sub_unit")
    unit_raw = cell_text(values[unit_col]) if unit_col < len(values) else None
    unit_text = clean_text(unit_raw)
    sub_unit = None
    if sub_col is not None and sub_col < len(values) and not is_total:
        sub_unit = clean_text(values[sub_col])
        if sub_unit:
            sub_unit = sub_unit.replace("(", "（").replace(")", "）")
    if is_total:
        return unit_raw, ctx.unit_name, sub_unit
    unit_name = ctx.ref.resolve_unit(unit_text) or ctx.ref.find_unit_in(unit_text or "")
    if unit_name is None:
        result.findings.append(
            ctx.finding(
                "unknown_unit",
                f"{where}：目标任务表中的单位「{unit_text}」不在单位参考表中，"
                "该行目标无法归属，请核对单位名称或在单位参考表中补充别名。",
                sheet_name, excel_row,
            )
        )
    return unit_raw, unit_name, sub_unit


def _target_value(name: str, raw: Any, header: Header, ctx: Context, result: SheetResult,
                  where: str, unit_text: str | None, sheet_name: str, excel_row: int
                  ) -> Decimal | None:
    """One indicator cell → its target (None when empty or unreadable, with a finding)."""
    indicator = load_indicators(ctx.ref.directory)[name]
    label = indicator.target_label
    if indicator.kind == "amount":
        parsed = parse_amount(raw, header.units.get(name), label)
    else:
        counted_value = parse_int(raw, label)
        parsed = counted_value._replace(
            value=None if counted_value.value is None else Decimal(counted_value.value)
        )
    if parsed.problem:
        result.findings.append(
            ctx.finding(
                parsed.problem.check_name,
                f"{where}：{unit_text or ''}{parsed.problem.message}，请核实更正。",
                sheet_name, excel_row,
            )
        )
    return None if parsed.value is None else tidy_decimal(parsed.value)


def _check_totals(totals: dict[str, list[tuple[int, Decimal]]], sums: dict[str, Decimal],
                  counted: dict[str, int], ctx: Context, result: SheetResult,
                  sheet_name: str) -> None:
    """Every 合计 row equals the sum of the unit rows, indicator by indicator."""
    for name, rows in totals.items():
        for excel_row, total in rows:
            if counted[name] and total != sums[name]:
                diff = tidy_decimal(total - sums[name])
                result.findings.append(
                    ctx.finding(
                        "target_total_mismatch",
                        f"{ctx.where(sheet_name, excel_row)}：合计行的{load_indicators(ctx.ref.directory)[name].target_label}为"
                        f"{total}，但各行之和为{tidy_decimal(sums[name])}（相差{diff}），"
                        "请核对合计行或各单位目标。",
                        sheet_name, excel_row,
                    )
                )


def parse_target_sheet(
    sheet_name: str, grid: list[list[Any]], copies: set[tuple[int, int]], header: Header,
    ctx: Context, title_lines: list[str],
) -> SheetResult:
    """One row per (table row, indicator) with a target; 合计 rows flagged `is_total_row`.

    Phases: year → group names carried down → per row: unit, then each indicator → totals."""
    spec = load_columns(ctx.ref.directory)["target_table"]
    result = SheetResult()
    year = detect_year(title_lines, "") or detect_year(list(header.texts.values()), ctx.file_name)
    registry = load_indicators(ctx.ref.directory)
    indicators = [name for name in registry.target_columns if name in header.columns]
    grid = _carry_group_names(grid, header)
    totals: dict[str, list[tuple[int, Decimal]]] = {name: [] for name in indicators}
    sums: dict[str, Decimal] = {name: Decimal(0) for name in indicators}
    counted: dict[str, int] = {name: 0 for name in indicators}
    for excel_row, values, is_total in data_rows(
        sheet_name, grid, copies, header, spec, "unit", ctx, result, tuple(indicators),
        keep_totals=True,
    ):
        where = ctx.where(sheet_name, excel_row)
        unit_raw, unit_name, sub_unit = _row_unit(values, is_total, header, ctx, result, where,
                                                  sheet_name, excel_row)
        extra = None if is_total else extra_json(values, header)
        for name in indicators:
            c = header.columns[name]
            raw = values[c] if c < len(values) else None
            value = _target_value(name, raw, header, ctx, result, where, clean_text(unit_raw),
                                  sheet_name, excel_row)
            if value is None:
                continue
            if is_total:
                totals[name].append((excel_row, value))
            else:
                sums[name] += value
                counted[name] += 1
            result.rows.append(
                {
                    "year": year,
                    "unit_name": unit_name,
                    "unit_raw": unit_raw,
                    "sub_unit": sub_unit,
                    "indicator": name,
                    "target": value,
                    "target_raw": cell_text(raw),
                    "is_total_row": is_total,
                    "extra_json": extra,
                    "source_file": ctx.rel_path,
                    "source_sheet": sheet_name,
                    "source_row": excel_row,
                }
            )
    _check_totals(totals, sums, counted, ctx, result, sheet_name)
    if year is None:
        result.findings.append(
            ctx.finding(
                "invalid_value",
                f"{ctx.where(sheet_name)}：无法从标题或文件名中识别目标任务表的年度，请在标题中注明年份。",
                sheet_name,
            )
        )
    return result
