"""Stamp the bundled samples with their arrival times (standard library only).

    python -m tests.samplegen.arrivals [raw_samples] [tests/ground_truth/arrivals.csv]

A submission's time is its file's modification time, which git does not keep: in a fresh clone
every bundled workbook carries the checkout time and every submission would read as late.  This
sets each file listed in the generator's manifest to its planned arrival (os.utime), so the
reporting duty of the bundled samples shows the planted missing and late submissions only.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .duty import apply_manifest, read_manifest

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    if len(argv) > 2 or any(a.startswith("-") for a in argv):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    root = Path(argv[0]) if argv else REPO / "raw_samples"
    manifest = Path(argv[1]) if len(argv) > 1 else REPO / "tests" / "ground_truth" / "arrivals.csv"
    if not manifest.is_file():
        print(f"no arrival manifest at {manifest}", file=sys.stderr)
        return 1
    absent = apply_manifest(root, manifest)
    listed = len(read_manifest(manifest))
    print(f"stamped {listed - len(absent)} of {listed} files in {root} with their arrival times")
    for rel in absent:
        print(f"not found: {rel}", file=sys.stderr)
    return 1 if absent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
