"""The one job: everything a reporting month needs, from the drop folder to the marts."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from runtime.settings import Settings, warehouse_tag

monthly_reporting = define_asset_job(
    name="monthly_reporting",
    selection=AssetSelection.all(),
    description="读取报送目录 → staging → core → marts（→ 通报），按月分区。",
    # `warehouse` lets a QueuedRunCoordinator allow one writer per warehouse (deploy/dagster.yaml)
    tags={"dagster/max_retries": "0", "warehouse": warehouse_tag(Settings.from_env().warehouse_url)},
)
