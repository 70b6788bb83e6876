"""Deterministic generator of the bundled sample drop folder and its ground truth (issue 3).

    python -m tests.samplegen --out raw_samples --truth tests/ground_truth
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

from . import duty as D
from . import truth as T
from .layouts import FIELDS
from .ledgers import MISSING_SUBMISSIONS, PLANTED_LEDGERS, Ctx, write_ledgers
from .specials import write_specials
from .targets import write_targets
from .world import ALL_PERIODS, World
from .writer import shutdown_etree_worker

LEDGER_HEADER = ["source_file", "source_sheet", "source_row", "period", "unit_name",
                 "true_project_id"] + FIELDS
FINDING_HEADER = ["check_name", "severity", "period", "unit_name", "source_file", "source_sheet",
                  "source_row", "project_name"]


def generate(out_dir, truth_dir, seed: int = 20221, units=None, months=None,
             rows_scale: float = 1.0) -> dict:
    """Write the drop folder into out_dir and the ground truth CSVs into truth_dir.

    units: canonical unit names to include (default all); months: 'YYYY-MM' periods
    (default 2021-01 … 2022-06); rows_scale multiplies the number of projects.
    """
    try:
        return _generate(out_dir, truth_dir, seed, units, months, rows_scale)
    finally:
        shutdown_etree_worker()  # started when lxml is installed; never left idle


def _generate(out_dir, truth_dir, seed: int, units, months, rows_scale: float) -> dict:
    out = Path(out_dir)
    tdir = Path(truth_dir)
    periods = sorted(months) if months else list(ALL_PERIODS)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    world = World(seed, list(units) if units else None, periods, rows_scale)
    ctx = Ctx(out, seed)
    write_targets(ctx, world.years)
    protected = {(u, periods[-1] if m == "last" else m) for u, m in PLANTED_LEDGERS}
    owed, plan, table, types = D.plan_world(world.units, ctx.targets, periods, seed,
                                            protected | set(MISSING_SUBMISSIONS))
    info = write_ledgers(world, ctx, seed, plan)
    from .activities import write_activities

    write_activities(world, ctx, seed, plan)
    write_specials(ctx, periods)
    res = T.compute(world, ctx)
    from .cohort import write_cohort

    cohort, cohort_findings = write_cohort(world, ctx, res)
    # file timestamps: deterministic, a resubmission is newer than its original; a submission's
    # is its planned arrival (reporting duty), also written to the manifest arrivals.csv
    for f in ctx.files:
        rel = f["source_file"]
        ts = ctx.mtimes.get(rel, 1656633600.0)
        os.utime(out / rel, (ts, ts))
    subs = D.arrivals_for(ctx.files, plan, table, types, seed)
    D.stamp(out, subs)
    D.write_manifest(tdir / "arrivals.csv", subs)
    status = D.expected_status(owed, subs, table, types)
    D.write_expected(tdir / "submission_status.csv", status)
    files = sorted(ctx.files, key=lambda f: f["source_file"])
    T.write_csv(tdir / "files.csv", files, ["source_file", "folder_month", "unit_name", "kind",
                                            "expected_status", "reason"])
    T.write_csv(tdir / "ledger_rows.csv", ctx.rows, LEDGER_HEADER)
    T.write_csv(tdir / "dropped_rows.csv", ctx.dropped,
                ["source_file", "source_sheet", "source_row", "reason"])
    T.write_csv(tdir / "projects.csv", res["projects"], list(res["projects"][0]))
    T.write_csv(tdir / "credits.csv", res["credits"],
                ["true_project_id", "unit_name", "role", "first_period"])
    T.write_csv(tdir / "project_periods.csv", res["project_periods"],
                ["true_project_id", "period", "stage", "funds_this_year", "funds_cumulative",
                 "reported_by", "in_library"])
    findings = ctx.findings + res["findings"] + cohort_findings + D.duty_findings(status)
    findings.sort(key=lambda f: (f["check_name"], f["source_file"], str(f["source_row"]),
                                 f["project_name"]))
    T.write_csv(tdir / "findings.csv", findings, FINDING_HEADER)
    T.write_csv(tdir / "indicators.csv", res["indicators"],
                ["period", "unit_name", "indicator", "actual"])
    T.write_csv(tdir / "city_summary.csv", res["city_summary"], ["period", "indicator", "actual"])
    T.write_csv(tdir / "cohort.csv", cohort,
                ["year", "true_project_id", "project_name", "investor", "contract_investment",
                 "territorial_unit", "source_file", "source_sheet", "source_row"])
    T.write_csv(tdir / "targets.csv", ctx.targets,
                ["year", "unit_name", "sub_unit", "indicator", "target", "source_file",
                 "source_row"])
    T.write_csv(tdir / "activity_rows.csv", ctx.activity_rows,
                ["source_file", "source_sheet", "source_row", "period", "unit_name",
                 "activity_date", "activity_name", "activity_type", "leader",
                 "led_by_principal", "enterprises_docked", "place"])
    T.write_csv(tdir / "reserve_rows.csv", ctx.reserve_rows,
                ["source_file", "source_sheet", "source_row", "period", "unit_name",
                 "project_name", "chain", "planned_investment", "entered_on", "status"])
    from tests.reference.truth_marts import write as write_truth_marts  # the ground-truth marts

    if units is None and months is None:  # the whole world (not benchmarks/loadgen's slices)
        write_truth_marts(tdir)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"files": len(ctx.files), "ledger_rows": len(ctx.rows),
            "submission_status": dict(sorted(Counter(r["status"] for r in status).items())),
            "projects": len(res["projects"]), "findings": len(findings), "bytes": size,
            "planted": info}
