"""The body of the 通报 in plain sentences, written from `ReportData` (no files, no warehouse).

The Word document and the HTML page print the same blocks. Every figure is a mart value,
formatted (never recomputed); every unit named is a unit of the marts. A section whose mart does
not exist yet (submission_status, interview_list, early_warning) or has no rows is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from runtime.values import is_missing

from .tongbao import AMOUNT, RATE, ReportData, value_kind

HEADING, PARA = "heading", "para"
# 附件 of the 通报: (title, keys of the tables each one holds)
ATTACHMENTS = (
    ("招商引资工作红黑榜", ("red", "black", "ranking")),
    ("目标任务完成进度", ("city_summary", "progress")),
    ("三企入桂签约项目“四率”", ("four_rates",)),
    ("招商引资绩效考评", ("assessment",)),
)
KIND_LABELS = {
    "project_ledger": "招商引资项目台账", "target_table": "目标任务分解表",
    "activity_ledger": "招商活动台账", "reserve_projects": "储备项目表",
}
WARNING_LABELS = {
    "signed_not_started": "签约未开工", "signed_no_funds": "签约未到位资金",
    "behind_schedule": "完成进度滞后",
}
CHINESE_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Block:
    kind: str  # HEADING or PARA
    text: str


def amount(v) -> str:
    return f"{float(v):.2f}亿元"


def count(v) -> str:
    f = float(v)
    return f"{int(f)}个" if f.is_integer() else f"{f:.2f}个"


def pct(v) -> str:
    return f"{float(v):.1%}"


def score(v) -> str:
    return f"{float(v):.2f}分"


def quantity(v, kind: str) -> str:
    if kind == AMOUNT:
        return amount(v)
    if kind == RATE:
        return pct(v)
    return count(v)


def _names(units) -> str:
    return "、".join(str(u) for u in units)


def _indicator_sentence(row: pd.Series) -> str:
    kind, label = value_kind(row["indicator"]), row["indicator_label"]
    actual = "—" if is_missing(row["actual"]) else quantity(row["actual"], kind)
    if is_missing(row["target"]):
        return f"{label}完成{actual}（未下达年度目标）。"
    status = {True: "，达到序时进度", False: "，未达到序时进度"}.get(row["on_schedule"], "")
    if kind == RATE:  # a share with a minimum requirement, not a target to reach by month
        status = {True: "，达到要求", False: "，未达到要求"}.get(row["on_schedule"], "")
        return f"{label}为{actual}，要求不低于{pct(row['target'])}{status}。"
    rate = "" if is_missing(row["completion_rate"]) else f"的{pct(row['completion_rate'])}"
    return f"{label}完成{actual}，为年度目标{quantity(row['target'], kind)}{rate}{status}。"


def city_progress(data: ReportData) -> list[Block]:
    head = f"截至{data.year}年{data.month}月，序时进度为{pct(data.time_progress)}。"
    if data.city_summary.empty:
        return [Block(PARA, head + "本期全市无目标任务完成数据。")]
    sentences = "".join(_indicator_sentence(r) for _, r in data.city_summary.iterrows())
    return [Block(PARA, f"{head}全市{sentences}")]


def listed(data: ReportData, which: str) -> list[Block]:
    """红榜 or 黑榜: the units by list group, then each unit's reasons as in the mart."""
    df, name = (data.red, "红榜") if which == "red" else (data.black, "黑榜")
    if df.empty:
        return [Block(PARA, f"本期无单位进入{name}。")]
    groups = "；".join(f"{g}：{_names(rows['unit_name'])}"
                      for g, rows in df.groupby("list_group", sort=False))
    blocks = [Block(PARA, f"本期进入{name}的单位共{len(df)}个。{groups}。")]
    for _, r in df.iterrows():
        blocks.append(Block(PARA, f"{r['unit_name']}：{r['reasons']}。"))
    return blocks


def submissions(data: ReportData) -> list[Block]:
    df = data.submissions
    if df is None or df.empty:
        return []
    parts = []
    for status, label in (("missing", "未报送"), ("late", "逾期报送")):
        rows = df[df["status"] == status]
        if len(rows):
            items = [f"{r['unit_name']}（{KIND_LABELS.get(r['kind'], '报表')}）"
                     for _, r in rows.iterrows()]
            parts.append(f"{label}的单位{len(rows)}个次：{_names(items)}。")
    return [Block(PARA, "".join(parts))] if parts else []


def interviews(data: ReportData) -> list[Block]:
    df = data.interviews
    if df is None or df.empty:
        return []
    blocks = [Block(PARA, f"根据本季度红黑榜结果，以下{len(df)}个单位列入季度约谈名单。")]
    for _, r in df.iterrows():
        blocks.append(Block(PARA, f"{r['unit_name']}（{r['list_group']}，本季度"
                                  f"{int(r['black_list_months'])}个月进入黑榜）：{r['reasons']}。"))
    return blocks


def warnings(data: ReportData) -> list[Block]:
    df = data.warnings
    if df is None or df.empty:
        return []
    counts = df["warning_type"].value_counts()
    kinds = [k for k in WARNING_LABELS if k in counts.index]
    kinds += sorted(k for k in counts.index if k not in WARNING_LABELS)
    parts = "、".join(f"{WARNING_LABELS.get(k, '其他')}{int(counts[k])}条" for k in kinds)
    return [Block(PARA, f"本期共发出预警{len(df)}条，其中{parts}。")]


def year_end(data: ReportData) -> list[Block]:
    """At December: the year's 绩效考评 results (and the 表彰 candidates when graded)."""
    df = data.assessment
    if not data.is_year_end or df.empty:
        return []
    blocks = []
    for label, rows in df.groupby("unit_type_label", sort=False):
        items = []
        for _, r in rows.iterrows():
            if is_missing(r["score"]):  # nothing scored this year (a 专班 not yet at work)
                items.append(f"{r['unit_name']}（本年未考核）")
                continue
            grade = r.get("grade")
            items.append(f"{r['unit_name']}{score(r['score'])}"
                         + ("" if is_missing(grade) else f"（{grade}）"))
        blocks.append(Block(PARA, f"{label}：{_names(items)}。"))
    head = f"{data.year}年度招商引资绩效考评结果如下（详见附件4）。"
    blocks.insert(0, Block(PARA, head))
    if "grade" in df.columns:
        best = df[df["grade"] == "优秀"]["unit_name"]
        text = f"拟予表彰的单位（考评等次为优秀）：{_names(best)}。" if len(best) else (
            "本年度无考评等次为优秀的单位。")
        blocks.append(Block(PARA, text))
    return blocks


def body_blocks(data: ReportData) -> list[Block]:
    """The sections of the 通报, numbered 一、二、… in the order an office reads them."""
    sections = [
        ("全市目标任务完成情况", city_progress(data)),
        ("红榜单位", listed(data, "red")),
        ("黑榜单位", listed(data, "black")),
        ("报表报送情况", submissions(data)),
        ("季度约谈名单", interviews(data)),
        ("项目预警情况", warnings(data)),
        ("年度绩效考评结果", year_end(data)),
    ]
    blocks = [Block(PARA, f"现将{data.year}年{data.month}月全市招商引资工作完成情况及红黑榜"
                          "通报如下：")]
    n = 0
    for title, content in sections:
        if content:
            blocks.append(Block(HEADING, f"{CHINESE_ORDINALS[n]}、{title}"))
            blocks.extend(content)
            n += 1
    return blocks


def attachment_lines() -> list[str]:
    return [f"{i}．{title}" for i, (title, _) in enumerate(ATTACHMENTS, start=1)]
