"""Definitions: the assets, checks, job, schedule and sensor of the 招商引资 warehouse."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from assets.conform.assets import core_model
from assets.ingest.assets import drop_folder_files, staging_submissions
from assets.marts.assets import marts_for_period
from assets.reports.assets import tongbao
from pipelines.jobs import monthly_reporting
from pipelines.schedules import monthly_schedule
from pipelines.sensors import drop_folder_sensor, month_partitions_sensor
from quality.assets import no_error_findings, quality_findings
from quality.checks import asset_checks
from quality.duty_checks import duty_checks
from quality.mart_checks import mart_checks
from runtime.resources import default_resources

defs = Definitions(
    assets=[drop_folder_files, staging_submissions, core_model, marts_for_period, tongbao,
            quality_findings],
    asset_checks=[*asset_checks, *mart_checks, *duty_checks, no_error_findings],
    jobs=[monthly_reporting],
    schedules=[monthly_schedule],
    sensors=[drop_folder_sensor, month_partitions_sensor],
    resources=default_resources(),
    # One writer at a time: an embedded DuckDB file admits a single writing process.
    executor=in_process_executor,
)
