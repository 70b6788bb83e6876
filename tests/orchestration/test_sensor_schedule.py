"""The drop-folder sensor and the monthly schedule, evaluated as Dagster evaluates them."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import (
    DagsterInstance,
    DefaultSensorStatus,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)

from pipelines.definitions import defs
from pipelines.schedules import monthly_schedule, previous_month
from pipelines.sensors import changed_months, drop_folder_sensor, month_partitions_sensor
from runtime.partitions import PARTITIONS_NAME
from tests.pipeline import dropfolder


def _touch(path: Path, seconds_later: int = 10) -> None:
    """Move a file's mtime forward (a resubmission within the same second is not the case here)."""
    stat = path.stat()
    os.utime(path, (stat.st_atime, int(stat.st_mtime) + seconds_later))


def test_changed_months_first_scan_runs_every_month(drop):
    months, state = changed_months(drop, {})
    assert months == ["2021-01", "2021-02"]
    assert "2021-02/柳南区.xlsx" in state and "targets/2021年县区目标任务分解表.xlsx" in state


def test_changed_months_unchanged_gives_nothing(drop):
    _, state = changed_months(drop, {})
    assert changed_months(drop, state) == ([], state)


def test_changed_months_new_file_gives_its_month(drop):
    _, state = changed_months(drop, {})
    dropfolder.ledger(drop / "2021-02" / "鹿寨县.xlsx", "鹿寨县", "2021-02",
                      [["新材料", "某新项目", "某公司", 2, 0.2, None, "2021年2月", "在谈", "否", None]])
    months, new_state = changed_months(drop, state)
    assert months == ["2021-02"]
    assert "2021-02/鹿寨县.xlsx" in new_state


def test_changed_months_changed_file_reruns_its_month_and_later_ones(drop):
    _, state = changed_months(drop, {})
    _touch(drop / "2021-02" / "柳南区.xlsx")  # a resubmission under the same name
    assert changed_months(drop, state)[0] == ["2021-02"]
    _, state = changed_months(drop, state)
    # 2021-02's year-to-date marts read 2021-01's reports: a change there reruns both
    _touch(drop / "2021-01" / "柳南区.xlsx")
    assert changed_months(drop, state)[0] == ["2021-01", "2021-02"]


def test_changed_months_targets_change_reruns_every_month(drop):
    _, state = changed_months(drop, {})
    _touch(drop / "targets" / "2021年县区目标任务分解表.xlsx")
    assert changed_months(drop, state)[0] == ["2021-01", "2021-02"]


def test_sensor_never_requests_the_same_state_twice(drop, monkeypatch):
    monkeypatch.setenv("SUBMISSIONS_DIR", str(drop))
    # a persistent (temporary) instance, as the daemon has: run requests for dynamic partitions
    # are resolved against it
    with instance_for_test() as instance:
        first = drop_folder_sensor.evaluate_tick(build_sensor_context(instance=instance, instance_ref=instance.get_ref(), definitions=defs))
        assert sorted(r.partition_key for r in first.run_requests) == ["2021-01", "2021-02"]
        # the months become partitions in the same tick as their runs are requested
        [add] = first.dynamic_partitions_requests
        assert list(add.partition_keys) == ["2021-01", "2021-02"]
        assert all(r.run_key and r.run_key.startswith(r.partition_key)
                   for r in first.run_requests)
        assert first.cursor

        # same folder, the cursor of the first tick: no second RunRequest
        second = drop_folder_sensor.evaluate_tick(
            build_sensor_context(instance=instance, instance_ref=instance.get_ref(), definitions=defs, cursor=first.cursor))
        assert second.run_requests == []
        assert "没有新增或更新" in (second.skip_message or "")

        # a resubmission in 2021-02: exactly one request, for 2021-02, with a new run key
        _touch(drop / "2021-02" / "柳江区.xlsx")
        third = drop_folder_sensor.evaluate_tick(
            build_sensor_context(instance=instance, instance_ref=instance.get_ref(), definitions=defs, cursor=second.cursor))
        assert [r.partition_key for r in third.run_requests] == ["2021-02"]
        first_keys = {r.run_key for r in first.run_requests}
        assert third.run_requests[0].run_key not in first_keys

        fourth = drop_folder_sensor.evaluate_tick(
            build_sensor_context(instance=instance, instance_ref=instance.get_ref(), definitions=defs, cursor=third.cursor))
        assert fourth.run_requests == []


def test_sensor_on_a_missing_drop_folder_skips(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBMISSIONS_DIR", str(tmp_path / "nowhere"))
    data = drop_folder_sensor.evaluate_tick(build_sensor_context())
    assert data.run_requests == [] and data.skip_message


def test_schedule_skips_a_month_without_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBMISSIONS_DIR", str(tmp_path))
    (tmp_path / "2021-01").mkdir()
    moment = datetime(2021, 3, 3, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    # the context as a context manager: it closes the instance it opens (a dangling one would
    # break later in-process runs of this test session)
    with instance_for_test() as instance, build_schedule_context(
            instance=instance, scheduled_execution_time=moment,
            repository_def=defs.get_repository_def()) as ctx:
        data = monthly_schedule.evaluate_tick(ctx)
        assert data.run_requests == [] and "2021-02" in (data.skip_message or "")
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == []


def test_month_partitions_sensor_adds_only_the_months_with_folders(drop, monkeypatch):
    monkeypatch.setenv("SUBMISSIONS_DIR", str(drop))
    assert month_partitions_sensor.default_status == DefaultSensorStatus.RUNNING
    with DagsterInstance.ephemeral() as instance:
        data = month_partitions_sensor.evaluate_tick(build_sensor_context(instance=instance))
        [request] = data.dynamic_partitions_requests
        assert request.partitions_def_name == PARTITIONS_NAME
        assert list(request.partition_keys) == ["2021-01", "2021-02"]
        assert data.run_requests == []
        instance.add_dynamic_partitions(PARTITIONS_NAME, list(request.partition_keys))
        (drop / "2021-03").mkdir()
        again = month_partitions_sensor.evaluate_tick(build_sensor_context(instance=instance))
        assert [list(r.partition_keys) for r in again.dynamic_partitions_requests] == [["2021-03"]]


def test_previous_month():
    assert previous_month(datetime(2021, 3, 3)) == "2021-02"
    assert previous_month(datetime(2022, 1, 3)) == "2021-12"


def test_schedule_requests_the_previous_month(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBMISSIONS_DIR", str(tmp_path))
    shanghai = ZoneInfo("Asia/Shanghai")
    for moment, period in [(datetime(2021, 3, 3, 6, tzinfo=shanghai), "2021-02"),
                           (datetime(2022, 1, 3, 6, tzinfo=shanghai), "2021-12")]:
        (tmp_path / period).mkdir()
        # persistent: the schedule adds the partition
        with instance_for_test() as instance, build_schedule_context(
                instance=instance, scheduled_execution_time=moment,
                repository_def=defs.get_repository_def()) as ctx:
            data = monthly_schedule.evaluate_tick(ctx)
            assert instance.get_dynamic_partitions(PARTITIONS_NAME) == [period]
        [request] = data.run_requests
        assert request.partition_key == period
        assert request.run_key == f"scheduled-{period}"
    assert monthly_schedule.execution_timezone == "Asia/Shanghai"
    assert monthly_schedule.job_name == "monthly_reporting"
