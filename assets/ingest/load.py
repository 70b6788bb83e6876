"""Drop folder → staging: scan, parse what changed, resolve resubmissions, write atomically."""

from __future__ import annotations

import json
import multiprocessing
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from assets.ingest.parse import ParsedFile, parse_file
from assets.ingest.registry import (
    ScanProblem,
    SeenFile,
    ignored_links,
    misnamed_folders,
    now,
    resolve_supersession,
    scan_files,
    stray_workbooks,
)
from assets.ingest.workbook import Limits
from runtime.collector import bulk_work
from runtime.faults import fault_point
from runtime.findings import CHECKS, FINDING_COLUMNS, Finding
from runtime.reference import Reference
from runtime.run_inputs import RunInputs
from runtime.warehouse import Warehouse

ROW_TABLES = {
    "ledger_rows": "staging.ledger_rows",
    "activity_rows": "staging.activity_rows",
    "reserve_rows": "staging.reserve_rows",
    "target_rows": "staging.target_rows",
    "cohort_rows": "staging.cohort_rows",
}
FILE_COLUMNS = [
    "file_id", "source_file", "folder_month", "content_hash", "size_bytes", "modified_at",
    "unit_name", "kind", "workbook_month", "status", "status_reason", "superseded_by",
    "first_seen_at", "parsed_at", "rows_loaded", "rows_dropped", "sheets_skipped",
    "target_scope",
]
FLUSH_FILES = 200  # parsed files held in memory before their rows are written
_STATUS = {"parsed": "loaded", "quarantined": "quarantined", "skipped": "skipped"}


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_parsed: int = 0
    files_unchanged: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    seconds_reading: float = 0.0
    seconds_parsing: float = 0.0
    seconds_total: float = 0.0
    problems: list[str] = field(default_factory=list)  # quarantined files, for the run log


def _target_scope(parsed: ParsedFile, ref: Reference) -> str | None:
    if parsed.kind == "cohort_list":  # one list a year: lists of two years never replace each other
        return "/".join(sorted({str(r["year"]) for r in parsed.cohort_rows if r.get("year")}))
    if parsed.kind != "target_table":
        return None
    years = sorted({str(r.get("year")) for r in parsed.target_rows if r.get("year")})
    types = sorted(
        {ref.units[r["unit_name"]].type for r in parsed.target_rows
         if not r.get("is_total_row") and r.get("unit_name") in ref.units}
    )
    return f"{'/'.join(years)}:{'/'.join(types)}"


def _record(seen: SeenFile, parsed: ParsedFile, ref: Reference) -> dict:
    return {
        "file_id": seen.file_id,
        "source_file": seen.source_file,
        "folder_month": seen.folder_month,
        "content_hash": seen.content_hash,
        "size_bytes": seen.size_bytes,
        "modified_at": seen.modified_at,
        "unit_name": parsed.unit_name,
        "kind": parsed.kind,
        "workbook_month": parsed.workbook_month,
        "status": _STATUS[parsed.status],
        "status_reason": parsed.status_reason,
        "superseded_by": None,
        "first_seen_at": now(),
        "parsed_at": now(),
        "rows_loaded": parsed.rows_loaded,
        "rows_dropped": len(parsed.dropped_rows),
        "sheets_skipped": json.dumps(parsed.skipped_sheets, ensure_ascii=False)
        if parsed.skipped_sheets else None,
        "target_scope": _target_scope(parsed, ref),
    }


