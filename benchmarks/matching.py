"""Project matching measured against the bundled samples' ground truth (issue 5).

    python -m benchmarks.matching

Prints pairwise precision and recall of the fuzzy project identity over every labelled ledger row
(tests/ground_truth/ledger_rows.csv), the number of true and predicted projects, the closest
scores on each side of the threshold, and the time the matching took.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from assets.conform.build import conform
from assets.conform.evaluate import pairwise_precision_recall, read_labelled_ledger
from runtime.reference import Reference

GT = Path(__file__).resolve().parents[1] / "tests" / "ground_truth" / "ledger_rows.csv"


def main() -> int:
    ledger, truth = read_labelled_ledger(GT)
    periods = sorted(ledger["period"].unique())
    empty = pd.DataFrame()
    started = time.perf_counter()
    result = conform(ledger, empty, empty, empty, empty, Reference.load(), periods)
    seconds = time.perf_counter() - started
    m = result.matched_ledger
    ok = m["project_id"].notna()
    precision, recall = pairwise_precision_recall(m.loc[ok, "project_id"].tolist(),
                                                  truth[ok].tolist())
    print(f"labelled rows        {len(ledger):>8,}  (matched: {int(ok.sum()):,})")
    print(f"true projects        {truth[ok].nunique():>8,}")
    print(f"predicted projects   {m.loc[ok, 'project_id'].nunique():>8,}")
    print(f"pairwise precision   {precision:>8.4f}")
    print(f"pairwise recall      {recall:>8.4f}")
    print(f"conform (matching, bridge, facts) {seconds:.2f} s")
    return 0 if precision >= 0.98 and recall >= 0.98 else 1


if __name__ == "__main__":
    raise SystemExit(main())
