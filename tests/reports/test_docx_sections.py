"""Sections of the 通报 body that depend on marts of revision 2 (submission_status,
interview_list, early_warning; rank and grade of performance_assessment) and on the month
(December: the year's 绩效考评). Those marts are built by a later release, so the test creates
them — with the spec's columns — in a copy of the real warehouse of the report run, and
copies the February marts to December; the body must then name exactly what those rows say,
and leave each section out while its mart is missing or has no rows for the period."""

from __future__ import annotations

import re
import shutil
from html import escape

import docx
import pandas as pd
import pytest

from assets.reports.body import body_blocks
from assets.reports.docx import write_docx
from assets.reports.html import render_html
from assets.reports.tongbao import load_report_data
from runtime.warehouse import Warehouse
from tests.reports.test_docx import _body, _section

REPORT_MARTS = ("target_progress", "city_summary", "four_rates", "red_black_list",
                "performance_assessment")
SUBMISSIONS = [  # unit, kind, status
    ("鱼峰区", "project_ledger", "missing"),
    ("柳江区", "activity_ledger", "late"),
    ("柳南区", "project_ledger", "on_time"),
]
WARNINGS = [  # type, unit, project
    ("signed_not_started", "柳南区", "P1"), ("signed_not_started", "柳江区", "P2"),
    ("behind_schedule", "柳江区", None),
]


def _revision2_marts(wh: Warehouse, period: str) -> None:
    with wh.engine.begin() as c:
        c.exec_driver_sql("DROP TABLE IF EXISTS marts.submission_status")  # this test's own shape
        c.exec_driver_sql(
            "CREATE TABLE marts.submission_status (period TEXT, unit_name TEXT, unit_type TEXT, "
            "kind TEXT, deadline DATE, received_at TIMESTAMP, status TEXT, source_file TEXT)")
        for unit, kind, status in SUBMISSIONS:
            c.exec_driver_sql(
                "INSERT INTO marts.submission_status VALUES (?, ?, 'district', ?, DATE "
                "'2022-01-05', NULL, ?, NULL)", (period, unit, kind, status))
        c.exec_driver_sql("DROP TABLE IF EXISTS marts.interview_list")  # this test's own shape
        c.exec_driver_sql(
            "CREATE TABLE marts.interview_list (quarter TEXT, period TEXT, list_group TEXT, "
            "unit_name TEXT, black_list_months INTEGER, gate_completion DOUBLE, "
            "time_progress DOUBLE, reasons TEXT)")
        c.exec_driver_sql(
            "INSERT INTO marts.interview_list VALUES ('2021-Q4', ?, '柳州市·县区', '柳江区', 3, "
            "0.0, 1.0, '本季度10月、11月、12月均列入黑榜，到位资金完成率0.0%')", (period,))
        c.exec_driver_sql("DROP TABLE IF EXISTS marts.early_warning")  # this test's own shape
        c.exec_driver_sql(
            "CREATE TABLE marts.early_warning (period TEXT, warning_type TEXT, unit_name TEXT, "
            "project_id TEXT, project_name TEXT, months INTEGER, message TEXT)")
        for kind, unit, project in WARNINGS:
            c.exec_driver_sql("INSERT INTO marts.early_warning VALUES (?, ?, ?, ?, NULL, 3, "
                              "'预警')", (period, kind, unit, project))
        c.exec_driver_sql("ALTER TABLE marts.performance_assessment "
                          "ADD COLUMN IF NOT EXISTS rank INTEGER")
        c.exec_driver_sql("ALTER TABLE marts.performance_assessment "
                          "ADD COLUMN IF NOT EXISTS grade TEXT")


