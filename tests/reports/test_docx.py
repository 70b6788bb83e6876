"""The Word 通报 written by the real Dagster run, read back with python-docx: the official head,
every figure and every unit of the body checked against the marts, the attachments' tables, the
fonts and page numbers, and its first pages rendered (LibreOffice → PDF → PNG) for a reviewer."""

from __future__ import annotations

import re
import subprocess

import docx
import openpyxl
import pandas as pd
from dagster import AssetKey
from docx.oxml.ns import qn

from assets.marts.common import INDICATOR_LABELS
from tests.reports.conftest import ARTIFACTS, as_float
from tests.reports.printing import cjk

TECHNICAL = ("duckdb", "postgres", "marts", "target_progress", "city_summary", "four_rates",
             "red_black", "performance_assessment", "rules.yaml", "sql")
TITLE = "柳州市招商引资工作红黑榜通报（2021年2月）"


def _body(document) -> list[str]:
    """The paragraphs of the 正文: after the 主送机关 line, up to the 附件 line."""
    texts = [p.text for p in document.paragraphs]
    start = next(i for i, t in enumerate(texts) if t.endswith("：") and "人民政府" in t) + 1
    end = next(i for i, t in enumerate(texts) if t.startswith("附件："))
    return [t for t in texts[start:end] if t]


def _section(body: list[str], heading: str) -> list[str]:
    i = next(i for i, t in enumerate(body) if t.endswith(f"、{heading}"))
    rest = body[i + 1:]
    j = next((k for k, t in enumerate(rest) if re.match(r"^[一二三四五六七八九十]、", t)), len(rest))
    return rest[:j]


def _fmt(value, indicator: str) -> str:
    v = float(value)
    if indicator in ("funds_in_place", "foreign_funds_in_place"):  # the two 亿元 indicators
        return f"{v:.2f}亿元"
    if indicator == "emerging_share":
        return f"{v:.1%}"
    return f"{int(v)}个" if v.is_integer() else f"{v:.2f}个"


def test_pipeline_writes_the_docx(report_run):
    for period, result in report_run["results"].items():
        mats = [e.materialization for e in result.get_asset_materialization_events()
                if e.asset_key == AssetKey(["reports", "tongbao"])]
        path = mats[0].metadata["docx_path"].value
        assert path.endswith(f"{period}_招商引资红黑榜通报.docx")
    assert report_run["docx"].exists()


def test_head_properties_and_no_technical_text(report_run):
    d = docx.Document(str(report_run["docx"]))
    texts = [p.text for p in d.paragraphs if p.text]
    assert texts[:4] == ["柳州市投资促进局", "柳投促通〔2021〕2号", TITLE,
                         "各县（区）人民政府，各开发区管委会，市直各有关单位："]
    assert texts[-1] != ""
    sign = texts.index("附件：1．招商引资工作红黑榜")
    assert texts[sign + 1:sign + 4] == ["2．目标任务完成进度", "3．三企入桂签约项目“四率”",
                                        "4．招商引资绩效考评"]
    assert texts[sign + 4] == "柳州市投资促进局"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", texts[sign + 5])
    every = "\n".join(texts + [c.text for t in d.tables for r in t.rows for c in r.cells])
    for word in TECHNICAL:
        assert word not in every.lower(), word
    props = d.core_properties
    assert props.title == TITLE and props.author == "柳州市投资促进局"
    assert "marts" in props.comments and report_run["backend"][:4] in props.comments
    assert props.identifier == "柳投促通〔2021〕2号"


def test_layout_fonts_and_page_numbers(report_run):
    d = docx.Document(str(report_run["docx"]))
    first, annex = d.sections[0], d.sections[-1]
    def mm(length) -> int:
        return round(length.mm)

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)  # A4 portrait
    assert (mm(first.top_margin), mm(first.left_margin)) == (37, 28)  # GB/T 9704
    assert annex.page_width > annex.page_height  # the attachments' wide tables: landscape
    # the 版头 in red, the body in 仿宋_GB2312 三号, headings in 黑体: East-Asian slot set
    fonts = {}
    for p in d.paragraphs:
        for r in p.runs:
            if not r.text:
                continue  # a page break
            rfonts = r._r.rPr.rFonts
            fonts.setdefault(rfonts.get(qn("w:eastAsia")), set()).add(p.text)
            assert rfonts.get(qn("w:eastAsia")) == r.font.name, p.text
    assert set(fonts) <= {"仿宋_GB2312", "宋体", "黑体"}
    assert TITLE in fonts["宋体"] and "一、全市目标任务完成情况" in fonts["黑体"]
    body_run = next(r for p in d.paragraphs if p.text.startswith("截至") for r in p.runs)
    assert body_run.font.name == "仿宋_GB2312" and body_run.font.size.pt == 16
    assert d.paragraphs[0].runs[0].font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0)
    footer = first.footer.paragraphs[0]
    instr = [el.text for el in footer._p.iter(qn("w:instrText"))]
    assert [i.strip() for i in instr] == ["PAGE"] and footer.text.startswith("— ")
    assert all(s.footer.is_linked_to_previous for s in d.sections[1:])


