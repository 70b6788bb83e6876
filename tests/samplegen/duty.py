"""Reporting duty in the generated samples (revision 2): plant late and missing submissions,
stamp arrival times, and compute the expected `marts.submission_status` independently.

Why a manifest: a file's arrival time is its modification time, and git does not keep
modification times — a checkout stamps every bundled file with the checkout time, which would
make every submission late.  So the generator writes `arrivals.csv` (source_file, arrived_at in
UTC) next to the ground truth, and every test that ingests the bundled samples first calls
`apply_manifest(samples_dir, manifest)` (os.utime on each listed file).  The generator itself also
stamps the files it writes, so a freshly generated folder is right without the manifest.

Independence: nothing here imports assets/ or runtime/; the duty table
(reference/reporting_duties.csv) is read with this module's own parser, and the status rules are
restated from domain.md ("Reporting duty") and submissions.md ("When a submission arrived").

Wiring into the generator (tests/samplegen/__init__.py; `plan_world` does steps 1 and 2):
1. `owed = owed_submissions(table, units_with_targets, unit_types, months)` — every (unit, kind,
   month) the world owes (units with a target in the month's year; months = the generated ones);
2. `plan = plan_duty(owed, seed)` → {(unit, kind, month): status}; the writers skip the files whose
   plan is `missing` (ledgers.write_ledgers, activities.write_activities);
3. after writing, `subs = arrivals_for(ctx.files, plan, table, unit_types, seed)`;
   `stamp(out, subs)`; `write_manifest(truth_dir / "arrivals.csv", subs)`;
4. `write_expected(truth_dir / "submission_status.csv", expected_status(owed, subs, table,
   unit_types))` — the ground truth of marts.submission_status (as of: every deadline past);
   `duty_findings` gives its missing_submission / late_submission findings.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

LOCAL_OFFSET = timedelta(hours=8)  # deadlines are Beijing-time days (rules reporting.utc_offset)
REPO = Path(__file__).resolve().parents[2]
DUTY_TABLE = REPO / "reference" / "reporting_duties.csv"
MANIFEST_COLUMNS = ["source_file", "arrived_at"]
STATUS_COLUMNS = ["period", "unit_name", "kind", "deadline", "status", "source_file",
                  "received_at"]


# --- the duty table, read independently --------------------------------------------------------
@dataclass(frozen=True)
class DutyRow:
    unit_type: str
    parent_type: str
    units: frozenset
    kind: str
    from_month: str
    day: int
    same_month: bool


def read_duty_table(path: Path = DUTY_TABLE) -> list[DutyRow]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [DutyRow(r["unit_type"].strip(), r["parent_type"].strip(),
                        frozenset(n for n in r["units"].replace("|", "、").split("、") if n),
                        r["kind"].strip(), r["from_month"].strip(), int(r["deadline_day"]),
                        r["deadline_month"].strip() == "same")
                for r in csv.DictReader(fh)]


def _matches(row: DutyRow, unit: str, utype: str, ptype: str | None) -> bool:
    return ((not row.units or unit in row.units) and (not row.unit_type or row.unit_type == utype)
            and (not row.parent_type or row.parent_type == ptype))


def duties(table: list[DutyRow], unit: str, utype: str, ptype: str | None) -> dict[str, DutyRow]:
    """kind -> the first matching row of that kind."""
    out: dict[str, DutyRow] = {}
    for row in table:
        if row.kind not in out and _matches(row, unit, utype, ptype):
            out[row.kind] = row
    return out


def deadline_of(row: DutyRow, month: str) -> date:
    y, m = int(month[:4]), int(month[5:7])
    if not row.same_month:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y, m, min(row.day, calendar.monthrange(y, m)[1]))


# --- planting ----------------------------------------------------------------------------------
def owed_submissions(table: list[DutyRow], with_target: dict[int, set[str]],
                     unit_types: dict[str, tuple[str, str | None]],
                     months: list[str]) -> list[tuple[str, str, str]]:
    """(unit, kind, month) owed: units with a target in the month's year, every month given (the
    month folders), each kind of the unit's duties from its from_month."""
    out = []
    for month in sorted(months):
        for unit in sorted(with_target.get(int(month[:4]), ())):
            utype, ptype = unit_types[unit]
            for kind, row in sorted(duties(table, unit, utype, ptype).items()):
                if not row.from_month or month >= row.from_month:
                    out.append((unit, kind, month))
    return out


