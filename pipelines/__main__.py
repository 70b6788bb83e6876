"""Command line: `python -m pipelines materialize --period 2022-05 | --all`.

Runs the monthly job through Dagster on the DAGSTER_HOME instance, so every run shows in the
UI's run history; exits non-zero when a run fails.
"""

from __future__ import annotations

import argparse
import re
import sys

from pipelines.settings import Settings, ensure_dagster_home


def _periods(args: argparse.Namespace, settings: Settings) -> list[str]:
    from assets.ingest.registry import month_folders

    if args.all:
        return month_folders(settings.submissions_dir)
    periods = []
    for p in args.period:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", p):
            raise SystemExit(f"--period 需要 YYYY-MM 格式，收到 {p!r}")
        periods.append(p)
    if args.to:
        folders = month_folders(settings.submissions_dir)
        periods = [m for m in folders if periods[0] <= m <= args.to]
    return periods


def materialize(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    ensure_dagster_home(settings)
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.resources import release_warehouses

    periods = _periods(args, settings)
    if not periods:
        print(f"报送目录 {settings.submissions_dir} 中没有 YYYY-MM 月份文件夹，无事可做。")
        return 1
    job = defs.resolve_job_def("monthly_reporting")
    failed = []
    with DagsterInstance.get() as instance:
        for period in periods:
            result = job.execute_in_process(
                partition_key=period, instance=instance, raise_on_error=False
            )
            status = "成功" if result.success else "失败"
            print(f"[{period}] 运行 {result.run_id[:8]} {status}")
            if not result.success:
                failed.append(period)
                for event in result.all_events:
                    if event.is_failure and event.event_specific_data is not None:
                        err = getattr(event.event_specific_data, "error", None)
                        if err is not None:
                            print(f"    {event.step_key}: {err.message.strip().splitlines()[0]}")
    release_warehouses()
    print(f"仓库: {settings.warehouse_url}")
    print("  质量问题: quality.findings    集市: marts.target_progress, marts.city_summary, "
          "marts.four_rates, marts.red_black_list, marts.performance_assessment")
    print(f"通报: {settings.reports_dir}")
    print(f"运行记录: DAGSTER_HOME={settings.dagster_home}（dagster dev 可查看）")
    if failed:
        print(f"失败的月份: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    mat = sub.add_parser("materialize", help="materialise everything a period needs")
    group = mat.add_mutually_exclusive_group(required=True)
    group.add_argument("--period", nargs="+", metavar="YYYY-MM", help="one or more months")
    group.add_argument("--all", action="store_true", help="every month in the drop folder")
    mat.add_argument("--to", metavar="YYYY-MM", help="with --period: a range up to this month")
    args = parser.parse_args(argv)
    if args.command == "materialize":
        return materialize(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
