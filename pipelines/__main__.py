"""Command line: `python -m pipelines materialize --period 2022-05 | --all`, and
`python -m pipelines export-bi [--out FILE]` (a BI copy of the DuckDB warehouse without staging).

Runs the monthly job through Dagster on the DAGSTER_HOME instance, so every run shows in the
UI's run history; exits non-zero when a run fails.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys

from runtime.settings import Settings, ensure_dagster_home, month_problem


def _periods(args: argparse.Namespace, settings: Settings) -> list[str]:
    from assets.ingest.registry import month_folders

    if args.all:
        return month_folders(settings.submissions_dir)
    for p in [*args.period, *([args.to] if args.to else [])]:
        if problem := month_problem(p):
            raise SystemExit(problem)
    periods = list(args.period)
    if args.to:
        folders = month_folders(settings.submissions_dir)
        periods = [m for m in folders if periods[0] <= m <= args.to]
    return periods


def _masked(url: str) -> str:
    """The URL without its password (it is printed and may land in a log)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 — unparsable (a typo in the port…): keep only what is safe
        head, at, host = url.rpartition("@")
        if not at:
            return url if "://" not in url else url.split("://", 1)[0] + "://***"
        scheme = head.split("://", 1)[0] + "://" if "://" in head else ""
        return f"{scheme}***@{host}"


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text


def _failed_blocking_check(event) -> str | None:
    """A failed blocking check, with the files and cells that made it fail (issue 20)."""
    if event.event_type_value != "ASSET_CHECK_EVALUATION":
        return None
    data = event.event_specific_data
    if data is None or data.passed or not getattr(data, "blocking", False):
        return None
    meta = data.metadata or {}
    where = meta.get("locations")
    where = list(getattr(where, "value", where) or [])
    line = f"检查 {data.check_name} 未通过（阻止生成集市）: {data.description or ''}"
    if where:
        line += "；位置: " + "；".join(str(w) for w in where)
    return line


def failure_reasons(events) -> list[str]:
    """One line per failed step: the step and the reason a clerk can act on.

    A `dagster.Failure` raised by the pipeline carries a Chinese description and metadata
    (file, reason); any other error is shown by its innermost cause (the real exception, not
    Dagster's wrapper).
    """
    lines = []
    for event in events:
        check = _failed_blocking_check(event)
        if check:
            lines.append(check)
            continue
        if not event.is_failure or event.event_specific_data is None:
            continue
        data = event.event_specific_data
        user = getattr(data, "user_failure_data", None)
        if user is not None and user.description:
            line = f"{event.step_key or '运行'}: {user.description}"
            file = user.metadata.get("file") if user.metadata else None
            if file is not None:
                line += f"（文件: {getattr(file, 'value', file)}）"
            lines.append(line)
            continue
        err = getattr(data, "error", None)
        if err is None:
            continue
        while err.cause is not None:
            err = err.cause
        # the run's own failure repeats a step's dagster.Failure under its class name
        reason = re.sub(r"^[\w.]*\.Failure: ", "", _first_line(err.message))
        if not any(line.endswith(reason) for line in lines):  # the run repeats its step's error
            lines.append(f"{event.step_key or '运行'}: {reason}")
    return lines


_OPEN: dict[str, object] = {}


def _warehouse(settings: Settings):
    """One read connection for the summary lines, disposed at the end (_close)."""
    from runtime.warehouse import Warehouse

    if settings.warehouse_url not in _OPEN:
        _OPEN[settings.warehouse_url] = Warehouse(settings.warehouse_url)
    return _OPEN[settings.warehouse_url]


def _close() -> None:
    while _OPEN:
        _OPEN.popitem()[1].dispose()


