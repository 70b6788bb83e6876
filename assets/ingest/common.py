"""Shared by the sheet parsers: the parsing context, row filtering, field parsing, findings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from assets.ingest.header import Header, KindSpec, is_header_repeat, match_field
from assets.ingest.values import (
    Parsed,
    Problem,
    cell_text,
    clean_text,
    parse_amount,
    parse_date,
    parse_flag,
    parse_in_library,
    parse_int,
    parse_status,
    parse_units,
)
from assets.ingest.workbook import Limits
from runtime.findings import Finding, mask_phones
from runtime.reference import Reference, normalize_text

FIELD_LABELS = {
    "seq": "序号", "industry": "行业", "chain": "产业链", "project_name": "项目名称",
    "investor": "项目方", "total_investment": "投资总额", "funds_this_year": "本年到位资金",
    "funds_cumulative": "累计到位资金", "source": "投资来源", "contact_person": "联系人",
    "contact_phone": "联系电话", "signed_on": "签约（入驻）时间", "started_on": "开工时间",
    "completed_on": "竣工投产时间", "status": "进展情况", "is_industrial": "是否工业项目",
    "is_emerging": "是否新兴产业", "is_sanqi": "是否三企入桂项目", "partners": "合作单位",
    "remarks": "备注", "in_library": "是否入库", "activity_date": "活动日期", "activity_name": "活动名称",
    "activity_type": "活动类型", "leader": "带队领导", "led_by_principal": "是否主要领导带队",
    "enterprises_docked": "对接企业数", "place": "地点", "planned_investment": "计划投资",
    "entered_on": "入库时间", "contract_investment": "合同投资额",
    "territorial_unit": "属地", "responsible_unit": "责任单位", "unit": "单位", "sub_unit": "牵头单位",
    # target-table indicator columns: their target_label in reference/indicators.yaml
}

KIND_LABELS = {
    "project_ledger": "项目台账",
    "target_table": "目标任务分解表",
    "activity_ledger": "招商活动台账",
    "reserve_projects": "储备（策划包装）项目表",
    "cohort_list": "三企入桂签约项目清单",
}


@dataclass
class Context:
    rel_path: str
    period: str | None  # folder month 'YYYY-MM' (None for targets/)
    unit_name: str | None
    ref: Reference
    limits: Limits = field(default_factory=Limits)
    kind: str | None = None

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.rel_path.replace("\\", "/")).name

    def where(self, sheet: str | None = None, row: int | None = None) -> str:
        """'融水县 2022-05 融水县5月台账.xlsx「项目表」第12行' — the start of every message."""
        parts = [self.unit_name or "（单位未识别）"]
        if self.period:
            parts.append(self.period)
        text = " ".join(parts) + " " + self.file_name
        if sheet:
            text += f"「{sheet}」"
        if row:
            text += f"第{row}行"
        return text

    def finding(
        self, check: str, message: str, sheet: str | None = None, row: int | None = None,
        project: str | None = None, severity: str | None = None,
    ) -> Finding:
        return Finding(
            check_name=check,
            message=mask_phones(message),
            period=self.period,
            unit_name=self.unit_name,
            source_file=self.rel_path,
            source_sheet=sheet,
            source_row=row,
            project_name=project,
            severity=severity,
        )


# ------------------------------------------------------------------------------ row filtering

_TOTAL = re.compile(r"^(?:全[市县区]|本[月年]|总)?(?:合计|小计|总计|共计|累计合计)(?:[:：(（].*)?$")
_NOTE = re.compile(r"^(?:注[:：\d.、]|注$|说明[:：]|填表说明|填报说明|备注[:：]|附[:：]|备注$)")
_EXAMPLE = re.compile(r"^(?:例[:：\d.]?|示例|样例|举例|如[:：])")
_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十]+\)|(?:新引进|新签约|续建|在建|储备)项目$)"
)
_PLACEHOLDER = re.compile(r"^(?:[.…。·、\-—_]+|略|等|以此类推|以下略|依次类推|\.\.\.)$")


@dataclass
class RowVerdict:
    reason: str | None  # None: a data row
    severity: str | None = None
    blank: bool = False


def _texts(values: list[Any]) -> list[str]:
    out = []
    for v in values:
        text = cell_text(v)
        if text is not None:
            norm = normalize_text(text)
            if norm:
                out.append(norm)
    return out


def classify_row(
    values: list[Any], header: Header, spec: KindSpec, key_field: str, in_notes: bool,
    number_fields: tuple[str, ...] = (),
) -> RowVerdict:
    """Why a row below the header is not data (None when it is data)."""
    texts = _texts(values)
    if not texts:
        return RowVerdict(None, blank=True)
    key_col = header.columns.get(key_field)
    key_raw = values[key_col] if key_col is not None and key_col < len(values) else None
    key = normalize_text(cell_text(key_raw) or "")
    first = texts[0]
    leading = _texts(values[: max(4, (key_col or 0) + 1)])
    if any(_TOTAL.match(t) for t in leading[:4]) or _TOTAL.match(key):
        return RowVerdict("合计/小计行")
    if _NOTE.match(first) or _NOTE.match(key):
        return RowVerdict("注释/说明行")
    if _EXAMPLE.match(first) or _EXAMPLE.match(key):
        return RowVerdict("示例行（例：）")
    if len(set(texts)) == 1 and (len(texts) >= 2 or _SECTION.match(first)):
        return RowVerdict("分组标题行")  # a banner ("一、新引进项目"), merged across the row or not
    if key and match_field(key, spec)[0] == key_field and is_header_repeat(values, header, spec):
        return RowVerdict("重复的表头行")
    numbers = [
        values[header.columns[f]] for f in number_fields
        if f in header.columns and header.columns[f] < len(values)
    ]
    has_numbers = any(v is not None and cell_text(v) and not _PLACEHOLDER.match(
        normalize_text(cell_text(v) or "")) for v in numbers)
    if in_notes and len(texts) <= 2 and not has_numbers:
        return RowVerdict("注释/说明行")
    if key and _PLACEHOLDER.match(key):
        return RowVerdict("占位行（…）")
    if not key:
        others = [t for t in texts if not re.fullmatch(r"\d+", t)]
        if others and all(_PLACEHOLDER.match(t) for t in others):
            return RowVerdict("占位行（…）")
        label = FIELD_LABELS.get(key_field, key_field)
        if has_numbers:
            return RowVerdict(f"有数据但没有{label}", severity="warning")
        if len(texts) == 1 and len(first) > 20:
            return RowVerdict("注释/说明行")
        return RowVerdict(f"没有{label}")
    return RowVerdict(None)


def row_values(
    grid: list[list[Any]], copies: set[tuple[int, int]], r: int, header: Header, spec: KindSpec
) -> list[Any]:
    """The row's values, merged cells filled — except number columns, where a merge copy is None
    (a figure merged over two rows counts once)."""
    row = list(grid[r])
    for name, c in header.columns.items():
        if c < len(row) and (r, c) in copies and spec.fields[name].type in ("amount", "int"):
            row[c] = None
    return row


# ------------------------------------------------------------------------------ field parsing

PRIVATE_FIELDS = frozenset({"contact_person", "contact_phone"})  # staging only, by design
MAX_TEXT_CHARS = 500  # a text field (name, investor …) longer than this is truncated


def parse_field(name: str, raw: Any, header: Header, spec: KindSpec, ref: Reference) -> Parsed:
    ftype = spec.fields[name].type
    label = FIELD_LABELS.get(name, name)
    if ftype == "amount":
        return parse_amount(raw, header.units.get(name), label)
    if ftype == "date":
        parsed = parse_date(raw)
        if parsed.problem:
            return Parsed(None, Problem("invalid_date", label + parsed.problem.message.removeprefix("日期")))
        return parsed
    if ftype == "flag":
        return parse_flag(raw, label)
    if ftype == "int":
        return parse_int(raw, label)
    if ftype == "library":
        return parse_in_library(raw, label)
    if ftype == "status":
        return parse_status(raw, ref)
    if ftype == "units":
        return parse_units(raw, ref)
    text = clean_text(raw)
    if text is not None and len(text) > MAX_TEXT_CHARS:
        # a million-character cell must not reach matching (quadratic) or a report
        return Parsed(text[:MAX_TEXT_CHARS], Problem(
            "invalid_value", f"{label}长达{len(text)}字，超过{MAX_TEXT_CHARS}字，已截断"))
    return Parsed(text)


def parse_row_fields(
    values: list[Any], header: Header, spec: KindSpec, ref: Reference
) -> tuple[dict[str, Any], list[tuple[str, Problem]], dict[str, Any]]:
    """(row dict with <field>_raw and <field>, problems, raw cell values by field)."""
    row: dict[str, Any] = {}
    problems: list[tuple[str, Problem]] = []
    raws: dict[str, Any] = {}
    for name in spec.fields:
        c = header.columns.get(name)
        raw = values[c] if c is not None and c < len(values) else None
        raws[name] = raw
        if raw is None:
            row[f"{name}_raw"] = row[name] = None
            if spec.fields[name].type == "status":
                row["stage"] = None
            continue
        row[f"{name}_raw"] = cell_text(raw)
        parsed = parse_field(name, raw, header, spec, ref)
        if spec.fields[name].type == "status":
            row[name] = clean_text(raw)
            row["stage"] = parsed.value
        elif spec.fields[name].type == "units":
            row[name] = "、".join(parsed.value) if parsed.value else None
        else:
            row[name] = parsed.value
        if isinstance(row[name], str) and name not in PRIVATE_FIELDS:
            # only staging (never read by BI) keeps a phone number, in the *_raw columns
            row[name] = mask_phones(row[name])
        if parsed.problem:
            problems.append((name, parsed.problem))
    row["extra_json"] = extra_json(values, header)
    return row, problems, raws


def extra_json(values: list[Any], header: Header) -> str | None:
    extra = {}
    for c, text in header.extras.items():
        if c < len(values):
            value = cell_text(values[c])
            if value is not None and value.strip():
                extra[text] = value.strip()
    return json.dumps(extra, ensure_ascii=False) if extra else None


def short(text: str | None, limit: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def row_summary(values: list[Any]) -> str:
    return short(" | ".join(t for t in (cell_text(v) for v in values) if t and t.strip()), 60)


@dataclass
class SheetResult:
    rows: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    sections: dict[int, str] = field(default_factory=dict)


def data_rows(
    sheet_name: str, grid: list[list[Any]], copies: set[tuple[int, int]], header: Header,
    spec: KindSpec, key_field: str, ctx: Context, result: SheetResult,
    number_fields: tuple[str, ...] = (), keep_totals: bool = False,
) -> list[tuple[int, list[Any], bool]]:
    """The data rows below the header as (excel_row, values, is_total); every dropped non-blank
    row is recorded in `result.dropped` with a `dropped_row` finding.  With `keep_totals`, 合计 /
    总计 rows are returned (is_total True) instead of dropped; 小计 rows are still dropped.
    Section banners ("一、新引进项目", "二、续建项目") are recorded in `result.sections`
    (excel_row -> banner text in force for that row)."""
    out = []
    in_notes = False
    section: str | None = None
    for r in range(header.last_row + 1, len(grid)):
        values = row_values(grid, copies, r, header, spec)
        verdict = classify_row(values, header, spec, key_field, in_notes, number_fields)
        if verdict.blank:
            continue
        excel_row = r + 1
        key_col = header.columns.get(key_field)
        if (
            verdict.reason is None
            and (r, key_col) in copies
            and not any(
                values[header.columns[f]] is not None
                for f in number_fields
                if f in header.columns and header.columns[f] < len(values)
            )
        ):
            verdict = RowVerdict("合并单元格的续行（内容已并入上一行）")
        if verdict.reason is None:
            in_notes = False
            if section:
                result.sections[excel_row] = section
            out.append((excel_row, values, False))
            continue
        if verdict.reason == "分组标题行":
            section = _texts(values)[0]
        if keep_totals and verdict.reason == "合计/小计行" and not any(
            "小计" in t for t in _texts(values[:4])
        ):
            out.append((excel_row, values, True))
            continue
        if verdict.reason == "注释/说明行":
            in_notes = True
        summary = mask_phones(row_summary(grid[r]))
        result.dropped.append(
            {"source_sheet": sheet_name, "source_row": excel_row, "reason": verdict.reason,
             "text": summary}
        )
        result.findings.append(
            ctx.finding(
                "dropped_row",
                f"{ctx.where(sheet_name, excel_row)}：{verdict.reason}，未作为数据导入（{summary}）。"
                + ("请补填后重新报送。" if verdict.severity else ""),
                sheet_name, excel_row, severity=verdict.severity,
            )
        )
    return out
