"""Text from submissions stays text: no formula in the workbook, no markup in the page."""

from __future__ import annotations

from datetime import datetime

import docx
import openpyxl
import pandas as pd

from assets.reports.docx import write_docx
from assets.reports.excel import build_workbook, write_excel
from assets.reports.html import render_html, write_html
from assets.reports.tongbao import ReportData

EVIL = '=HYPERLINK("http://x","y")'
OTHERS = ["+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "<script>alert(1)</script>"]


def _data() -> ReportData:
    rb = pd.DataFrame([
        dict(period="2022-05", list_group=EVIL, unit_name=EVIL, score=91.5, rank=1, list="red",
             reasons=EVIL, year=2022, unit_type="district", gate_indicator="funds_in_place",
             gate_label="区外境内到位资金", gate_completion=0.6, time_progress=5 / 12,
             funds_points=40.0, projects_points=30.0, major_projects_points=15.0,
             four_rates_points=6.5, list_label="红榜"),
        *[dict(period="2022-05", list_group="柳州市·县区", unit_name=t, score=10.0 + i,
               rank=2 + i, list="black", reasons=t, year=2022, unit_type="district",
               gate_indicator="new_projects", gate_label="新引进项目", gate_completion=0.1,
               time_progress=5 / 12, funds_points=None, projects_points=3.0,
               major_projects_points=0.0, four_rates_points=None, list_label="黑榜")
          for i, t in enumerate(OTHERS)],
    ])
    progress = pd.DataFrame([dict(
        period="2022-05", year=2022, unit_name=EVIL, unit_type="district", indicator="funds_in_place",
        target=20.0, actual=9.5, completion_rate=0.475, time_progress=5 / 12, on_schedule=True,
        detail=EVIL, indicator_label="区外境内到位资金", unit_type_label="县区", value_kind="amount",
    )])
    four = pd.DataFrame([dict(
        period="2022-05", unit_name=EVIL, signed_projects=4, performing_projects=2,
        started_projects=1, completed_projects=0, contract_investment=12.0, funds_cumulative=3.0,
        performance_rate=0.5, funds_rate=0.25, start_rate=0.25, completion_rate=0.0,
        performance_rate_increment=0.1, funds_rate_increment=0.05, start_rate_increment=0.0,
        completion_rate_increment=0.0, year=2022, unit_type="district",
    )])
    city = pd.DataFrame([dict(
        period="2022-05", indicator="funds_in_place", target=100.0, actual=40.0, year=2022,
        completion_rate=0.4, time_progress=5 / 12, on_schedule=False, detail="",
        indicator_label="区外境内到位资金", value_kind="amount",
    )])
    chart = pd.DataFrame([dict(unit_name=EVIL, funds_completion=0.475, projects_completion=None)])
    assessment = pd.DataFrame([dict(
        period="2022-05", year=2022, unit_name=EVIL, unit_type="district", item="total",
        score=50.0, max_score=113.0, detail=EVIL, unit_type_label="县区",
    )])
    return ReportData(
        period="2022-05", year=2022, month=5, city="柳州市", time_progress=5 / 12,
        red=rb[rb["list"] == "red"].reset_index(drop=True),
        black=rb[rb["list"] == "black"].reset_index(drop=True), ranking=rb,
        progress=progress, four_rates=four, city_summary=city, chart=chart,
        assessment=assessment, issuer="柳州市投资促进局", doc_number="柳投促通〔2022〕5号",
        recipients="各县（区）人民政府", generated_at=datetime(2022, 6, 1, 9, 0),
    )


def test_formula_like_text_is_stored_as_text(tmp_path):
    data = _data()
    path = write_excel(data, tmp_path)
    assert path.name == "2022-05_招商引资红黑榜通报.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb["封面"]["A1"].value == "柳州市招商引资工作红黑榜通报（2022年5月）"
    seen = 0
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate}"
                if c.value == EVIL:
                    assert c.data_type == "s"
                    seen += 1
    # unit, list group, reasons on 红榜 and 综合排名; unit on progress, 四率, chart data, 绩效考评
    assert seen >= 11
    red = wb["红榜"]
    assert red["A4"].value == EVIL and red["C4"].value == EVIL and red["L4"].value == EVIL
    texts = {c.value for ws in wb for row in ws.iter_rows() for c in row}
    assert set(OTHERS) <= texts
    # the in-memory workbook agrees (the writer never leaves a formula behind)
    for ws in build_workbook(data):
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_html_escapes_submitted_text(tmp_path):
    data = _data()
    html = render_html(data)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html
    assert "<svg" in html
    path = write_html(data, tmp_path)
    assert path.name == "2022-05_招商引资红黑榜通报.html"
    assert path.read_text(encoding="utf-8") == html


def test_docx_keeps_submitted_text_literal(tmp_path):
    """python-docx writes text nodes: markup and formula-like text read back unchanged."""
    path = write_docx(_data(), tmp_path)
    d = docx.Document(str(path))
    paragraphs = [p.text for p in d.paragraphs]
    assert f"{EVIL}：{EVIL}。" in paragraphs  # the red unit and its reasons in the body
    assert "<script>alert(1)</script>：<script>alert(1)</script>。" in paragraphs
    cells = {c.text for t in d.tables for r in t.rows for c in r.cells}
    assert EVIL in cells and set(OTHERS) <= cells
