"""Dagster asset: core → the five marts for one period, replaced in one transaction."""


from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from assets.marts.baseline import load_baseline
from assets.marts.build import CoreTables, build_marts, lists_read, marts_findings
from assets.marts.common import FILE_COLUMNS
from assets.marts.red_black import seed_lists
from assets.marts.submissions import as_of_key, expected_text, period_has_submissions
from runtime import build_state
from runtime.collector import bulk_work
from runtime.duties import load_duties
from runtime.faults import fault_point
from runtime.findings import findings_frame
from runtime.metadata import (
    OWNERS,
    asset_metadata,
    findings_by_severity,
    report_freshness,
    table_metadata,
)
from runtime.partitions import monthly, run_periods
from runtime.resources import RunInputsResource, WarehouseResource
from runtime.rules import load_rules
from runtime.warehouse import Warehouse, in_list

MARTS = {
    "target_progress": "目标任务完成进度：每个单位每个指标的年度目标、完成值、完成率与序时进度。",
    "city_summary": "全市汇总：每个项目只计一次（按属地）。",
    "four_rates": "三企入桂签约项目“四率”及较上年12月的增量。",
    "red_black_list": "红黑榜：按排名组计分、排名、上榜及理由。",
    "performance_assessment": "绩效考评：逐项得分与计分说明，含合计行。",
    "submission_status": "报送情况：每个有报送责任的单位每月每类材料按时、迟报、缺报或未到截止日。",
    "interview_list": "季度约谈名单（3、6、9、12月）：本季度多次上黑榜或季末完成率过低的单位及原因。",
    "early_warning": "预警：签约未开工、签约未到资的项目，以及完成率明显落后序时进度的单位。",
    "project_pipeline": "项目推进情况：各单位各阶段的项目数、投资总额、本年到位资金及本月新进入数。",
    "industry_summary": "分行业汇总：每个项目只计一次的新引进项目、投资总额、到位资金及上年同期。",
}
CORE_DEPS = [["core", t] for t in (
    "dim_unit", "dim_project", "bridge_project_unit", "fact_project_period", "fact_target",
    "fact_activity", "fact_reserve_project",
)]


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def read_files(wh: Warehouse) -> pd.DataFrame:
    """The file registry, for the reporting duty (arrival times, month folders)."""
    return wh.read(f"SELECT {', '.join(FILE_COLUMNS)} FROM staging.files")


def read_core(wh: Warehouse, as_of: datetime | None = None) -> CoreTables:
    """Core as the marts see it, plus the office's 四率 baseline file, the file registry and the
    duty table (deadlines judged at `as_of`, default now).  core.fact_cohort is read
    when the table exists (revision 2); a warehouse created before it has no cohort list."""
    extra = {"files": read_files(wh), "duties": load_duties(),
             "as_of": as_of if as_of is not None else now_utc()}
    if wh.columns("core.fact_cohort"):
        extra["cohort"] = wh.read("SELECT * FROM core.fact_cohort")
    extra["four_rates_baseline"] = load_baseline()[0]
    return CoreTables(
        units=wh.read("SELECT * FROM core.dim_unit"),
        projects=wh.read("SELECT * FROM core.dim_project"),
        bridge=wh.read("SELECT * FROM core.bridge_project_unit"),
        facts=wh.read("SELECT * FROM core.fact_project_period"),
        targets=wh.read("SELECT * FROM core.fact_target"),
        activities=wh.read("SELECT * FROM core.fact_activity"),
        reserve=wh.read("SELECT * FROM core.fact_reserve_project"),
        **extra,
    )


@dataclass(frozen=True)
class MartsInputs:
    """What the marts' fingerprints are made of, read once per run before core is read (so they
    are never newer than the core rows the run reads): the core fingerprint, core's slices
    (runtime/build_state.py) and the file registry's, by period."""

    core_fp: str | None
    core_slices: dict
    registry: dict

    @classmethod
    def read(cls, wh: Warehouse) -> "MartsInputs":
        core_fp = build_state.stored(wh, "core")
        slices = build_state.stored_map(wh, build_state.SLICE) if core_fp is not None else {}
        registry = build_state.registry_slices(read_files(wh)) if slices else {}
        return cls(core_fp, slices, registry)

    def of_period(self, period: str) -> str | None:
        """The digest of the core rows and registry rows the marts of `period` read; without
        slices (core built before them) the whole core's fingerprint; None when core carries
        no fingerprint (written by other means)."""
        if self.core_fp is None or not self.core_slices:
            return self.core_fp
        return (f"core:{build_state.slices_upto(self.core_slices, period)}"
                f"|files:{build_state.slices_upto(self.registry, period)}")


