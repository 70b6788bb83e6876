"""Early each month, materialise the month that just ended (cron in reference/rules.yaml)."""

from datetime import datetime

from dagster import RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from assets.ingest.registry import month_folders
from pipelines.jobs import monthly_reporting
from runtime.partitions import ensure_months
from runtime.rules import load_rules
from runtime.settings import Settings


def _cron() -> str:
    try:
        return load_rules(Settings.from_env().rules_file).schedule_cron
    except Exception:  # noqa: BLE001 — a broken rules file is reported by the run, not here
        return "0 6 3 * *"


def previous_month(moment: datetime) -> str:
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@schedule(
    job=monthly_reporting,
    cron_schedule=_cron(),
    execution_timezone="Asia/Shanghai",
    name="monthly_reporting_schedule",
    description="每月初自动生成上月的台账汇总、红黑榜与绩效考评（时间见 reference/rules.yaml）。",
)
def monthly_schedule(context: ScheduleEvaluationContext):
    period = previous_month(context.scheduled_execution_time)
    root = Settings.from_env().submissions_dir
    if period not in month_folders(root):
        # no partition for a month without data; the 通报's freshness check goes red instead
        return SkipReason(f"报送目录 {root} 中还没有 {period} 月份文件夹，本月未生成通报")
    ensure_months(context.instance, [period])
    return RunRequest(run_key=f"scheduled-{period}", partition_key=period)
