"""The office's 四率 baseline file, reference/four_rates_baseline.csv (rules.md "Baseline",
revision 2): one row per year assessed and unit, the four rates at the previous year's end as
the 自治区 published them.

Columns: year, unit_name, performance_rate, funds_rate, start_rate, completion_rate.  A rate is
a fraction (0.452) or a percentage with its sign (45.2%); lines starting with # are comments.
A row that cannot be read (a missing rate, a rate that is not a number or outside 0–100%, a
duplicate year × unit) is left out with a `invalid_value` finding naming its line, so that
unit falls back to the previous December's data — never to a zero baseline.
"""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from runtime.findings import Finding
from runtime.reference import default_reference_dir

from .common import BASELINE_COLUMNS, empty_frame

FILE_NAME = "four_rates_baseline.csv"
RATE_COLUMNS = BASELINE_COLUMNS[2:]


def baseline_path() -> Path:
    """four_rates_baseline.csv in the configured reference folder (REFERENCE_DIR)."""
    return default_reference_dir() / FILE_NAME


def _rate(text: str) -> float | None:
    t = (text or "").strip()
    percent = t.endswith(("%", "％"))
    try:
        value = Decimal(t.rstrip("%％").strip())
    except InvalidOperation:
        return None
    if percent:
        value /= 100
    return float(value) if 0 <= value <= 1 else None


def row_finding(source: str, line: int, message: str) -> Finding:
    return Finding("invalid_value", f"四率基数文件 {source} 第{line}行：{message}，该行未采用",
                   source_file=source, source_row=line, stage="marts")


def parse_baseline(text: str, source: str = FILE_NAME) -> tuple[pd.DataFrame, list[Finding]]:
    """Pure: the file's text → (validated rows, findings for the rows left out)."""
    rows, findings, seen = [], [], set()
    lines = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(ln for _i, ln in lines)))
    records = list(reader)
    if not records:
        return empty_frame(BASELINE_COLUMNS), findings
    header = [h.strip() for h in records[0]]
    missing = [c for c in BASELINE_COLUMNS if c not in header]
    if missing:
        findings.append(row_finding(source, lines[0][0], f"表头缺少列 {'、'.join(missing)}"))
        return empty_frame(BASELINE_COLUMNS), findings
    for (line, _raw), rec in zip(lines[1:], records[1:]):
        cell = dict(zip(header, (c.strip() for c in rec)))
        year, unit = cell.get("year", ""), cell.get("unit_name", "")
        rates = {c: _rate(cell.get(c, "")) for c in RATE_COLUMNS}
        bad = [c for c, v in rates.items() if v is None]
        if not year.isdigit() or not unit:
            findings.append(row_finding(source, line, "年度或单位为空或不是数字年份"))
        elif bad:
            findings.append(row_finding(source, line, f"{'、'.join(bad)} 不是 0–100% 之间的比率"))
        elif (int(year), unit) in seen:
            findings.append(row_finding(source, line, f"{year}年{unit}重复出现"))
        else:
            seen.add((int(year), unit))
            rows.append({"year": int(year), "unit_name": unit, **rates})
    frame = pd.DataFrame(rows, columns=BASELINE_COLUMNS) if rows else empty_frame(
        BASELINE_COLUMNS)
    return frame, findings


def load_baseline(path: Path | None = None) -> tuple[pd.DataFrame, list[Finding], str]:
    """(rows, findings, digest of the file) — a missing file is an empty baseline."""
    p = path or baseline_path()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return empty_frame(BASELINE_COLUMNS), [], "absent"
    frame, findings = parse_baseline(text, p.name)
    return frame, findings, hashlib.sha256(text.encode()).hexdigest()