def reporting_lines(wh, period: str) -> list[str]:
    """The period's missing and late submissions (marts.submission_status), one line each kind
    of gap, for the summary; nothing when all arrived (or the warehouse predates the mart)."""
    if not wh.columns("marts.submission_status"):
        return []
    df = wh.read("SELECT unit_name, kind, status FROM marts.submission_status WHERE period = :p "
                 "AND status IN ('missing', 'late') ORDER BY unit_name, kind", {"p": period})
    kinds = {"project_ledger": "项目台账", "activity_ledger": "招商活动台账"}
    lines = []
    for status, label in (("missing", "缺报"), ("late", "迟报")):
        rows = df[df["status"] == status]
        if len(rows):
            names = "、".join(f"{u}（{kinds.get(k, k)}）" for u, k in zip(rows["unit_name"],
                                                                        rows["kind"]))
            lines.append(f"{label} {len(rows)} 份: {names}")
    return lines


def failed_checks(evaluations) -> list[str]:
    """One line per asset check that did not pass, blocking or not: where, which, and why."""
    lines = []
    for ev in evaluations:
        if ev.passed:
            continue
        kind = "阻断" if ev.blocking else "警告"
        line = f"检查未通过（{kind}）: {ev.asset_key.to_user_string()} · {ev.check_name}"
        lines.append(line + (f" — {ev.description}" if ev.description else ""))
    return lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def mark_dead_runs(instance) -> list[str]:
    """Runs this machine's CLI started whose process is gone (killed, power cut) still say
    STARTED in the run history: mark them failed, so the UI tells the truth (issue 20)."""
    from dagster import DagsterRunStatus, RunsFilter

    host = socket.gethostname()
    marked = []
    live = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.NOT_STARTED]
    for run in instance.get_runs(filters=RunsFilter(statuses=live, tags={"trigger": "cli"})):
        pid = run.tags.get("cli_pid")
        if run.tags.get("cli_host") != host or not (pid or "").isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(
            run, message="运行进程已终止（被结束或断电），该运行未完成；下次启动时标记为失败")
        marked.append(run.run_id)
        print(f"[{run.tags.get('dagster/partition', '?')}] 运行 {run.run_id[:8]} 上次未正常结束"
              "（进程已终止），已在运行记录中标记为失败", file=sys.stderr)
    return marked


# Dagster's run tags for a partition range (what a single-run backfill from the UI sets)
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def _launch(job, instance, label: str, tags: dict, run_config: dict, **kwargs):
    try:
        return job.execute_in_process(instance=instance, raise_on_error=False, tags=tags,
                                      run_config=run_config, **kwargs)
    except Exception as exc:  # noqa: BLE001 — report, go on with the other months
        print(f"[{label}] 无法启动运行: {_first_line(str(exc))}", file=sys.stderr)
        return None


def _print_result(result, label: str) -> None:
    status = "成功" if result.success else "失败"
    checks = failed_checks(result.get_asset_check_evaluations())
    if checks:
        status += f"（{len(checks)} 项检查未通过）"
    print(f"[{label}] 运行 {result.run_id[:8]} {status}")
    for line in checks:
        print(f"    {line}")
    if not result.success:
        for line in failure_reasons(result.all_events):
            print(f"    {line}", file=sys.stderr)


def _month_run(job, instance, period: str, tags, run_config, settings) -> list[str]:
    """One run of one month; returns [period] when it failed."""
    result = _launch(job, instance, period, tags, run_config, partition_key=period)
    if result is None:
        return [period]
    _print_result(result, period)
    if not result.success:
        return [period]
    for line in reporting_lines(_warehouse(settings), period):
        print(f"    {line}")
    return []


def refused_periods(result) -> dict[str, str]:
    """{month: why} for the months of a range run left without marts (no submissions)."""
    for event in result.asset_materializations_for_node("marts_for_period"):
        refused = event.metadata.get("refused_periods")
        if refused is not None:
            return dict(refused.value)
    return {}


def _range_run(job, instance, keys: list[str], tags, run_config, settings) -> list[str]:
    """One run for the months keys[0]..keys[-1] (a single-run backfill: the drop folder and core
    are read once); a month without submissions gets no marts and no 通报 but does not stop the
    other months.  Returns the months that failed."""
    label = f"{keys[0]}..{keys[-1]}"
    tags = {**tags, "cli_range": label, RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]}
    result = _launch(job, instance, label, tags, run_config)
    if result is None:
        return list(keys)
    _print_result(result, label)
    if not result.success:
        return list(keys)
    refused = refused_periods(result)
    for period in keys:
        if period in refused:
            print(f"[{period}] 未生成集市和通报: {refused[period]}", file=sys.stderr)
            continue
        print(f"[{period}] 运行 {result.run_id[:8]} 成功（{label} 的同一次运行）")
        for line in reporting_lines(_warehouse(settings), period):
            print(f"    {line}")
    return sorted(refused)


