"""submission_status from domain.md "Reporting duty", submissions.md "When a submission arrived"
and docs/design.md (revision 2), written without looking at assets/marts/submissions.py or
runtime/duties.py: the duty table reference/reporting_duties.csv is read here with csv alone.

Inputs: the units and targets of the core, and the file registry (`RefCore.files`: source_file,
folder_month, unit_name, kind, modified_at, first_seen_at)."""

from __future__ import annotations

import calendar
import csv
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from tests.marts.reference_impl import _missing, _records

DUTIES_CSV = Path(__file__).resolve().parents[2] / "reference" / "reporting_duties.csv"
COLUMNS = ["period", "unit_name", "unit_type", "kind", "deadline", "received_at", "status",
           "source_file"]
OWING_TYPES = ("district", "department", "task_group")


def read_duties(path: Path = DUTIES_CSV) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["units"] = [u for u in re.split(r"[、;；|]", r.get("units") or "") if u.strip()]
    return rows


def _applies(row: dict, unit: str, utype: str, ptype: str | None) -> bool:
    return ((not row["unit_type"] or row["unit_type"] == utype)
            and (not row["parent_type"] or row["parent_type"] == ptype)
            and (not row["units"] or unit in row["units"]))


def duties_of(duties: list[dict], unit: str, utype: str, ptype: str | None) -> dict:
    """kind -> the first row of the table that names this unit for that kind."""
    out: dict = {}
    for r in duties:
        if r["kind"] not in out and _applies(r, unit, utype, ptype):
            out[r["kind"]] = r
    return out


def deadline(row: dict, month: str) -> date:
    """Day N of the month itself or of the next month, at most the month's last day."""
    y, m = int(month[:4]), int(month[5:7])
    if row["deadline_month"].strip() == "next":
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y, m, min(int(row["deadline_day"]), calendar.monthrange(y, m)[1]))


def _time(x) -> datetime | None:
    if _missing(x):
        return None
    return pd.Timestamp(x).to_pydatetime().replace(tzinfo=None)


def first_files(files: pd.DataFrame, offset: timedelta) -> dict:
    """(unit, kind, month folder) -> (local arrival time, file) of the unit's first file."""
    out: dict = {}
    for f in _records(files):
        if any(_missing(f.get(k)) for k in ("unit_name", "kind", "folder_month")):
            continue  # a file whose unit or kind was not recognised is no submission
        times = [t for t in (_time(f.get("modified_at")), _time(f.get("first_seen_at"))) if t]
        if not times:
            continue
        got = (min(times) + offset, str(f["source_file"]))
        key = (f["unit_name"], f["kind"], str(f["folder_month"]))
        out[key] = min(out.get(key, got), got)
    return out


def submission_status(core, period: str, rules, as_of: datetime | None = None,
                      duties: list[dict] | None = None) -> pd.DataFrame:
    """Month P's rows: every unit with a target in P's year, of a type that owes, for each kind
    its duty row names (from `from_month`), when P has a month folder. `as_of` (UTC): the
    run's time; None = every deadline is over."""
    files = getattr(core, "files", None)
    folders = set() if files is None or not len(files) else {
        str(m) for m in files["folder_month"].dropna() if re.fullmatch(r"\d{4}-\d{2}", str(m))}
    if period not in folders:
        return pd.DataFrame(columns=COLUMNS)
    duties = read_duties() if duties is None else duties
    offset = timedelta(hours=rules.watch.utc_offset_hours)
    arrived = first_files(files, offset)
    today = None if as_of is None else (as_of + offset).date()
    owing = {t["unit_name"] for t in _records(core.targets) if int(t["year"]) == int(period[:4])}
    units = {u["unit_name"]: u for u in _records(core.units)}
    rows = []
    for name in sorted(owing & set(units)):
        u = units[name]
        if u["unit_type"] not in OWING_TYPES:
            continue
        parent = units.get(u["parent_name"]) if not _missing(u["parent_name"]) else None
        for kind, row in duties_of(duties, name, u["unit_type"],
                                   parent["unit_type"] if parent else None).items():
            if (row.get("from_month") or "").strip() and period < row["from_month"].strip():
                continue
            due = deadline(row, period)
            got = arrived.get((name, kind, period))
            if got is not None:
                status = "on_time" if got[0].date() <= due else "late"
            else:
                status = "not_due" if today is not None and today <= due else "missing"
            rows.append(dict(period=period, unit_name=name, unit_type=u["unit_type"], kind=kind,
                             deadline=due, received_at=got[0] if got else None, status=status,
                             source_file=got[1] if got else None))
    return pd.DataFrame(rows, columns=COLUMNS)
