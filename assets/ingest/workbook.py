"""Read a workbook (.xlsx/.xlsm/.xls) into plain grids of cell values.

python-calamine does the reading (fast, cached formula values, merged ranges, sheet visibility);
openpyxl / xlrd are the fallback when calamine fails on an odd but valid file.  Problems that make
a file unusable raise `UnreadableFile` (or its subclass `Oversized`) with a Chinese reason.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as pc

from runtime.rules import Rules
from runtime.settings import Settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# sheet names that hold instructions, not data
INSTRUCTION_SHEET = re.compile(r"说明|填表须知|填报要求|填表要求|^示例$|^样表说明")


class UnreadableFile(Exception):
    """The file cannot be used at all; `reason` is a Chinese sentence for the clerk."""

    check_name = "unreadable_file"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Oversized(UnreadableFile):
    check_name = "oversized_file"


@dataclass(frozen=True)
class Limits:
    max_rows: int = 200_000
    max_bytes: int = 50 * 1024 * 1024
    outlier_yi: float = 1000.0  # a 亿元 figure above this is probably 万元
    below_threshold_yi: str = "0.05"  # 统计起点 (亿元)

    @classmethod
    def from_settings(cls, settings: Settings, rules: Rules, **overrides: Any) -> Limits:
        """The limits of a run: MAX_FILE_MB and MAX_ROWS_PER_SHEET from the settings, the
        统计起点 (indicators.below_threshold_amount) from the run's rules."""
        values: dict[str, Any] = {
            "max_bytes": max(1, int(settings.max_file_mb * 1024 * 1024)),
            "max_rows": settings.max_rows_per_sheet,
            "below_threshold_yi": str(rules.indicators.below_threshold_amount),
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class Sheet:
    """One sheet. `rows[r][c]` is the value at Excel row r+1, column c+1 (None when empty).

    `merged` holds inclusive 0-based ranges (r0, c0, r1, c1).  Rows may have different lengths.
    """

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    index: int = 0

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    def filled(self) -> tuple[list[list[Any]], set[tuple[int, int]]]:
        """A copy of the grid with every merged range filled from its top-left cell.

        Also returns the set of cells that got a copy (not the anchor), so a caller can tell a
        value the clerk typed from one spread by a merge.
        """
        width = self.n_cols
        grid = [list(r) + [None] * (width - len(r)) for r in self.rows]
        copies: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in self.merged:
            if r0 >= len(grid):
                continue
            value = grid[r0][c0] if c0 < width else None
            for r in range(r0, min(r1, len(grid) - 1) + 1):
                for c in range(c0, min(c1, width - 1) + 1):
                    if (r, c) != (r0, c0):
                        grid[r][c] = value
                        copies.add((r, c))
        return grid, copies


@dataclass
class Workbook:
    path: str
    format: str  # 'xlsx' | 'xls'
    sheets: list[Sheet]
    skipped_sheets: list[tuple[str, str]]  # (sheet name, Chinese reason)
    reader: str = "calamine"
    sheet_states: dict[str, str] = field(default_factory=dict)  # name -> visible|hidden|chart


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sniff(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
        sample = head + fh.read(1024)
    if head.startswith((ZIP_MAGIC, b"PK")):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    if not head:
        raise UnreadableFile("文件为空（0字节），请重新导出后报送")
    lowered = sample.lower()
    if b"<html" in lowered or b"<table" in lowered or b"<?xml" in lowered:
        raise UnreadableFile(
            "文件实际上是网页或XML格式（只是扩展名为Excel），请用Excel打开后另存为.xlsx再报送"
        )
    raise UnreadableFile("文件不是有效的Excel工作簿（可能是改了扩展名的其他文件），请用Excel另存为.xlsx后报送")


def _ole_encrypted(path: Path) -> bool:
    try:
        import msoffcrypto

        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            return bool(office.is_encrypted())
    except Exception:  # noqa: BLE001 — not decidable: let the reader try
        return False


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnreadableFile("文件已损坏或不完整（压缩包无法打开），请重新保存后报送") from exc
    if not any(n.startswith("xl/") for n in names):
        raise UnreadableFile("文件不是Excel工作簿（压缩包中没有工作表），请用Excel另存为.xlsx后报送")


def _normalise_rows(rows: list[list[Any]], row0: int, col0: int) -> list[list[Any]]:
    out: list[list[Any]] = [[] for _ in range(row0)]
    pad = [None] * col0
    for row in rows:
        cells = [None if (v == "" or v is None) else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(pad + cells if cells else [])
    while out and not out[-1]:
        out.pop()
    return out


def _read_calamine(path: Path, limits: Limits) -> tuple[list[tuple[str, str, list, list]], str]:
    """[(name, visibility, rows, merged)] via calamine."""
    with open(path, "rb") as fh:  # from_filelike sniffs the content; from_path trusts the suffix
        wb = pc.CalamineWorkbook.from_filelike(fh)
    out = []
    try:
        for meta in wb.sheets_metadata:
            visible = "visible" if meta.visible == pc.SheetVisibleEnum.Visible else "hidden"
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                out.append((meta.name, "chart", [], []))
                continue
            if visible != "visible" or INSTRUCTION_SHEET.search(meta.name):
                out.append((meta.name, visible, [], []))
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            if sheet.height and (sheet.start or (0, 0))[0] + sheet.height > limits.max_rows:
                raise Oversized(
                    f"工作表「{meta.name}」有{sheet.height}行，超过上限{limits.max_rows}行，"
                    "请删除多余的空行或拆分后报送"
                )
            rows = sheet.to_python(skip_empty_area=True) if sheet.height else []
            start = sheet.start or (0, 0)
            merged = [
                (a[0], a[1], b[0], b[1]) for a, b in (getattr(sheet, "merged_cell_ranges", None) or [])
            ]
            out.append((meta.name, visible, _normalise_rows(rows, start[0], start[1]), merged))
    finally:
        wb.close()
    return out, "calamine"


def _read_openpyxl(path: Path, limits: Limits) -> list[tuple[str, str, list, list]]:
    import openpyxl

    with open(path, "rb") as fh:  # a file object: openpyxl would refuse a ".xls" name
        wb = openpyxl.load_workbook(fh, data_only=True, read_only=False)
    out = []
    for ws in wb.worksheets:
        visible = "visible" if ws.sheet_state == "visible" else "hidden"
        if visible != "visible" or INSTRUCTION_SHEET.search(ws.title):
            out.append((ws.title, visible, [], []))
            continue
        if ws.max_row > limits.max_rows:
            raise Oversized(f"工作表「{ws.title}」有{ws.max_row}行，超过上限{limits.max_rows}行")
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        out.append((ws.title, visible, _normalise_rows(rows, 0, 0), merged))
    return out


def _read_xlrd(path: Path, limits: Limits) -> list[tuple[str, str, list, list]]:
    import datetime as dt

    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True)
    out = []
    for sh in book.sheets():
        visible = "visible" if sh.visibility == 0 else "hidden"
        if visible != "visible" or INSTRUCTION_SHEET.search(sh.name):
            out.append((sh.name, visible, [], []))
            continue
        if sh.nrows > limits.max_rows:
            raise Oversized(f"工作表「{sh.name}」有{sh.nrows}行，超过上限{limits.max_rows}行")
        rows = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                value: Any = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = dt.datetime(*xlrd.xldate_as_tuple(value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    value = None
                row.append(value)
            rows.append(row)
        merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
        out.append((sh.name, visible, _normalise_rows(rows, 0, 0), merged))
    return out


_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_ERROR_TAG = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CACHED = re.compile(rb"<v>([^<]*)</v>")
_MAX_SCAN_BYTES = 256 * 1024 * 1024


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _xml_unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace(
        "&gt;", ">").replace("&amp;", "&")


def _xlsx_error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """sheet name → {(row, col): '#REF!'}: the cached error values of formula cells.

    calamine reads an error cell as empty; we keep the error text instead, so the clerk is told
    「#REF!」 rather than "empty".  Formulas are never evaluated, only the value Excel saved.
    """
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = {}
            for tag in _REL_TAG.findall(rels):
                attrs = dict(_ATTR.findall(tag))
                targets[attrs.get("Id")] = attrs.get("Target", "")
            for tag in _SHEET_TAG.findall(book):
                attrs = dict(_ATTR.findall(tag))
                name, target = attrs.get("name", ""), targets.get(attrs.get("r:id"), "")
                member = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if member not in names or zf.getinfo(member).file_size > _MAX_SCAN_BYTES:
                    continue
                data = zf.read(member)
                if b't="e"' not in data:
                    continue
                cells = {}
                for attrs, body in _ERROR_TAG.findall(data):
                    ref, value = _CELL_REF.search(attrs), _CACHED.search(body)
                    if ref and value and value[1].startswith(b"#"):
                        key = (int(ref[2]) - 1, _column_index(ref[1]))
                        cells[key] = value[1].decode("utf-8", "replace")
                if cells:
                    out[_xml_unescape(name)] = cells
    except Exception:  # noqa: BLE001 — best effort: the cells then read as empty
        return {}
    return out


def _put_errors(rows: list[list[Any]], cells: dict[tuple[int, int], str]) -> None:
    for (r, c), text in cells.items():
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if row[c] is None:
            row[c] = text


def read_workbook(path: str | Path, limits: Limits | None = None) -> Workbook:
    """Every visible, non-empty data sheet of the workbook; skipped sheets listed with a reason."""
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile(f"文件无法打开：{exc.strerror or exc}") from exc
    if size > limits.max_bytes:
        raise Oversized(
            f"文件大小{size / 1024 / 1024:.1f}MB，超过上限{limits.max_bytes / 1024 / 1024:.0f}MB，"
            "请删除多余内容后报送"
        )
    kind = _sniff(path)
    if kind == "ole":
        if _ole_encrypted(path):
            raise UnreadableFile("文件设有打开密码（已加密），无法读取，请取消密码后重新报送")
        fmt = "xls"
    else:
        _check_zip(path)
        fmt = "xlsx"
    reader = "calamine"
    try:
        raw_sheets, reader = _read_calamine(path, limits)
    except Oversized:
        raise
    except pc.PasswordError as exc:
        raise UnreadableFile("文件设有密码保护，无法读取，请取消密码后重新报送") from exc
    except Exception:  # noqa: BLE001 — try the slower readers before giving up
        try:
            raw_sheets = _read_openpyxl(path, limits) if fmt == "xlsx" else _read_xlrd(path, limits)
            reader = "openpyxl" if fmt == "xlsx" else "xlrd"
        except Oversized:
            raise
        except Exception as exc:
            raise UnreadableFile(
                "文件已损坏或格式无法识别，请用Excel打开后另存为.xlsx重新报送"
            ) from exc

    if fmt == "xlsx" and reader == "calamine":
        errors = _xlsx_error_cells(path)
        for name, _visible, rows, _merged in raw_sheets:
            if name in errors:
                _put_errors(rows, errors[name])
    sheets: list[Sheet] = []
    skipped: list[tuple[str, str]] = []
    for index, (name, visible, rows, merged) in enumerate(raw_sheets):
        if visible == "chart":
            skipped.append((name, "图表页，不含数据"))
        elif visible != "visible":
            skipped.append((name, "隐藏工作表，未读取"))
        elif INSTRUCTION_SHEET.search(name):
            skipped.append((name, "说明页，未读取"))
        elif not any(not _blank(v) for row in rows for v in row):
            skipped.append((name, "空白工作表"))
        else:
            sheets.append(Sheet(name, rows, merged, index))
    if not sheets:
        if not raw_sheets:
            raise UnreadableFile("工作簿中没有工作表")
        raise UnreadableFile("工作簿中没有可读取的数据（工作表均为空白、隐藏或说明页）")
    states = {name: visible for name, visible, _, _ in raw_sheets}
    return Workbook(str(path), fmt, sheets, skipped, reader, states)
