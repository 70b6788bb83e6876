"""Monthly partitions: one per reporting month ('YYYY-MM', the drop folder's month folders)."""

from __future__ import annotations

from dagster import MonthlyPartitionsDefinition

from runtime.settings import Settings

# The first month the office loads (PARTITIONS_START); the bundled samples start in 2021-01.
START = Settings.from_env().partitions_start

monthly = MonthlyPartitionsDefinition(start_date=START, fmt="%Y-%m", end_offset=1)
