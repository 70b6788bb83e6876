"""A finding: one quality problem, phrased for the clerk who must fix it.

Every layer (ingest, conform, marts) reports problems as `Finding`s; the pipeline writes them to
`quality.findings`.  Check names and severities are the contract of docs/spec/warehouse.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import pandas as pd

# check_name -> default severity (docs/spec/warehouse.md, "quality")
CHECKS: dict[str, str] = {
    "missing_amount": "error",
    "amount_outlier": "warning",
    "duplicate_row": "warning",
    "co_credited_project": "info",
    "territorial_conflict": "error",
    "no_territorial_report": "warning",
    "below_threshold": "info",
    "unknown_unit": "error",
    "unknown_industry": "warning",
    "unknown_status": "warning",
    "invalid_date": "warning",
    "period_mismatch": "warning",
    "target_total_mismatch": "error",
    "unreadable_file": "error",
    "skipped_file": "info",
    "no_four_rates_baseline": "info",  # revision 2, written by the marts
    "missing_submission": "warning",  # revision 2, written by the marts (reporting duty)
    "late_submission": "info",  # revision 2, written by the marts (reporting duty)
    # ours, beyond the contract
    "dropped_row": "info",
    "superseded_file": "info",
    "invalid_value": "warning",
    "oversized_file": "error",
    "unit_mismatch": "warning",
    # revision 2, conform (rev2-data): 投资来源 and the 三企入桂 cohort list
    "unknown_source": "warning",
    "inside_region_project": "info",
    "cohort_project_unmatched": "warning",
    "cohort_flag_outside_list": "info",
    "misplaced_file": "error",  # a target table outside targets/ (issue 20): quarantined
}

FINDING_COLUMNS = [
    "check_name", "severity", "period", "unit_name", "source_file", "source_sheet",
    "source_row", "project_name", "message", "stage", "file_id",
]

# Mainland mobile and landline numbers, not preceded by a digit (checked in mask_phones: a
# pattern that starts with a lookbehind is scanned at every position, three times slower than
# one that starts with its first character's class — perf, issue 17), nor followed by one.
_PHONE = re.compile(r"(1[3-9]\d[\d×xX*]{8}|0\d{2,3}-?\d{7,8}|1[3-9]\d[×xX*]{3,})(?!\d)")


def mask_phones(text: str) -> str:
    r"""Replace anything that looks like a phone number with ***, so no log or mart shows one:
    what ``re.sub(r"(?<!\d)" + _PHONE.pattern, "***", text)`` does."""
    found = _PHONE.search(text)
    if found is None:
        return text
    parts, done = [], 0
    while found is not None:
        start = found.start()
        if start and text[start - 1].isdecimal():  # \d is a Unicode decimal digit
            found = _PHONE.search(text, start + 1)
            continue
        parts += [text[done:start], "***"]
        done = found.end()
        found = _PHONE.search(text, done)
    parts.append(text[done:])
    return "".join(parts)


@dataclass(frozen=True)
class Finding:
    check_name: str
    message: str
    period: str | None = None
    unit_name: str | None = None
    source_file: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None
    project_name: str | None = None
    severity: str | None = None  # None: the check's default severity
    stage: str = "ingest"
    file_id: str | None = None
    # the project a conform finding is about: not written (not in FINDING_COLUMNS); it lets
    # conform keep each project's findings with the project's other results (issue 17)
    project_id: str | None = None

    def __post_init__(self) -> None:
        if self.check_name not in CHECKS:
            raise ValueError(f"unknown check name {self.check_name!r}")

    def as_row(self) -> dict:
        row = {name: getattr(self, name) for name in _FIELDS}  # asdict deep-copies: slow
        row["severity"] = self.severity or CHECKS[self.check_name]
        row["message"] = mask_phones(self.message)
        if row["project_name"]:
            row["project_name"] = mask_phones(row["project_name"])
        return {c: row[c] for c in FINDING_COLUMNS}


_FIELDS = tuple(f.name for f in fields(Finding))


def findings_frame(findings: list[Finding], **fixed: object) -> pd.DataFrame:
    """The rows `as_row` gives, as a FINDING_COLUMNS frame built column by column (perf, issue
    17: a core build writes hundreds of thousands); `fixed`: columns given one value."""
    if not findings:  # typed as pd.DataFrame([], columns=...) is: object columns
        return pd.DataFrame([], columns=FINDING_COLUMNS)
    columns: dict[str, list] = {}
    for name in FINDING_COLUMNS:
        if name in fixed:
            columns[name] = [fixed[name]] * len(findings)
        elif name == "severity":
            columns[name] = [f.severity or CHECKS[f.check_name] for f in findings]
        elif name == "message":
            columns[name] = [mask_phones(f.message) for f in findings]
        elif name == "project_name":
            columns[name] = [mask_phones(f.project_name) if f.project_name else f.project_name
                             for f in findings]
        else:
            columns[name] = [getattr(f, name) for f in findings]
    return pd.DataFrame(columns, columns=FINDING_COLUMNS)


def location(source_file: str | None, sheet: str | None = None, row: int | None = None) -> str:
    """'2022-05/融水县.xlsx「项目表」第12行' — the place a clerk opens to fix a finding."""
    text = source_file or ""
    if sheet:
        text += f"「{sheet}」"
    if row:
        text += f"第{row}行"
    return text
