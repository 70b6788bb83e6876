"""deploy/: the instance files are valid Dagster 1.13 config; the PostgreSQL instance works."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from dagster import DagsterInstance, DagsterRunStatus
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.workspace.config_schema import ensure_workspace_config
from dagster._serdes import class_from_code_pointer

from runtime.partitions import ensure_months
from runtime.resources import release_warehouses
from tests.conftest import POSTGRES_SERVER_URL, REPO, SESSION_DB
from tests.orchestration.conftest import reporting_job

DEPLOY = REPO / "deploy"
INSTANCE_FILES = ["dagster.yaml", "dagster.k8s.yaml", "dagster.celery.yaml"]
PG_ENV = {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": "5432",
          "DAGSTER_PG_USER": "postgres", "DAGSTER_PG_PASSWORD": "unused",
          "DAGSTER_PG_DB": f"{SESSION_DB}_dagster", "DAGSTER_K8S_NAMESPACE": "zhaoshang"}


def _validated(name: str, tmp_path: Path) -> dict:
    """Dagster's own loader: the instance schema of this Dagster version, incl. storage rules."""
    shutil.copy(DEPLOY / name, tmp_path / name)
    config, custom_class = dagster_instance_config(str(tmp_path), name)
    assert custom_class is None
    return dict(config)


def _check_class_config(section: dict) -> None:
    """Validate a configurable class's own config when its package is installed."""
    cls = class_from_code_pointer(section["module"], section["class"])
    result = validate_config(cls.config_type(), section.get("config") or {})
    assert result.success, [e.message for e in result.errors]


@pytest.mark.parametrize("name", INSTANCE_FILES)
def test_instance_files_validate_against_dagster_schema(name, tmp_path, monkeypatch):
    for key, value in PG_ENV.items():
        monkeypatch.setenv(key, value)
    config = _validated(name, tmp_path)

    from dagster_postgres import DagsterPostgresStorage

    storage = validate_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert storage.success, [e.message for e in storage.errors]
    pg = config["storage"]["postgres"]["postgres_db"]
    assert all(isinstance(v, dict) and v["env"].startswith("DAGSTER_PG_") for v in pg.values())

    coordinator = config["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    _check_class_config(coordinator)
    [limit] = coordinator["config"]["tag_concurrency_limits"]
    assert limit == {"key": "warehouse", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}

    launcher = config["run_launcher"]
    if launcher["module"].startswith("dagster_k8s"):
        assert launcher["class"] == "K8sRunLauncher"
        assert {"job_namespace", "instance_config_map", "env_secrets"} <= set(launcher["config"])
    # dagster-k8s is a test dependency, so the launcher's own config schema is always checked
    _check_class_config(launcher)


def test_workspace_with_several_code_locations():
    path = DEPLOY / "workspace.yaml"
    config = ensure_workspace_config(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    names = [entry["grpc_server"]["location_name"] for entry in config["load_from"]]
    assert len(names) == len(set(names)) >= 2


def test_helm_values_match_workspace_and_instance():
    values = yaml.safe_load((DEPLOY / "helm-values.yaml").read_text(encoding="utf-8"))
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text(encoding="utf-8"))
    deployments = values["dagster-user-deployments"]["deployments"]
    assert [d["name"] for d in deployments] == [
        e["grpc_server"]["location_name"] for e in workspace["load_from"]]
    for d in deployments:
        assert d["dagsterApiGrpcArgs"] == ["-m", "pipelines.definitions"] and d["port"] == 4000
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    queued = values["dagsterDaemon"]["runCoordinator"]
    assert queued["type"] == "QueuedRunCoordinator"
    k8s_instance = yaml.safe_load((DEPLOY / "dagster.k8s.yaml").read_text(encoding="utf-8"))
    assert (queued["config"]["queuedRunCoordinator"]["tagConcurrencyLimits"]
            == k8s_instance["run_coordinator"]["config"]["tag_concurrency_limits"])
    assert values["postgresql"]["enabled"] is False


def test_celery_executor_config_keys():
    config = yaml.safe_load((DEPLOY / "celery.yaml").read_text(encoding="utf-8"))
    assert set(config) <= {"broker", "backend", "include", "config_source", "retries"}
    for module in config["include"]:
        __import__(module)


def _admin_url() -> str:
    return POSTGRES_SERVER_URL


def _ensure_database(name: str) -> None:
    engine = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                  {"d": name}).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_instance_records_a_run(postgres_url, tmp_path, drop, monkeypatch):
    """deploy/dagster.yaml as DAGSTER_HOME/dagster.yaml: the run is recorded in PostgreSQL.

    Dagster's tables go to a database of their own (the session's, `_dagster`), dropped after.
    """
    _ensure_database(PG_ENV["DAGSTER_PG_DB"])
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    for key, value in PG_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    job = reporting_job(postgres_url, drop, tmp_path / "reports")
    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        ensure_months(instance, ["2021-01"])
        result = job.execute_in_process(partition_key="2021-01", instance=instance)
        release_warehouses()
        assert result.success
        run = instance.get_run_by_id(result.run_id)
        assert run.status == DagsterRunStatus.SUCCESS
        assert run.tags["dagster/partition"] == "2021-01"

    db_url = sa.engine.make_url(POSTGRES_SERVER_URL).set(database=PG_ENV["DAGSTER_PG_DB"])
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT status, partition FROM runs WHERE run_id = :r"),
                               {"r": result.run_id}).one()
            events = conn.execute(sa.text("SELECT COUNT(*) FROM event_logs WHERE run_id = :r"),
                                  {"r": result.run_id}).scalar()
    finally:
        engine.dispose()
        admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_ENV["DAGSTER_PG_DB"]}" WITH (FORCE)')
        admin.dispose()
    assert row.status == "SUCCESS" and row.partition == "2021-01"
    assert events > 10
