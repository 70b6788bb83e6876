"""Per-project reuse of conform's work (issue 17): a resubmission changes the reports of a few
projects, yet conform would work out every project's dimension row, credit, monthly facts and
findings again.  The last build keeps, per project, the digest of everything its results are
derived from: its matched rows in report order (every column, the match results included), its
match explanation and the context (reference, rules, conform code, months).  A project whose
digest is unchanged takes its rows from the last build's core tables (read in columns) and its
findings from the memo; any change to its inputs changes the digest and it is worked out again.

Tested: `tests/conform/test_project_memo.py`, the bundled-samples test that a memo gives
exactly the frames of working every project out again, and the incremental property test
against forced full rebuilds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from runtime.build_state import row_hashes

MEMO_COLUMNS = ["project_id", "digest", "findings"]
# A ledger column the caller may give: a digest of the row's other given columns, computed where
# the rows are stored (load_staging); the project digests then hash it instead of those columns.
ROW_HASH = "row_hash"


@dataclass
class ProjectMemo:
    """What the last build left for the next: per project the digest of its inputs and its
    findings (JSON, None when it had none), and the core rows it wrote.  `context` is what every
    project's results depend on besides its own rows (the settings fingerprint; conform adds the
    months and the rule values it is given)."""

    context: str = ""
    digests: dict[str, str] = field(default_factory=dict)
    findings: dict[str, str | None] = field(default_factory=dict)
    # dim_project, bridge and facts of the last build, read when first needed: after matching,
    # so the two never take memory at the same time
    read_core: Callable[[], dict[str, pd.DataFrame]] = dict
    _core: dict[str, pd.DataFrame] | None = field(default=None, repr=False)

    @classmethod
    def from_frames(cls, context: str, memo: pd.DataFrame,
                    read_core: Callable[[], dict[str, pd.DataFrame]]) -> ProjectMemo:
        pids = memo["project_id"].tolist()
        return cls(context, dict(zip(pids, memo["digest"], strict=True)),
                   dict(zip(pids, memo["findings"], strict=True)), read_core)

    @property
    def core(self) -> dict[str, pd.DataFrame]:
        if self._core is None:
            self._core = self.read_core()
        return self._core

    def release(self) -> None:
        """Forget the last build's rows (memory); they are read again if needed."""
        self._core = None

    def reusable(self, digests: dict[str, str]) -> set[str]:
        """The projects whose inputs are unchanged and whose rows the last build wrote."""
        same = {pid for pid, d in digests.items() if self.digests.get(pid) == d}
        if not same:
            return set()
        dim = self.core.get("dim_project")
        return same & set(dim["project_id"]) if dim is not None else set()


def project_digests(kept: pd.DataFrame, explain: dict[str, object], context: str,
                    given: list[str] | None = None) -> dict[str, str]:
    """project_id -> digest of its rows of `kept` (in their order: report order), its match
    explanation and `context`.  `given`: the ledger's columns as conform was given them; when
    they include `ROW_HASH`, it stands for the other given columns, and only it and the columns
    conform added (the match results) are hashed."""
    if kept.empty:
        return {}
    cols = sorted(kept.columns)
    if given is not None and ROW_HASH in given:
        cols = sorted([ROW_HASH, *(c for c in kept.columns if c not in given)])
    hashes = row_hashes(kept, cols)
    codes, pids = pd.factorize(kept["project_id"], sort=True)
    order = np.argsort(codes, kind="stable")  # rows of one project together, in report order
    codes, hashes = codes[order], hashes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    head = f"{context}|{','.join(sorted(kept.columns))}|{','.join(cols)}|".encode()
    out = {}
    for a, b in zip(starts, ends, strict=True):
        pid = pids[codes[a]]
        h = hashlib.sha256(head)
        h.update(hashes[a:b].tobytes())
        h.update(repr(explain.get(pid)).encode())
        out[pid] = h.hexdigest()
    return out


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not kept in the memo: {type(value).__name__}")


def encode_findings(rows: list[list]) -> str | None:
    """A project's findings ([kind, *Finding fields] each: texts, whole numbers, None) as JSON;
    None when it has none."""
    if not rows:
        return None
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_plain)


def decode_findings(text: str | None) -> list[list]:
    return json.loads(text) if text else []