def _rows_frame(rows: list[dict], file_id: str, columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["file_id"] = file_id
    return frame[[c for c in columns if c in frame.columns]]


def _findings_frame(findings: list[Finding], file_id: str | None) -> pd.DataFrame:
    rows = [f.as_row() | {"file_id": file_id or f.file_id} for f in findings]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _link_findings(root: Path, up_to: str | None) -> list[Finding]:
    return [
        Finding("skipped_file",
                f"「{rel}」是符号链接（快捷方式），出于安全考虑不读取链接指向的内容，已跳过。"
                "请把工作簿本身（而不是快捷方式）放入报送目录。",
                period=None if folder == "targets" else folder, source_file=rel)
        for rel, folder in ignored_links(root, up_to)
    ]


def _problem_findings(problems: list[ScanProblem]) -> list[Finding]:
    """Files and folders the scan could not read or will not read, one finding each."""
    return [
        Finding(p.check, p.message, period=None if p.folder in (None, "targets") else p.folder,
                source_file=p.source_file, severity=p.severity)
        for p in problems
    ]


def _parse_one(job: tuple) -> tuple[ParsedFile, dict[str, pd.DataFrame], pd.DataFrame | None]:
    """One changed file → (parsed, its staging frames by table, its findings frame)."""
    path, source_file, folder_month, file_id, ref, limits, columns, dropped_cols = job
    fault_point(f"parse:{source_file}")  # test-only: this file kills the process parsing it
    parsed = parse_file(path, source_file, folder_month, ref, limits)
    frames = {}
    for attr, table in ROW_TABLES.items():
        rows = getattr(parsed, attr)
        if rows:
            frames[table] = _rows_frame(rows, file_id, columns[table])
    if parsed.dropped_rows:
        frame = _rows_frame(parsed.dropped_rows, file_id, dropped_cols)
        frame["source_file"] = source_file
        frames["staging.dropped_rows"] = frame
    findings = _findings_frame(parsed.findings, file_id) if parsed.findings else None
    return parsed, frames, findings


def _worker_start() -> None:
    """A parsing process answers SIGTERM again.  A process started where SIGINT is ignored (a
    job run with `&` from a script, a cron line) ignores SIGTERM too once Dagster maps SIGTERM
    to SIGINT's handler, and the pool's workers inherit that; when one worker dies the pool
    stops the others with SIGTERM and waits for them, which then waited for ever.  (A worker
    still starting can miss it: _parse_all also kills the workers of a broken pool.)"""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _parse_all(items: list[SeenFile], ref: Reference, limits: Limits, columns: dict,
               dropped_cols: dict, workers: int = 1) -> Iterator[tuple]:
    """_parse_one for each item, in order.  Perf (issue 9): with INGEST_WORKERS > 1 the files
    are parsed (and their frames built) in a process pool — parse_file is pure and results come
    back in input order, so the rows written are identical; default 1 = in this process."""
    jobs = [(item.path, item.source_file, item.folder_month, item.file_id, ref, limits, columns,
             dropped_cols) for item in items]
    if workers <= 1 or len(jobs) < 2 * workers:
        yield from map(_parse_one, jobs)
        return
    ctx = multiprocessing.get_context("spawn")
    done = 0
    others = set(multiprocessing.active_children())
    try:
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=ctx,
                                 initializer=_worker_start) as pool:
            try:
                for result in pool.map(_parse_one, jobs, chunksize=4):
                    yield result
                    done += 1
            except BrokenProcessPool:
                # the pool now stops its other workers with SIGTERM and waits for them: one that
                # does not hear it (started with SIGTERM ignored, before _worker_start ran) would
                # keep it waiting for ever, so they are killed outright
                for process in multiprocessing.active_children():
                    if process not in others:
                        process.kill()
                raise
    except BrokenProcessPool:
        # a worker died (a file that crashes the reader, or memory): every file not yet
        # returned is parsed again in a process of its own, so only the culprit is lost
        for job in jobs[done:]:
            yield _parse_alone(job, ctx)


def _parse_alone(job: tuple, ctx) -> tuple:
    """_parse_one in a fresh process; a crash is an `unreadable_file` of this file only."""
    try:
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=_worker_start) as pool:
            return pool.submit(_parse_one, job).result()
    except BrokenProcessPool:
        path, source_file, folder_month, file_id, *_ = job
        parsed = ParsedFile(source_file=source_file, folder_month=folder_month)
        reason = "读取该文件时解析进程异常终止（文件可能已损坏或内容异常庞大），请用Excel另存为.xlsx后重新报送"
        parsed.status, parsed.status_reason = "quarantined", reason
        parsed.findings.append(Finding(
            "unreadable_file", f"{source_file}：{reason}。该文件已隔离，未导入任何数据。",
            period=None if folder_month == "targets" else folder_month, source_file=source_file))
        return parsed, {}, _findings_frame(parsed.findings, file_id)