def _stale(wh: Warehouse, period: str, rules, inputs: MartsInputs,
           as_of: datetime) -> tuple[bool, str | None]:
    """(whether the period's marts must be built, the fingerprint to store with them).  Without a
    core fingerprint (core written by other means) the marts are always built and not stamped."""
    core_fp = inputs.of_period(period)
    if core_fp is not None:  # the baseline file, the duty table, the deadlines passed are inputs
        core_fp = (f"{core_fp}|baseline:{load_baseline()[2]}|duties:{load_duties()!r}"
                   f"|as_of:{as_of_key(load_duties(), period, as_of, rules)}")
    fingerprint = build_state.marts_fingerprint(core_fp, rules, period)
    if fingerprint is None:
        return True, None
    return build_state.stored(wh, "marts", period) != fingerprint, fingerprint


def _write_period(wh: Warehouse, period: str, rules, core: CoreTables,
                  fingerprint: str | None) -> dict:
    marts = build_marts(core, period, rules)
    findings = marts_findings(core, period, rules) + load_baseline()[1]
    with wh.transaction() as tx:
        for name in MARTS:
            tx.replace(f"marts.{name}", marts[name], {"period": period})
        _write_findings(tx, period, findings)
        if fingerprint is not None:
            build_state.store(tx, "marts", period, fingerprint)
        fault_point("marts_tx")  # test-only hook (pipelines/faults.py)
    return marts


def _write_findings(tx, period: str, findings: list) -> None:
    """Marts-stage findings of this build replace those an earlier build of the same period (or,
    for the once-a-year ones dated at an earlier month, of the same year up to it) wrote."""
    year = period[:4]
    months = [f"{year}-{m:02d}" for m in range(1, int(period[5:7]) + 1)]
    tx.delete("quality.findings", {"stage": "marts", "period": period})
    tx.delete("quality.findings", {"stage": "marts", "check_name": "no_four_rates_baseline",
                                   "period": months})
    tx.delete("quality.findings", {"stage": "marts", "check_name": "invalid_value"})
    tx.insert("quality.findings", findings_frame(findings, stage="marts"))


def _seed_earlier_lists(wh: Warehouse, core: CoreTables, rules, periods: list[str],
                        inputs: MartsInputs, as_of: datetime) -> None:
    """The 红黑榜 of earlier months that the periods' marts read (`lists_read`: the 绩效考评's
    appearances, the 约谈名单's quarter), that this run does not rebuild and whose stored marts
    are current (fingerprint equal: built from the same core rows, rules and code): read back
    instead of rebuilt (perf, issue 17)."""
    wanted = {m for p in periods for m in lists_read(p, rules)} - set(periods)
    lists = {}
    for month in sorted(wanted):
        if _stale(wh, month, rules, inputs, as_of)[0]:
            continue
        rows = wh.read("SELECT unit_name, list FROM marts.red_black_list WHERE period = :p",
                       {"p": month})
        if len(rows):
            lists[month] = list(zip(rows["unit_name"], rows["list"], strict=True))
    seed_lists(core, rules, lists)


@bulk_work()
def build_period(wh: Warehouse, period: str, rules=None, force: bool = False,
                 as_of: datetime | None = None) -> dict | None:
    """Compute and write the marts of one period atomically; returns the frames, or None when
    the period's marts were already built from the same core, rules and code (unless `force`).
    Reporting deadlines are judged at `as_of` (default now, UTC)."""
    rules = rules or load_rules()
    as_of = as_of or now_utc()
    inputs = MartsInputs.read(wh)  # before reading core: never newer than it
    stale, fingerprint = _stale(wh, period, rules, inputs, as_of)
    if not (stale or force):
        return None
    core = read_core(wh, as_of)
    if not force:
        _seed_earlier_lists(wh, core, rules, [period], inputs, as_of)
    return _write_period(wh, period, rules, core, fingerprint)


@bulk_work()
def build_periods(wh: Warehouse, periods, rules=None, as_of: datetime | None = None,
                  force: bool = False) -> list[str]:
    """build_period for several periods, reading core once (perf, issue 9): same rows as
    calling build_period for each, as long as core does not change in between.  Returns the
    periods rebuilt (the others' inputs were unchanged; all of them with `force`)."""
    rules = rules or load_rules()
    as_of = as_of or now_utc()
    inputs = MartsInputs.read(wh)
    todo = []
    for period in periods:
        stale, fingerprint = _stale(wh, period, rules, inputs, as_of)
        if stale or force:
            todo.append((period, fingerprint))
    if not todo:
        return []
    core = read_core(wh, as_of)
    if not force:
        _seed_earlier_lists(wh, core, rules, [p for p, _ in todo], inputs, as_of)
    for period, fingerprint in todo:
        _write_period(wh, period, rules, core, fingerprint)
    return [period for period, _ in todo]


