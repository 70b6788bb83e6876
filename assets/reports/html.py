"""The 红黑榜通报 as one self-contained, printable HTML page: inline CSS, the chart as inline
SVG drawn here, no script, no external resource. Every text is HTML-escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from .layout import BOOL, TABLES, TEXT, cell_kind, display, frame, is_missing
from .tongbao import ReportData

CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
       "WenQuanYi Zen Hei", "SimSun", sans-serif; color: #222; margin: 24px; font-size: 13px; line-height: 1.5; }
h1 { text-align: center; font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 17px; border-left: 5px solid #1f4e79; padding-left: 8px; margin: 26px 0 6px; }
.meta { text-align: center; color: #555; margin-bottom: 12px; }
.note { color: #666; font-size: 12px; margin: 2px 0 6px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; }
th { background: #dde4ee; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.bool { text-align: center; }
td.text { white-space: nowrap; }
td.long { white-space: normal; min-width: 24em; }
th { min-width: 4em; }
tr.red td { background: #fde2e1; }
tr.black td { background: #e6e6e6; }
section.red h2 { border-color: #c00000; }
section.black h2 { border-color: #333; }
.summary { display: flex; gap: 16px; justify-content: center; margin: 8px 0 16px; }
.summary div { border: 1px solid #bbb; padding: 8px 16px; text-align: center; min-width: 140px; }
.summary b { display: block; font-size: 20px; }
svg text { font-family: inherit; }
footer { color: #777; font-size: 11px; margin-top: 24px; border-top: 1px solid #ccc;
         padding-top: 6px; }
@media print {
  body { margin: 0; font-size: 11px; }
  section { break-inside: auto; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""

FUNDS_COLOUR = "#1f4e79"
PROJECTS_COLOUR = "#f0a030"
PROGRESS_COLOUR = "#c00000"


def _table(data: ReportData, table) -> str:
    df = frame(data, table)
    head = "".join(f"<th>{escape(c.header)}</th>" for c in table.columns)
    rows = []
    for _, row in df.iterrows():
        cells = []
        for col in table.columns:
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
        rows.append(f'<tr><td colspan="{len(table.columns)}">（本期无）</td></tr>')
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<section class="{table.key}" id="{table.key}"><h2>{escape(table.title)}</h2>{note}'
        f'<table data-table="{table.key}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def svg_chart(data: ReportData) -> str:
    """Horizontal grouped bars: 到位资金 and 新引进项目 completion by unit, 序时进度 as a line."""
    chart = data.chart
    label_w, bar_w, pad = 170, 640, 70
    row_h, top, bottom = 34, 40, 46
    n = max(len(chart), 1)
    width = label_w + bar_w + pad
    height = top + n * row_h + bottom
    values = [v for c in ("funds_completion", "projects_completion") for v in chart[c]
              if not is_missing(v)]
    scale_max = max([1.2, data.time_progress * 1.1] + [min(float(v), 3.0) for v in values])

    def x(v: float) -> float:
        return label_w + bar_w * max(0.0, min(v, scale_max)) / scale_max

    parts = [
        f'<svg role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="各单位目标任务完成率">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" '
        f'font-weight="bold">各单位目标任务完成率（序时进度 {data.time_progress:.1%}）</text>',
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


def render_html(data: ReportData) -> str:
    sections = []
    for table in TABLES:
        sections.append(_table(data, table))
        if table.key == "progress":
            sections.append(f'<section class="chart" id="chart"><h2>各单位完成率图</h2>'
                            f"{svg_chart(data)}</section>")
    summary = (
        '<div class="summary">'
        f"<div>统计期<b>{escape(data.period)}</b></div>"
        f"<div>序时进度<b>{data.time_progress:.1%}</b></div>"
        f"<div>红榜<b>{len(data.red)} 个单位</b></div>"
        f"<div>黑榜<b>{len(data.black)} 个单位</b></div>"
        "</div>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(data.title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(data.title)}</h1>"
        f'<p class="meta">统计期 {escape(data.period)}　序时进度 '
        f"{escape(data.time_progress_text)}</p>{summary}</header>"
        f"<main>{''.join(sections)}</main>"
        f"<footer>数据来源：{escape(data.source)}。生成时间："
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
