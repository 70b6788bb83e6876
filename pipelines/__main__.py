"""Command line: `python -m pipelines materialize --period 2022-05 | --all`.

Runs the monthly job through Dagster on the DAGSTER_HOME instance, so every run shows in the
UI's run history; exits non-zero when a run fails.
"""

from __future__ import annotations

import argparse
import re
import sys

from runtime.settings import Settings, ensure_dagster_home


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


def failure_reasons(events) -> list[str]:
    """One line per failed step: the step and the reason a clerk can act on.

    A `dagster.Failure` raised by the pipeline carries a Chinese description and metadata
    (file, reason); any other error is shown by its innermost cause (the real exception, not
    Dagster's wrapper).
    """
    lines = []
    for event in events:
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
    from runtime.partitions import monthly

    known = set(monthly.get_partition_keys())
    unknown = [p for p in periods if p not in known]
    if unknown:
        first, last = min(known), max(known)
        print(f"月份 {', '.join(unknown)} 不在分区范围 {first} … {last} 内"
              "（起点见 PARTITIONS_START）。", file=sys.stderr)
        return 2
    job = defs.resolve_job_def("monthly_reporting")
    tags = {"trigger": "cli"}
    if len(periods) > 1:
        tags["cli_range"] = f"{periods[0]}..{periods[-1]}"
    # the terminal shows what the engineer acts on; every event is in the UI's run log anyway
    level = "DEBUG" if args.verbose else "INFO"
    run_config = {"loggers": {"console": {"config": {"log_level": level}}}}
    failed = []
    with DagsterInstance.get() as instance:
        for period in periods:
            try:
                result = job.execute_in_process(
                    partition_key=period, instance=instance, raise_on_error=False, tags=tags,
                    run_config=run_config,
                )
            except Exception as exc:  # noqa: BLE001 — report, go on with the other months
                print(f"[{period}] 无法启动运行: {_first_line(str(exc))}", file=sys.stderr)
                failed.append(period)
                continue
            status = "成功" if result.success else "失败"
            print(f"[{period}] 运行 {result.run_id[:8]} {status}")
            if result.success:
                for line in reporting_lines(_warehouse(settings), period):
                    print(f"    {line}")
            else:
                failed.append(period)
                for line in failure_reasons(result.all_events):
                    print(f"    {line}", file=sys.stderr)
    release_warehouses()
    _close()
    print(f"仓库: {_masked(settings.warehouse_url)}")
    print("  质量问题: quality.findings    集市: marts.target_progress, marts.city_summary, "
          "marts.four_rates, marts.red_black_list, marts.performance_assessment, "
          "marts.submission_status")
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
    mat.add_argument("--verbose", action="store_true",
                     help="print Dagster's step events too (they are always in the UI)")
    mat.add_argument("--to", metavar="YYYY-MM", help="with --period: a range up to this month")
    args = parser.parse_args(argv)
    if args.command == "materialize":
        return materialize(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
