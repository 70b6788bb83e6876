"""The sample pieces of the reporting duty (tests/samplegen/duty.py) on a small generated drop
folder: planted missing and late submissions (the deadline day's last minute and the next day's
first minute included), arrival times stamped through the manifest after a simulated checkout,
and marts.submission_status equal to the independent expectation on DuckDB and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import openpyxl

from assets.conform.assets import build_core
from assets.ingest.load import ingest
from assets.marts.assets import build_period
from runtime.warehouse import Warehouse
from tests.pipeline import dropfolder
from tests.samplegen import duty

UNITS = {"城中区": ("district", None), "鱼峰区": ("district", None),
         "柳南区": ("district", None), "柳北区": ("district", None)}
MONTHS = ["2021-01", "2021-02", "2021-03", "2021-04"]
SEED = 3


def _targets(path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2021年全市各县（区）、开发区招商引资目标任务分解表"])
    ws.append(["单位", "2021年区外境内到位资金目标（亿元）", "2021年新引进项目目标（个）"])
    ws.append(["合计", 40, 8])
    for unit in UNITS:
        ws.append([unit, 10, 2])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _world(root):
    """Write the folder as planned; returns (owed, arrivals) after a simulated checkout."""
    table = duty.read_duty_table()
    owed = duty.owed_submissions(table, {2021: set(UNITS)}, UNITS, MONTHS)
    plan = duty.plan_duty(owed, SEED, missing_rate=0.15, late_rate=0.2)
    _targets(root / "targets" / "2021年县区目标任务分解表.xlsx")
    files, corrected = [], None
    for i, (unit, kind, month) in enumerate(owed):
        if plan[(unit, kind, month)] == "missing":
            continue
        row = ["汽车零部件", f"{unit}项目{i}", f"投资方{i}", 2, 0.5, None, "2021年1月",
               "已签约", "否", None]
        rel = f"{month}/{unit}.xlsx"
        dropfolder.ledger(root / rel, unit, month, [row])
        files.append(dict(source_file=rel, folder_month=month, unit_name=unit, kind=kind))
        if plan[(unit, kind, month)] == "on_time" and corrected is None:  # a later correction
            corrected = rel
            rel2 = f"{month}/{unit}（更正）.xlsx"
            dropfolder.ledger(root / rel2, unit, month, [row])
            files.append(dict(source_file=rel2, folder_month=month, unit_name=unit, kind=kind))
    arrivals = duty.arrivals_for(files, plan, table, UNITS, SEED)
    duty.write_manifest(root.parent / "arrivals.csv", arrivals)
    now = datetime.now(UTC).timestamp()
    for path in root.rglob("*.xlsx"):  # what a git checkout does to modification times
        os.utime(path, (now, now))
    assert duty.apply_manifest(root, root.parent / "arrivals.csv") == []
    assert corrected is not None
    return table, owed, plan, arrivals


def test_planted_duty_equals_the_mart(warehouse_url, tmp_path):
    root = tmp_path / "drop"
    table, owed, plan, arrivals = _world(root)
    assert {"missing", "late", "on_time", "deadline_day", "day_after"} <= set(plan.values())
    expected = duty.expected_status(owed, arrivals, table, UNITS)
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    try:
        ingest(wh, root)
        build_core(wh)
        for month in MONTHS:
            build_period(wh, month, as_of=datetime(2030, 1, 1))
        got = wh.read("SELECT period, unit_name, kind, deadline, status, source_file, "
                      "received_at FROM marts.submission_status")
    finally:
        wh.dispose()
    rows = sorted(
        (dict(period=r.period, unit_name=r.unit_name, kind=r.kind, deadline=str(r.deadline)[:10],
              status=r.status, source_file=r.source_file or "",
              received_at="" if r.received_at is None or r.received_at != r.received_at
              else str(r.received_at)[:19])
         for r in got.itertuples()), key=lambda r: (r["period"], r["unit_name"], r["kind"]))
    expected.sort(key=lambda r: (r["period"], r["unit_name"], r["kind"]))
    assert rows == expected
    firsts = [r for r in rows if r["source_file"].endswith("区.xlsx") and any(
        a.source_file.endswith("（更正）.xlsx") and a.month == r["period"]
        and a.unit == r["unit_name"] for a in arrivals)]
    assert len(firsts) == 1 and firsts[0]["status"] == "on_time"  # the first file decides
    by_plan = {k: next(r["status"] for r in expected if (r["unit_name"], r["kind"],
                                                          r["period"]) == k) for k in plan}
    for key, planned in plan.items():  # the boundary plants land on their side
        want = {"deadline_day": "on_time", "day_after": "late"}.get(planned, planned)
        assert by_plan[key] == want, key


def test_the_arrivals_command_stamps_a_fresh_checkout(tmp_path):
    """`python -m tests.samplegen.arrivals DROP MANIFEST` (the README's first set-up command):
    every listed file gets its arrival time; a listed file that is absent fails the command."""
    import subprocess
    import sys

    root = tmp_path / "drop"
    _table, _owed, _plan, arrivals = _world(root)
    manifest = root.parent / "arrivals.csv"
    now = datetime.now(UTC).timestamp()
    for path in root.rglob("*.xlsx"):
        os.utime(path, (now, now))
    repo = duty.REPO
    run = subprocess.run([sys.executable, "-m", "tests.samplegen.arrivals", str(root),
                          str(manifest)], cwd=repo, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert f"stamped {len(arrivals)} of {len(arrivals)} files" in run.stdout
    for a in arrivals:
        assert (root / a.source_file).stat().st_mtime == a.arrived_at.timestamp(), a
    (root / arrivals[0].source_file).unlink()
    run = subprocess.run([sys.executable, "-m", "tests.samplegen.arrivals", str(root),
                          str(manifest)], cwd=repo, capture_output=True, text=True, check=False)
    assert run.returncode == 1 and arrivals[0].source_file in run.stderr