@pytest.fixture(scope="module")
def december(duckdb_report, tmp_path_factory):
    """A copy of the run's DuckDB warehouse with the February marts copied to 2021-12 and the
    revision-2 marts created, with rows for December only."""
    src = duckdb_report["url"].removeprefix("duckdb:///")
    dst = tmp_path_factory.mktemp("december") / "warehouse.duckdb"
    shutil.copyfile(src, dst)
    wh = Warehouse(f"duckdb:///{dst}")
    with wh.engine.begin() as c:
        for name in REPORT_MARTS:
            c.exec_driver_sql(f"INSERT INTO marts.{name} SELECT * REPLACE ('2021-12' AS period) "
                              f"FROM marts.{name} WHERE period = '2021-02'")
    _revision2_marts(wh, "2021-12")
    with wh.engine.begin() as c:  # rank and grade of December's totals, as the mart will
        c.exec_driver_sql(
            "UPDATE marts.performance_assessment AS a SET rank = r.rk, grade = CASE WHEN r.rk "
            "= 1 THEN '优秀' ELSE '合格' END FROM (SELECT unit_name, unit_type, rank() OVER "
            "(PARTITION BY unit_type ORDER BY score DESC NULLS LAST) AS rk FROM "
            "marts.performance_assessment WHERE period = '2021-12' AND item = 'total') AS r "
            "WHERE a.period = '2021-12' AND a.item = 'total' AND a.unit_name = r.unit_name")
    totals = wh.read("SELECT * FROM marts.performance_assessment WHERE period = '2021-12' "
                     "AND item = 'total'")
    out = tmp_path_factory.mktemp("december_reports")
    data = load_report_data(wh, "2021-12")
    feb = load_report_data(wh, "2021-02")
    path = write_docx(data, out)
    wh.dispose()
    return {"docx": path, "data": data, "feb": feb, "totals": totals}


def test_december_body_has_every_section(december):
    body = _body(docx.Document(str(december["docx"])))
    headings = [t for t in body if re.match(r"^[一二三四五六七八九十]、", t)]
    assert headings == ["一、全市目标任务完成情况", "二、红榜单位", "三、黑榜单位",
                        "四、报表报送情况", "五、季度约谈名单", "六、项目预警情况",
                        "七、年度绩效考评结果"]
    assert _section(body, "报表报送情况") == [
        "未报送的单位1个次：鱼峰区（招商引资项目台账）。逾期报送的单位1个次：柳江区（招商活动台账）。"]
    assert _section(body, "季度约谈名单") == [
        "根据本季度红黑榜结果，以下1个单位列入季度约谈名单。",
        "柳江区（柳州市·县区，本季度3个月进入黑榜）：本季度10月、11月、12月均列入黑榜，"
        "到位资金完成率0.0%。"]
    assert _section(body, "项目预警情况") == ["本期共发出预警3条，其中签约未开工2条、完成进度滞后1条。"]


def test_december_assessment_results_match_the_mart(december):
    body = _body(docx.Document(str(december["docx"])))
    paras = _section(body, "年度绩效考评结果")
    totals = december["totals"]
    assert paras[0] == "2021年度招商引资绩效考评结果如下（详见附件4）。"
    text = "".join(paras[1:-1])
    for t in totals.itertuples():
        want = (f"{t.unit_name}（本年未考核）" if pd.isna(t.score)
                else f"{t.unit_name}{float(t.score):.2f}分（{t.grade}）")
        assert want in text, t.unit_name
    best = totals[totals["grade"] == "优秀"]["unit_name"]
    assert len(best) > 0
    assert paras[-1] == f"拟予表彰的单位（考评等次为优秀）：{'、'.join(best)}。"
    # the attachment shows the new columns too
    d = docx.Document(str(december["docx"]))
    header = [c.text for c in d.tables[-1].rows[0].cells]
    assert header == ["单位", "单位类型", "考评得分", "满分", "名次", "等次", "计分说明"]


def test_html_prints_the_same_body(december):
    html = render_html(december["data"])
    body = _body(docx.Document(str(december["docx"])))
    for text in body:
        assert escape(text) in html, text


def test_sections_are_left_out_without_rows(december):
    """February: the marts exist but hold no row of the month, and it is not December."""
    feb = december["feb"]
    assert feb.submissions is not None and feb.submissions.empty
    assert feb.interviews is not None and feb.interviews.empty
    assert feb.warnings is not None and feb.warnings.empty
    headings = [b.text for b in body_blocks(feb) if b.kind == "heading"]
    assert headings == ["一、全市目标任务完成情况", "二、红榜单位", "三、黑榜单位"]
