"""Project matching measured against labelled ground truth (issues 5 and 21).

    python -m benchmarks.matching              # the bundled samples (the world it was tuned on)
    python -m benchmarks.matching --seed 7     # a fresh world of another seed, never used for tuning

Prints pairwise precision and recall of the fuzzy project identity over every labelled ledger row
(tests/ground_truth/ledger_rows.csv), the number of true and predicted projects, the closest
scores on each side of the threshold, and the time the matching took.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from assets.conform.build import conform
from assets.conform.evaluate import pairwise_precision_recall, read_labelled_ledger
from runtime.reference import Reference

GT = Path(__file__).resolve().parents[1] / "tests" / "ground_truth" / "ledger_rows.csv"


def measure(ground_truth: Path) -> dict:
    """Pairwise precision and recall of conform's project identity over the labelled rows."""
    ledger, truth = read_labelled_ledger(ground_truth)
    periods = sorted(ledger["period"].unique())
    empty = pd.DataFrame()
    started = time.perf_counter()
    result = conform(ledger, empty, empty, empty, empty, Reference.load(), periods)
    seconds = time.perf_counter() - started
    m = result.matched_ledger
    ok = m["project_id"].notna()
    precision, recall = pairwise_precision_recall(m.loc[ok, "project_id"].tolist(),
                                                  truth[ok].tolist())
    return {"rows": len(ledger), "matched": int(ok.sum()), "true": truth[ok].nunique(),
            "predicted": m.loc[ok, "project_id"].nunique(), "precision": precision,
            "recall": recall, "seconds": seconds}


def generate_world(seed: int, folder: Path) -> Path:
    """A sample world of another seed (drop folder + truth) under `folder`; its truth folder."""
    from tests.samplegen import generate

    generate(str(folder / "raw"), str(folder / "truth"), seed=seed)
    return folder / "truth" / "ledger_rows.csv"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, help="generate and measure a world of this seed")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        gt = GT if args.seed is None else generate_world(args.seed, Path(tmp))
        r = measure(gt)
    print(f"world                {'bundled (seed 20221)' if args.seed is None else args.seed}")
    print(f"labelled rows        {r['rows']:>8,}  (matched: {r['matched']:,})")
    print(f"true projects        {r['true']:>8,}")
    print(f"predicted projects   {r['predicted']:>8,}")
    print(f"pairwise precision   {r['precision']:>8.4f}")
    print(f"pairwise recall      {r['recall']:>8.4f}")
    print(f"conform (matching, bridge, facts) {r['seconds']:.2f} s")
    return 0 if r["precision"] >= 0.98 and r["recall"] >= 0.98 else 1


if __name__ == "__main__":
    raise SystemExit(main())