def materialize(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    periods = _periods(args, settings)  # before importing Dagster: a typo fails fast
    ensure_dagster_home(settings)
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from runtime.resources import release_warehouses

    if not periods:
        print(f"报送目录 {settings.submissions_dir} 中没有 YYYY-MM 月份文件夹，无事可做。")
        return 1
    from runtime.partitions import ensure_months, range_keys

    job = defs.resolve_job_def("monthly_reporting")
    tags = {"trigger": "cli", "cli_pid": str(os.getpid()), "cli_host": socket.gethostname()}
    # the terminal shows what the engineer acts on; every event is in the UI's run log anyway
    level = "DEBUG" if args.verbose else "INFO"
    run_config = {"loggers": {"console": {"config": {"log_level": level}}}}
    with DagsterInstance.get() as instance:
        ensure_months(instance, periods)  # each month is a partition from its first run on
        mark_dead_runs(instance)
        ranged = (args.all or args.to) and len(periods) > 1
        keys = range_keys(instance, periods[0], periods[-1]) if ranged else []
        if keys and keys == sorted(keys):  # one run reads the folder and core once (#17)
            failed = _range_run(job, instance, keys, tags, run_config, settings)
        else:  # single months, or months the instance holds out of date order
            failed = []
            for period in periods:
                failed += _month_run(job, instance, period, tags, run_config, settings)
    release_warehouses()
    _close()
    print(f"仓库: {_masked(settings.warehouse_url)}")
    from assets.marts.assets import MARTS  # the one list of marts

    print(f"  质量问题: quality.findings    集市: {', '.join(f'marts.{m}' for m in MARTS)}")
    print(f"通报: {settings.reports_dir}")
    print(f"运行记录: DAGSTER_HOME={settings.dagster_home}（dagster dev 可查看）")
    if failed:
        print(f"失败的月份: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def export_bi(args: argparse.Namespace) -> int:
    """A BI copy of the DuckDB warehouse: core, marts, quality and the bi views; no staging."""
    from pathlib import Path

    from runtime.bi import export_duckdb_copy

    settings = Settings.from_env()
    url = settings.warehouse_url
    default = Path(url.removeprefix("duckdb:///")).with_suffix("").as_posix() + "_bi.duckdb"
    out = Path(args.out or default)
    try:
        counts = export_duckdb_copy(url, out)
    except Exception as exc:  # noqa: BLE001 — a locked or missing file: say which, exit 1
        print(f"导出失败: {_first_line(str(exc))}", file=sys.stderr)
        return 1
    print(f"BI 副本: {out}（{len(counts)} 张表，{sum(counts.values())} 行；不含 staging）")
    print("  视图: bi.<集市>（全部期）与 bi.<集市>_latest（最新一期），列名为中文")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    mat = sub.add_parser("materialize", help="materialise everything a period needs")
    group = mat.add_mutually_exclusive_group(required=True)
    group.add_argument("--period", nargs="+", metavar="YYYY-MM", help="one or more months")
    group.add_argument("--all", action="store_true", help="every month in the drop folder")
    mat.add_argument("--verbose", action="store_true",
                     help="print Dagster's step events too (they are always in the UI)")
    mat.add_argument("--to", metavar="YYYY-MM", help="with --period: a range up to this month")
    export = sub.add_parser("export-bi", help="a copy of the DuckDB warehouse for BI, no staging")
    export.add_argument("--out", metavar="FILE",
                        help="the copy (default: <warehouse>_bi.duckdb next to the warehouse)")
    args = parser.parse_args(argv)
    if args.command == "materialize":
        return materialize(args)
    if args.command == "export-bi":
        return export_bi(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
