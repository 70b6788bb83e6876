"""Early each month, materialise the month that just ended (cron in reference/rules.yaml)."""

from datetime import datetime

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from pipelines.jobs import monthly_reporting
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
    return RunRequest(run_key=f"scheduled-{period}", partition_key=period)
