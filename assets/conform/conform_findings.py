"""Conform's findings, kept by where they come from (issue 17).

Most of a build's conform findings belong to one project each (credit, below the threshold,
inside the region, unknown source) and are unchanged when the project's inputs are: a
resubmission changes a few hundred of 200,000 at province scale.  So they are kept per project:
those worked out now as Finding fields, those of projects taken from the last build as the memo's
JSON, decoded only if someone asks for the whole list.  The few about no single project's
results (duplicate rows before them, the 三企入桂 list after) are made anew at every build.

`rows()` numbers each finding with (part, project, seq), so ordering by those three gives the
order of one pass: `findings`, the list `conform` has always returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from assets.conform.project_memo import decode_findings
from runtime.findings import FINDING_COLUMNS, Finding, findings_frame

KINDS = ("credit", "below_threshold", "inside_region", "unknown_source")
FIELDS = tuple(f.name for f in fields(Finding))
BEFORE, AFTER = 0, len(KINDS) + 1  # parts of the findings about no single project's results
ORDER_COLUMNS = ["part", "project_id", "seq"]
# the columns of quality.findings the stored findings keep (stage is always conform)
STORED_COLUMNS = [c for c in FINDING_COLUMNS if c != "stage"]


@dataclass
class ConformFindings:
    before: list[Finding] = field(default_factory=list)  # duplicate rows
    # pid -> [kind, *FIELDS] rows, of the projects worked out now, in the order they were made
    fresh: dict[str, list[list]] = field(default_factory=dict)
    # pid -> the memo's JSON of those rows (None: none), of the projects taken from the memo
    reused: dict[str, str | None] = field(default_factory=dict)
    after: list[Finding] = field(default_factory=list)  # the 三企入桂 list

    def _project_rows(self, pid: str) -> list[list]:
        if pid in self.fresh:
            return self.fresh[pid]
        return decode_findings(self.reused.get(pid))

    def rows(self, only_fresh: bool = False) -> list[tuple[int, str | None, int, Finding]]:
        """(part, project_id, seq, finding) of every finding, or of those made now (the parts
        before and after, and the projects worked out now) when `only_fresh`."""
        out = [(BEFORE, None, i, f) for i, f in enumerate(self.before)]
        pids = self.fresh if only_fresh else sorted({*self.fresh, *self.reused})
        for pid in pids:
            for seq, (kind, *values) in enumerate(self._project_rows(pid)):
                out.append((1 + KINDS.index(kind), pid, seq, Finding(*values)))
        out += [(AFTER, None, i, f) for i, f in enumerate(self.after)]
        return out

    @property
    def findings(self) -> list[Finding]:
        """Every finding in the order of one pass: duplicates, each kind in project order, the
        三企入桂 list."""
        return [f for *_, f in sorted(self.rows(), key=lambda r: (r[0], r[1] or "", r[2]))]

    def frame(self, only_fresh: bool = False) -> pd.DataFrame:
        """`rows` as FINDING_COLUMNS (stage left out: always conform) and the ORDER_COLUMNS."""
        rows = self.rows(only_fresh)
        df = findings_frame([r[3] for r in rows]).drop(columns="stage")
        for i, name in enumerate(ORDER_COLUMNS):
            df[name] = [r[i] for r in rows]
        return df[STORED_COLUMNS + ORDER_COLUMNS]
