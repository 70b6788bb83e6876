"""The CLI's URL line and the failure of a malformed WAREHOUSE_URL never show the password."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, Failure, materialize
from dagster._serdes import serialize_value

from assets.ingest.assets import staging_submissions
from pipelines.__main__ import _masked
from runtime.resources import (
    WarehouseResource,
    pipeline_resources,
    release_warehouses,
)
from tests.pipeline import dropfolder

SECRET = "S3cr3tPw"


@pytest.mark.parametrize(("url", "shown"), [
    (f"postgresql+psycopg://etl:{SECRET}@10.0.0.5:5432/zhaoshang",
     "postgresql+psycopg://etl:***@10.0.0.5:5432/zhaoshang"),
    (f"postgresql://etl:{SECRET}%40x@db/zs", "postgresql://etl:***@db/zs"),
    # unparsable (port not a number, no scheme): the credentials go whole
    (f"postgresql://etl:{SECRET}@db:54x2/zs", "postgresql://***@db:54x2/zs"),
    (f"etl:{SECRET}@db/zs", "***@db/zs"),
    (f"postgresql://etl:{SECRET}/zs", "postgresql://***"),
    ("duckdb:///data/warehouse.duckdb", "duckdb:///data/warehouse.duckdb"),
])
def test_cli_masks_the_password(url, shown):
    assert _masked(url) == shown
    assert SECRET not in _masked(url)


def test_malformed_url_fails_without_quoting_it(tmp_path):
    url = f"postgresql+psycopg://etl:{SECRET}@127.0.0.1:54x2/zs"
    with pytest.raises(Failure) as info:
        WarehouseResource(url=url).get()
    assert "WAREHOUSE_URL" in info.value.description and SECRET not in str(info.value)

    # through a Dagster run: the stored failure (message, stack, causes) holds no password
    drop = dropfolder.build(tmp_path / "drop")
    result = materialize(
        [staging_submissions], partition_key="2021-01", raise_on_error=False,
        instance=DagsterInstance.ephemeral(),
        resources=pipeline_resources(url, str(drop), str(tmp_path / "r")))
    release_warehouses()
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "不是有效的数据库地址" in failure.event_specific_data.user_failure_data.description
    assert SECRET not in serialize_value(result.all_events)


@pytest.mark.parametrize("url_set", [True, False])
def test_job_snapshot_names_the_variable(url_set, monkeypatch):
    """What Dagster stores for every run (the job snapshot: config defaults) has the variable's
    name when WAREHOUSE_URL is set, and nothing at all when it is not (default DuckDB file)."""
    from dagster import Definitions

    from runtime.resources import default_resources

    if url_set:
        monkeypatch.setenv("WAREHOUSE_URL", f"postgresql+psycopg://etl:{SECRET}@db/zs")
    else:
        monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    defs = Definitions(assets=[staging_submissions], resources=default_resources())
    snapshot = serialize_value(defs.resolve_implicit_global_asset_job_def().get_job_snapshot())
    assert SECRET not in snapshot and "duckdb" not in snapshot
    assert ('{\\"env\\": \\"WAREHOUSE_URL\\"}' in snapshot) is url_set
