"""The 红黑榜通报 workbook (openpyxl): cover, 红榜, 黑榜, 全市汇总, 目标任务完成进度, 四率,
综合排名 and a bar chart of completion by unit.

Text that comes from submissions (unit names, list groups, reasons) is always stored as a string
cell: openpyxl turns any str starting with '=' into a formula, so every text cell is forced back
to data_type 's' (and quotePrefix, as Excel itself does for typed-in text like '=…).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as DrawingFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from runtime.values import is_missing

from .layout import (
    AMOUNT,
    BOOL,
    COUNT,
    INT,
    RATE,
    SCORE,
    TABLES,
    TEXT,
    cell_kind,
    columns_of,
    frame,
)
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
BODY_FONT = Font(name=FONT, size=10)
# what the cover says about the figures (the warehouse itself is named in the properties)
SOURCE_TEXT = "各县（区）、开发区、市直部门和产业招商组报送的招商引资项目台账及目标任务分解表"
LINE_HEIGHT = 14  # points per wrapped line of 10 pt 宋体
CHART_ROWS = 12  # units per chart: a chart of 12 (≈ 12.6 cm) fits a landscape A4 page under
# the repeated title rows
CHART_CM_PER_UNIT = 0.8
ROW_CM = 15 / 72 * 2.54  # a default 15 pt row, in cm (where the next chart is anchored)


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
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = f"{FONT},Regular"
    ws.oddFooter.center.size = 9
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
        ("发文机关", data.issuer),
        ("文号", data.doc_number),
        ("数据来源", SOURCE_TEXT),
        ("生成时间", data.generated_at.strftime("%Y-%m-%d %H:%M")),
        ("说明", "本通报由招商引资数据仓库自动生成，各数字可追溯至报送台账的文件与行号；"
                 "序时进度 = 统计月份 ÷ 12。"),
    ]
    for i, (label, value) in enumerate(rows, start=3):
        set_text(ws.cell(i, 1), label)
        ws.cell(i, 1).font = Font(name=FONT, bold=True)
        c = ws.cell(i, 2)
        c.font = BODY_FONT
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
    for i in range(3, 3 + len(rows)):
        ws.row_dimensions[i].height = LINE_HEIGHT * text_lines(str(ws.cell(i, 2).value), 36 * 3)
    _page_setup(ws, header_rows=0)


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (a CJK character is two
    character widths). Row heights are written out: LibreOffice and printers do not grow a row
    to fit wrapped text by themselves, and the reasons would print cut to one line."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return max(1, -(-units // max(int(width) - 1, 1)))


def _row_height(row, cols) -> float:
    lines = 1
    for col in cols:
        value = row.get(col.field)
        if col.kind == TEXT and not is_missing(value):
            lines = max(lines, text_lines(str(value), col.width))
    return LINE_HEIGHT * lines + 2


def _table_sheet(wb: Workbook, data: ReportData, table) -> Worksheet:
    ws = wb.create_sheet(table.sheet)
    df = frame(data, table)
    cols = columns_of(table, df)
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
            c.font = BODY_FONT
            if fill is not None and table.key == "ranking":
                c.fill = fill
        ws.row_dimensions[i].height = _row_height(row, cols)
    if df.empty:
        set_text(ws.cell(HEADER_ROW + 1, 1), "（本期无）")
        ws.cell(HEADER_ROW + 1, 1).font = BODY_FONT  # 宋体 like every other cell
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    if len(df):
        last = get_column_letter(len(cols))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(df)}"
    _page_setup(ws)
    return ws


def _cjk_text(size_pt: float, bold: bool = False) -> RichText:
    """Chart text in 宋体 (Latin and East-Asian slots), so printed labels are not boxes."""
    props = CharacterProperties(latin=DrawingFont(typeface=FONT), ea=DrawingFont(typeface=FONT),
                                sz=int(size_pt * 100), b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _bar_chart(ws: Worksheet, first: int, last: int, caption: str = "") -> BarChart:
    """Horizontal bars, one row of three per unit (funds, projects, 序时进度) for the data rows
    first..last, as wide as a landscape page: names read whole, bars legible when printed."""
    n = last - first + 1
    bar = BarChart()
    bar.type = "bar"
    bar.grouping = "clustered"
    bar.title = f"各单位目标任务完成率{caption}"
    bar.y_axis.title = "完成率"
    bar.y_axis.number_format = "0%"
    bar.y_axis.majorGridlines = None
    for col in range(2, 5):  # series titles from the header row, values from this part's rows
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last),
                        title_from_data=False)
        series.tx = SeriesLabel(strRef=StrRef(f"'{ws.title}'!${get_column_letter(col)}$"
                                              f"{HEADER_ROW}"))
        bar.series.append(series)
    bar.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    bar.x_axis.scaling.orientation = "maxMin"  # first unit on top, as in the table
    bar.x_axis.delete = bar.y_axis.delete = False
    for axis in (bar.x_axis, bar.y_axis):
        axis.txPr = _cjk_text(9)
    bar.legend.position = "b"
    bar.legend.txPr = _cjk_text(9)
    bar.width = 25
    bar.height = CHART_CM_PER_UNIT * n + 3
    return bar


def _add_charts(ws: Worksheet, n: int) -> None:
    """The chart under the data, in parts of at most CHART_ROWS units, each starting a printed
    page: a chart does not break across pages, and a 40-unit chart would be cut."""
    anchor = HEADER_ROW + n + 3
    parts = [(s, min(s + CHART_ROWS, n)) for s in range(0, n, CHART_ROWS)]
    for k, (start, end) in enumerate(parts, start=1):
        caption = f"（{k}/{len(parts)}）" if len(parts) > 1 else ""
        chart = _bar_chart(ws, HEADER_ROW + 1 + start, HEADER_ROW + end, caption)
        ws.row_breaks.append(Break(id=anchor - 1))
        ws.add_chart(chart, f"A{anchor}")
        anchor += int(chart.height / ROW_CM) + 2


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
        ws.column_dimensions[get_column_letter(j)].width = 24 if j == 1 else 16
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
            ws.cell(i, j).font = BODY_FONT
        ws.cell(i, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = LINE_HEIGHT * text_lines(str(row.unit_name), 24) + 2
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    n = len(data.chart)
    if n:
        _add_charts(ws, n)
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
    wb.properties.creator = data.issuer or "招商引资数据仓库"
    wb.properties.subject = data.doc_number
    wb.properties.description = f"数据来源：{data.source}"
    wb.properties.keywords = f"招商引资；红黑榜；{data.period}"
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
