"""Start a run for a month when a file in its folder is added or changed.

The cursor holds, per file, its size and modification time, so a file seen once never starts
a second run; a changed file (a resubmission) does.  A change in a month also reruns every later
month with a folder: their year-to-date marts read the latest report up to them, which may be
the changed one.  A change under targets/ reruns every month.  Runs whose inputs turn out
unchanged skip the rebuild, so the extra runs are cheap.
"""


import hashlib
import json

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from assets.ingest.registry import MONTH_DIR, TARGETS_DIR, month_folders
from pipelines.jobs import monthly_reporting
from runtime.partitions import PARTITIONS_NAME, monthly
from runtime.settings import Settings


def changed_months(root, previous: dict[str, list]) -> tuple[list[str], dict[str, list]]:
    """(months to run, new cursor state) — pure, so it is tested without a Dagster instance."""
    state: dict[str, list] = {}
    months: set[str] = set()
    all_months = month_folders(root)
    for folder in [TARGETS_DIR, *all_months]:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            rel = path.relative_to(root).as_posix()
            stat = path.stat()
            state[rel] = [stat.st_size, int(stat.st_mtime)]
            if previous.get(rel) != state[rel]:
                if folder == TARGETS_DIR:
                    months.update(all_months)
                elif MONTH_DIR.match(folder):
                    months.add(folder)
    if months:
        months.update(m for m in all_months if m >= min(months))
    return sorted(months), state


@sensor(job=monthly_reporting, minimum_interval_seconds=60,
        description="报送目录中有新文件或文件更新时，自动为该月份启动一次运行。")
def drop_folder_sensor(context: SensorEvaluationContext):
    root = Settings.from_env().submissions_dir
    previous = json.loads(context.cursor) if context.cursor else {}
    months, state = changed_months(root, previous)
    if not months:
        context.update_cursor(json.dumps(state, ensure_ascii=False))
        return SkipReason("报送目录没有新增或更新的文件")
    # run_key = month + the files' fingerprints: the same change never starts two runs
    fingerprint = hashlib.sha1(json.dumps(sorted(state.items())).encode()).hexdigest()[:12]
    return SensorResult(
        run_requests=[RunRequest(partition_key=m, run_key=f"{m}:{fingerprint}") for m in months],
        # a month's partition exists before its run is requested
        dynamic_partitions_requests=_new_months(context, months),
        cursor=json.dumps(state, ensure_ascii=False),
    )


def _new_months(context: SensorEvaluationContext, months) -> list:
    known = set(context.instance.get_dynamic_partitions(PARTITIONS_NAME))
    new = sorted(m for m in months if m not in known)
    return [monthly.build_add_request(new)] if new else []


@sensor(minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="把报送目录中的每个月份文件夹登记为一个分区（只登记，不启动运行）。")
def month_partitions_sensor(context: SensorEvaluationContext):
    months = month_folders(Settings.from_env().submissions_dir)
    requests = _new_months(context, months)
    if not requests:
        return SkipReason("没有新的月份文件夹")
    return SensorResult(dynamic_partitions_requests=requests)
