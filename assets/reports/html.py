"""The 红黑榜通报 as one self-contained, printable HTML page: inline CSS, the chart as inline
SVG drawn here, no script, no external resource. Every text is HTML-escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from runtime.values import is_missing

from .body import ATTACHMENTS, HEADING, attachment_lines, body_blocks
from .layout import BOOL, TABLES, TEXT, cell_kind, columns_of, display, frame
from .tongbao import ReportData

# Windows offices have 仿宋_GB2312 / 宋体 / 黑体; Linux servers have Noto CJK (fonts-noto-cjk).
SERIF = ('"FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", '
         '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "宋体", serif')
SONG = '"SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", serif'
HEI = ('"SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", '
       'sans-serif')
CSS = """
@page { size: A4 portrait; margin: 25mm 22mm 22mm 24mm;
        @bottom-center { content: "— " counter(page) " —"; font-family: SONG; font-size: 11pt; } }
@page annex { size: A4 landscape; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: SONG; color: #222; margin: 24px; font-size: 13px; line-height: 1.5; }
.doc { font-family: SERIF; font-size: 16pt; line-height: 28pt; max-width: 170mm; margin: 0 auto; }
.doc p { margin: 0; text-indent: 2em; }
.doc p.flush { text-indent: 0; }
.doc h3 { font-family: HEI; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
.issuer { color: #c00000; font-family: SONG; font-weight: bold; font-size: 30pt;
          text-align: center; line-height: 1.4; margin: 0 0 12pt; }
.docno { text-align: center; text-indent: 0; border-bottom: 2px solid #c00000;
         padding-bottom: 6pt; margin-bottom: 24pt !important; }
h1 { font-family: SONG; text-align: center; font-size: 22pt; line-height: 1.4; margin: 0 0 24pt; }
.sign { text-align: right; padding-right: 4em; text-indent: 0 !important; }
.annexes p.more { padding-left: 5em; text-indent: 0; }
.annex { page: annex; break-before: page; }
.annex-no { font-family: HEI; font-size: 16pt; margin: 0; }
h2 { font-family: HEI; font-size: 18px; text-align: center; margin: 6px 0 10px; }
h4 { font-family: HEI; font-size: 15px; border-left: 5px solid #1f4e79; padding-left: 8px;
     margin: 18px 0 6px; }
.note { color: #555; font-size: 12px; margin: 2px 0 6px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; }
th { background: #dde4ee; font-family: HEI; font-weight: normal; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.bool { text-align: center; }
td.text { white-space: nowrap; }
td.long { white-space: normal; min-width: 20em; }
th { min-width: 3em; }
tr.red td { background: #fde2e1; }
tr.black td { background: #e6e6e6; }
.chart svg { width: 100%; height: auto; max-width: 1100px; display: block; margin: 0 auto; }
svg text { font-family: SONG; }
footer { page: annex; color: #777; font-size: 11px; margin-top: 24px; border-top: 1px solid #ccc;
         padding-top: 6px; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  td.text { white-space: normal; min-width: 5em; }
  td.long { min-width: 14em; }
  h4 { break-after: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .chart svg { break-inside: avoid; margin-bottom: 6mm; }
}
""".replace("SERIF", SERIF).replace("SONG", SONG).replace("HEI", HEI)

CHART_ROWS = 15  # units per chart part: one part fits a landscape A4 page
FUNDS_COLOUR = "#1f4e79"
PROJECTS_COLOUR = "#f0a030"
PROGRESS_COLOUR = "#c00000"


def _table(data: ReportData, table) -> str:
    df = frame(data, table)
    cols = columns_of(table, df)
    head = "".join(f"<th>{escape(c.header)}</th>" for c in cols)
    rows = []
    for _, row in df.iterrows():
        cells = []
        for col in cols:
            kind = cell_kind(col, row)
            value = row.get(col.field)
            text = escape(display(value, kind))
            if kind == BOOL:
                cls = "bool"
            elif kind != TEXT:
                cls = "num"
            else:
                cls = "long" if col.width >= 40 else "text"
            cells.append(f'<td class="{cls}">{text}</td>')
        lst = row.get("list")
        cls = f' class="{lst}"' if table.key == "ranking" and lst in ("red", "black") else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(cols)}">（本期无）</td></tr>')
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<section class="{table.key}" id="{table.key}"><h4>{escape(table.title)}</h4>{note}'
        f'<table data-table="{table.key}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def svg_charts(data: ReportData) -> list[str]:
    """The chart in parts of at most CHART_ROWS units: an SVG cannot break across printed pages,
    so a province-sized list would be cut at the page's foot."""
    chart = data.chart
    if len(chart) <= CHART_ROWS:
        return [svg_chart(data)]
    chunks = [chart.iloc[i:i + CHART_ROWS] for i in range(0, len(chart), CHART_ROWS)]
    return [svg_chart(data, rows, f"（{i}/{len(chunks)}）")
            for i, rows in enumerate(chunks, start=1)]


def svg_chart(data: ReportData, rows: pd.DataFrame | None = None, caption: str = "") -> str:
    """Horizontal grouped bars: 到位资金 and 新引进项目 completion by unit, 序时进度 as a line.
    `rows`: the units of this part (default all); label width and scale are the whole chart's,
    so the parts line up."""
    full = data.chart
    chart = full if rows is None else rows
    # the label column fits the longest unit name (12 px characters), so no name is cut
    longest = max([len(str(u)) for u in full["unit_name"]] + [6])
    label_w, bar_w, pad = 13 * longest + 24, 640, 70
    row_h, top, bottom = 34, 40, 46
    n = max(len(chart), 1)
    width = label_w + bar_w + pad
    height = top + n * row_h + bottom
    values = [v for c in ("funds_completion", "projects_completion") for v in full[c]
              if not is_missing(v)]
    scale_max = max([1.2, data.time_progress * 1.1] + [min(float(v), 3.0) for v in values])

    def x(v: float) -> float:
        return label_w + bar_w * max(0.0, min(v, scale_max)) / scale_max

    parts = [
        f'<svg role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="各单位目标任务完成率">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" '
        f'font-weight="bold">各单位目标任务完成率（序时进度 {data.time_progress:.1%}）'
        f"{caption}</text>",
    ]
    # grid and axis
    step = 0.25 if scale_max <= 1.5 else 0.5
    t = 0.0
    while t <= scale_max + 1e-9:
        gx = x(t)
        parts.append(f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{top + n * row_h}" '
                     f'stroke="#e0e0e0"/>')
        parts.append(f'<text x="{gx:.1f}" y="{top + n * row_h + 14}" text-anchor="middle" '
                     f'font-size="11" fill="#555">{t:.0%}</text>')
        t += step
    for i, row in enumerate(chart.itertuples(index=False)):
        y0 = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y0 + row_h / 2 + 4}" text-anchor="end" '
                     f'font-size="12">{escape(str(row.unit_name))}</text>')
        for k, (value, colour) in enumerate(((row.funds_completion, FUNDS_COLOUR),
                                             (row.projects_completion, PROJECTS_COLOUR))):
            by = y0 + 5 + k * 12
            if is_missing(value):
                parts.append(f'<text x="{label_w + 4}" y="{by + 10}" font-size="10" '
                             f'fill="#888">无目标</text>')
                continue
            v = float(value)
            w = x(v) - label_w
            parts.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="11" '
                         f'fill="{colour}"><title>{escape(str(row.unit_name))} '
                         f'{v:.1%}</title></rect>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{by + 10}" font-size="10">'
                         f"{v:.1%}</text>")
    px = x(data.time_progress)
    parts.append(f'<line x1="{px:.1f}" y1="{top - 6}" x2="{px:.1f}" y2="{top + n * row_h}" '
                 f'stroke="{PROGRESS_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
    ly = height - 14
    parts += [
        f'<rect x="{label_w}" y="{ly - 10}" width="14" height="10" fill="{FUNDS_COLOUR}"/>',
        f'<text x="{label_w + 18}" y="{ly}" font-size="11">到位资金完成率</text>',
        f'<rect x="{label_w + 130}" y="{ly - 10}" width="14" height="10" '
        f'fill="{PROJECTS_COLOUR}"/>',
        f'<text x="{label_w + 148}" y="{ly}" font-size="11">新引进项目完成率</text>',
        f'<line x1="{label_w + 270}" y1="{ly - 5}" x2="{label_w + 292}" y2="{ly - 5}" '
        f'stroke="{PROGRESS_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>',
        f'<text x="{label_w + 296}" y="{ly}" font-size="11">序时进度</text>',
        "</svg>",
    ]
    if chart.empty:
        parts.insert(3, f'<text x="{width / 2}" y="{top + 20}" text-anchor="middle" '
                        f'font-size="12">（本期无设定目标任务的单位）</text>')
    return "".join(parts)


def _document(data: ReportData) -> str:
    """版头, 标题, 主送, 正文, 附件说明, 署名 and 日期: the same blocks as the Word document."""
    parts = [
        f'<p class="issuer">{escape(data.issuer)}</p>',
        f'<p class="docno">{escape(data.doc_number)}</p>',
        f"<h1>{escape(data.title)}</h1>",
        f'<p class="flush">{escape(data.recipients)}：</p>',
    ]
    for block in body_blocks(data):
        tag = "h3" if block.kind == HEADING else "p"
        parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
    lines = attachment_lines()
    parts.append(f'<div class="annexes"><p>&nbsp;</p><p>附件：{escape(lines[0])}</p>'
                 + "".join(f'<p class="more">{escape(x)}</p>' for x in lines[1:]) + "</div>")
    when = data.generated_at
    parts.append(f'<p>&nbsp;</p><p class="sign">{escape(data.issuer)}</p>'
                 f'<p class="sign">{when.year}年{when.month}月{when.day}日</p>')
    return f'<article class="doc">{"".join(parts)}</article>'


def _annexes(data: ReportData) -> str:
    by_key = {t.key: t for t in TABLES}
    out = []
    for i, (title, keys) in enumerate(ATTACHMENTS, start=1):
        body = []
        for key in keys:
            body.append(_table(data, by_key[key]))
            if key == "progress":
                body.append(f'<section class="chart" id="chart"><h4>各单位完成率图</h4>'
                            f"{''.join(svg_charts(data))}</section>")
        out.append(f'<section class="annex" id="annex{i}"><p class="annex-no">附件{i}</p>'
                   f"<h2>{escape(data.city)}{escape(title)}（{data.year}年{data.month}月）</h2>"
                   f"{''.join(body)}</section>")
    return "".join(out)


def render_html(data: ReportData) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # the warehouse behind the figures: in the page's metadata, not in what an official reads
        f'<meta name="description" content="数据来源：{escape(data.source)}">'
        f"<title>{escape(data.title)}</title><style>{CSS}</style></head><body>"
        f"{_document(data)}<main>{_annexes(data)}</main>"
        f"<footer>本通报数据来自各单位报送的招商引资项目台账和目标任务分解表。生成时间："
        f"{data.generated_at:%Y-%m-%d %H:%M}。序时进度 = 统计月份 ÷ 12；"
        "完成率 = 完成值 ÷ 年度目标。</footer>"
        "</body></html>\n"
    )


def write_html(data: ReportData, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{data.file_stem}.html"
    tmp = path.with_suffix(".html.tmp")
    try:
        tmp.write_text(render_html(data), encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves the old page, and no half file
        raise
    return path
