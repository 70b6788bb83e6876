"""The 红黑榜通报 of one period, read from the marts into plain DataFrames (no Dagster, no files).

`load_report_data(wh, period)` is the only reader; the Excel and HTML writers take the returned
`ReportData` and never touch the warehouse, so both show exactly the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from assets.marts.common import INDICATOR_LABELS

UNIT_TYPE_LABELS = {
    "city": "市", "district": "县区", "department": "部门", "task_group": "招商组/专班",
}
TYPE_ORDER = {"city": 0, "district": 1, "department": 2, "task_group": 3}
INDICATOR_ORDER = {k: i for i, k in enumerate(INDICATOR_LABELS)}
DEFAULT_CITY = "柳州市"
# How a row's target/actual is shown: 亿元 amounts, counts, or a share (rate).
AMOUNT, COUNT, RATE = "amount", "count", "rate"


def value_kind(indicator: str) -> str:
    if indicator == "funds_in_place":
        return AMOUNT
    if indicator == "emerging_share":
        return RATE
    return COUNT


def indicator_label(indicator: str | None) -> str:
    if indicator is None or (isinstance(indicator, float) and indicator != indicator):
        return "—"
    return INDICATOR_LABELS.get(indicator, indicator)


@dataclass
class ReportData:
    """Everything the 通报 shows; DataFrames keep the marts' column names (plus labels)."""

    period: str
    year: int
    month: int
    city: str
    time_progress: float  # 序时进度 = month / 12
    red: pd.DataFrame  # red_black_list rows with list = 'red'
    black: pd.DataFrame  # red_black_list rows with list = 'black'
    ranking: pd.DataFrame  # every red_black_list row of the period (综合排名)
    progress: pd.DataFrame  # target_progress rows that have a target
    four_rates: pd.DataFrame
    city_summary: pd.DataFrame
    chart: pd.DataFrame  # unit_name, funds_completion, projects_completion (units with targets)
    source: str = "warehouse"
    # revision 2 (reporting duty): units that missed or were late with a submission for the month
    reporting_gaps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["unit_name", "unit_type_label", "kind_label", "status_label", "deadline",
                 "received_at"]))
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))

    @property
    def title(self) -> str:
        return f"{self.city}招商引资工作红黑榜通报（{self.year}年{self.month}月）"

    @property
    def file_stem(self) -> str:
        return f"{self.period}_招商引资红黑榜通报"

    @property
    def time_progress_text(self) -> str:
        return f"{self.month}/12 = {self.time_progress:.1%}"

    @property
    def row_counts(self) -> dict[str, int]:
        return {
            "red": len(self.red), "black": len(self.black), "ranking": len(self.ranking),
            "progress": len(self.progress), "four_rates": len(self.four_rates),
            "city_summary": len(self.city_summary), "chart": len(self.chart),
            "reporting_gaps": len(self.reporting_gaps),
        }


