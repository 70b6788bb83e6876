"""Monthly partitions: one per reporting month ('YYYY-MM') the drop folder actually holds.

Dynamic partitions (docs/design.md "Partitions"): the month keys live in the Dagster instance and
are added by whoever first sees a month folder — the `month_partitions` sensor (on by default), the
drop-folder sensor, the schedule and the CLI.  So any month runs with no setting, and the UI lists
only months that have data, not a calendar from a fixed start to today.
"""

from __future__ import annotations

import warnings

from dagster import BetaWarning, DynamicPartitionsDefinition

# A range of months is one run (BackfillPolicy.single_run on every partitioned asset, issue 17).
# Dagster 1.13 marks the `backfill_policy` parameter as beta and warns at every asset that uses
# it; the behaviour is pinned by tests/orchestration/test_range_run.py, so in the CLI and the
# UI's logs the warning is only noise.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy`", category=BetaWarning)

PARTITIONS_NAME = "month"

monthly = DynamicPartitionsDefinition(name=PARTITIONS_NAME)


def ensure_months(instance, months) -> list[str]:
    """Add the months that the instance does not know yet as partitions; returns those added."""
    known = set(instance.get_dynamic_partitions(PARTITIONS_NAME))
    new = sorted({m for m in months if m not in known})
    if new:
        instance.add_dynamic_partitions(PARTITIONS_NAME, new)
    return new


def instance_with_months(months, instance=None):
    """`instance` (a fresh ephemeral one when None) knowing `months` as partitions: what an
    in-process run of a month (tests, scripts) needs before `materialize(partition_key=…)`."""
    if instance is None:
        from dagster import DagsterInstance

        instance = DagsterInstance.ephemeral()
    ensure_months(instance, months)
    return instance


def run_periods(context) -> list[str]:
    """The months a run covers, oldest first: its one partition, or every month of the range a
    single-run backfill (BackfillPolicy.single_run, `materialize --period A --to B`) covers."""
    if context.has_partition_key_range:
        return sorted(context.partition_keys)
    return [context.partition_key]


def range_keys(instance, first: str, last: str) -> list[str]:
    """The partition keys a run of the range first..last covers, in the instance's order (a
    dynamic partitions definition orders its keys by when they were added, not by date)."""
    keys = list(instance.get_dynamic_partitions(PARTITIONS_NAME))
    if first not in keys or last not in keys or keys.index(first) > keys.index(last):
        return []
    return keys[keys.index(first): keys.index(last) + 1]
