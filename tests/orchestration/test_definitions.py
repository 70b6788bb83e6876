"""The Definitions as the UI shows them, the metadata of every materialisation, failures."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
from dagster import AssetKey

from pipelines.definitions import defs
from runtime.partitions import instance_with_months
from runtime.resources import release_warehouses
from runtime.warehouse import Warehouse
from tests.conftest import REPO
from tests.orchestration.conftest import PYTHON, bad_rules_file, reporting_job

GROUPS = {"raw": "ingest", "staging": "ingest", "core": "core", "marts": "marts", "quality": "quality",
          "reports": "reports"}
STANDARD = {"count", "findings_by_severity", "preview"}
NOT_YET: dict[str, set[str]] = {}  # every asset reports count, findings and preview


def test_every_asset_has_group_description_owner_and_kinds():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert {k.path[0] for k in keys} == set(GROUPS)
    for key in keys:
        node = graph.get(key)
        name = key.to_user_string()
        assert node.group_name == GROUPS[key.path[0]], name
        assert node.description and node.description.strip(), name
        assert node.owners == ["team:data-engineering"], name
        assert node.kinds, name
    assert len(list(graph.asset_check_keys)) >= 6
    job = defs.resolve_job_def("monthly_reporting")
    assert job.partitions_def is not None and job.tags["warehouse"]
    assert {s.name for s in defs.schedules} == {"monthly_reporting_schedule"}
    assert {s.name for s in defs.sensors} == {"drop_folder_sensor", "month_partitions_sensor"}


def test_definitions_validate_with_the_dagster_cli(tmp_path):
    """What `dagster dev` loads from the repo root loads without errors."""
    (tmp_path / "home").mkdir()
    proc = subprocess.run(
        [PYTHON, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(tmp_path / "home"),
             "SUBMISSIONS_DIR": str(tmp_path / "drop"),
             "WAREHOUSE_URL": f"duckdb:///{tmp_path / 'wh.duckdb'}"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "All code locations passed validation" in proc.stderr + proc.stdout


def _latest(instance, key) -> dict:
    event = instance.get_latest_materialization_event(key)
    assert event is not None, key
    return event.asset_materialization.metadata


@pytest.fixture
def one_period(tmp_path, drop, duckdb_url):
    """2021-01 materialised once on a DuckDB file, on an ephemeral instance."""
    job = reporting_job(duckdb_url, drop, tmp_path / "reports")
    instance = instance_with_months(["2021-01"])
    result = job.execute_in_process(partition_key="2021-01", instance=instance)
    assert result.success
    release_warehouses()
    yield job, instance, duckdb_url
    release_warehouses()
    instance.dispose()


def test_every_materialisation_reports_counts_findings_and_preview(one_period):
    _, instance, _ = one_period
    for key in defs.resolve_asset_graph().materializable_asset_keys:
        md = _latest(instance, key)
        name = key.to_user_string()
        expected = STANDARD - NOT_YET.get(name, set())
        if "count" in expected:
            assert "dagster/row_count" in md or "rows_written" in md, name
        if "preview" in expected:
            assert md["preview"].value, name
        if "findings_by_severity" in expected:
            severity = md["findings_by_severity"].value
            assert set(severity) <= {"error", "warning", "info"}, name
            assert all(isinstance(n, int) for n in severity.values()), name
    marts = _latest(instance, AssetKey(["marts", "target_progress"]))
    assert marts["period"].value == "2021-01" and marts["dagster/row_count"].value > 0
    assert set(marts["findings_by_severity"].value) == {"error", "warning", "info"}


def test_bad_rules_file_fails_naming_the_key_and_keeps_previous_marts(
        one_period, tmp_path, monkeypatch):
    job, instance, url = one_period
    wh = Warehouse(url)
    before = wh.read("SELECT * FROM marts.target_progress ORDER BY unit_name, indicator")
    wh.dispose()
    assert not before.empty

    rules = bad_rules_file(tmp_path / "rules.yaml")
    monkeypatch.setenv("RULES_FILE", str(rules))
    result = job.execute_in_process(partition_key="2021-01", instance=instance,
                                    raise_on_error=False)
    release_warehouses()
    assert not result.success
    # the rules are loaded once per run, by its first step: that step stops, nothing after it runs
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "staging__submissions"
    user = failure.step_failure_data.user_failure_data
    assert user is not None, "a bad rules file should raise dagster.Failure, not a bare error"
    assert "规则文件有误" in user.description and "red_black.weights.funds" in user.description
    assert user.metadata["file"].value == str(rules)
    assert "red_black.weights.funds" in user.metadata["reason"].value

    wh = Warehouse(url)
    after = wh.read("SELECT * FROM marts.target_progress ORDER BY unit_name, indicator")
    wh.dispose()
    pd.testing.assert_frame_equal(before, after)


def test_every_table_asset_declares_its_columns_with_chinese_comments():
    """`dagster/column_schema` from the DDL: the UI shows 到位资金, not only funds_in_place."""
    graph = defs.resolve_asset_graph()
    tables = [k for k in graph.materializable_asset_keys if k.path[0] != "reports"]
    assert len(tables) >= 14
    for key in tables:
        md = graph.get(key).metadata
        schema = md["dagster/column_schema"]
        table = md["dagster/table_name"]
        wh_schema = table.split(".")[0]
        assert schema.columns, table
        if wh_schema != "staging":  # staging is the pipeline's; every BI-facing column is named
            missing = [c.name for c in schema.columns if not c.description]
            assert not missing, (table, missing)
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.description)
                       for c in schema.columns), table
    progress = graph.get(AssetKey(["marts", "target_progress"])).metadata["dagster/column_schema"]
    period = next(c for c in progress.columns if c.name == "period")
    assert period.description == "统计期" and period.constraints.nullable is False


def test_marts_and_report_go_overdue_after_the_deadline():
    """The freshness policy (deadline and window from reference/rules.yaml: 18:00 on the 5th,
    5 days), evaluated by Dagster's own evaluator at chosen moments."""
    import asyncio
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from dagster import AssetMaterialization, instance_for_test
    from dagster._core.definitions.freshness import CronFreshnessPolicy, FreshnessState
    from dagster._core.definitions.freshness_evaluator import CronFreshnessPolicyEvaluator
    from dagster._core.loader import LoadingContextForTest
    from dagster._core.test_utils import freeze_time

    from runtime.rules import load_rules

    rules = load_rules()
    assert (rules.report_deadline_cron, rules.report_window_days) == ("0 18 5 * *", 5)
    graph = defs.resolve_asset_graph()
    keys = [AssetKey(["marts", name]) for name in ("target_progress", "city_summary",
                                                   "four_rates", "red_black_list",
                                                   "performance_assessment")]
    keys.append(AssetKey(["reports", "tongbao"]))
    for key in keys:
        policy = graph.get(key).freshness_policy
        assert isinstance(policy, CronFreshnessPolicy), key
        assert policy.deadline_cron == rules.report_deadline_cron
        assert policy.lower_bound_delta == timedelta(days=rules.report_window_days)
        assert policy.timezone == "Asia/Shanghai"
    sh = ZoneInfo("Asia/Shanghai")
    report = AssetKey(["reports", "tongbao"])

    def state(instance, moment):
        with freeze_time(moment):
            return asyncio.run(CronFreshnessPolicyEvaluator().evaluate_freshness(
                LoadingContextForTest(instance), graph.get(report)))

    def materialised_at(instance, moment):
        with freeze_time(moment):
            instance.report_runless_asset_event(AssetMaterialization(report, partition="2026-11"))

    with instance_for_test() as instance:
        materialised_at(instance, datetime(2026, 12, 3, 6, tzinfo=sh))  # the schedule's run
        assert state(instance, datetime(2026, 12, 5, 18, 1, tzinfo=sh)) == FreshnessState.PASS
        # January's deadline passes with no run for December: overdue (red)
        assert state(instance, datetime(2027, 1, 5, 18, 1, tzinfo=sh)) == FreshnessState.FAIL
    with instance_for_test() as instance:
        # boundary: the window opens 5 days before the deadline (2026-11-30 18:00)
        materialised_at(instance, datetime(2026, 11, 30, 17, 59, tzinfo=sh))
        assert state(instance, datetime(2026, 12, 5, 18, 1, tzinfo=sh)) == FreshnessState.FAIL
        materialised_at(instance, datetime(2026, 11, 30, 18, 0, tzinfo=sh))
        assert state(instance, datetime(2026, 12, 5, 18, 1, tzinfo=sh)) == FreshnessState.PASS


def test_freshness_policy_follows_the_rules_file_and_is_none_when_it_is_broken(
        tmp_path, monkeypatch):
    """The policy is read once per version of the rules file (every asset asks at import), so an
    edited file gives the new deadline, and a broken or missing one gives no policy."""
    from runtime.metadata import report_freshness

    source = (REPO / "reference" / "rules.yaml").read_text(encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(source, encoding="utf-8")
    monkeypatch.setenv("RULES_FILE", str(rules))
    first = report_freshness()
    assert first is not None and first.deadline_cron == "0 18 5 * *"
    assert report_freshness() is first  # the same version: not read again
    edited = source.replace("0 18 5 * *", "30 17 6 * *")
    assert edited != source
    rules.write_text(edited, encoding="utf-8")
    assert report_freshness().deadline_cron == "30 17 6 * *"
    rules.write_text("schedule: [", encoding="utf-8")
    assert report_freshness() is None
    monkeypatch.setenv("RULES_FILE", str(tmp_path / "missing.yaml"))
    assert report_freshness() is None