def _num(x) -> float | None:
    """Decimal/numpy/None → float or None (the writers format; they never compute)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _floats(df: pd.DataFrame, cols) -> pd.DataFrame:
    df = df.copy()
    for c in cols:
        if c in df.columns:
            df[c] = pd.Series([_num(v) for v in df[c]], index=df.index, dtype=object)
    return df


def _bool(x) -> bool | None:
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return None
    return bool(x)


def _type_key(s: pd.Series) -> pd.Series:
    return s.map(lambda t: TYPE_ORDER.get(t, 9))


GAP_LABELS = {"missing": "缺报", "late": "迟报"}
KIND_LABELS = {"project_ledger": "项目台账", "activity_ledger": "招商活动台账"}


def load_reporting_gaps(wh, period: str) -> pd.DataFrame:
    """marts.submission_status rows of the month that are missing or late (missing first)."""
    cols = ["unit_name", "unit_type_label", "kind_label", "status_label", "deadline",
            "received_at"]
    if not wh.columns("marts.submission_status"):
        return pd.DataFrame(columns=cols)
    df = wh.read("SELECT unit_name, unit_type, kind, status, deadline, received_at "
                 "FROM marts.submission_status WHERE period = :p AND status IN "
                 "('missing', 'late') ORDER BY status DESC, unit_name, kind", {"p": period})
    return pd.DataFrame({
        "unit_name": df["unit_name"],
        "unit_type_label": df["unit_type"].map(UNIT_TYPE_LABELS).fillna(""),
        "kind_label": df["kind"].map(KIND_LABELS).fillna(df["kind"]),
        "status_label": df["status"].map(GAP_LABELS),
        "deadline": [str(d)[:10] for d in df["deadline"]],
        "received_at": ["—" if pd.isna(t) else str(t)[:16] for t in df["received_at"]],
    }, columns=cols).reset_index(drop=True)


def load_report_data(wh, period: str) -> ReportData:
    """Read the period's marts (target_progress, city_summary, four_rates, red_black_list)."""
    year, month = int(period[:4]), int(period[5:7])
    tp = month / 12
    p = {"p": period}
    city_df = wh.read("SELECT unit_name FROM core.dim_unit WHERE unit_type = 'city' "
                      "ORDER BY unit_name")
    city = str(city_df["unit_name"].iloc[0]) if len(city_df) else DEFAULT_CITY

    rb = wh.read("SELECT * FROM marts.red_black_list WHERE period = :p", p)
    rb = _floats(rb, ["score", "gate_completion", "time_progress", "funds_points",
                      "projects_points", "major_projects_points", "four_rates_points"])
    if len(rb):
        rb["rank"] = [None if pd.isna(r) else int(r) for r in rb["rank"]]
        rb["gate_label"] = [indicator_label(g) for g in rb["gate_indicator"]]
        rb["list_label"] = rb["list"].map({"red": "红榜", "black": "黑榜"}).fillna("")
        rb = rb.assign(_t=_type_key(rb["unit_type"]),
                       _r=rb["rank"].map(lambda r: 10**9 if r is None else r))
        rb = rb.sort_values(["_t", "list_group", "_r", "unit_name"], kind="stable")
        rb = rb.drop(columns=["_t", "_r"]).reset_index(drop=True)
    else:
        rb = rb.assign(gate_label=pd.Series(dtype=object), list_label=pd.Series(dtype=object))
    red = rb[rb["list"] == "red"].reset_index(drop=True)
    black = rb[rb["list"] == "black"].reset_index(drop=True)

    tp_df = wh.read("SELECT * FROM marts.target_progress WHERE period = :p "
                    "AND target IS NOT NULL", p)
    tp_df = _floats(tp_df, ["target", "actual", "completion_rate", "time_progress"])
    tp_df["on_schedule"] = [_bool(v) for v in tp_df["on_schedule"]]
    tp_df["indicator_label"] = [indicator_label(i) for i in tp_df["indicator"]]
    tp_df["unit_type_label"] = tp_df["unit_type"].map(UNIT_TYPE_LABELS).fillna("")
    tp_df["value_kind"] = [value_kind(i) for i in tp_df["indicator"]]
    if len(tp_df):
        tp_df = tp_df.assign(_t=_type_key(tp_df["unit_type"]),
                             _i=tp_df["indicator"].map(lambda i: INDICATOR_ORDER.get(i, 99)))
        tp_df = tp_df.sort_values(["_t", "unit_name", "_i", "indicator"], kind="stable")
        tp_df = tp_df.drop(columns=["_t", "_i"])
    progress = tp_df.reset_index(drop=True)

    fr = wh.read("SELECT * FROM marts.four_rates WHERE period = :p", p)
    fr = _floats(fr, ["contract_investment", "funds_cumulative", "performance_rate",
                      "funds_rate", "start_rate", "completion_rate",
                      "performance_rate_increment", "funds_rate_increment",
                      "start_rate_increment", "completion_rate_increment"])
    for c in ("signed_projects", "performing_projects", "started_projects", "completed_projects"):
        fr[c] = [None if pd.isna(v) else int(v) for v in fr[c]]
    if len(fr):
        fr = fr.assign(_t=_type_key(fr["unit_type"]))
        fr = fr.sort_values(["_t", "unit_name"], kind="stable").drop(columns=["_t"])
    four_rates = fr.reset_index(drop=True)

    cs = wh.read("SELECT * FROM marts.city_summary WHERE period = :p", p)
    cs = _floats(cs, ["target", "actual", "completion_rate", "time_progress"])
    cs["on_schedule"] = [_bool(v) for v in cs["on_schedule"]]
    cs["indicator_label"] = [indicator_label(i) for i in cs["indicator"]]
    cs["value_kind"] = [value_kind(i) for i in cs["indicator"]]
    if len(cs):
        cs = cs.assign(_i=cs["indicator"].map(lambda i: INDICATOR_ORDER.get(i, 99)))
        cs = cs.sort_values(["_i", "indicator"], kind="stable").drop(columns=["_i"])
    city_summary = cs.reset_index(drop=True)

    units = progress[progress["unit_type"] != "city"]
    chart_rows = []
    for unit in dict.fromkeys(units["unit_name"]):
        rows = units[units["unit_name"] == unit]
        by_ind = dict(zip(rows["indicator"], rows["completion_rate"]))
        if "funds_in_place" in by_ind or "new_projects" in by_ind:
            chart_rows.append({"unit_name": unit,
                               "funds_completion": by_ind.get("funds_in_place"),
                               "projects_completion": by_ind.get("new_projects")})
    chart = pd.DataFrame(chart_rows,
                         columns=["unit_name", "funds_completion", "projects_completion"])

    return ReportData(
        period=period, year=year, month=month, city=city, time_progress=tp,
        red=red, black=black, ranking=rb, progress=progress, four_rates=four_rates,
        city_summary=city_summary, chart=chart, reporting_gaps=load_reporting_gaps(wh, period),
        source=f"{wh.dialect} 仓库 marts 表（target_progress、city_summary、four_rates、"
               f"red_black_list），统计期 {period}",
    )