def test_body_figures_and_units_match_marts(report_run):
    d = docx.Document(str(report_run["docx"]))
    body = _body(d)
    marts = report_run["marts"]
    rb, cs = marts["red_black_list"], marts["city_summary"]
    # 一、the city against 序时进度, each figure as in city_summary
    city = "".join(_section(body, "全市目标任务完成情况"))
    assert city.startswith("截至2021年2月，序时进度为16.7%。")
    for m in cs.itertuples():
        label = INDICATOR_LABELS[m.indicator]
        if as_float(m.target) is None:
            assert f"{label}完成{_fmt(m.actual, m.indicator)}（未下达年度目标）" in city
        elif m.indicator == "emerging_share":
            assert f"{label}为{_fmt(m.actual, m.indicator)}，要求不低于{float(m.target):.1%}" in city
        else:
            status = "达到序时进度" if m.on_schedule else "未达到序时进度"
            assert (f"{label}完成{_fmt(m.actual, m.indicator)}，为年度目标"
                    f"{_fmt(m.target, m.indicator)}的{float(m.completion_rate):.1%}，{status}。"
                    in city), label
    # 二、三、the listed units with their reasons, as in red_black_list
    named = set()
    for heading, which in (("红榜单位", "red"), ("黑榜单位", "black")):
        rows = rb[rb["list"] == which]
        paras = _section(body, heading)
        assert paras[0].startswith(f"本期进入{heading[:2]}的单位共{len(rows)}个。")
        for g, grp in rows.groupby("list_group"):
            assert f"{g}：{'、'.join(grp['unit_name'])}" in paras[0]
        assert sorted(paras[1:]) == sorted(f"{u}：{r}。" for u, r in zip(rows["unit_name"],
                                                                       rows["reasons"]))
        named |= set(rows["unit_name"])
    # no other unit is named, no other figure printed
    text = "".join(body)
    assert {u for u in report_run["units"] if u in text} - {"柳州市"} <= named
    for words in [*rb["reasons"].dropna(), *INDICATOR_LABELS.values()]:
        text = text.replace(words, "")  # reasons checked above; labels hold "5亿元"
    allowed = {"2021", "2", "16.7%"}
    for m in cs.itertuples():
        for v in (m.actual, m.target):
            if as_float(v) is not None:
                allowed.add(_fmt(v, m.indicator).removesuffix("亿元").removesuffix("个"))
        if as_float(m.completion_rate) is not None:
            allowed.add(f"{float(m.completion_rate):.1%}")
    allowed |= {str(int((rb["list"] == w).sum())) for w in ("red", "black")}
    figures = set(re.findall(r"\d+(?:\.\d+)?%?", text))
    assert figures <= allowed, figures - allowed
    # sections whose marts do not exist yet, or whose month it is not, are left out
    for absent in ("报表报送情况", "季度约谈名单", "项目预警情况", "年度绩效考评结果"):
        assert not any(t.endswith(absent) for t in body), absent


def _table_rows(table) -> list[dict]:
    header = [c.text for c in table.rows[0].cells]
    return [dict(zip(header, (c.text for c in r.cells))) for r in table.rows[1:]]