def _known_covers(wh: Warehouse, known: dict[str, dict]) -> dict[str, set[tuple]]:
    """(year, unit) pairs of the registered target tables (new ones come from their parse)."""
    ids = [i for i, r in known.items() if r.get("kind") == "target_table"]
    if not ids:
        return {}
    rows = wh.read("SELECT DISTINCT file_id, year, unit_name FROM staging.target_rows "
                   "WHERE unit_name IS NOT NULL AND NOT COALESCE(is_total_row, FALSE)")
    covers: dict[str, set[tuple]] = {}
    for r in rows.itertuples():
        if r.file_id in known:
            year = None if pd.isna(r.year) else int(r.year)
            covers.setdefault(r.file_id, set()).add((year, r.unit_name))
    return covers


def _covers(parsed: ParsedFile) -> set[tuple]:
    return {(r.get("year"), r["unit_name"]) for r in parsed.target_rows
            if r.get("unit_name") and not r.get("is_total_row")}


class _Batches:
    """Staging frames waiting to be written, flushed every FLUSH_FILES files (perf, issue 9)."""

    def __init__(self, tx, tables: list[str], summary: IngestSummary):
        self.tx, self.summary = tx, summary
        self.pending: dict[str, list[pd.DataFrame]] = {t: [] for t in tables}

    def add(self, table: str, frame: pd.DataFrame) -> None:
        self.pending[table].append(frame)

    def flush(self) -> None:
        for table, frames in self.pending.items():
            if frames:
                written = self.tx.insert(table, pd.concat(frames, ignore_index=True))
                if table != "staging.file_findings":
                    self.summary.rows_written[table] = (
                        self.summary.rows_written.get(table, 0) + written)
                frames.clear()


def _load_new(tx, seen: list[SeenFile], known: dict[str, dict], new: list[SeenFile],
              ref: Reference, limits: Limits, wh: Warehouse, summary: IngestSummary,
              covers: dict[str, set[tuple]], workers: int = 1) -> list[dict]:
    """Phase 2: parse every new file and write its rows; the registry record of every file."""
    tables = [*ROW_TABLES.values(), "staging.dropped_rows", "staging.file_findings"]
    for table in tables:
        tx.delete(table, {"file_id": [s.file_id for s in new]})  # a crashed run's rows
    batches = _Batches(tx, tables, summary)
    columns = {t: wh.columns(t) for t in ROW_TABLES.values()}
    parsed_files = _parse_all(new, ref, limits, columns, wh.columns("staging.dropped_rows"),
                              workers)
    records = []
    for item in seen:
        if item.file_id in known:
            summary.files_unchanged += 1
            records.append(known[item.file_id])
            continue
        parsed, frames, findings = next(parsed_files)
        summary.files_parsed += 1
        summary.seconds_reading += parsed.timings.get("read", 0.0)
        summary.seconds_parsing += parsed.timings.get("parse", 0.0)
        records.append(_record(item, parsed, ref))
        covers[item.file_id] = _covers(parsed)
        for table, frame in frames.items():
            batches.add(table, frame)
        if findings is not None:
            batches.add("staging.file_findings", findings)
        if parsed.status == "quarantined":
            summary.problems.append(f"{item.source_file}: {parsed.status_reason}")
        if summary.files_parsed % FLUSH_FILES == 0:
            batches.flush()
    batches.flush()
    return records


