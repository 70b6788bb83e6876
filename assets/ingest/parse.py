"""The single entry point of ingestion's pure part: one file in → parsed rows + findings out.

`parse_file` never raises for bad input: a corrupt, encrypted, empty or unrecognised workbook is
quarantined with an `unreadable_file` finding; a workbook whose unit cannot be resolved is
quarantined with an `unknown_unit` finding; a non-spreadsheet file is skipped with `skipped_file`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assets.ingest.activity import parse_activity_sheet
from assets.ingest.cohort import parse_cohort_sheet
from assets.ingest.common import KIND_LABELS, Context, SheetResult
from assets.ingest.detect import detect_kind, detect_month, detect_unit
from assets.ingest.ledger import parse_ledger_sheet
from assets.ingest.reserve import parse_reserve_sheet
from assets.ingest.targets import parse_target_sheet
from assets.ingest.workbook import Limits, UnreadableFile, read_workbook
from runtime.findings import Finding
from runtime.reference import Reference

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb"}
# yearly tables in targets/: a target table names many units; the 三企入桂 list comes from the 自治区
YEARLY_KINDS = ("target_table", "cohort_list")


@dataclass
class ParsedFile:
    source_file: str
    folder_month: str | None
    kind: str | None = None
    unit_name: str | None = None
    unit_source: str | None = None  # 填报单位 | 标题 | 文件名
    workbook_month: str | None = None
    ledger_rows: list[dict] = field(default_factory=list)
    activity_rows: list[dict] = field(default_factory=list)
    reserve_rows: list[dict] = field(default_factory=list)
    target_rows: list[dict] = field(default_factory=list)
    cohort_rows: list[dict] = field(default_factory=list)  # 三企入桂 list (revision 2)
    findings: list[Finding] = field(default_factory=list)
    skipped_sheets: list[dict] = field(default_factory=list)  # {sheet, reason}
    dropped_rows: list[dict] = field(default_factory=list)  # {source_sheet, source_row, reason, text}
    status: str = "parsed"  # parsed | quarantined | skipped
    status_reason: str | None = None
    sheet_kinds: dict[str, str] = field(default_factory=dict)
    # sheet -> {"first_row", "last_row" (1-based Excel rows of the header), "columns": {field:
    # header text}, "units": {amount field: 亿|万}} — how each sheet was read, for lineage
    sheet_headers: dict[str, dict] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # read, parse (seconds)

    @property
    def rows_loaded(self) -> int:
        return (
            len(self.ledger_rows) + len(self.activity_rows) + len(self.reserve_rows)
            + len(self.target_rows) + len(self.cohort_rows)
        )


def _period_of(folder_month: str | None) -> str | None:
    return None if folder_month in (None, "", "targets") else folder_month


def _skip_reason(name: str) -> str | None:
    if name.startswith("~$"):
        return "Excel临时锁定文件（~$开头），已跳过"
    if name.startswith("."):
        return "隐藏文件，已跳过"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        return f"不是Excel工作簿（{suffix or '无扩展名'}文件），已跳过"
    return None


def parse_file(
    path: str | Path,
    rel_path: str,
    folder_month: str | None,
    ref: Reference | None = None,
    limits: Limits | None = None,
) -> ParsedFile:
    """Parse one submitted file.  `rel_path` is the path relative to SUBMISSIONS_DIR (used as
    `source_file`); `folder_month` is 'YYYY-MM' or 'targets'."""
    ref = ref or Reference.load()
    limits = limits or Limits()
    result = ParsedFile(source_file=rel_path, folder_month=folder_month)
    ctx = Context(rel_path=rel_path, period=_period_of(folder_month), unit_name=None, ref=ref,
                  limits=limits)
    name = PurePosixPath(rel_path.replace("\\", "/")).name
    reason = _skip_reason(name)
    if reason:
        result.status, result.status_reason = "skipped", reason
        result.findings.append(ctx.finding("skipped_file", f"{rel_path}：{reason}。"))
        return result
    try:
        _parse_workbook(Path(path), name, ctx, result)
    except UnreadableFile as exc:
        _quarantine(result, ctx, exc.check_name, exc.reason)
    except Exception as exc:  # noqa: BLE001 — bad input must never stop a run
        _quarantine(
            result, ctx, "unreadable_file",
            f"解析时出错（{type(exc).__name__}），请检查表格格式后重新报送",
        )
    return result


def _quarantine(result: ParsedFile, ctx: Context, check: str, reason: str) -> None:
    result.status, result.status_reason = "quarantined", reason
    result.ledger_rows, result.activity_rows = [], []
    result.reserve_rows, result.target_rows, result.cohort_rows = [], [], []
    result.findings = []
    result.findings.append(
        ctx.finding(check, f"{ctx.rel_path}：{reason}。该文件已隔离，未导入任何数据。")
    )


def _check_claimed_unit(
    unit: str | None, source: str | None, file_name: str, kind: str | None, ctx: Context,
    result: ParsedFile,
) -> tuple[str | None, str | None]:
    """The workbook's own words (填报单位, title) win over its file or folder name, with an
    `unit_mismatch` warning when the two name different units.  The city (柳州市) never submits
    a ledger: a workbook claiming it falls back to the unit in its name, or is quarantined."""
    if unit is None or kind in YEARLY_KINDS:
        return unit, source
    ref = ctx.ref
    stem = re.sub(r"\.(xlsx|xlsm|xlsb|xls)$", "", file_name, flags=re.IGNORECASE)
    from_name = ref.find_unit_in(stem)
    if from_name is not None and ref.unit(from_name).type == "city":
        from_name = None
    if ref.unit(unit).type == "city":
        if from_name is None:
            result.status = "quarantined"
            result.status_reason = f"报送单位为“{unit}”（全市），全市数据由各县区、部门报送后汇总，不能直接报送"
            result.findings.append(ctx.finding(
                "unknown_unit",
                f"文件「{ctx.rel_path}」的{source}写的是“{unit}”（全市）：全市数据由各县区、部门分别报送后汇总，"
                "无法确定是哪个单位的报表。该文件已隔离，请在“填报单位：”中写明本单位后重新报送。",
            ))
            return None, None
        result.findings.append(ctx.finding(
            "unit_mismatch",
            f"文件「{ctx.rel_path}」的{source}写的是“{unit}”（全市），但全市数据不由单位直接报送；"
            f"按文件名识别为{from_name}导入，请核实后在“填报单位：”中写明本单位。",
        ))
        return from_name, "文件名"
    related = {unit, ref.unit(unit).parent}
    if from_name is not None and from_name not in related and ref.unit(from_name).parent != unit:
        result.findings.append(ctx.finding(
            "unit_mismatch",
            f"文件「{ctx.rel_path}」的文件名或所在文件夹显示为{from_name}，但表格{source}为{unit}："
            f"数据按表格中的{unit}导入，请核实是否放错文件或冒用单位名称。",
        ))
    return unit, source


def _parse_workbook(path: Path, name: str, ctx: Context, result: ParsedFile) -> None:
    started = time.perf_counter()
    workbook = read_workbook(path, ctx.limits)
    result.timings["read"] = time.perf_counter() - started
    started = time.perf_counter()
    result.skipped_sheets = [{"sheet": s, "reason": r} for s, r in workbook.skipped_sheets]

    detected = []
    for sheet in workbook.sheets:
        grid, copies = sheet.filled()
        kind, header, lines = detect_kind(grid, sheet.merged, sheet.name, ctx.ref.directory)
        if kind is None:
            result.skipped_sheets.append({"sheet": sheet.name, "reason": "无法识别的表格（找不到表头）"})
            continue
        detected.append((sheet, grid, copies, kind, header, lines))
        result.sheet_kinds[sheet.name] = kind
        result.sheet_headers[sheet.name] = {
            "first_row": header.first_row + 1,
            "last_row": header.last_row + 1,
            "columns": {name: header.texts.get(c) for name, c in header.columns.items()},
            "units": dict(header.units),
        }
    if not detected:
        raise UnreadableFile(
            "无法识别工作簿类型：找不到项目台账、目标任务分解表、招商活动台账或储备项目表的表头"
        )
    kinds = [d[3] for d in detected]
    result.kind = max(kinds, key=lambda k: (kinds.count(k), -kinds.index(k)))

    all_lines = [line for d in detected for line in d[5]]
    # the file name, with any sub-folder under the month folder ("2022-05/鹿寨县/台账.xlsx")
    parts = PurePosixPath(ctx.rel_path.replace("\\", "/")).parts
    file_name = "/".join(parts[1:]) or name
    unit, source = detect_unit(all_lines, file_name, ctx.ref)
    unit, source = _check_claimed_unit(unit, source, file_name, result.kind, ctx, result)
    if result.status == "quarantined":
        return
    result.unit_name, result.unit_source = unit, source
    ctx.unit_name = unit
    if unit is None and result.kind not in YEARLY_KINDS:
        result.status = "quarantined"
        result.status_reason = "无法识别报送单位（标题、填报单位和文件名中都没有可识别的单位名称）"
        result.findings.append(
            ctx.finding(
                "unknown_unit",
                f"文件「{ctx.rel_path}」无法识别报送单位：标题、“填报单位”和文件名中都没有单位参考表中的"
                "单位名称。该文件已隔离，请在标题或“填报单位：”中写明单位后重新报送。",
            )
        )
        return
    result.workbook_month = detect_month(all_lines, name)
    if (
        ctx.period
        and result.kind not in YEARLY_KINDS
        and result.workbook_month
        and result.workbook_month != ctx.period
    ):
        result.findings.append(
            ctx.finding(
                "period_mismatch",
                f"{ctx.where()}：表格标题中的月份为{result.workbook_month}，与报送文件夹{ctx.period}不一致，"
                f"数据按{ctx.period}导入，请核实是否放错月份。",
            )
        )

    _parse_sheets(detected, ctx, result)
    result.status = "parsed"
    result.status_reason = "已解析：" + "、".join(
        f"{KIND_LABELS[k]}「{s}」" for s, k in result.sheet_kinds.items()
    )
    result.timings["parse"] = time.perf_counter() - started


def _parse_sheets(detected: list[tuple], ctx: Context, result: ParsedFile) -> None:
    """Each recognised sheet by its kind's parser; rows, findings and dropped rows collected."""
    for sheet, grid, copies, kind, header, lines in detected:
        ctx.kind = kind
        sheet_result: SheetResult
        if kind == "project_ledger":
            sheet_result = parse_ledger_sheet(sheet.name, grid, copies, header, ctx)
            result.ledger_rows.extend(sheet_result.rows)
        elif kind == "activity_ledger":
            sheet_result = parse_activity_sheet(sheet.name, grid, copies, header, ctx)
            result.activity_rows.extend(sheet_result.rows)
        elif kind == "reserve_projects":
            sheet_result = parse_reserve_sheet(sheet.name, grid, copies, header, ctx)
            result.reserve_rows.extend(sheet_result.rows)
        elif kind == "cohort_list":
            sheet_result = parse_cohort_sheet(sheet.name, grid, copies, header, ctx, lines)
            result.cohort_rows.extend(sheet_result.rows)
        else:
            sheet_result = parse_target_sheet(sheet.name, grid, copies, header, ctx, lines)
            result.target_rows.extend(sheet_result.rows)
        result.findings.extend(sheet_result.findings)
        result.dropped_rows.extend(sheet_result.dropped)
