"""The 红黑榜通报 workbook (openpyxl): cover, 红榜, 黑榜, 全市汇总, 目标任务完成进度, 四率,
综合排名 and a bar chart of completion by unit.

Text that comes from submissions (unit names, list groups, reasons) is always stored as a string
cell: openpyxl turns any str starting with '=' into a formula, so every text cell is forced back
to data_type 's' (and quotePrefix, as Excel itself does for typed-in text like '=…).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .layout import AMOUNT, BOOL, COUNT, INT, RATE, SCORE, TABLES, cell_kind, frame, is_missing
from .tongbao import ReportData

FORMULA_PREFIXES = ("=", "+", "-", "@")
NUMBER_FORMATS = {AMOUNT: "0.00", RATE: "0.0%", SCORE: "0.00", INT: "0", COUNT: "0.##"}
HEADER_ROW = 3  # title, subtitle, header; data starts on row 4
FONT = "宋体"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_RED_FILL = PatternFill("solid", fgColor="FDE2E1")
_BLACK_FILL = PatternFill("solid", fgColor="E6E6E6")
CHART_SHEET = "完成率图"


def set_text(cell, value) -> None:
    """Store `value` as plain text, never as a formula."""
    text = "" if is_missing(value) else str(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True


def set_number(cell, value, kind: str) -> None:
    if is_missing(value):
        set_text(cell, "—")
        cell.alignment = Alignment(horizontal="center")
        return
    f = float(value)
    cell.value = int(f) if kind in (INT, COUNT) and f.is_integer() else f
    cell.number_format = "0" if kind == COUNT and f.is_integer() else NUMBER_FORMATS[kind]


def _page_setup(ws: Worksheet, header_rows: int = HEADER_ROW) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"


def _heading(ws: Worksheet, title: str, subtitle: str, ncols: int) -> None:
    set_text(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 1))
    set_text(ws.cell(2, 1), subtitle)
    ws.cell(2, 1).font = Font(name=FONT, size=10, color="555555")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(ncols, 1))
    ws.row_dimensions[1].height = 24


def _cover(ws: Worksheet, data: ReportData) -> None:
    ws.title = "封面"
    set_text(ws["A1"], data.title)
    ws["A1"].font = Font(name=FONT, size=18, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells("A1:D1")
    ws.row_dimensions[1].height = 40
    rows = [
        ("统计期", data.period),
        ("序时进度", data.time_progress),
        ("红榜单位数", len(data.red)),
        ("黑榜单位数", len(data.black)),
        ("数据来源", data.source),
        ("生成时间", data.generated_at.strftime("%Y-%m-%d %H:%M")),
        ("说明", "本通报由招商引资数据仓库自动生成，各数字可追溯至报送台账的文件与行号；"
                 "序时进度 = 统计月份 ÷ 12。"),
    ]
    for i, (label, value) in enumerate(rows, start=3):
        set_text(ws.cell(i, 1), label)
        ws.cell(i, 1).font = Font(name=FONT, bold=True)
        c = ws.cell(i, 2)
        if label == "序时进度":
            set_number(c, value, RATE)
            c.alignment = Alignment(horizontal="left")
        elif isinstance(value, int):
            set_number(c, value, INT)
            c.alignment = Alignment(horizontal="left")
        else:
            set_text(c, value)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=i, start_column=2, end_row=i, end_column=4)
    ws.column_dimensions["A"].width = 14
    for col in "BCD":
        ws.column_dimensions[col].width = 36
    for i in (7, 9):
        ws.row_dimensions[i].height = 32
    _page_setup(ws, header_rows=0)


def _table_sheet(wb: Workbook, data: ReportData, table) -> Worksheet:
    ws = wb.create_sheet(table.sheet)
    df = frame(data, table)
    cols = table.columns
    subtitle = f"统计期：{data.period}　序时进度：{data.time_progress_text}"
    if table.note:
        subtitle += f"　说明：{table.note}"
    _heading(ws, f"{data.city}{table.title}（{data.year}年{data.month}月）", subtitle, len(cols))
    for j, col in enumerate(cols, start=1):
        c = ws.cell(HEADER_ROW, j)
        set_text(c, col.header)
        c.font = Font(name=FONT, bold=True)
        c.fill = _HEADER_FILL
        c.border = _BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[HEADER_ROW].height = 30
    for i, (_, row) in enumerate(df.iterrows(), start=HEADER_ROW + 1):
        fill = {"red": _RED_FILL, "black": _BLACK_FILL}.get(row.get("list"))
        for j, col in enumerate(cols, start=1):
            c = ws.cell(i, j)
            kind = cell_kind(col, row)
            value = row.get(col.field)
            if kind == BOOL:
                set_text(c, "—" if is_missing(value) else ("是" if value else "否"))
                c.alignment = Alignment(horizontal="center")
            elif kind in NUMBER_FORMATS:
                set_number(c, value, kind)
            else:
                set_text(c, value)
                c.alignment = Alignment(wrap_text=True, vertical="top")
            c.border = _BORDER
            if fill is not None and table.key == "ranking":
                c.fill = fill
    if df.empty:
        set_text(ws.cell(HEADER_ROW + 1, 1), "（本期无）")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    if len(df):
        last = get_column_letter(len(cols))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(df)}"
    _page_setup(ws)
    return ws


def _chart_sheet(wb: Workbook, data: ReportData) -> Worksheet:
    ws = wb.create_sheet(CHART_SHEET)
    headers = ["单位", "到位资金完成率", "新引进项目完成率", "序时进度"]
    _heading(ws, f"{data.city}各单位目标任务完成率（{data.year}年{data.month}月）",
             f"统计期：{data.period}　序时进度：{data.time_progress_text}", len(headers))
    for j, h in enumerate(headers, start=1):
        c = ws.cell(HEADER_ROW, j)
        set_text(c, h)
        c.font = Font(name=FONT, bold=True)
        c.fill = _HEADER_FILL
        c.border = _BORDER
        ws.column_dimensions[get_column_letter(j)].width = 20 if j == 1 else 16
    for i, row in enumerate(data.chart.itertuples(index=False), start=HEADER_ROW + 1):
        set_text(ws.cell(i, 1), row.unit_name)
        for j, value in ((2, row.funds_completion), (3, row.projects_completion),
                         (4, data.time_progress)):
            c = ws.cell(i, j)
            if is_missing(value):
                c.value = None  # a gap in the chart, not a zero bar
            else:
                set_number(c, value, RATE)
        for j in range(1, 5):
            ws.cell(i, j).border = _BORDER
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    n = len(data.chart)
    if n:
        first, last = HEADER_ROW + 1, HEADER_ROW + n
        bar = BarChart()
        bar.type = "col"
        bar.grouping = "clustered"
        bar.title = "各单位目标任务完成率"
        bar.y_axis.title = "完成率"
        bar.y_axis.number_format = "0%"
        bar.y_axis.majorGridlines = None
        bar.x_axis.title = "单位"
        bar.add_data(Reference(ws, min_col=2, max_col=3, min_row=HEADER_ROW, max_row=last),
                     titles_from_data=True)
        cats = Reference(ws, min_col=1, min_row=first, max_row=last)
        bar.set_categories(cats)
        line = LineChart()
        line.add_data(Reference(ws, min_col=4, min_row=HEADER_ROW, max_row=last),
                      titles_from_data=True)
        line.set_categories(cats)
        bar += line
        bar.height = 10
        bar.width = max(18, 2.2 * n + 6)
        bar.legend.position = "b"
        ws.add_chart(bar, f"F{HEADER_ROW}")
    _page_setup(ws)
    return ws


def build_workbook(data: ReportData) -> Workbook:
    wb = Workbook()
    _cover(wb.active, data)
    for table in TABLES:
        _table_sheet(wb, data, table)
        if table.key == "progress":
            _chart_sheet(wb, data)
    wb.properties.title = data.title
    wb.properties.creator = "招商引资数据仓库"
    return wb


def write_excel(data: ReportData, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{data.file_stem}.xlsx"
    tmp = path.with_suffix(".xlsx.tmp")
    try:
        build_workbook(data).save(tmp)
        tmp.replace(path)  # a reader never opens half a workbook
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves the old report, and no half file
        raise
    return path
