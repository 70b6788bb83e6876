"""The tables of the 通报, shared by the Excel and HTML writers: which columns, which headers,
how each value is formatted. One place, so both outputs show the same content."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from runtime.values import is_missing

from .tongbao import AMOUNT, COUNT, RATE, ReportData

# Column kinds: text (from submissions or labels, always written as text), int, amount (亿元),
# rate (fraction shown as %), score, bool (是/否), value (per row: the row's value_kind).
TEXT, INT, SCORE, BOOL, VALUE = "text", "int", "score", "bool", "value"


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str
    width: float = 12
    optional: bool = False  # shown only when the mart has the column (revision-2 columns)


@dataclass(frozen=True)
class Table:
    key: str  # attribute of ReportData
    sheet: str  # Excel sheet name (≤ 31 chars)
    title: str  # heading
    columns: tuple[Column, ...]
    note: str = ""


_RANK_COLUMNS = (
    Column("list_group", "排名组", TEXT, 16),
    Column("rank", "组内排名", INT, 9),
    Column("unit_name", "单位", TEXT, 20),
    Column("score", "综合得分", SCORE, 10),
    Column("gate_label", "门槛指标", TEXT, 14),
    Column("gate_completion", "门槛指标完成率", RATE, 13),
    Column("time_progress", "序时进度", RATE, 10),
    Column("funds_points", "到位资金得分", SCORE, 11),
    Column("projects_points", "新引进项目得分", SCORE, 12),
    Column("major_projects_points", "重大项目得分", SCORE, 11),
    Column("four_rates_points", "四率得分", SCORE, 9),
    Column("reasons", "上榜理由", TEXT, 80),
)

TABLES = (
    Table("red", "红榜", "红榜", _RANK_COLUMNS,
          "各排名组中门槛指标完成率不低于序时进度、综合得分居前的单位。"),
    Table("black", "黑榜", "黑榜", _RANK_COLUMNS,
          "各排名组中门槛指标完成率低于序时进度、综合得分居后的单位。"),
    Table("city_summary", "全市汇总", "全市目标任务完成情况", (
        Column("indicator_label", "指标", TEXT, 24),
        Column("target", "全市目标", VALUE, 12),
        Column("actual", "完成值", VALUE, 12),
        Column("completion_rate", "完成率", RATE, 10),
        Column("time_progress", "序时进度", RATE, 10),
        Column("on_schedule", "是否达到序时进度", BOOL, 16),
    ), "每个项目只计一次（按属地）。到位资金单位为亿元，项目单位为个。"),
    Table("progress", "目标任务完成进度", "目标任务完成进度", (
        Column("unit_name", "单位", TEXT, 20),
        Column("unit_type_label", "单位类型", TEXT, 11),
        Column("indicator_label", "指标", TEXT, 22),
        Column("target", "年度目标", VALUE, 11),
        Column("actual", "完成值", VALUE, 11),
        Column("completion_rate", "完成率", RATE, 10),
        Column("time_progress", "序时进度", RATE, 10),
        Column("on_schedule", "是否达到序时进度", BOOL, 16),
    ), "到位资金单位为亿元，项目单位为个；新兴产业占比的目标为最低占比要求。"),
    Table("four_rates", "四率", "三企入桂签约项目“四率”", (
        Column("unit_name", "单位", TEXT, 20),
        Column("signed_projects", "签约项目数", INT, 10),
        Column("performing_projects", "履约项目数", INT, 10),
        Column("started_projects", "开工项目数", INT, 10),
        Column("completed_projects", "竣工投产项目数", INT, 13),
        Column("contract_investment", "签约投资总额（亿元）", AMOUNT, 14),
        Column("funds_cumulative", "累计到位资金（亿元）", AMOUNT, 14),
        Column("performance_rate", "协议履约率", RATE, 10),
        Column("funds_rate", "资金到位率", RATE, 10),
        Column("start_rate", "项目开工率", RATE, 10),
        Column("completion_rate", "竣工投产率", RATE, 10),
        Column("performance_rate_increment", "履约率增量", RATE, 10),
        Column("funds_rate_increment", "资金到位率增量", RATE, 12),
        Column("start_rate_increment", "开工率增量", RATE, 10),
        Column("completion_rate_increment", "竣工投产率增量", RATE, 12),
    ), "增量为较上年12月提高的百分点。"),
    Table("ranking", "综合排名", "各单位综合得分与排名", (
        *_RANK_COLUMNS[:4],
        Column("list_label", "榜单", TEXT, 8),
        *_RANK_COLUMNS[4:],
    ), "综合得分按考核规则规定的权重计算；未设目标任务的单位不参与排名。"),
    Table("assessment", "绩效考评", "招商引资绩效考评（年度累计）", (
        Column("unit_name", "单位", TEXT, 20),
        Column("unit_type_label", "单位类型", TEXT, 11),
        Column("score", "考评得分", SCORE, 10),
        Column("max_score", "满分", SCORE, 8),
        Column("rank", "名次", INT, 7, optional=True),
        Column("grade", "等次", TEXT, 8, optional=True),
        Column("detail", "计分说明", TEXT, 80),
    ), "年初至本月累计得分；12月为全年考评结果。"),
    Table("reporting_gaps", "报送情况", "未按时报送材料的单位", (
        Column("unit_name", "单位", TEXT, 24),
        Column("unit_type_label", "单位类型", TEXT, 11),
        Column("kind_label", "材料", TEXT, 14),
        Column("status_label", "情况", TEXT, 8),
        Column("deadline", "截止日期", TEXT, 12),
        Column("received_at", "收到时间", TEXT, 18),
    ), "缺报：截止日期已过仍未收到；迟报：晚于截止日期收到（以当月第一份文件为准）。"
       "缺报、迟报计入年度绩效考评。"),
)


def columns_of(table: Table, df: pd.DataFrame) -> tuple[Column, ...]:
    """The table's columns, without the optional ones the data does not have."""
    return tuple(c for c in table.columns if not c.optional or c.field in df.columns)


def frame(data: ReportData, table: Table) -> pd.DataFrame:
    return getattr(data, table.key)


def cell_kind(column: Column, row: pd.Series) -> str:
    """The concrete kind of one cell (a VALUE column takes the row's value_kind)."""
    if column.kind == VALUE:
        return row.get("value_kind", COUNT)
    return column.kind


def display(value, kind: str) -> str:
    """Text of a value as printed in the HTML (Excel uses number formats instead)."""
    if is_missing(value):
        return "—"
    if kind == RATE:
        return f"{float(value):.1%}"
    if kind == AMOUNT:
        return f"{float(value):,.2f}"
    if kind == SCORE:
        return f"{float(value):.2f}"
    if kind in (INT, COUNT):
        f = float(value)
        return f"{int(f)}" if f.is_integer() else f"{f:.2f}"
    if kind == BOOL:
        return "是" if value else "否"
    return str(value)


__all__ = ["AMOUNT", "BOOL", "COUNT", "INT", "RATE", "SCORE", "TABLES", "TEXT", "VALUE",
           "Column", "Table", "cell_kind", "columns_of", "display", "frame"]
