import argparse

from . import generate

ap = argparse.ArgumentParser(description="Generate the bundled sample drop folder and its truth")
ap.add_argument("--out", default="raw_samples")
ap.add_argument("--truth", default="tests/ground_truth")
ap.add_argument("--seed", type=int, default=20221)
ap.add_argument("--rows-scale", type=float, default=1.0)
args = ap.parse_args()
summary = generate(args.out, args.truth, seed=args.seed, rows_scale=args.rows_scale)
for k, v in summary.items():
    print(f"{k}: {v}")
