"""What a sheet is (kind), who sent it (unit) and which month it reports (workbook month).

The kind comes from the title and the header — never from the folder.  The unit comes from a
"填报单位：…" line, the title, or failing both the file name.  The month from title lines such as
"2022年5月", "截至2022年5月底", "2022年1-5月", "统计时间：2022年5月" (a 填报日期 is ignored: a May
ledger is often filled in on 3 June).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from assets.ingest.header import KINDS, Header, KindSpec, find_header, load_columns
from assets.ingest.values import cell_text
from runtime.reference import Reference, normalize_text


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def row_text(row: list[Any]) -> str:
    parts = [cell_text(v) for v in row]
    return " ".join(_nfkc(p).strip() for p in parts if p and p.strip())


def title_lines(grid: list[list[Any]], upto: int) -> list[str]:
    """The text of each non-empty row above the header (title, unit and date lines)."""
    lines = []
    for row in grid[:upto]:
        text = row_text(row)
        if text and text not in lines:
            lines.append(text)
    return lines


def _requirements_met(header: Header, groups: tuple[tuple[str, ...], ...]) -> bool:
    return all(any(header.has(name) for name in alts) for alts in groups)


def _fits(spec: KindSpec, header: Header | None, titled: bool) -> bool:
    if header is None or (spec.title_required and not titled):
        return False
    groups = spec.required
    if not titled and spec.required_without_title is not None:
        groups = spec.required_without_title
    if not _requirements_met(header, groups):
        return False
    return not spec.any_of or any(header.has(name) for name in spec.any_of)


_TIE_PRIORITY = {"project_ledger": 3, "target_table": 2, "activity_ledger": 1, "reserve_projects": 0,
                 "cohort_list": -1}


def detect_kind(
    grid: list[list[Any]], merged: list[tuple[int, int, int, int]], sheet_name: str = "",
    reference_dir: Path | None = None,
) -> tuple[str | None, Header | None, list[str]]:
    """(kind, header, title lines) of a filled grid; kind None when unrecognised."""
    specs = load_columns(reference_dir)
    headers = {kind: find_header(grid, merged, specs[kind]) for kind in KINDS}
    candidates: list[tuple[int, int, str]] = []
    for order, kind in enumerate(KINDS):
        header = headers[kind]
        if header is None:
            continue
        lines = title_lines(grid, header.first_row)
        hay = normalize_text(" ".join(lines) + sheet_name)
        titled = any(word in hay for word in specs[kind].title)
        if _fits(specs[kind], header, titled):
            # a title naming the kind first (the specific kinds before the generic 项目统计表),
            # then the better header, then the project ledger (the common case) on a tie
            title_rank = (1 if kind == "project_ledger" else 2) if titled else 0
            candidates.append((title_rank, header.score, _TIE_PRIORITY[kind], order))
    if not candidates:
        return None, None, title_lines(grid, min(len(grid), 5))
    kind = KINDS[max(candidates)[3]]
    header = headers[kind]
    return kind, header, title_lines(grid, header.first_row)


# ------------------------------------------------------------------------------------------ unit

_FILL_LABEL = re.compile(r"(?:填报|报送|填表|统计|上报)单位\s*(?:\(盖章\))?\s*:?\s*")
_NEXT_LABEL = re.compile(
    r"\s|(?:填报|报送|填表|统计|上报|制表)?(?:时间|日期|人)\s*:|联系|电话|单位\s*:|\(盖章\)|盖章"
)


def detect_unit(lines: list[str], file_name: str, ref: Reference) -> tuple[str | None, str | None]:
    """(canonical unit, where it was found: '填报单位' | '标题' | '文件名'), or (None, None)."""
    for line in lines:
        text = _nfkc(line)
        for match in _FILL_LABEL.finditer(text):
            rest = text[match.end():]
            end = _NEXT_LABEL.search(rest)
            raw = (rest[: end.start()] if end else rest).strip("()")
            unit = (ref.resolve_unit(raw) or ref.find_unit_in(raw)) if raw else None
            if unit:
                return unit, "填报单位"
    stem = re.sub(r"\.(xlsx|xlsm|xlsb|xls)$", "", file_name, flags=re.IGNORECASE)
    from_name = ref.find_unit_in(stem)
    for line in lines:
        if re.search(r"填报单位|报送单位|填表单位", line):
            continue
        unit = ref.find_unit_in(line)
        if unit:
            # a title naming only the city ("柳州市招商引资项目统计表") is a template title:
            # a more specific unit in the file name wins
            if ref.unit(unit).type == "city" and from_name and ref.unit(from_name).type != "city":
                return from_name, "文件名"
            return unit, "标题"
    if from_name:
        return from_name, "文件名"
    return None, None


# ----------------------------------------------------------------------------------------- month

_FILL_DATE = re.compile(r"(?:填报|填表|报送|制表|上报|打印)(?:时间|日期)[:：]?\s*[\d年月日./\-\s]*")
_MONTH_PATTERNS = (
    re.compile(r"(?P<y>20\d{2})\s*年\s*(?:1|01)?\s*[-—–~至到]\s*(?P<m>\d{1,2})\s*月"),  # 2022年1-5月
    re.compile(r"(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月"),
    re.compile(r"(?P<y>20\d{2})[./\-](?P<m>\d{1,2})(?:[./\-]\d{1,2})?(?!\d)"),
)


_FILE_MONTH = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)")


def detect_month(lines: list[str], file_name: str = "") -> str | None:
    """The reporting month ('YYYY-MM') named in the title lines (ignoring 填报日期), else in the
    file name ("柳北区-202205.xlsx", "台账（2022.5）.xlsx")."""
    month = _month_in_lines(lines)
    if month or not file_name:
        return month
    stem = _nfkc(re.sub(r"\.(xlsx|xlsm|xlsb|xls)$", "", file_name, flags=re.IGNORECASE))
    match = _FILE_MONTH.search(stem)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    return _month_in_lines([stem])


def _month_in_lines(lines: list[str]) -> str | None:
    for line in lines:
        text = _FILL_DATE.sub(" ", _nfkc(line))
        for pattern in _MONTH_PATTERNS:
            match = pattern.search(text)
            if match:
                month = int(match["m"])
                if 1 <= month <= 12:
                    return f"{match['y']}-{month:02d}"
        # "鹿寨县2022年招商引资项目统计表（截至5月底）": the year, then a month later in the line
        year = re.search(r"(20\d{2})\s*年", text)
        if year:
            month_match = re.search(r"(?<!\d)(\d{1,2})\s*月", text[year.end():])
            if month_match and 1 <= int(month_match.group(1)) <= 12:
                return f"{year.group(1)}-{int(month_match.group(1)):02d}"
    return None


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?:\s*年|(?!\d))")


def detect_year(lines: list[str], file_name: str = "") -> int | None:
    """The year of a target table: from the title lines, else the header, else the file name."""
    for text in [*lines, file_name]:
        match = _YEAR.search(_nfkc(text))
        if match:
            return int(match.group(1))
    return None
