"""The 通报 written by a real Dagster run: every figure of the workbook equals the marts."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from dagster import AssetKey

from assets.marts.common import INDICATOR_LABELS
from assets.reports.excel import CHART_SHEET, build_workbook
from assets.reports.tongbao import load_report_data
from runtime.warehouse import Warehouse
from tests.reports.conftest import PERIOD, as_float, sheet_rows
from tests.reports.printing import visible_text

APPROX = {"rel": 1e-9, "abs": 1e-9}
TP = 2 / 12


def _num(cell):
    """A numeric cell's value; '—' (missing) → None."""
    return None if cell.value == "—" else cell.value


def _close(got, want) -> bool:
    want = as_float(want)
    if want is None:
        return got is None
    return got == pytest.approx(want, **APPROX)


def test_run_succeeds_and_reports_metadata(report_run):
    for period, result in report_run["results"].items():
        assert result.success, period
        mats = [e.materialization for e in result.get_asset_materialization_events()
                if e.asset_key == AssetKey(["reports", "tongbao"])]
        assert len(mats) == 1 and mats[0].partition == period
        md = mats[0].metadata
        assert md["excel_path"].value.endswith(f"{period}_招商引资红黑榜通报.xlsx")
        assert md["html_path"].value.endswith(f"{period}_招商引资红黑榜通报.html")
        assert md["period"].value == period
    assert report_run["xlsx"].exists() and report_run["html"].exists()


