"""Benchmark the pipeline against a bare read and a naive baseline on one generated drop folder.

    python -m benchmarks.run --scale smoke|small|medium|province   (or --units/--months/...)

Phases, each in a fresh subprocess (so its peak RSS is its own):
  a  read: python-calamine reads every workbook's cells (the floor)
  b  naive: pandas.read_excel per file + DataFrame.to_sql into a fresh DuckDB file
  c  pipeline, empty warehouse → all marts: ingest + build_core + build_period for every month
  d  the same again with nothing changed
  e  after one unit resubmits one month (a modified copy of one ledger, newer mtime: one
     amount changed, or with --resubmit-change name one project name)
Results go to benchmarks/results/<scale>.json and are printed as a table.  Timings are never
asserted anywhere; the smoke scale only proves the harness runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".xlsb"}
# units, months, rows per ledger (≈ 9.6 at samplegen scale 1)
SCALES = {
    "smoke": dict(units=6, months=2, rows_per_ledger=9.6),
    "small": dict(units=39, months=12, rows_per_ledger=9.6),
    "medium": dict(units=120, months=12, rows_per_ledger=40),
    "large": dict(units=230, months=12, rows_per_ledger=110),
    "province": dict(units=460, months=12, rows_per_ledger=225),
}
PHASES = ["a_read", "b_naive", "c_pipeline", "d_rerun", "e_resubmit"]


# --- phases (run inside a child process) ------------------------------------------------------
def _spreadsheets(drop: Path) -> list[Path]:
    return sorted(p for p in drop.rglob("*") if p.is_file() and p.suffix.lower() in SPREADSHEETS
                  and not p.name.startswith(("~$", ".")))


def phase_read(drop: Path, work: Path) -> dict:
    import python_calamine as pc

    cells = rows = files = failed = 0
    for path in _spreadsheets(drop):
        try:
            with open(path, "rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
            for name in wb.sheet_names:
                data = wb.get_sheet_by_name(name).to_python(skip_empty_area=True)
                rows += len(data)
                cells += sum(len(r) for r in data)
            files += 1
        except Exception:  # noqa: BLE001 — encrypted / truncated / empty files are planted
            failed += 1
    return {"files": files, "unreadable": failed, "sheet_rows": rows, "cells": cells}


def phase_naive(drop: Path, work: Path) -> dict:
    import pandas as pd
    import sqlalchemy as sa

    db = work / "naive.duckdb"
    db.unlink(missing_ok=True)
    engine = sa.create_engine(f"duckdb:///{db}")
    width = 40
    cols = [f"c{i}" for i in range(width)]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE raw_rows (source_file TEXT, source_sheet TEXT, "
                             + ", ".join(f"{c} TEXT" for c in cols) + ")")
    files = failed = rows = 0
    for path in _spreadsheets(drop):
        try:
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
        except Exception:  # noqa: BLE001
            failed += 1
            continue
        frames = []
        for name, df in sheets.items():
            df = df.iloc[:, :width].astype(str)
            df.columns = cols[: df.shape[1]]
            df = df.reindex(columns=cols).astype(object)
            df.insert(0, "source_sheet", name)
            df.insert(0, "source_file", str(path.relative_to(drop)))
            frames.append(df)
        if frames:
            frame = pd.concat(frames, ignore_index=True)
            frame.to_sql("raw_rows", engine, if_exists="append", index=False)
            rows += len(frame)
        files += 1
    engine.dispose()
    return {"files": files, "unreadable": failed, "sheet_rows": rows}


def _pipeline(drop: Path, work: Path, fresh: bool) -> dict:
    from assets.conform.assets import build_core
    from assets.ingest.load import ingest
    from assets.marts.assets import build_periods
    from runtime.rules import load_rules
    from runtime.warehouse import Warehouse

    db = work / "warehouse.duckdb"
    if fresh:
        db.unlink(missing_ok=True)
    wh = Warehouse(f"duckdb:///{db}")
    t = {}
    t0 = time.perf_counter()
    wh.create_schema()
    summary = ingest(wh, drop)
    t["ingest"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    core = build_core(wh)
    t["build_core"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rules = load_rules()
    periods = sorted(p for p in wh.read(
        "SELECT DISTINCT folder_month FROM staging.files WHERE status = 'loaded'")["folder_month"]
        if p and p != "targets")
    rebuilt = build_periods(wh, periods, rules)  # only the periods whose inputs changed
    t["marts"] = time.perf_counter() - t0
    ledger_rows = int(wh.scalar("SELECT COUNT(*) FROM staging.ledger_rows s JOIN staging.files f "
                                "USING (file_id) WHERE f.status = 'loaded'"))
    wh.dispose()
    return {
        "steps_s": {k: round(v, 3) for k, v in t.items()},
        "files_seen": summary.files_seen, "files_parsed": summary.files_parsed,
        "status_counts": summary.status_counts, "rows_written": summary.rows_written,
        "core_counts": core["counts"], "periods": len(periods),
        "core_rebuilt": not core["skipped"],
        "match_pairs_reused": core["pairs_reused"],  # the keys did not change (issue 17)
        "match_pairs_rescored": core.get("pairs_rescored"),  # keys changed: pairs re-examined
        "projects_reused": core.get("projects_reused", 0),  # taken from the memo (issue 17)
        "core_rows_written": core["rows_written"],  # only the changed months of the facts
        "marts_rebuilt": list(rebuilt or []),  # None before issue 17 (every stale month)
        "ledger_rows_in_force": ledger_rows,
    }


def phase_pipeline(drop: Path, work: Path) -> dict:
    return _pipeline(drop, work, fresh=True)


def phase_rerun(drop: Path, work: Path) -> dict:
    return _pipeline(drop, work, fresh=False)


def resubmit(drop: Path, month: str | None = None, change: str = "amount") -> Path:
    """One unit resubmits one month (default: the last): a corrected copy of its ledger, with
    one amount changed (`change` "amount": matching reuses its scored pairs) or the first
    project's name (`change` "name": a new matching key, so every candidate pair is scored
    again)."""
    import openpyxl

    months = sorted(p.name for p in drop.iterdir() if p.is_dir() and p.name[:2] == "20")
    folder = drop / (month or months[-1])
    source = next(p for p in sorted(folder.glob("柳南区*.xlsx")) + sorted(folder.glob("*.xlsx"))
                  if "招商引资项目统计表" in p.name or p.name.startswith("柳南区"))
    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    if not (change == "name" and _rename_one_project(ws)):  # no name column: an amount
        _raise_last_amount(ws)
    target = source.with_name(source.stem + "（更正）" + source.suffix)
    wb.save(target)
    mtime = source.stat().st_mtime + 86400
    os.utime(target, (mtime, mtime))
    return target


def _raise_last_amount(ws) -> None:
    """The first positive amount of the sheet's last row that has one, 10 % higher."""
    for row in reversed(list(ws.iter_rows())):
        for cell in row:
            if isinstance(cell.value, float) and cell.value > 0:
                cell.value = round(cell.value * 1.1, 2)
                return


