"""Monthly partitions: one per reporting month ('YYYY-MM', the drop folder's month folders)."""

from __future__ import annotations

import os

from dagster import MonthlyPartitionsDefinition

# The first month the office loads; the bundled samples start in 2021-01.
START = os.environ.get("PARTITIONS_START", "2021-01")

monthly = MonthlyPartitionsDefinition(start_date=START, fmt="%Y-%m", end_offset=1)