def test_attachment_tables_match_marts(report_run):
    d = docx.Document(str(report_run["docx"]))
    texts = [p.text for p in d.paragraphs]
    assert [t for t in texts if re.fullmatch(r"附件\d", t)] == ["附件1", "附件2", "附件3", "附件4"]
    assert len(d.tables) == 7  # 红榜, 黑榜, 综合排名 | 全市汇总, 进度 | 四率 | 绩效考评
    marts = report_run["marts"]
    rb = marts["red_black_list"]
    red, black, ranking = (_table_rows(t) for t in d.tables[:3])
    for rows, want in ((red, rb[rb["list"] == "red"]), (black, rb[rb["list"] == "black"]),
                       (ranking, rb)):
        assert sorted(r["单位"] for r in rows) == sorted(want["unit_name"])
    by_unit = {r.unit_name: r for r in rb.itertuples()}
    for r in red + black:
        m = by_unit[r["单位"]]
        assert r["综合得分"] == f"{float(m.score):.2f}" and r["上榜理由"] == m.reasons
        assert r["组内排名"] == str(int(m.rank))
    tp = marts["target_progress"]
    progress = _table_rows(d.tables[4])
    assert len(progress) == int(tp["target"].notna().sum())
    row = next(r for r in progress if r["单位"] == "柳南区" and r["指标"] == "区外境内到位资金")
    assert (row["完成值"], row["完成率"]) == ("4.00", "20.0%")
    fr = _table_rows(d.tables[5])
    assert sorted(r["单位"] for r in fr) == sorted(marts["four_rates"]["unit_name"])
    pa = marts["performance_assessment"]
    totals = pa[pa["item"] == "total"].set_index("unit_name")
    assess = _table_rows(d.tables[6])
    assert {r["单位"] for r in assess} == set(totals.index)
    for r in assess:
        score = totals.loc[r["单位"], "score"]
        want = "—" if pd.isna(score) else f"{float(score):.2f}"  # no total: shown as —
        assert r["考评得分"] == want, r["单位"]
    # the header row repeats on every printed page of a long table
    assert d.tables[2].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_docx_renders_with_libreoffice(duckdb_report, soffice, poppler, tmp_path):
    """LibreOffice opens the document and prints it; pages 1–3 as PNG into test-artifacts/."""
    src = duckdb_report["docx"]
    proc = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=300)
    pdf = tmp_path / src.with_suffix(".pdf").name
    assert pdf.exists(), proc.stdout + proc.stderr
    info = subprocess.run([poppler["pdfinfo"], str(pdf)], capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    text = subprocess.run([poppler["pdftotext"], "-l", "2", str(pdf), "-"],
                          capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", TITLE) in flat and "柳投促通〔2021〕2号" in flat
    assert "—1—" in flat  # the footer's page number, rendered
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("tongbao_docx_2021-02-*.png"):
        old.unlink()
    subprocess.run([poppler["pdftoppm"], "-r", "80", "-png", "-f", "1", "-l", "3", str(pdf),
                    str(ARTIFACTS / "tongbao_docx_2021-02")], check=True, timeout=120)
    shots = sorted(ARTIFACTS.glob("tongbao_docx_2021-02-*.png"))
    # pages 1–2 are dense (title, text, tables); page 3 may hold only the last lines, the
    # signature and the run's date, whose length moves its size around 10 KB (9,840 bytes on
    # 2026-12-01): it must show more than a white page (3.1 KB) with its page number
    assert len(shots) == 3 and all(p.stat().st_size > 10_000 for p in shots[:2])
    assert shots[2].stat().st_size > 6_000
    (ARTIFACTS / pdf.name.replace(".pdf", "_libreoffice.pdf")).write_bytes(pdf.read_bytes())


def test_xlsx_prints_with_libreoffice(duckdb_report, soffice_calc, poppler, tmp_path):
    """The workbook printed by LibreOffice: A4 landscape pages, "第 n 页，共 N 页" on each, every
    Chinese character of the red list present; the 红榜 and chart pages as PNG for a reviewer."""
    src = duckdb_report["xlsx"]
    proc = subprocess.run(
        [soffice_calc, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=300)
    pdf = tmp_path / src.with_suffix(".pdf").name
    assert pdf.exists(), proc.stdout + proc.stderr
    info = subprocess.run([poppler["pdfinfo"], "-f", "1", "-l", "99", str(pdf)],
                          capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes and all((round(float(w)), round(float(h))) == (842, 595) for w, h in sizes)
    text = subprocess.run([poppler["pdftotext"], str(pdf), "-"], capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", "", text)
    for n in range(1, len(sizes) + 1):
        assert f"第{n}页，共{len(sizes)}页" in flat, n
    wb = openpyxl.load_workbook(src)
    red = "".join(str(c.value) for row in wb["红榜"].iter_rows() for c in row if c.value)
    got = cjk(text)
    assert {ch: n for ch, n in cjk(red).items() if got[ch] < n} == {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("tongbao_xlsx_2021-02-*.png"):
        old.unlink()
    subprocess.run([poppler["pdftoppm"], "-r", "70", "-png", "-f", "2", "-l", "2", str(pdf),
                    str(ARTIFACTS / "tongbao_xlsx_2021-02")], check=True, timeout=120)
    chart_page = next(i for i, page in enumerate(text.split("\f"), start=1)
                      if "各单位目标任务完成率" in page)
    subprocess.run([poppler["pdftoppm"], "-r", "70", "-png", "-f", str(chart_page), "-l",
                    str(chart_page), str(pdf), str(ARTIFACTS / "tongbao_xlsx_2021-02")],
                   check=True, timeout=120)
    (ARTIFACTS / pdf.name.replace(".pdf", "_xlsx_libreoffice.pdf")).write_bytes(pdf.read_bytes())