def _rename_one_project(ws) -> bool:
    """The sheet's first project renamed ("新" before its name, as a clerk's typo fixed): a
    matching key no build has seen, for a project every month of the year reported."""
    header = next(((r, c) for r, row in enumerate(ws.iter_rows(max_row=12, values_only=True), 1)
                   for c, v in enumerate(row, 1) if isinstance(v, str) and "项目名称" in v), None)
    if header is None:
        return False
    for r in range(header[0] + 1, ws.max_row + 1):
        cell = ws.cell(r, header[1])
        if isinstance(cell.value, str) and len(cell.value) > 2:
            cell.value = "新" + cell.value
            return True
    return False


def phase_resubmit(drop: Path, work: Path) -> dict:
    out = _pipeline(drop, work, fresh=False)
    return out


PHASE_FUNCS = {"a_read": phase_read, "b_naive": phase_naive, "c_pipeline": phase_pipeline,
               "d_rerun": phase_rerun, "e_resubmit": phase_resubmit}


def _child(phase: str, drop: Path, work: Path, profile: Path | None) -> None:
    started = time.perf_counter()
    if profile:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.005)
        prof.start()
    info = PHASE_FUNCS[phase](drop, work)
    if profile:
        prof.stop()
        profile.write_text(prof.output_text(unicode=True, color=False, show_all=False),
                           encoding="utf-8")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    info["inner_s"] = round(time.perf_counter() - started, 3)
    # CPU seconds (user + system, this process with its DuckDB threads and its pool workers):
    # on a shared machine wall time waits for the cores, CPU time does not
    info["cpu_s"] = round(sum(
        r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                          resource.getrusage(resource.RUSAGE_CHILDREN))), 3)
    info["peak_rss_mb"] = round(max(own, kids) / 1024, 1)  # Linux: KiB
    print("BENCH-RESULT " + json.dumps(info, ensure_ascii=False))


# --- orchestration (parent) ---------------------------------------------------------------------
def run_phase(phase: str, drop: Path, work: Path, env: dict, profile_dir: Path | None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", phase, "--drop", str(drop),
           "--work", str(work)]
    if profile_dir:
        cmd += ["--profile-out", str(profile_dir / f"{phase}.txt")]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{proc.stderr[-4000:]}")
    line = next(x for x in reversed(proc.stdout.splitlines()) if x.startswith("BENCH-RESULT "))
    info = json.loads(line.removeprefix("BENCH-RESULT "))
    info["wall_s"] = round(wall, 3)
    return info


def dagster_overhead(drop: Path, work: Path, env: dict, period: str) -> dict | None:
    """One `python -m pipelines materialize --period P` on the built warehouse (nothing new)."""
    env = dict(env, SUBMISSIONS_DIR=str(drop), WAREHOUSE_URL=f"duckdb:///{work / 'warehouse.duckdb'}",
               DAGSTER_HOME=str(work / "dagster_home"), REPORTS_DIR=str(work / "reports"))
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipelines", "materialize", "--period", period],
                          cwd=REPO, env=env, capture_output=True, text=True)
    return {"wall_s": round(time.perf_counter() - started, 3), "returncode": proc.returncode,
            "what": f"Dagster CLI, one period ({period}), nothing changed (incl. reports)"}


