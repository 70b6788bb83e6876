"""reference/reporting_duties.csv — who owes which submission each month, and its deadline
(domain.md "Reporting duty", revision 2).  The one place the deadline days live.

Each row selects units (unit_type, parent_type, units: names separated by 、 or |; a blank
selector matches any) and says they owe `kind` every month from `from_month` (blank: always),
due on day `deadline_day` of the month itself (`same`) or of the following month (`next`); a day
past the month's end is the month's last day (30 → 28 February).  Per unit and kind the first
matching row applies, so a specific row placed above a general one overrides it.
Pure: no Dagster, no warehouse.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from runtime.settings import DEFAULT_REFERENCE_DIR, Settings

FILE_NAME = "reporting_duties.csv"
KINDS = ("project_ledger", "activity_ledger", "reserve_projects")
KIND_LABELS = {"project_ledger": "项目台账", "activity_ledger": "招商活动台账",
               "reserve_projects": "储备（策划包装）项目表"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DutyError(ValueError):
    """The duty table is invalid; the message names the line."""


@dataclass(frozen=True)
class Duty:
    kind: str
    deadline_day: int
    deadline_month: str  # 'next' | 'same'
    unit_type: str | None = None
    parent_type: str | None = None
    units: tuple[str, ...] | None = None
    from_month: str | None = None
    note: str = ""

    def matches(self, name: str, unit_type: str | None, parent_type: str | None) -> bool:
        return ((self.units is None or name in self.units)
                and (self.unit_type is None or self.unit_type == unit_type)
                and (self.parent_type is None or self.parent_type == parent_type))

    def owed_in(self, month: str) -> bool:
        return self.from_month is None or month >= self.from_month

    def deadline(self, month: str) -> date:
        """The last day a submission for `month` is on time."""
        year, mon = int(month[:4]), int(month[5:7])
        if self.deadline_month == "next":
            year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
        last = calendar.monthrange(year, mon)[1]
        return date(year, mon, min(self.deadline_day, last))

    def describe(self) -> str:
        when = "次月" if self.deadline_month == "next" else "当月"
        return f"{KIND_LABELS.get(self.kind, self.kind)}（{when}{self.deadline_day}日前）"


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _row(r: dict, line: int, source: str) -> Duty:
    def bad(msg: str) -> DutyError:
        return DutyError(f"{source} 第 {line} 行：{msg}")
    kind = _blank(r.get("kind"))
    if kind not in KINDS:
        raise bad(f"kind 须为 {'、'.join(KINDS)} 之一，实际为 {kind!r}")
    day = _blank(r.get("deadline_day"))
    if day is None or not day.isdigit() or not 1 <= int(day) <= 31:
        raise bad(f"deadline_day 须为 1–31 的整数，实际为 {day!r}")
    when = _blank(r.get("deadline_month"))
    if when not in ("next", "same"):
        raise bad(f"deadline_month 须为 next（次月）或 same（当月），实际为 {when!r}")
    start = _blank(r.get("from_month"))
    if start is not None and not _MONTH.match(start):
        raise bad(f"from_month 须形如 2022-01，实际为 {start!r}")
    names = _blank(r.get("units"))
    units = tuple(n.strip() for n in re.split(r"[、|]", names) if n.strip()) if names else None
    return Duty(kind, int(day), when, _blank(r.get("unit_type")), _blank(r.get("parent_type")),
                units, start, _blank(r.get("note")) or "")


def load_duties(directory: Path | None = None) -> tuple[Duty, ...]:
    """The duty table of `directory` (default: REFERENCE_DIR); the repo's copy when that folder
    has none of its own."""
    directory = Path(directory) if directory is not None else Settings.from_env().reference_dir
    path = directory / FILE_NAME
    if not path.exists():
        path = DEFAULT_REFERENCE_DIR / FILE_NAME
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(_row(r, i, FILE_NAME) for i, r in enumerate(rows, start=2))


def duties_of(duties: tuple[Duty, ...], name: str, unit_type: str | None,
              parent_type: str | None) -> list[Duty]:
    """The unit's duties, one per kind: the first matching row of each kind."""
    out: dict[str, Duty] = {}
    for d in duties:
        if d.kind not in out and d.matches(name, unit_type, parent_type):
            out[d.kind] = d
    return list(out.values())
