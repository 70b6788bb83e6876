"""Read a workbook (.xlsx/.xlsm/.xls) into plain grids of cell values.

python-calamine does the reading (fast, cached formula values, merged ranges, sheet visibility);
openpyxl / xlrd are the fallback when calamine fails on an odd but valid file.  Problems that make
a file unusable raise `UnreadableFile` (or its subclass `Oversized`) with a Chinese reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
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


class CellError(str):
    """A cell Excel saved without a usable value: a cached error ("#VALUE!", "#N/A") or a formula
    with no cached result ("=SUM(E4:E9)").  It reads as its text, but the field parsers turn it
    into a finding naming the cell instead of a value (a "#VALUE!" is never a project name)."""

    @property
    def uncached(self) -> bool:
        return self.startswith("=")


# C0 controls (but tab, line feed, carriage return) and DEL: PostgreSQL refuses NUL in text and
# DuckDB stores it, so both get the cell without them (issue 20).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


@dataclass(frozen=True)
class Limits:
    max_rows: int = 200_000
    max_bytes: int = 50 * 1024 * 1024
    max_cols: int = 256  # an old .xls sheet's width; a ledger has ~30 columns
    max_unpacked_bytes: int = 500 * 1024 * 1024  # all members of an .xlsx, decompressed
    max_zip_ratio: float = 200.0  # decompressed / compressed, for a member over ZIP_RATIO_FLOOR
    outlier_yi: float = 1000.0  # a 亿元 figure above this is probably 万元
    below_threshold_yi: str = "0.05"  # 统计起点 (亿元)

    @classmethod
    def from_settings(cls, settings: Settings, rules: Rules, **overrides: Any) -> Limits:
        """The limits of a run: MAX_FILE_MB, MAX_ROWS_PER_SHEET, MAX_COLS_PER_SHEET,
        MAX_UNPACKED_MB and MAX_ZIP_RATIO from the settings, the 统计起点
        (indicators.below_threshold_amount) from the run's rules."""
        values: dict[str, Any] = {
            "max_bytes": max(1, int(settings.max_file_mb * 1024 * 1024)),
            "max_rows": settings.max_rows_per_sheet,
            "max_cols": settings.max_cols_per_sheet,
            "max_unpacked_bytes": max(1, int(settings.max_unpacked_mb * 1024 * 1024)),
            "max_zip_ratio": settings.max_zip_ratio,
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
        value the clerk typed from one spread by a merge.  Rows keep their own lengths: padding
        every row to the widest one made one stray far-right cell cost gigabytes (issue 20).
        """
        width = self.n_cols
        grid = [list(r) for r in self.rows]
        copies: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in self.merged:
            if r0 >= len(grid):
                continue
            value = grid[r0][c0] if c0 < len(grid[r0]) else None
            last = min(c1, width - 1)
            for r in range(r0, min(r1, len(grid) - 1) + 1):
                row = grid[r]
                if value is not None and len(row) <= last:
                    row.extend([None] * (last + 1 - len(row)))
                for c in range(c0, last + 1):
                    if (r, c) != (r0, c0):
                        if c < len(row):
                            row[c] = value
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
    # (sheet, Chinese sentence): what was left out of a sheet that is otherwise read
    notes: list[tuple[str, str]] = field(default_factory=list)


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


def _cell(value: Any) -> Any:
    if value == "" or value is None:
        return None
    return strip_controls(value) if isinstance(value, str) else value


def _normalise_rows(rows: Iterable[list[Any]], row0: int, col0: int,
                    max_cols: int | None = None) -> list[list[Any]]:
    out: list[list[Any]] = [[] for _ in range(row0)]
    pad = [None] * col0
    for row in rows:
        cells = [_cell(v) for v in (row if max_cols is None else row[: max(0, max_cols - col0)])]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(pad + cells if cells else [])
    while out and not out[-1]:
        out.pop()
    return out


def _read_calamine(path: Path, limits: Limits, data: bytes | None = None
                   ) -> tuple[list[tuple[str, str, list, list]], str]:
    """[(name, visibility, rows, merged)] via calamine (from `data` when given: the workbook with
    its too-wide cells taken out)."""
    if data is not None:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    else:
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
            out.append((meta.name, visible,
                        _normalise_rows(rows, start[0], start[1], limits.max_cols), merged))
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
        rows = (list(r) for r in ws.iter_rows(values_only=True, max_col=limits.max_cols))
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        out.append((ws.title, visible, _normalise_rows(rows, 0, 0, limits.max_cols), merged))
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
            for c in range(min(sh.ncols, limits.max_cols)):
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
_FORMULA_CELL = re.compile(rb'<c\b([^>]*?)(?<!/)>(<f\b.*?)</c>', re.S)
_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>(.*?)</f>", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CACHED = re.compile(rb"<v>([^<]*)</v>")
_STRING_RESULT = re.compile(rb'\bt="(?:str|inlineStr)"')
ZIP_RATIO_FLOOR = 8 * 1024 * 1024  # a member smaller than this decompressed is never refused
_CHUNK = 1 << 20


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def column_letters(index: int) -> str:
    """0 → 'A', 26 → 'AA': the column as Excel shows it, for messages naming a cell."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace(
        "&gt;", ">").replace("&amp;", "&")


