"""The 通报 as a Word document (python-docx), in the layout of GB/T 9704 (党政机关公文格式):
版头 (发文机关标志 in red, 发文字号, red separator), 标题, 主送机关, 正文 (仿宋_GB2312 三号, 28 pt
lines, headings 黑体), 附件说明, 发文机关署名 and 成文日期; then each 附件 on its own landscape
pages with its tables; page numbers "— n —" in the footer.

Chinese fonts need w:eastAsia on w:rFonts (python-docx's `font.name` sets only the Latin
slots); it is set through python-docx's oxml helpers, never by writing XML text.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .body import ATTACHMENTS, HEADING, attachment_lines, body_blocks
from .layout import BOOL, TABLES, TEXT, cell_kind, columns_of, display, frame
from .tongbao import ReportData

FANGSONG, SONG, HEI = "仿宋_GB2312", "宋体", "黑体"
BODY_PT, LINE_PT = 16, 28  # 三号 and the standard's fixed line pitch
RED = RGBColor(0xC0, 0x00, 0x00)
TABLES_BY_KEY = {t.key: t for t in TABLES}


def set_font(font, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East-Asian font of a run or style font (python-docx `Font`)."""
    font.name = name
    font.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


def _run(paragraph, text: str, font: str, size: float, bold: bool = False, colour=None):
    run = paragraph.add_run(text)
    set_font(run.font, font, size, bold)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _para(doc, text: str = "", font: str = FANGSONG, size: float = BODY_PT, *,
          align=None, indent: bool = False, bold: bool = False, colour=None):
    p = doc.add_paragraph()
    if text:
        _run(p, text, font, size, bold, colour)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * size)
    return p


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    set_font(normal.font, FANGSONG, BODY_PT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)


def _portrait(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def _bottom_border(paragraph, colour: str = "C00000") -> None:
    """The red separator under the 版头 (a paragraph bottom border)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"),
                       ("w:color", colour)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _page_number_footer(section) -> None:
    """"— n —" centred in the footer (a PAGE field)."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ", SONG, 14)
    run = _run(p, "", SONG, 14)
    for tag, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"),
                      ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    _run(p, " —", SONG, 14)


def _head(doc, data: ReportData) -> None:
    """版头, 标题 and 主送机关."""
    _para(doc, data.issuer, SONG, 26, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, colour=RED)
    _para(doc)
    number = _para(doc, data.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _bottom_border(number)
    _para(doc)
    title = _para(doc, data.title, SONG, 22, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    title.paragraph_format.line_spacing = Pt(36)
    _para(doc)
    _para(doc, f"{data.recipients}：")


def _body(doc, data: ReportData) -> None:
    for block in body_blocks(data):
        if block.kind == HEADING:
            _para(doc, block.text, HEI, BODY_PT, indent=True)
        else:
            _para(doc, block.text, indent=True)
    _para(doc)
    lines = attachment_lines()
    first = _para(doc, f"附件：{lines[0]}", indent=True)
    first.paragraph_format.keep_with_next = True
    for line in lines[1:]:
        p = _para(doc, line)
        p.paragraph_format.left_indent = Pt(5 * BODY_PT)  # under the first attachment's title
    _para(doc)
    _para(doc)
    date = f"{data.generated_at.year}年{data.generated_at.month}月{data.generated_at.day}日"
    for text in (data.issuer, date):
        p = _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(4 * BODY_PT)


def _landscape_section(doc):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    return section


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cell_text(cell, text: str, size: float, *, bold=False, align=None) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        p.alignment = align
    _run(p, text, SONG, size, bold)


def _table(doc, data: ReportData, table, usable_mm: float) -> None:
    df = frame(data, table)
    cols = columns_of(table, df)
    size = 9 if len(cols) > 9 else 10.5
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    # numbers need room for "100.0%" on one line; the reasons column takes what is left
    weights = [min(max(c.width, 8 if c.kind == TEXT else 11), 50) for c in cols]
    widths = [Mm(usable_mm * w / sum(weights)) for w in weights]
    t.autofit = False
    for column, w in zip(t.columns, widths):
        column.width = w  # the grid: LibreOffice lays out by it, Word by the cell widths
    for cell, col, w in zip(t.rows[0].cells, cols, widths):
        _cell_text(cell, col.header, size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.width = w
    _repeat_header(t.rows[0])
    for _, row in df.iterrows():
        cells = t.add_row().cells
        for cell, col, w in zip(cells, cols, widths):
            kind = cell_kind(col, row)
            align = (WD_ALIGN_PARAGRAPH.LEFT if kind == TEXT else WD_ALIGN_PARAGRAPH.CENTER
                     if kind == BOOL else WD_ALIGN_PARAGRAPH.RIGHT)
            _cell_text(cell, display(row.get(col.field), kind), size, align=align)
            cell.width = w
    if df.empty:
        cells = t.add_row().cells
        merged = cells[0].merge(cells[-1])
        _cell_text(merged, "（本期无）", size, align=WD_ALIGN_PARAGRAPH.CENTER)


def _attachments(doc, data: ReportData) -> None:
    usable = 297 - 40
    for i, (title, keys) in enumerate(ATTACHMENTS, start=1):
        if i == 1:
            _landscape_section(doc)
        else:
            doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        _para(doc, f"附件{i}", HEI, BODY_PT)
        _para(doc, f"{data.city}{title}（{data.year}年{data.month}月）", SONG, 18,
              align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        for key in keys:
            table = TABLES_BY_KEY[key]
            if len(keys) > 1:
                _para(doc, table.title, HEI, 14)
            if table.note:
                _para(doc, table.note, FANGSONG, 12)
            _table(doc, data, table, usable)
            _para(doc, "", FANGSONG, 10)


def _properties(doc, data: ReportData) -> None:
    """The warehouse and marts behind the figures are named here, not in the text."""
    props = doc.core_properties
    props.title = data.title
    props.subject = f"{data.city}招商引资工作红黑榜通报 {data.period}"
    props.author = data.issuer
    props.last_modified_by = data.issuer
    props.category = "通报"
    props.keywords = f"招商引资；红黑榜；{data.period}"
    props.comments = f"数据来源：{data.source}"
    props.identifier = data.doc_number
    props.created = props.modified = data.generated_at
    props.revision = 1


def build_document(data: ReportData):
    doc = Document()
    _styles(doc)
    _portrait(doc.sections[0])
    _head(doc, data)
    _body(doc, data)
    _attachments(doc, data)
    _page_number_footer(doc.sections[0])
    _properties(doc, data)
    return doc


def write_docx(data: ReportData, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{data.file_stem}.docx"
    tmp = path.with_suffix(".docx.tmp")
    build_document(data).save(str(tmp))
    tmp.replace(path)
    return path
