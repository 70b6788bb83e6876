"""Asset checks on the revision-2 marts (reporting duty, 季约谈, 预警, pipeline, industry view).

Each check is a pure function of the mart table (every period) → a list of problems in Chinese,
wrapped as a non-blocking Dagster asset check: the marts are already written in one transaction,
so a failing check flags rows that contradict their own rule for the office to look at.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from runtime.resources import WarehouseResource
from runtime.values import is_missing

STATUSES = {"on_time", "late", "missing", "not_due"}
WARNING_TYPES = {"signed_not_started", "signed_no_funds", "behind_schedule"}
STAGES = {"在谈", "签约", "注册", "开工", "竣工投产", "退库"}


def submission_status_problems(df: pd.DataFrame) -> list[str]:
    """A status agrees with its arrival: on_time/late have a time and a file, on the right side
    of the deadline (local dates); missing/not_due have neither."""
    out = []
    for r in df.to_dict("records"):
        where = f"{r['unit_name']} {r['period']} {r['kind']}"
        if r["status"] not in STATUSES:
            out.append(f"{where}：状态 {r['status']!r} 不合法")
            continue
        arrived = not is_missing(r["received_at"])
        if arrived != (r["status"] in ("on_time", "late")) or arrived == is_missing(r["source_file"]):
            out.append(f"{where}：状态 {r['status']} 与收到时间/文件不符")
        elif arrived:
            on_time = pd.Timestamp(r["received_at"]).date() <= pd.Timestamp(r["deadline"]).date()
            if on_time != (r["status"] == "on_time"):
                out.append(f"{where}：收到时间与截止日期不符合状态 {r['status']}")
    return out


def interview_list_problems(df: pd.DataFrame) -> list[str]:
    out = []
    for r in df.to_dict("records"):
        where = f"{r['unit_name']} {r['quarter']}"
        month = int(str(r["period"])[5:7])
        if month not in (3, 6, 9, 12) or r["quarter"] != f"{str(r['period'])[:4]}-Q{month // 3}":
            out.append(f"{where}：季度与统计期 {r['period']} 不符")
        if not 0 <= int(r["black_list_months"]) <= 3:
            out.append(f"{where}：上黑榜月数 {r['black_list_months']} 超出 0–3")
        if is_missing(r["reasons"]) or not str(r["reasons"]).strip():
            out.append(f"{where}：缺少约谈原因")
    return out


def early_warning_problems(df: pd.DataFrame) -> list[str]:
    out = []
    for r in df.to_dict("records"):
        where = f"{r['period']} {r['warning_type']} {r['unit_name']}"
        if r["warning_type"] not in WARNING_TYPES:
            out.append(f"{where}：预警类型不合法")
        elif (r["warning_type"] == "behind_schedule") != is_missing(r["project_id"]):
            out.append(f"{where}：项目预警须有项目编号，单位预警不应有")
        elif not is_missing(r["months"]) and int(r["months"]) < 0:
            out.append(f"{where}：月数为负")
        if is_missing(r["message"]) or not str(r["message"]).strip():
            out.append(f"{where}：缺少预警说明")
    return out


def project_pipeline_problems(df: pd.DataFrame) -> list[str]:
    out = []
    for r in df.to_dict("records"):
        where = f"{r['unit_name']} {r['period']} {r['stage']}"
        if r["stage"] not in STAGES:
            out.append(f"{where}：阶段不合法")
        if not 0 <= int(r["entered_this_period"]) <= int(r["projects"]):
            out.append(f"{where}：本月新进入 {r['entered_this_period']} 个，超出项目数 "
                       f"{r['projects']} 或为负")
    return out


def industry_summary_problems(df: pd.DataFrame) -> list[str]:
    out = [f"{p} {i}：同一行业出现多行" for (p, i), n in
           df.groupby(["period", "industry"]).size().items() if n > 1] if len(df) else []
    for r in df.to_dict("records"):
        if int(r["new_projects"]) < 0:
            out.append(f"{r['period']} {r['industry']}：新引进项目数为负")
        if int(r["new_projects"]) == 0 and not is_missing(r["total_investment"]) \
                and float(r["total_investment"]) != 0:
            out.append(f"{r['period']} {r['industry']}：没有新引进项目却有投资总额")
    return out


def _mart_check(table: str, problems: Callable[[pd.DataFrame], list[str]], description: str):
    @asset_check(asset=["marts", table], name=f"{table}_consistent", blocking=False,
                 description=description)
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        df = warehouse.get().read(f"SELECT * FROM marts.{table}")
        found = problems(df)
        return AssetCheckResult(
            passed=not found, severity=AssetCheckSeverity.WARN,
            description=f"{len(df)} 行全部自洽" if not found else f"{len(found)} 处不自洽",
            metadata={"rows_checked": len(df), "failing_count": len(found),
                      "sample": MetadataValue.json(found[:10])},
        )

    return _check


duty_checks = [
    _mart_check("submission_status", submission_status_problems,
                "报送情况：按时/迟报须有收到时间和文件且与截止日期相符，缺报/未到期则没有。"),
    _mart_check("interview_list", interview_list_problems,
                "约谈名单：只在季末月份，上黑榜月数 0–3，每行有约谈原因。"),
    _mart_check("early_warning", early_warning_problems,
                "预警：类型合法，项目预警有项目编号，单位预警没有，每行有说明。"),
    _mart_check("project_pipeline", project_pipeline_problems,
                "项目推进：阶段合法，本月新进入数不超过项目数。"),
    _mart_check("industry_summary", industry_summary_problems,
                "分行业汇总：每期每个行业一行，项目数非负。"),
]
