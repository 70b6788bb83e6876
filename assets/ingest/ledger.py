"""Project ledger sheets (招商引资项目统计表 / 项目台账) → staging.ledger_rows rows + findings."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from assets.ingest.common import (
    FIELD_LABELS,
    Context,
    SheetResult,
    data_rows,
    parse_row_fields,
    short,
)
from assets.ingest.header import Header, load_columns
from assets.ingest.values import amount_has_unit

AMOUNT_FIELDS = ("total_investment", "funds_this_year", "funds_cumulative")


Add = Callable[..., None]  # add(check, text, severity=None): a finding on the current row


def _adder(result: SheetResult, ctx: Context, sheet_name: str, excel_row: int,
           name: str | None) -> Add:
    where = ctx.where(sheet_name, excel_row)
    who = f"项目「{short(name)}」"

    def add(check: str, text: str, severity: str | None = None) -> None:
        result.findings.append(
            ctx.finding(check, f"{where}：{who}{text}", sheet_name, excel_row, name, severity)
        )

    return add


def _report_problems(row: dict, problems: list, add: Add) -> None:
    """Cell problems; an empty or unreadable 投资总额 is `missing_amount`."""
    for field_name, problem in problems:
        if field_name == "total_investment":
            continue  # reported as missing_amount below
        add(problem.check_name, f"{problem.message}，请核实更正。")
    if row["total_investment"] is None:
        if row["total_investment_raw"] is None or not any(
            p for f, p in problems if f == "total_investment"
        ):
            add("missing_amount", "投资总额为空，请补填（单位：亿元）。")
        else:
            message = next(p.message for f, p in problems if f == "total_investment")
            add("missing_amount", f"{message}，请填写数字（单位：亿元）。")


def _check_amounts(row: dict, raws: dict, header: Header, ctx: Context, add: Add) -> None:
    """A 亿元 figure implausibly large (万元?) is a warning; a negative one is not loaded."""
    threshold = Decimal(str(ctx.limits.outlier_yi))
    for field_name in AMOUNT_FIELDS:
        value = row[field_name]
        if (
            value is not None
            and header.units.get(field_name) == "亿"
            and not amount_has_unit(raws[field_name])
            and value > threshold
        ):
            add(
                "amount_outlier",
                f"{FIELD_LABELS[field_name]}「{row[field_name + '_raw']}」亿元，"
                f"超过{ctx.limits.outlier_yi:g}亿元，可能是按万元填写，请核实单位。",
            )
        if value is not None and value < 0:
            # not loaded: a negative figure would be summed into the marts as it stands
            row[field_name] = None
            add("invalid_value", f"{FIELD_LABELS[field_name]}「{row[field_name + '_raw']}」"
                "为负数，未导入，请核实更正（调减请直接填写调整后的累计数）。")
    # below_threshold is a project-level finding, raised once by the conform layer


def _check_dates(row: dict, ctx: Context, add: Add) -> None:
    signed = row.get("signed_on")
    if ctx.period and isinstance(signed, str) and len(signed) >= 7 and signed[:7] > ctx.period:
        # kept as written; the marts count a project from its signing month on
        add("invalid_date", f"{FIELD_LABELS['signed_on']}「{row['signed_on_raw']}」晚于报送月份"
            f"{ctx.period}，本月起不计入新引进项目，请核实是否填错。")


def _check_industry(row: dict, ref: Any, add: Add) -> None:
    industry = row.get("industry")
    chain = row.get("chain")
    if (industry or chain) and row.get("is_industrial") is None and row.get("is_emerging") is None:
        known = ref.classify_industry(industry) or ref.classify_industry(chain)
        if known is None:
            shown = "、".join(f"「{v}」" for v in dict.fromkeys(v for v in (industry, chain) if v))
            add("unknown_industry", f"行业{shown}不在行业参考表中，无法判断是否工业/新兴产业项目，"
                "请改用标准行业名称或填写是否工业项目、是否新兴产业。")


def parse_ledger_sheet(
    sheet_name: str, grid: list[list[Any]], copies: set[tuple[int, int]], header: Header,
    ctx: Context,
) -> SheetResult:
    """Rows of one ledger sheet: `<field>_raw`/`<field>` per canonical field, lineage, `row_ok`.

    Phases per row: fields → cell problems → amounts → dates → industry → lineage."""
    spec = load_columns(ctx.ref.directory)["project_ledger"]
    result = SheetResult()
    for excel_row, values, _total in data_rows(
        sheet_name, grid, copies, header, spec, "project_name", ctx, result, AMOUNT_FIELDS
    ):
        row, problems, raws = parse_row_fields(values, header, spec, ctx.ref, excel_row)
        add = _adder(result, ctx, sheet_name, excel_row, row["project_name"])
        _report_problems(row, problems, add)
        _check_amounts(row, raws, header, ctx, add)  # a negative total becomes None here
        _check_dates(row, ctx, add)
        _check_industry(row, ctx.ref, add)
        row.update(
            {
                "source_file": ctx.rel_path,
                "source_sheet": sheet_name,
                "source_row": excel_row,
                "period": ctx.period,
                "unit_name": ctx.unit_name,
                "row_ok": bool(row["project_name"]) and row["total_investment"] is not None,
                "section": result.sections.get(excel_row),  # "二、续建项目" banner, if any
            }
        )
        result.rows.append(row)
    return result