@dataclass
class _XlsxScan:
    """What an .xlsx holds, learnt from its XML before any reader builds a grid of it."""

    cells: dict[str, dict[tuple[int, int], CellError]] = field(default_factory=dict)
    wide: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # beyond max_cols
    data: bytes | None = None  # the workbook with the `wide` cells taken out, when any
    shown: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # 2022.10


def _unpack(zf: zipfile.ZipFile, limits: Limits, keep: set[str]) -> dict[str, bytes]:
    """Decompress every member, counting real bytes (the sizes a zip declares can lie), and
    refuse the file once the total or one member's compression ratio passes its limit, before
    any reader expands it (a 1 MB file of shared strings that expands to 1 GB).  Returns the
    members named in `keep`."""
    total = 0
    kept: dict[str, bytes] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        size, parts = 0, []
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if total > limits.max_unpacked_bytes:
                    raise Oversized(
                        f"文件解压后超过{limits.max_unpacked_bytes / 1024 / 1024:.0f}MB"
                        "（压缩包中的内容异常庞大），请删除多余内容后另存为.xlsx报送")
                if size > ZIP_RATIO_FLOOR and size > limits.max_zip_ratio * max(
                        info.compress_size, 1):
                    raise Oversized(
                        f"文件中的「{info.filename}」解压后是压缩时的{limits.max_zip_ratio:g}倍以上"
                        "（异常的压缩包），请用Excel打开后另存为.xlsx再报送")
                if info.filename in keep:
                    parts.append(chunk)
        if info.filename in keep:
            kept[info.filename] = b"".join(parts)
    return kept


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """sheet name → its worksheet member ('xl/worksheets/sheet1.xml')."""
    book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        rels = ""
    targets = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        targets[attrs.get("Id")] = attrs.get("Target", "")
    out = {}
    for tag in _SHEET_TAG.findall(book):
        attrs = dict(_ATTR.findall(tag))
        target = targets.get(attrs.get("r:id"), "")
        out[_xml_unescape(attrs.get("name", ""))] = (
            target.lstrip("/") if target.startswith("/") else "xl/" + target)
    return out


def _special_cells(data: bytes) -> dict[tuple[int, int], CellError]:
    """{(row, col): CellError} for cached errors ('#REF!') and formulas with no cached value.

    calamine reads both as empty; keeping the text lets the clerk be told 「#REF!」 rather than
    "empty".  Formulas are never evaluated, only the value Excel saved is read."""
    cells: dict[tuple[int, int], CellError] = {}
    if b't="e"' in data:
        for attrs, body in _ERROR_TAG.findall(data):
            ref, value = _CELL_REF.search(attrs), _CACHED.search(body)
            if ref and value and value[1].startswith(b"#") and not attrs.endswith(b"/"):
                key = (int(ref[2]) - 1, _column_index(ref[1]))
                cells[key] = CellError(value[1].decode("utf-8", "replace"))
    if b"<f" in data:
        for attrs, body in _FORMULA_CELL.findall(data):
            ref = _CELL_REF.search(attrs)
            cached = _CACHED.search(body)
            if ref is None or (cached and cached[1]) or b't="e"' in attrs or (
                    cached is not None and _STRING_RESULT.search(attrs)):
                continue  # a value was saved (an empty text result counts as one)
            formula = _FORMULA_TEXT.search(body)
            text = _xml_unescape(formula[1].decode("utf-8", "replace")) if formula else ""
            key = (int(ref[2]) - 1, _column_index(ref[1]))
            cells[key] = CellError("=" + (strip_controls(text)[:200] or "（共享公式）"))
    return cells


def _last_content_row(data: bytes) -> int:
    """1-based row of the last cell with content (self-closing cells are formatting only)."""
    end = data.rfind(b"</c>")
    if end < 0:
        return 0
    ref = _CELL_REF.search(data, data.rfind(b"<c ", 0, end), end)
    return int(ref[2]) if ref else 0