def _gone_records(known: dict[str, dict], seen: list[SeenFile], up_to: str | None) -> list[dict]:
    """Phase 3: files no longer on disk — replaced in place (superseded) or taken away (removed)."""
    seen_ids = {s.file_id for s in seen}
    scanned = {"targets"} | {s.folder_month for s in seen}
    present_paths = {s.source_file: s.file_id for s in seen}
    out = []
    for file_id, rec in known.items():
        if file_id in seen_ids:
            continue
        in_scope = up_to is None or rec["folder_month"] == "targets" or (
            rec["folder_month"] or "") <= up_to or rec["folder_month"] in scanned
        rec = dict(rec)
        if rec["source_file"] in present_paths:
            rec["status"], rec["superseded_by"] = "superseded", present_paths[rec["source_file"]]
            rec["status_reason"] = "同名文件内容已更新，旧版本保留在登记簿中"
        elif in_scope and rec["status"] != "removed":
            rec["status"], rec["status_reason"] = "removed", "文件已从报送目录移除，历史数据保留"
        out.append(rec)
    return out


def _superseded_findings(resolved: list[dict]) -> list[Finding]:
    """One line per superseded file, so the clerk sees which version counts; a `warning` when
    the choice needs a look (an older correction, overlapping target tables, another month)."""
    return [
        Finding("superseded_file", f"文件「{r['source_file']}」{r['status_reason']}。",
                period=None if r["folder_month"] == "targets" else r["folder_month"],
                unit_name=r["unit_name"], source_file=r["source_file"], file_id=r["file_id"],
                severity=r.get("_severity"))
        for r in resolved if r["status"] == "superseded"
    ]


def _write_registry(tx, resolved: list[dict], extra: list[Finding]) -> pd.DataFrame:
    """Phase 5: staging.files, and the ingest findings of the files in force plus `extra`."""
    files = pd.DataFrame(resolved)[FILE_COLUMNS]
    tx.replace("staging.files", files)
    tx.delete("quality.findings", {"stage": "ingest"})
    tx.execute(
        "INSERT INTO quality.findings SELECT f.* FROM staging.file_findings f "
        "JOIN staging.files s ON s.file_id = f.file_id "
        "WHERE s.status IN ('loaded', 'quarantined', 'skipped')"
    )
    tx.insert("quality.findings", _findings_frame(extra, None))
    return files


@bulk_work()
def ingest(
    wh: Warehouse,
    root: Path,
    up_to: str | None = None,
    inputs: RunInputs | None = None,
    limits: Limits | None = None,
) -> IngestSummary:
    """Bring staging up to date with the drop folder (targets/ and months ≤ `up_to`).

    Phases: scan (each file in its own guard) → parse and write the new files → mark the gone
    ones → resolve which file wins → write the registry and findings.  One transaction from
    the first row to the registry: a failure anywhere leaves staging as the last run left it."""
    started = time.perf_counter()
    inputs = inputs or RunInputs.load()
    ref = inputs.reference
    limits = limits or Limits.from_settings(inputs.settings, inputs.rules)
    workers = inputs.settings.ingest_workers
    summary = IngestSummary()
    seen, problems = scan_files(root, up_to)
    problems += misnamed_folders(root, up_to) + stray_workbooks(root)
    summary.files_seen = len(seen)
    known = {r["file_id"]: r for r in wh.read("SELECT * FROM staging.files").to_dict("records")}
    new = [s for s in seen if s.file_id not in known]
    covers = _known_covers(wh, known)
    with wh.transaction() as tx:
        records = _load_new(tx, seen, known, new, ref, limits, wh, summary, covers, workers)
        gone = _gone_records(known, seen, up_to)
        resolved = resolve_supersession(records, covers) + gone
        extra = [*_superseded_findings(resolved), *_link_findings(root, up_to),
                 *_problem_findings(problems)]
        files = _write_registry(tx, resolved, extra)
        for status, count in files["status"].value_counts().items():
            summary.status_counts[str(status)] = int(count)
        summary.problems += [f"{p.source_file}: {p.message}" for p in problems
                             if (p.severity or CHECKS[p.check]) == "error"]
        fault_point("staging_tx")
    fault_point("staging_done")
    sev = wh.read("SELECT severity, COUNT(*) AS n FROM quality.findings WHERE stage = 'ingest' "
                  "GROUP BY severity")
    summary.findings_by_severity = dict(zip(sev["severity"], sev["n"].astype(int)))
    summary.seconds_total = time.perf_counter() - started
    return summary
