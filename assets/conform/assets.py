"""Dagster asset: staging → core (thin wrapper over assets/conform/build.py)."""


from decimal import Decimal

import pandas as pd
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from assets.conform.build import conform
from assets.marts.rules import load_rules
from assets.reference import Reference
from pipelines.faults import fault_point
from pipelines.metadata import OWNERS, findings_by_severity, preview
from pipelines.partitions import monthly
from pipelines.resources import WarehouseResource
from pipelines.warehouse import Warehouse
from quality.findings import FINDING_COLUMNS

CORE_TABLES = {
    "dim_unit": ("dim_unit", "单位维表：规范单位名、类型与上级。"),
    "dim_project": ("dim_project", "项目维表：跨单位、跨月份识别为同一个项目，编号稳定。"),
    "bridge_project_unit": ("bridge", "项目↔计分单位桥表：属地、牵头、合作。"),
    "fact_project_period": ("fact_project_period", "项目每期的规范进展与到位资金（属地报数优先）。"),
    "fact_target": ("fact_target", "年度目标任务。"),
    "fact_activity": ("fact_activity", "招商活动（每期为截至该期的本年清单）。"),
    "fact_reserve_project": ("fact_reserve_project", "策划包装/储备项目（每期为截至该期的本年清单）。"),
}


def load_staging(wh: Warehouse) -> dict[str, pd.DataFrame]:
    """The staging rows of the files in force (loaded, not superseded)."""
    live = "file_id IN (SELECT file_id FROM staging.files WHERE status = 'loaded')"
    return {
        "ledger": wh.read(f"SELECT * FROM staging.ledger_rows WHERE {live}"),
        "activities": wh.read(f"SELECT * FROM staging.activity_rows WHERE {live}"),
        "reserve": wh.read(f"SELECT * FROM staging.reserve_rows WHERE {live}"),
        "targets": wh.read(f"SELECT * FROM staging.target_rows WHERE {live}"),
        "files": wh.read("SELECT * FROM staging.files"),
    }


def build_core(wh: Warehouse) -> dict:
    """Rebuild every core table from staging in one transaction; returns row counts."""
    staging = load_staging(wh)
    files = staging["files"]
    periods = sorted(
        m for m in files.loc[files["status"] == "loaded", "folder_month"].dropna().unique()
        if m != "targets"
    )
    below = Decimal(str(load_rules().indicators.below_threshold_amount))
    result = conform(
        staging["ledger"], staging["activities"], staging["reserve"], staging["targets"],
        files, Reference.load(), periods, below_threshold=below,
    )
    counts = {}
    with wh.transaction() as tx:
        for table, (attr, _) in CORE_TABLES.items():
            counts[table] = tx.replace(f"core.{table}", getattr(result, attr))
        tx.delete("quality.findings", {"stage": "conform"})
        rows = [f.as_row() | {"stage": "conform"} for f in result.findings]
        tx.insert("quality.findings", pd.DataFrame(rows, columns=FINDING_COLUMNS))
        fault_point("core_tx")
    return {"counts": counts, "result": result}


@multi_asset(
    specs=[
        AssetSpec(
            key=["core", table],
            description=desc,
            group_name="core",
            kinds={"python", "sql"},
            owners=OWNERS,
            deps=[["staging", "submissions"]],
        )
        for table, (_, desc) in CORE_TABLES.items()
    ],
    partitions_def=monthly,
    can_subset=False,
)
def core_model(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Conform staging into the star schema: one project, many credited units, counted once."""
    wh = warehouse.get()
    built = build_core(wh)
    result = built["result"]
    severity = findings_by_severity(wh, "conform")
    for table, (attr, _) in CORE_TABLES.items():
        df = getattr(result, attr)
        metadata = {
            "dagster/row_count": int(len(df)),
            "preview": preview(df.drop(columns=["contact_phone"], errors="ignore")),
        }
        if table == "dim_project":
            metadata["findings_by_severity"] = MetadataValue.json(severity)
        yield_key = ["core", table]
        context.log.debug(f"core.{table}: {len(df)} rows")
        yield MaterializeResult(asset_key=yield_key, metadata=metadata)