def _cut_wide(data: bytes, max_cols: int) -> tuple[bytes, list[tuple[int, int]]]:
    """The sheet XML without the content cells right of column `max_cols`, and where they were."""
    letters = len(column_letters(max_cols))  # a cell further right has at least this many
    pattern = re.compile(rb'<c r="([A-Z]{%d,3})(\d+)"[^>]*?(?:/>|>.*?</c>)' % letters, re.S)
    cut: list[tuple[int, int]] = []

    def drop(match: re.Match) -> bytes:
        col = _column_index(match[1])
        if col < max_cols or match[0].endswith(b"/>"):
            return match[0]
        cut.append((int(match[2]) - 1, col))
        return b""

    if pattern.search(data) is None:
        return data, []
    return pattern.sub(drop, data), cut


_NUM_FMT = re.compile(rb'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"')
_CELL_XFS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF_FMT = re.compile(rb'<xf\b[^>]*?numFmtId="(\d+)"')
# a year.month number whose month Excel's number hides: 2022.10 is stored as 2022.1
_YEAR_DOT_ONE = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)" s="(\d+)"(?: t="n")?><v>((?:19[5-9]\d|20\d\d)\.1)</v></c>')


def _two_decimal_styles(zf: zipfile.ZipFile) -> set[int]:
    """Style indexes whose number format shows exactly two decimals (0.00, #,##0.00, "0.00")."""
    try:
        styles = zf.read("xl/styles.xml")
    except KeyError:
        return set()
    custom = {int(i): _xml_unescape(code.decode("utf-8", "replace"))
              for i, code in _NUM_FMT.findall(styles)}
    block = _CELL_XFS.search(styles)
    out = set()
    for index, fmt in enumerate(_XF_FMT.findall(block[1]) if block else []):
        code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", custom.get(int(fmt), ""))
        if int(fmt) in (2, 4) or (re.search(r"\.00(?![0#])", code) and not re.search(
                r"[%yYmMdDhHsSeE]", code)):
            out.add(index)
    return out


def _shown_with_two_decimals(xml: bytes, styles: set[int]) -> dict[tuple[int, int], str]:
    """{(row, col): '2022.10'} for year.month numbers displayed with two decimals: what the clerk
    typed and saw, so the date reads October, not January (issue 20)."""
    if not styles or b".1</v>" not in xml:
        return {}
    return {(int(r) - 1, _column_index(col)): value.decode() + "0"
            for col, r, style, value in _YEAR_DOT_ONE.findall(xml) if int(style) in styles}


def _inspect_xlsx(path: Path, limits: Limits) -> _XlsxScan:
    """Check an .xlsx is a workbook of bounded size, and find its special and too-wide cells."""
    scan = _XlsxScan()
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if not any(n.startswith("xl/") for n in names):
                raise UnreadableFile(
                    "文件不是Excel工作簿（压缩包中没有工作表），请用Excel另存为.xlsx后报送")
            members = _sheet_members(zf) if "xl/workbook.xml" in names else {}
            data = _unpack(zf, limits, set(members.values()))
            styles = _two_decimal_styles(zf)
            replaced: dict[str, bytes] = {}
            for name, member in members.items():
                xml = data.get(member)
                if xml is None:
                    continue
                last = _last_content_row(xml)
                if last > limits.max_rows:
                    raise Oversized(f"工作表「{name}」有内容的行到第{last}行，超过上限"
                                    f"{limits.max_rows}行，请删除多余的行或拆分后报送")
                xml, cut = _cut_wide(xml, limits.max_cols)
                if cut:
                    scan.wide[name] = cut
                    replaced[member] = xml
                cells = _special_cells(xml)
                if cells:
                    scan.cells[name] = cells
                shown = _shown_with_two_decimals(xml, styles)
                if shown:
                    scan.shown[name] = shown
            if replaced:
                scan.data = _rezip(zf, replaced)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError,
            RuntimeError, ValueError, NotImplementedError) as exc:
        raise UnreadableFile("文件已损坏或不完整（压缩包无法打开），请重新保存后报送") from exc
    return scan