def _u(seed: int, *key) -> float:
    """A deterministic number in [0, 1) per key."""
    h = hashlib.sha256(repr((seed, *key)).encode()).hexdigest()
    return int(h[:12], 16) / 16**12


def plan_duty(owed: list[tuple[str, str, str]], seed: int, missing_rate: float = 0.03,
              late_rate: float = 0.08) -> dict[tuple[str, str, str], str]:
    """Each owed submission: 'missing', 'late', 'deadline_day' (the last minute of the deadline
    day: on time at the boundary), 'day_after' (the first minute after: late at the boundary) or
    'on_time'.  The two boundary plants occur at least once each when there are >= 4 owed."""
    plan = {}
    for key in owed:
        u = _u(seed, "duty", *key)
        plan[key] = ("missing" if u < missing_rate else "late" if u < missing_rate + late_rate
                     else "on_time")
    ordered = [k for k in owed if plan[k] == "on_time"]
    if len(ordered) >= 4:
        plan[ordered[1]] = "deadline_day"
        plan[ordered[-2]] = "day_after"
    return plan


def _arrival(plan: str, deadline: date, seed: int, key) -> datetime:
    """UTC arrival time for a plan (deadline days are local days)."""
    end_local = datetime.combine(deadline, datetime.min.time()) + timedelta(days=1)
    end = (end_local - LOCAL_OFFSET).replace(tzinfo=UTC)  # first instant after the deadline
    u = _u(seed, "when", *key)
    if plan == "deadline_day":
        return end - timedelta(minutes=1)
    if plan == "day_after":
        return end
    if plan == "late":
        return end + timedelta(hours=2 + int(u * 24 * 6))  # 2 hours … 6 days late
    return end - timedelta(hours=12 + int(u * 24 * 4))  # half a day … 4½ days early


@dataclass(frozen=True)
class Arrival:
    source_file: str
    unit: str
    kind: str
    month: str
    arrived_at: datetime  # UTC, aware


def arrivals_for(files: list[dict], plan: dict, table: list[DutyRow],
                 unit_types: dict[str, tuple[str, str | None]], seed: int) -> list[Arrival]:
    """An arrival per written submission file (files: source_file, folder_month, unit_name,
    kind).  A file nobody owes arrives early in the next month; a resubmission (a later file of
    the same unit, kind and month, in listing order) arrives a day after the previous one."""
    out, last = [], {}
    for f in sorted(files, key=lambda f: f["source_file"]):
        unit, kind, month = f.get("unit_name"), f.get("kind"), f["folder_month"]
        if not unit or not kind or month == "targets":
            continue
        key = (unit, kind, month)
        row = duties(table, unit, *unit_types[unit]).get(kind) if unit in unit_types else None
        due = deadline_of(row, month) if row else deadline_of(
            DutyRow("", "", frozenset(), kind, "", 3, False), month)
        at = last[key] + timedelta(days=1) if key in last else _arrival(
            plan.get(key, "on_time"), due, seed, key)
        last[key] = at
        out.append(Arrival(f["source_file"], unit, kind, month, at))
    return out


# --- the manifest ------------------------------------------------------------------------------
def write_manifest(path: Path, arrivals: list[Arrival]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(MANIFEST_COLUMNS)
        for a in sorted(arrivals, key=lambda a: a.source_file):
            w.writerow([a.source_file, a.arrived_at.strftime("%Y-%m-%dT%H:%M:%SZ")])


def read_manifest(path: Path) -> dict[str, datetime]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["source_file"]: datetime.strptime(r["arrived_at"], "%Y-%m-%dT%H:%M:%SZ")
                .replace(tzinfo=UTC) for r in csv.DictReader(fh)}


def stamp(root: Path, arrivals: list[Arrival]) -> None:
    for a in arrivals:
        ts = a.arrived_at.timestamp()
        os.utime(Path(root) / a.source_file, (ts, ts))


