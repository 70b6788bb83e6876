"""Start a run for a month when a file in its folder is added or changed.

The cursor holds, per file, its size and modification time, so a file seen once never starts
a second run; a changed file (a resubmission) does.  A change in a month also reruns every later
month with a folder: their year-to-date marts read the latest report up to them, which may be
the changed one.  A change under targets/ reruns every month.  Runs whose inputs turn out
unchanged skip the rebuild, so the extra runs are cheap.
"""


import hashlib
import json

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from assets.ingest.registry import MONTH_DIR, TARGETS_DIR, month_folders
from pipelines.jobs import monthly_reporting
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
    context.update_cursor(json.dumps(state, ensure_ascii=False))
    if not months:
        return SkipReason("报送目录没有新增或更新的文件")
    # run_key = month + the files' fingerprints: the same change never starts two runs
    fingerprint = hashlib.sha1(json.dumps(sorted(state.items())).encode()).hexdigest()[:12]
    return [
        RunRequest(partition_key=m, run_key=f"{m}:{fingerprint}") for m in months
    ]