def _rezip(zf: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in zf.infolist():
            dest.writestr(info.filename, replaced.get(info.filename) or zf.read(info))
    return out.getvalue()


def _xls_error_cells(path: Path, limits: Limits) -> dict[str, dict[tuple[int, int], CellError]]:
    """sheet name → {(row, col): CellError('#N/A')} of an .xls: calamine reads an error cell
    of the old format as empty, xlrd keeps its code.  Best effort: {} when xlrd cannot."""
    import xlrd

    out: dict[str, dict[tuple[int, int], CellError]] = {}
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells = {}
            for r in range(min(sheet.nrows, limits.max_rows)):
                for c, ctype in enumerate(sheet.row_types(r)[: limits.max_cols]):
                    if ctype == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(r, c)
                        cells[(r, c)] = CellError(xlrd.error_text_from_code.get(code, "#ERROR!"))
            if cells:
                out[sheet.name] = cells
            book.unload_sheet(index)
    except Exception:  # noqa: BLE001 — the cells then read as empty, as calamine gives them
        return {}
    return out


def _put_cells(rows: list[list[Any]], cells: dict[tuple[int, int], CellError]) -> None:
    for (r, c), text in cells.items():
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if row[c] is None:
            row[c] = text


def _wide_note(name: str, cut: list[tuple[int, int]], limits: Limits) -> str:
    shown = "、".join(f"{column_letters(c)}{r + 1}" for r, c in cut[:3])
    more = f"等{len(cut)}个单元格" if len(cut) > 3 else ""
    return (f"第{limits.max_cols}列以右的单元格{shown}{more}有内容，超出最多"
            f"{limits.max_cols}列的范围，未读取；请删除表格右侧多余的内容后重新报送")


def _check_size(path: Path, limits: Limits) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile(f"文件无法打开：{exc.strerror or exc}") from exc
    if size > limits.max_bytes:
        raise Oversized(
            f"文件大小{size / 1024 / 1024:.1f}MB，超过上限{limits.max_bytes / 1024 / 1024:.0f}MB，"
            "请删除多余内容后报送"
        )


def _read_sheets(path: Path, fmt: str, limits: Limits, scan: _XlsxScan | None
                 ) -> tuple[list[tuple[str, str, list, list]], str]:
    """calamine first; openpyxl / xlrd when calamine fails on an odd but valid file."""
    try:
        return _read_calamine(path, limits, scan.data if scan else None)
    except Oversized:
        raise
    except pc.PasswordError as exc:
        raise UnreadableFile("文件设有密码保护，无法读取，请取消密码后重新报送") from exc
    except Exception:  # noqa: BLE001 — try the slower readers before giving up
        try:
            if fmt == "xlsx":
                return _read_openpyxl(path, limits), "openpyxl"
            return _read_xlrd(path, limits), "xlrd"
        except Oversized:
            raise
        except Exception as exc:
            raise UnreadableFile(
                "文件已损坏或格式无法识别，请用Excel打开后另存为.xlsx重新报送"
            ) from exc


def _keep_sheets(raw_sheets: list[tuple[str, str, list, list]]
                 ) -> tuple[list[Sheet], list[tuple[str, str]]]:
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
    return sheets, skipped


def _mark_cells(raw_sheets: list[tuple[str, str, list, list]], path: Path, fmt: str, reader: str,
                limits: Limits, scan: _XlsxScan | None) -> list[tuple[str, str]]:
    """Put back what calamine reads as empty or hides (cached errors, uncached formulas, a
    2022.10 shown with two decimals); returns the notes on cells cut for being too far right."""
    notes: list[tuple[str, str]] = []
    if fmt == "xls" and reader == "calamine":
        errors = _xls_error_cells(path, limits)
        for name, _visible, rows, _merged in raw_sheets:
            if name in errors:
                _put_cells(rows, errors[name])
    if scan is None:
        return notes
    for name, _visible, rows, _merged in raw_sheets:
        if reader == "calamine" and name in scan.cells:
            _put_cells(rows, scan.cells[name])
        for (r, c), text in scan.shown.get(name, {}).items() if reader == "calamine" else ():
            if r < len(rows) and c < len(rows[r]) and rows[r][c] == float(text):
                rows[r][c] = text  # as displayed: "2022.10"
        if name in scan.wide:
            notes.append((name, _wide_note(name, scan.wide[name], limits)))
    return notes


def read_workbook(path: str | Path, limits: Limits | None = None) -> Workbook:
    """Every visible, non-empty data sheet of the workbook; skipped sheets listed with a reason.

    Phases: size → sniff the bytes → (.xlsx) inspect the zip before any reader expands it →
    read → mark cached errors and uncached formulas → keep the data sheets."""
    limits = limits or Limits()
    path = Path(path)
    _check_size(path, limits)
    scan = None
    if _sniff(path) == "ole":
        if _ole_encrypted(path):
            raise UnreadableFile("文件设有打开密码（已加密），无法读取，请取消密码后重新报送")
        fmt = "xls"
    else:
        scan = _inspect_xlsx(path, limits)
        fmt = "xlsx"
    raw_sheets, reader = _read_sheets(path, fmt, limits, scan)
    notes = _mark_cells(raw_sheets, path, fmt, reader, limits, scan)
    # a sheet name reaches the warehouse too (source_sheet): no control characters there either
    raw_sheets = [(strip_controls(n), v, rows, m) for n, v, rows, m in raw_sheets]
    notes = [(strip_controls(n), text) for n, text in notes]
    sheets, skipped = _keep_sheets(raw_sheets)
    states = {name: visible for name, visible, _, _ in raw_sheets}
    return Workbook(str(path), fmt, sheets, skipped, reader, states, notes)
