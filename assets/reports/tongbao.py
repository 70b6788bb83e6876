"""The 红黑榜通报 of one period, read from the marts into plain DataFrames (no Dagster, no files).

`load_report_data(wh, period)` is the only reader; the Excel and HTML writers take the returned
`ReportData` and never touch the warehouse, so both show exactly the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pandas as pd

from assets.marts.common import AMOUNT_INDICATORS, INDICATOR_LABELS, SHARE_INDICATORS
from runtime.rules import Rules, load_rules

UNIT_TYPE_LABELS = {
    "city": "市", "district": "县区", "department": "部门", "task_group": "招商组/专班",
}
TYPE_ORDER = {"city": 0, "district": 1, "department": 2, "task_group": 3}
INDICATOR_ORDER = {k: i for i, k in enumerate(INDICATOR_LABELS)}
DEFAULT_CITY = "柳州市"
# How a row's target/actual is shown: 亿元 amounts, counts, or a share (rate).
AMOUNT, COUNT, RATE = "amount", "count", "rate"


def value_kind(indicator: str) -> str:
    """From the indicator registry's kind (reference/indicators.yaml)."""
    if indicator in AMOUNT_INDICATORS:
        return AMOUNT
    if indicator in SHARE_INDICATORS:
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
    assessment: pd.DataFrame  # performance_assessment total rows (year to date)
    # revision-2 marts, None while the warehouse has no such table: the body leaves them out
    submissions: pd.DataFrame | None = None  # submission_status rows: missing or late
    interviews: pd.DataFrame | None = None  # interview_list rows of the period (quarter end)
    warnings: pd.DataFrame | None = None  # early_warning rows of the period
    issuer: str = ""  # 发文机关 (rules file)
    doc_number: str = ""  # 发文字号
    recipients: str = ""  # 主送机关
    # where the figures come from: document properties only, never the body an official reads
    source: str = "warehouse"
    # revision 2 (reporting duty): the 报送情况 table of the workbook and page (missing, late)
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
            "assessment": len(self.assessment),
            "reporting_gaps": len(self.reporting_gaps),
        }

    @property
    def is_year_end(self) -> bool:
        return self.month == 12


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


def _red_black(wh, p: dict) -> pd.DataFrame:
    rb = wh.read("SELECT * FROM marts.red_black_list WHERE period = :p", p)
    rb = _floats(rb, ["score", "gate_completion", "time_progress", "funds_points",
                      "projects_points", "major_projects_points", "four_rates_points"])
    if not len(rb):
        return rb.assign(gate_label=pd.Series(dtype=object), list_label=pd.Series(dtype=object))
    rb["rank"] = [None if pd.isna(r) else int(r) for r in rb["rank"]]
    rb["gate_label"] = [indicator_label(g) for g in rb["gate_indicator"]]
    rb["list_label"] = rb["list"].map({"red": "红榜", "black": "黑榜"}).fillna("")
    rb = rb.assign(_t=_type_key(rb["unit_type"]),
                   _r=rb["rank"].map(lambda r: 10**9 if r is None else r))
    rb = rb.sort_values(["_t", "list_group", "_r", "unit_name"], kind="stable")
    return rb.drop(columns=["_t", "_r"]).reset_index(drop=True)


def _progress(wh, p: dict) -> pd.DataFrame:
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
    return tp_df.reset_index(drop=True)


def _four_rates(wh, p: dict) -> pd.DataFrame:
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
    return fr.reset_index(drop=True)


def _city_summary(wh, p: dict) -> pd.DataFrame:
    cs = wh.read("SELECT * FROM marts.city_summary WHERE period = :p", p)
    cs = _floats(cs, ["target", "actual", "completion_rate", "time_progress"])
    cs["on_schedule"] = [_bool(v) for v in cs["on_schedule"]]
    cs["indicator_label"] = [indicator_label(i) for i in cs["indicator"]]
    cs["value_kind"] = [value_kind(i) for i in cs["indicator"]]
    if len(cs):
        cs = cs.assign(_i=cs["indicator"].map(lambda i: INDICATOR_ORDER.get(i, 99)))
        cs = cs.sort_values(["_i", "indicator"], kind="stable").drop(columns=["_i"])
    return cs.reset_index(drop=True)


def _chart(progress: pd.DataFrame) -> pd.DataFrame:
    units = progress[progress["unit_type"] != "city"]
    chart_rows = []
    for unit in dict.fromkeys(units["unit_name"]):
        rows = units[units["unit_name"] == unit]
        by_ind = dict(zip(rows["indicator"], rows["completion_rate"]))
        if "funds_in_place" in by_ind or "new_projects" in by_ind:
            chart_rows.append({"unit_name": unit,
                               "funds_completion": by_ind.get("funds_in_place"),
                               "projects_completion": by_ind.get("new_projects")})
    return pd.DataFrame(chart_rows,
                        columns=["unit_name", "funds_completion", "projects_completion"])