def empty_period_message(wh: Warehouse, period: str, rules) -> str | None:
    """Why a month with no submission at all is not reported on (None when it has some): an
    empty 通报 a clerk could forward is worse than none (revision 2)."""
    if period_has_submissions(read_files(wh), period):
        return None
    expected = expected_text(read_core(wh), period, rules)
    return (f"{period} 没有收到任何单位的报送材料（报送目录中没有 {period} 月份文件夹，"
            f"或其中没有可识别的台账），本期不计算、不生成通报。应报送：{expected}")


def refuse_empty_period(wh: Warehouse, period: str, rules) -> None:
    """A month with no submission fails its run; the previous marts of the month stay."""
    message = empty_period_message(wh, period, rules)
    if message is not None:
        raise Failure(description=message, metadata={"period": period})


def split_empty(wh: Warehouse, periods: list[str], rules) -> tuple[list[str], dict[str, str]]:
    """(the months of a range that have submissions, {empty month: why it is not reported}).

    A range run (single-run backfill) builds the marts of the months that have submissions and
    leaves an empty month's marts as they were, with its message in the run log and in the
    metadata; it fails only when no month of the range has any submission."""
    refused = {p: m for p in periods if (m := empty_period_message(wh, p, rules)) is not None}
    if refused and len(refused) == len(periods):
        raise Failure(description="\n".join(refused.values()),
                      metadata={"periods": ", ".join(periods)})
    return [p for p in periods if p not in refused], refused


def _range_results(wh: Warehouse, periods: list[str], rebuilt: list[str],
                   refused: dict[str, str]):
    """One MaterializeResult per mart for a run of several months: rows of all of them."""
    severity = findings_by_severity(wh, None, periods)
    marker, params = in_list("p", periods)
    for name in MARTS:
        df = wh.read(f"SELECT * FROM marts.{name} WHERE period IN {marker}", params)
        yield MaterializeResult(asset_key=["marts", name], metadata=asset_metadata(
            df, severity, period=f"{periods[0]}..{periods[-1]}", rebuilt=bool(rebuilt),
            rebuilt_periods=MetadataValue.json(rebuilt),
            refused_periods=MetadataValue.json(refused)))


@multi_asset(
    specs=[
        AssetSpec(key=["marts", name], description=desc, group_name="marts",
                  kinds={"python", "sql"}, owners=OWNERS, deps=CORE_DEPS,
                  freshness_policy=report_freshness(), metadata=table_metadata(f"marts.{name}"))
        for name, desc in MARTS.items()
    ],
    partitions_def=monthly,
    can_subset=False,
    backfill_policy=BackfillPolicy.single_run(),
)
def marts_for_period(context: AssetExecutionContext, warehouse: WarehouseResource,
                     inputs: RunInputsResource):
    """Compute the period's marts by the rules in reference/rules.yaml (or $RULES_FILE); a
    range of months (single-run backfill) reads core once for all of them."""
    rules = inputs.load().rules  # a broken rules file stops here, naming the key
    wh = warehouse.get()
    periods = run_periods(context)
    if len(periods) > 1:
        months, refused = split_empty(wh, periods, rules)
        for message in refused.values():
            context.log.warning(message)
        rebuilt = build_periods(wh, months, rules)
        kept = [p for p in months if p not in rebuilt]
        if kept:
            context.log.info(f"{'、'.join(kept)} 集市的输入未变，沿用上次结果。")
        yield from _range_results(wh, months, rebuilt, refused)
        return
    yield from _one_period(context, wh, periods[0], rules)


def _one_period(context, wh: Warehouse, period: str, rules):
    refuse_empty_period(wh, period, rules)
    marts = build_period(wh, period, rules)
    rebuilt = marts is not None
    if not rebuilt:
        context.log.info(f"{period} 集市的输入（本期读取的 core、报送登记、规则、代码）未变，"
                         "沿用上次结果。")
        marts = {name: wh.read(f"SELECT * FROM marts.{name} WHERE period = :p", {"p": period})
                 for name in MARTS}
    severity = findings_by_severity(wh, None, period)
    for name in MARTS:
        yield MaterializeResult(
            asset_key=["marts", name],
            metadata=asset_metadata(marts[name], severity, period=period, rebuilt=rebuilt),
        )
