"""Early each month, materialise the month that just ended (cron in reference/rules.yaml)."""

from __future__ import annotations

from dagster import build_schedule_from_partitioned_job

from assets.marts.rules import load_rules
from pipelines.jobs import monthly_reporting


def _cron() -> str:
    try:
        return load_rules().schedule.cron
    except Exception:  # noqa: BLE001 — a broken rules file is reported by the run, not here
        return "0 6 3 * *"


monthly_schedule = build_schedule_from_partitioned_job(
    monthly_reporting,
    name="monthly_reporting_schedule",
    cron_schedule=_cron(),
    description="每月初自动生成上月的台账汇总、红黑榜与绩效考评。",
)