def test_cover_and_layout(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    assert wb.sheetnames == ["封面", "红榜", "黑榜", "全市汇总", "目标任务完成进度", "完成率图",
                             "四率", "综合排名", "绩效考评", "报送情况"]
    cover = wb["封面"]
    assert cover["A1"].value == "柳州市招商引资工作红黑榜通报（2021年2月）"
    labels = {cover.cell(r, 1).value: cover.cell(r, 2) for r in range(3, cover.max_row + 1)}
    assert labels["统计期"].value == PERIOD
    assert labels["序时进度"].value == pytest.approx(TP)
    assert labels["序时进度"].number_format == "0.0%"
    assert labels["文号"].value == "柳投促通〔2021〕2号"
    assert labels["发文机关"].value == "柳州市投资促进局"
    # no engine or table name where an official reads; the properties name the warehouse
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                text = str(c.value or "").lower()
                for word in ("duckdb", "postgres", "marts", "target_progress", "red_black",
                             "rules.yaml"):
                    assert word not in text, (ws.title, c.coordinate, c.value)
    assert "marts" in wb.properties.description
    assert report_run["backend"][:4] in wb.properties.description
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert str(ws.page_setup.paperSize) == "9", name  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth == 1, name
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", name  # page numbers
        if name != "封面":
            assert ws.freeze_panes == "A4", name
            assert ws.cell(3, 1).font.b, name
            assert ws.column_dimensions["A"].width >= 10, name
    # the bar chart (openpyxl does not load charts back: look in the package)
    with zipfile.ZipFile(report_run["xlsx"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        xml = z.read(charts[0]).decode("utf-8")
        assert "<barChart>" in xml and "<barDir val=\"bar\"" in xml
        assert "完成率图" in xml  # its series reference the chart sheet's cells


def test_no_formula_anywhere(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"
    with zipfile.ZipFile(report_run["xlsx"]) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/sheet"):
                assert not re.search(r"<f[ >]", z.read(n).decode("utf-8")), n


def _check_list(rows, marts_rows):
    assert {r["单位"].value for r in rows} == set(marts_rows["unit_name"])
    by_unit = {r.unit_name: r for r in marts_rows.itertuples()}
    for r in rows:
        m = by_unit[r["单位"].value]
        assert r["排名组"].value == m.list_group
        assert r["组内排名"].value == int(m.rank)
        assert _close(_num(r["综合得分"]), m.score)
        assert r["综合得分"].number_format == "0.00"
        assert r["门槛指标"].value == INDICATOR_LABELS[m.gate_indicator]
        assert _close(_num(r["门槛指标完成率"]), m.gate_completion)
        assert r["门槛指标完成率"].number_format == "0.0%"
        assert _close(_num(r["序时进度"]), m.time_progress)
        for header, col in (("到位资金得分", "funds_points"), ("新引进项目得分", "projects_points"),
                            ("重大项目得分", "major_projects_points"), ("四率得分",
                                                                  "four_rates_points")):
            assert _close(_num(r[header]), getattr(m, col)), header
        assert r["上榜理由"].value == m.reasons
        assert r["上榜理由"].data_type == "s"


def test_red_black_lists_match_marts(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    rb = report_run["marts"]["red_black_list"]
    red, black = rb[rb["list"] == "red"], rb[rb["list"] == "black"]
    assert len(red) and len(black)  # the drop folder has one of each: 柳南区 red, 柳江区 black
    _check_list(sheet_rows(wb["红榜"]), red)
    _check_list(sheet_rows(wb["黑榜"]), black)
    ranking = sheet_rows(wb["综合排名"])
    assert len(ranking) == len(rb)
    lists = {r["单位"].value: r["榜单"].value for r in ranking}
    assert lists["柳南区"] == "红榜" and lists["柳江区"] == "黑榜"


def test_target_progress_matches_marts(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    tp = report_run["marts"]["target_progress"]
    tp = tp[tp["target"].notna()]
    rows = sheet_rows(wb["目标任务完成进度"])
    assert len(rows) == len(tp)
    got = {(r["单位"].value, r["指标"].value): r for r in rows}
    for m in tp.itertuples():
        r = got[(m.unit_name, INDICATOR_LABELS[m.indicator])]
        assert _close(_num(r["年度目标"]), m.target)
        assert _close(_num(r["完成值"]), m.actual)
        assert _close(_num(r["完成率"]), m.completion_rate)
        assert _close(_num(r["序时进度"]), m.time_progress)
        want = "—" if m.on_schedule is None or m.on_schedule != m.on_schedule else (
            "是" if m.on_schedule else "否")
        assert r["是否达到序时进度"].value == want
        if m.completion_rate is not None and m.completion_rate == m.completion_rate:
            assert r["完成率"].number_format == "0.0%"
        if m.indicator == "funds_in_place":
            assert r["年度目标"].number_format == "0.00"
            assert r["完成值"].number_format == "0.00"
    # the figures the drop folder fixes (tests/pipeline/test_end_to_end.py)
    assert got[("柳南区", "区外境内到位资金")]["完成值"].value == pytest.approx(4)
    assert got[("柳南区", "区外境内到位资金")]["完成率"].value == pytest.approx(0.2)
    assert got[("柳南区", "新引进项目")]["年度目标"].value == 4


def test_city_summary_and_four_rates_match_marts(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    cs = report_run["marts"]["city_summary"]
    rows = {r["指标"].value: r for r in sheet_rows(wb["全市汇总"])}
    assert len(rows) == len(cs)
    for m in cs.itertuples():
        r = rows[INDICATOR_LABELS[m.indicator]]
        assert _close(_num(r["全市目标"]), m.target)
        assert _close(_num(r["完成值"]), m.actual)
        assert _close(_num(r["完成率"]), m.completion_rate)
    assert rows["区外境内到位资金"]["全市目标"].value == pytest.approx(30)

    fr = report_run["marts"]["four_rates"]
    rows = {r["单位"].value: r for r in sheet_rows(wb["四率"])}
    assert set(rows) == set(fr["unit_name"])
    cols = {"签约项目数": "signed_projects", "履约项目数": "performing_projects",
            "开工项目数": "started_projects", "竣工投产项目数": "completed_projects",
            "签约投资总额（亿元）": "contract_investment", "累计到位资金（亿元）": "funds_cumulative",
            "协议履约率": "performance_rate", "资金到位率": "funds_rate", "项目开工率": "start_rate",
            "竣工投产率": "completion_rate", "履约率增量": "performance_rate_increment",
            "资金到位率增量": "funds_rate_increment", "开工率增量": "start_rate_increment",
            "竣工投产率增量": "completion_rate_increment"}
    for m in fr.itertuples():
        for header, col in cols.items():
            assert _close(_num(rows[m.unit_name][header]), getattr(m, col)), (m.unit_name, header)
        assert rows[m.unit_name]["协议履约率"].number_format == "0.0%"
        assert rows[m.unit_name]["签约投资总额（亿元）"].number_format == "0.00"


def test_chart_data_matches_marts(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    tp = report_run["marts"]["target_progress"]
    rows = sheet_rows(wb["完成率图"])
    assert {r["单位"].value for r in rows} == {"柳南区", "柳江区"}
    for r in rows:
        unit = tp[tp["unit_name"] == r["单位"].value]
        rate = dict(zip(unit["indicator"], unit["completion_rate"]))
        assert _close(r["到位资金完成率"].value, rate["funds_in_place"])
        assert _close(r["新引进项目完成率"].value, rate["new_projects"])
        assert r["序时进度"].value == pytest.approx(TP)


def test_html_has_the_same_content(report_run):
    html = report_run["html"].read_text(encoding="utf-8")
    assert "柳州市招商引资工作红黑榜通报（2021年2月）" in html
    for key in ("red", "black", "city_summary", "progress", "four_rates", "ranking"):
        assert f'data-table="{key}"' in html
    assert html.count("<svg") == 1 and "</svg>" in html
    assert "<table" in html and "16.7%" in html
    rb = report_run["marts"]["red_black_list"]
    for reasons in rb.loc[rb["list"].notna(), "reasons"]:
        assert reasons in html
    # no engine or table name in the page an official reads; its metadata names the warehouse
    seen = visible_text(html).lower()
    for word in ("duckdb", "postgres", "marts", "target_progress", "red_black", "rules.yaml"):
        assert word not in seen, word
    assert re.search(r'<meta name="description" content="数据来源：[^"]*marts', html)
    # self-contained: nothing fetched from anywhere
    lowered = html.lower()
    for needle in ("<script", "<link", "src=", "href=", "url(", "@import", "http:", "https:"):
        assert needle not in lowered, needle


def test_print_ready_workbook(report_run):
    """CJK body font everywhere (not Calibri), wrapped reasons get the rows they need, the chart
    is horizontal bars in 宋体 under its data, every sheet has page numbers."""
    wb = openpyxl.load_workbook(report_run["xlsx"])
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.value not in (None, ""):
                    assert c.font.name == "宋体", (ws.title, c.coordinate, c.font.name)
    ws = wb["红榜"]
    headers = [c.value for c in ws[3]]
    col = headers.index("上榜理由") + 1
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
    for r in range(4, ws.max_row + 1):
        text = ws.cell(r, col).value
        if not text:
            continue
        assert ws.cell(r, col).alignment.wrap_text
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
        lines = -(-units // (int(width) - 1))
        assert lines >= 2  # the drop folder's reasons need more than one line …
        assert ws.row_dimensions[r].height >= 14 * lines  # … and get them
    with zipfile.ZipFile(report_run["xlsx"]) as z:
        chart = z.read(next(n for n in z.namelist() if n.startswith("xl/charts/"))).decode()
        drawing = z.read(next(n for n in z.namelist() if n.startswith("xl/drawings/drawing")))
    assert '<barDir val="bar"' in chart and 'typeface="宋体"' in chart
    assert "<lineChart>" not in chart
    n = len(sheet_rows(wb["完成率图"]))
    anchor_row = int(re.search(rb"<(?:xdr:)?row>(\d+)</", drawing).group(1)) + 1
    assert anchor_row > 3 + n  # below the data, not beside it: the page keeps its scale


def test_assessment_sheet_matches_marts(report_run):
    wb = openpyxl.load_workbook(report_run["xlsx"])
    pa = report_run["marts"]["performance_assessment"]
    totals = pa[pa["item"] == "total"]
    rows = {r["单位"].value: r for r in sheet_rows(wb["绩效考评"])}
    assert set(rows) == set(totals["unit_name"]) and len(rows) > 0
    for m in totals.itertuples():
        assert _close(_num(rows[m.unit_name]["考评得分"]), m.score), m.unit_name
        assert _close(_num(rows[m.unit_name]["满分"]), m.max_score), m.unit_name
        assert rows[m.unit_name]["计分说明"].value == m.detail


def test_long_chart_prints_in_parts_one_per_page(duckdb_report):
    """40 units: charts of at most 12 units, each on a page of its own (a row break before
    it), short enough for a landscape page; together they plot every unit once."""
    wh = Warehouse(duckdb_report["url"])
    try:
        data = load_report_data(wh, PERIOD)
    finally:
        wh.dispose()
    names = [f"测试单位{i:02d}" for i in range(40)]
    data.chart = pd.DataFrame({"unit_name": names, "funds_completion": [i / 20 for i in range(40)],
                               "projects_completion": [0.5] * 40})
    ws = build_workbook(data)[CHART_SHEET]
    charts = ws._charts
    assert len(charts) == 4
    breaks = {b.id for b in ws.row_breaks.brk}
    plotted = []
    for chart in charts:
        anchor = int(re.fullmatch(r"A(\d+)", chart.anchor).group(1))  # the cell it is put at
        assert anchor > 3 + 40 and anchor - 1 in breaks
        assert chart.height <= 13  # cm: fits under the repeated titles of a landscape page
        ref = chart.series[0].val.numRef.f  # e.g. '完成率图'!$B$4:$B$15
        first, last = (int(x) for x in re.findall(r"\$(\d+)", ref))
        assert last - first + 1 <= 12
        plotted += range(first, last + 1)
    assert plotted == list(range(4, 44))


def test_the_tongbao_is_dated_in_the_office_s_time_not_the_server_s(duckdb_report, monkeypatch):
    """The date under the issuer is the office's (UTC + the rules' reporting offset, as the
    deadlines), whatever time zone the server runs in: a server at UTC−11 would otherwise date a
    通报 made in Beijing's morning two days' worth of hours early."""
    import time
    from datetime import UTC, datetime, timedelta

    from runtime.warehouse import Warehouse

    monkeypatch.setenv("TZ", "Pacific/Pago_Pago")  # UTC−11 all year
    time.tzset()
    try:
        wh = Warehouse(duckdb_report["url"])
        before = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
        data = load_report_data(wh, "2021-02")
        after = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
        wh.dispose()
    finally:
        monkeypatch.undo()  # TZ as it was, and the process's zone with it
        time.tzset()
    assert before.replace(microsecond=0) <= data.generated_at <= after