def _assessment(wh, p: dict) -> pd.DataFrame:
    """The year-to-date 绩效考评 totals (one row per unit), best score first."""
    a = wh.read("SELECT * FROM marts.performance_assessment WHERE period = :p "
                "AND item = 'total'", p)
    a = _floats(a, ["score", "max_score"])
    a["unit_type_label"] = a["unit_type"].map(UNIT_TYPE_LABELS).fillna("")
    if "rank" in a.columns:  # revision 2 columns, when the mart has them
        a["rank"] = [None if pd.isna(r) else int(r) for r in a["rank"]]
    if len(a):
        a = a.assign(_t=_type_key(a["unit_type"]),
                     _s=[-(s if s is not None else -1e9) for s in a["score"]])
        a = a.sort_values(["_t", "_s", "unit_name"], kind="stable").drop(columns=["_t", "_s"])
    return a.reset_index(drop=True)


def mart_exists(wh, name: str) -> bool:
    """Whether marts.<name> exists (revision-2 marts arrive in later releases)."""
    n = wh.scalar("SELECT count(*) FROM information_schema.tables "
                  "WHERE table_schema = 'marts' AND table_name = :t", {"t": name})
    return bool(n)


def _optional_mart(wh, name: str, where: str, p: dict) -> pd.DataFrame | None:
    """The period's rows of a mart that may not exist yet; None when it does not."""
    if not mart_exists(wh, name):
        return None
    return wh.read(f"SELECT * FROM marts.{name} WHERE {where}", p)


GAP_LABELS = {"missing": "缺报", "late": "迟报"}
GAP_KINDS = {"project_ledger": "项目台账", "activity_ledger": "招商活动台账"}


def reporting_gaps(submissions: pd.DataFrame | None) -> pd.DataFrame:
    """The 报送情况 table from the month's missing/late submission_status rows (missing first)."""
    cols = ["unit_name", "unit_type_label", "kind_label", "status_label", "deadline",
            "received_at"]
    if submissions is None or submissions.empty:
        return pd.DataFrame(columns=cols)
    df = submissions.sort_values(["status", "unit_name", "kind"], ascending=[False, True, True])
    return pd.DataFrame({
        "unit_name": df["unit_name"],
        "unit_type_label": df["unit_type"].map(UNIT_TYPE_LABELS).fillna(""),
        "kind_label": df["kind"].map(GAP_KINDS).fillna(df["kind"]),
        "status_label": df["status"].map(GAP_LABELS),
        "deadline": [str(d)[:10] for d in df["deadline"]],
        "received_at": ["—" if pd.isna(t) else str(t)[:16] for t in df["received_at"]],
    }, columns=cols).reset_index(drop=True)


def office_now(utc_offset_hours: float) -> datetime:
    """The office's wall-clock time, naive: UTC plus the rules' offset, as the deadlines are
    judged (`reporting.utc_offset_hours`), so the 通报's date does not follow the server's time
    zone (a server on UTC would date a 通报 made at 7 in the morning in Beijing the day before)."""
    now = datetime.now(UTC) + timedelta(hours=utc_offset_hours)
    return now.replace(tzinfo=None, microsecond=0)


def load_report_data(wh, period: str, rules: Rules | None = None) -> ReportData:
    """Read the period's marts (target_progress, city_summary, four_rates, red_black_list,
    performance_assessment, and submission_status / interview_list / early_warning where they
    exist) and the document head from the rules file."""
    rules = rules or load_rules()
    year, month = int(period[:4]), int(period[5:7])
    p = {"p": period}
    city_df = wh.read("SELECT unit_name FROM core.dim_unit WHERE unit_type = 'city' "
                      "ORDER BY unit_name")
    city = str(city_df["unit_name"].iloc[0]) if len(city_df) else DEFAULT_CITY
    rb = _red_black(wh, p)
    progress = _progress(wh, p)
    return ReportData(
        period=period, year=year, month=month, city=city, time_progress=month / 12,
        red=rb[rb["list"] == "red"].reset_index(drop=True),
        black=rb[rb["list"] == "black"].reset_index(drop=True),
        ranking=rb, progress=progress, four_rates=_four_rates(wh, p),
        city_summary=_city_summary(wh, p), chart=_chart(progress),
        assessment=_assessment(wh, p),
        submissions=(subs := _optional_mart(wh, "submission_status",
                                            "period = :p AND status IN ('missing', 'late')", p)),
        reporting_gaps=reporting_gaps(subs),
        interviews=_optional_mart(wh, "interview_list", "period = :p", p),
        warnings=_optional_mart(wh, "early_warning", "period = :p", p),
        issuer=rules.report.issuer,
        doc_number=rules.report.document_number(year, month),
        recipients=rules.report.recipients,
        generated_at=office_now(rules.reporting.utc_offset_hours),
        source=f"{wh.dialect} 仓库 marts 表（target_progress、city_summary、four_rates、"
               f"red_black_list、performance_assessment），统计期 {period}",
    )
