"""Drop folder → staging: scan, parse what changed, resolve resubmissions, write atomically."""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from assets.ingest.parse import ParsedFile, parse_file
from assets.ingest.registry import (
    SeenFile,
    ignored_links,
    now,
    resolve_supersession,
    scan,
)
from assets.ingest.workbook import Limits
from runtime.faults import fault_point
from runtime.findings import FINDING_COLUMNS, Finding
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


def _parse_one(job: tuple) -> tuple[ParsedFile, dict[str, pd.DataFrame], pd.DataFrame | None]:
    """One changed file → (parsed, its staging frames by table, its findings frame)."""
    path, source_file, folder_month, file_id, ref, limits, columns, dropped_cols = job
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
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=ctx) as pool:
        yield from pool.map(_parse_one, jobs, chunksize=4)


def ingest(
    wh: Warehouse,
    root: Path,
    up_to: str | None = None,
    inputs: RunInputs | None = None,
    limits: Limits | None = None,
) -> IngestSummary:
    """Bring staging up to date with the drop folder (targets/ and months ≤ `up_to`), with the
    run's reference data and limits (default: loaded from the environment's settings)."""
    started = time.perf_counter()
    inputs = inputs or RunInputs.load()
    ref = inputs.reference
    limits = limits or Limits.from_settings(inputs.settings, inputs.rules)
    workers = inputs.settings.ingest_workers
    summary = IngestSummary()
    seen = scan(root, up_to)
    summary.files_seen = len(seen)
    registry = wh.read("SELECT * FROM staging.files")
    known = {r["file_id"]: r for r in registry.to_dict("records")}
    seen_ids = {s.file_id for s in seen}
    columns = {t: wh.columns(t) for t in ROW_TABLES.values()}
    dropped_cols = wh.columns("staging.dropped_rows")
    new = [s for s in seen if s.file_id not in known]
    new_ids = [s.file_id for s in new]
    tables = [*ROW_TABLES.values(), "staging.dropped_rows", "staging.file_findings"]

    # One transaction from the first row to the registry: a failure anywhere leaves staging as the
    # last run left it. Rows are written every FLUSH_FILES files, so memory holds a batch of
    # parsed files, not the whole drop folder (perf, issue 9).
    with wh.transaction() as tx:
        for table in tables:
            tx.delete(table, {"file_id": new_ids})  # idempotent if a crashed run left rows
        pending: dict[str, list[pd.DataFrame]] = {t: [] for t in tables}

        def flush() -> None:
            for table, frames in pending.items():
                if frames:
                    written = tx.insert(table, pd.concat(frames, ignore_index=True))
                    if table != "staging.file_findings":
                        summary.rows_written[table] = summary.rows_written.get(table, 0) + written
                    frames.clear()

        records = []
        parsed_files = _parse_all(new, ref, limits, columns, dropped_cols, workers)
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
            for table, frame in frames.items():
                pending[table].append(frame)
            if findings is not None:
                pending["staging.file_findings"].append(findings)
            if parsed.status == "quarantined":
                summary.problems.append(f"{item.source_file}: {parsed.status_reason}")
            if summary.files_parsed % FLUSH_FILES == 0:
                flush()
        flush()

        # Files no longer on disk: replaced in place (superseded) or taken away (removed).
        scanned = {"targets"} | {s.folder_month for s in seen}
        present_paths = {s.source_file: s.file_id for s in seen}
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
            rec["_gone"] = True
            records.append(rec)

        live = [r for r in records if not r.get("_gone")]
        gone = [r for r in records if r.get("_gone")]
        resolved = resolve_supersession(live) + gone
        files = pd.DataFrame(resolved)[FILE_COLUMNS]
        for status, count in files["status"].value_counts().items():
            summary.status_counts[str(status)] = int(count)

        tx.replace("staging.files", files)
        # quality.findings shows the findings of the files in force, plus one line per
        # superseded file so the clerk sees which version counts.
        tx.delete("quality.findings", {"stage": "ingest"})
        tx.execute(
            "INSERT INTO quality.findings SELECT f.* FROM staging.file_findings f "
            "JOIN staging.files s ON s.file_id = f.file_id "
            "WHERE s.status IN ('loaded', 'quarantined', 'skipped')"
        )
        superseded = files[files["status"] == "superseded"]
        tx.insert("quality.findings", _findings_frame(
            [Finding("superseded_file", f"文件「{r.source_file}」{r.status_reason}。",
                     period=None if r.folder_month == "targets" else r.folder_month,
                     unit_name=r.unit_name, source_file=r.source_file, file_id=r.file_id)
             for r in superseded.itertuples()], None))
        tx.insert("quality.findings", _findings_frame(_link_findings(root, up_to), None))
        fault_point("staging_tx")
    fault_point("staging_done")
    sev = wh.read("SELECT severity, COUNT(*) AS n FROM quality.findings WHERE stage = 'ingest' "
                  "GROUP BY severity")
    summary.findings_by_severity = dict(zip(sev["severity"], sev["n"].astype(int)))
    summary.seconds_total = time.perf_counter() - started
    return summary