def apply_manifest(root: Path, manifest: Path) -> list[str]:
    """Set each listed file's modification time to its arrival; returns the listed files that
    are not in `root` (none expected)."""
    absent = []
    for rel, at in read_manifest(manifest).items():
        path = Path(root) / rel
        if path.exists():
            ts = at.timestamp()
            os.utime(path, (ts, ts))
        else:
            absent.append(rel)
    return absent


# --- the independent expected submission_status ------------------------------------------------
def expected_status(owed: list[tuple[str, str, str]], arrivals: list[Arrival],
                    table: list[DutyRow], unit_types: dict[str, tuple[str, str | None]],
                    as_of: datetime | None = None) -> list[dict]:
    """One row per owed (unit, kind, month): the first file decides; local dates; `as_of` (UTC,
    aware; None = every deadline past) separates missing from not_due."""
    first: dict[tuple, Arrival] = {}
    for a in arrivals:
        key = (a.unit, a.kind, a.month)
        if key not in first or (a.arrived_at, a.source_file) < (first[key].arrived_at,
                                                                first[key].source_file):
            first[key] = a
    rows = []
    for unit, kind, month in owed:
        due = deadline_of(duties(table, unit, *unit_types[unit])[kind], month)
        a = first.get((unit, kind, month))
        local = None if a is None else (a.arrived_at + LOCAL_OFFSET).replace(tzinfo=None)
        if local is not None:
            status = "on_time" if local.date() <= due else "late"
        elif as_of is not None and (as_of + LOCAL_OFFSET).date() <= due:
            status = "not_due"
        else:
            status = "missing"
        rows.append(dict(period=month, unit_name=unit, kind=kind, deadline=due.isoformat(),
                         status=status, source_file=a.source_file if a else "",
                         received_at=local.strftime("%Y-%m-%d %H:%M:%S") if local else ""))
    return rows


def write_expected(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, STATUS_COLUMNS)
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: (r["period"], r["unit_name"], r["kind"])))


# --- the generator's use of the above (tests/samplegen/__init__.py) ----------------------------
DUTY_TYPES = ("district", "department", "task_group")


def world_unit_types(units: list[str]) -> dict[str, tuple[str, str | None]]:
    """unit -> (unit_type, parent_type) for the units that can owe (the city owes nothing)."""
    from . import names as N
    from .world import unit_type

    out = {}
    for u in units:
        t = unit_type(u)
        parent = ("district" if u in N.LUZHAI_GROUPS else "department" if u in N.KJJ_GROUPS
                  else None) if t == "task_group" else None
        if t in DUTY_TYPES:
            out[u] = (t, parent)
    return out


def plan_world(units: list[str], targets: list[dict], months: list[str], seed: int,
               protected: set[tuple[str, str]]) -> tuple[list, dict, list, dict]:
    """(owed, plan, duty table, unit types) for a generated world; `protected` (unit, month)
    ledgers that carry another planted case are never planned missing."""
    table = read_duty_table()
    types = world_unit_types(units)
    with_target: dict[int, set[str]] = {}
    for t in targets:
        if t["unit_name"] in types:
            with_target.setdefault(int(t["year"]), set()).add(t["unit_name"])
    owed = owed_submissions(table, with_target, types, months)
    plan = plan_duty(owed, seed)
    for key in owed:
        if plan[key] == "missing" and (key[0], key[2]) in protected:
            plan[key] = "on_time"
    return owed, plan, table, types


def duty_findings(rows: list[dict]) -> list[dict]:
    """The expected `missing_submission` (unit and month, no file) and `late_submission` (the
    first file) findings of the expected submission_status rows."""
    out = []
    for r in rows:
        if r["status"] in ("missing", "late"):
            out.append({"check_name": f"{r['status']}_submission",
                        "severity": "warning" if r["status"] == "missing" else "info",
                        "period": r["period"], "unit_name": r["unit_name"],
                        "source_file": r["source_file"], "source_sheet": "", "source_row": "",
                        "project_name": ""})
    return out