def machine() -> dict:
    import duckdb
    import pandas

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_gb, 1), "cpu": cpu,
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pandas.__version__, "platform": platform.platform()}


def table(result: dict) -> str:
    rows = result["ledger_rows"]
    head = ("| phase | wall s | CPU s | peak RSS MB | ledger rows/s | split s | marts rebuilt |\n"
            "|---|---:|---:|---:|---:|---|---|")
    lines = [head]
    for phase in PHASES:
        p = result["phases"].get(phase)
        if p is None:
            lines.append(f"| {phase} | not run | | | | | |")
            continue
        rate = rows / p["wall_s"] if p["wall_s"] else 0
        split = ", ".join(f"{k} {v:.1f}" for k, v in p.get("steps_s", {}).items())
        rebuilt = p.get("marts_rebuilt")
        months = "" if rebuilt is None else f"{len(rebuilt)} of {p.get('periods')}"
        cpu = f"{p['cpu_s']:.1f}" if "cpu_s" in p else ""
        lines.append(f"| {phase} | {p['wall_s']:.1f} | {cpu} | {p['peak_rss_mb']:.0f} | {rate:,.0f} "
                     f"| {split} | {months} |")
    r = result.get("ratios", {})
    lines.append("\n" + ", ".join(f"{k.replace('_over_', '/')} = {v:.2f}" for k, v in r.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="smoke")
    ap.add_argument("--units", type=int)
    ap.add_argument("--months", type=int)
    ap.add_argument("--rows-per-ledger", type=float)
    ap.add_argument("--work", type=Path, help="scratch folder (default /tmp/zs-bench-<scale>)")
    ap.add_argument("--reuse-drop", action="store_true", help="keep an existing drop folder")
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--profile", action="store_true", help="pyinstrument each phase")
    ap.add_argument("--dagster", action="store_true", help="also time the Dagster CLI")
    ap.add_argument("--name", help="result name (default: the scale)")
    ap.add_argument("--resubmit-month", metavar="YYYY-MM",
                    help="phase e: the month resubmitted (default: the last)")
    ap.add_argument("--resubmit-change", choices=["amount", "name"], default="amount",
                    help="phase e: what the correction changes (default: one amount)")
    ap.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    ap.add_argument("--drop", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.drop, args.work, args.profile_out)
        return 0

    from benchmarks.loadgen import generate_province

    size = dict(SCALES[args.scale])
    for key in ("units", "months", "rows_per_ledger"):
        if getattr(args, key) is not None:
            size[key] = getattr(args, key)
    name = args.name or args.scale
    work = (args.work or Path(f"/tmp/zs-bench-{name}")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    drop = work / "drop"
    started = time.perf_counter()
    meta_file = work / "drop.loadgen.json"
    if args.reuse_drop and meta_file.exists() and drop.exists():
        gen = json.loads(meta_file.read_text(encoding="utf-8"))
        for p in drop.rglob("*（更正）*"):
            p.unlink()
    else:
        gen = generate_province(drop, size["units"], size["months"], size["rows_per_ledger"])
    gen_s = time.perf_counter() - started
    env = dict(os.environ, REFERENCE_DIR=gen["reference_dir"], PYTHONPATH=str(REPO),
               INGEST_WORKERS=os.environ.get("INGEST_WORKERS") or str(os.cpu_count() or 1))
    profile_dir = work / "profiles" if args.profile else None
    if profile_dir:
        profile_dir.mkdir(exist_ok=True)
    wanted = [p for p in PHASES if p in args.phases.split(",")]
    phases = {}
    for phase in wanted:
        if phase == "e_resubmit":
            resubmit(drop, args.resubmit_month, args.resubmit_change)
        phases[phase] = run_phase(phase, drop, work, env, profile_dir)
        print(f"{phase}: {phases[phase]['wall_s']:.1f} s, {phases[phase]['peak_rss_mb']:.0f} MB",
              flush=True)
    ledger_rows = phases.get("c_pipeline", {}).get("ledger_rows_in_force") or gen[
        "ledger_rows_expected"]
    result = {
        "name": name, "size": size, "generated": gen, "generate_s": round(gen_s, 1),
        "machine": machine(), "ledger_rows": ledger_rows, "phases": phases,
    }
    if "e_resubmit" in phases:
        phases["e_resubmit"]["change"] = args.resubmit_change
    if "c_pipeline" in phases:
        c = phases["c_pipeline"]["wall_s"]
        result["ratios"] = {f"c_over_{x[0]}": round(c / phases[x]["wall_s"], 3)
                            for x in ("a_read", "b_naive") if x in phases}
        if "e_resubmit" in phases:  # resubmission ÷ full run (target at medium: ≤ 0.1)
            result["ratios"]["e_over_c"] = round(phases["e_resubmit"]["wall_s"] / c, 3)
    if args.dagster and "c_pipeline" in phases:
        result["dagster_cli"] = dagster_overhead(drop, work, env, gen["months"][-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
