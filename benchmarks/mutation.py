"""Mutation score of the marts, conform and value-parser code with mutmut 3 (not in CI).

    pip install -e ".[dev,mutation]"
    python -m benchmarks.mutation                       # assets/marts (the default scope)
    python -m benchmarks.mutation red_black assessment  # named modules of assets/marts
    python -m benchmarks.mutation values conform --children 1
    python -m benchmarks.mutation --report-only         # score of what has been run so far
    python -m benchmarks.mutation red_black --sample 60 --seed 1   # a random sample of mutants

mutmut's settings (modules, tests, what is copied into mutants/) are in pyproject.toml
[tool.mutmut]; it remembers results in mutants/, so a stopped run resumes.  Sampling needs the
list of mutants: when mutants/ does not have it yet, they are generated first (mutmut's own
generation step, no test run). A surviving mutant
judged equivalent (no test could tell it apart) is listed with its reason in
benchmarks/mutation_equivalent.txt and left out of the score; docs/testing.md has the figures.
"""

from __future__ import annotations

import argparse
import fnmatch
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")
SCOPES = {
    "marts": ["assets.marts.*"],
    "conform": ["assets.conform.*"],
    "values": ["assets.ingest.values.*"],
}
MUTMUT = [sys.executable, "-m", "mutmut"]
LINE = re.compile(r"^\s+(\S+): (.+)$")


def globs_for(scopes: list[str]) -> list[str]:
    out = []
    for s in scopes:
        out += SCOPES.get(s, [f"assets.marts.{s}.*"])
    return out


def equivalent() -> dict[str, str]:
    """mutant name -> why it is equivalent (lines `name  reason`, # comments)."""
    out = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, why = line.strip().partition(" ")
                out[name] = why.strip()
    return out


def generate() -> None:
    """Write mutants/ (what `mutmut run` does before it runs any test), so they can be listed."""
    code = ("import os\n"
            "from mutmut.__main__ import (copy_also_copy_files, copy_src_dir, create_mutants,\n"
            "                             setup_source_paths)\n"
            "os.makedirs('mutants', exist_ok=True)\n"
            "copy_src_dir(); copy_also_copy_files(); setup_source_paths(); create_mutants(1)\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)


def results(globs: list[str]) -> dict[str, str]:
    text = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    found = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m and any(fnmatch.fnmatch(m.group(1), g) for g in globs):
            found[m.group(1)] = m.group(2).strip()
    return found


def report(found: dict[str, str], equiv: dict[str, str]) -> float | None:
    """Per module: killed / (every mutant tried − equivalent); a timeout counts as killed."""
    modules: dict[str, Counter] = {}
    for name, status in found.items():
        module = name.split(".x_")[0].split(".xǁ")[0]
        # judged equivalent only once run: a listed mutant not run here stays "not checked"
        kind = "equivalent" if name in equiv and status in ("survived", "no tests",
                                                                "timeout") else status
        modules.setdefault(module, Counter())[kind] += 1
    total = Counter()
    print(f"{'module':40} {'killed':>7} {'survived':>8} {'no tests':>8} {'timeout':>7} "
          f"{'equiv':>5} {'not run':>7} {'score':>6}")
    for module, c in sorted(modules.items()):
        total += c
        print(f"{module:40} {c['killed']:7} {c['survived']:8} {c['no tests']:8} "
              f"{c['timeout']:7} {c['equivalent']:5} {c['not checked']:7} {_score(c):>6}")
    print(f"{'all':40} {total['killed']:7} {total['survived']:8} {total['no tests']:8} "
          f"{total['timeout']:7} {total['equivalent']:5} {total['not checked']:7} "
          f"{_score(total):>6}")
    survivors = sorted(n for n, s in found.items() if s in ("survived", "no tests")
                       and n not in equiv)
    if survivors:
        print("\nsurviving, not judged equivalent (`mutmut show NAME`):")
        for n in survivors:
            print("  ", n, found[n])
    tried = sum(total[k] for k in ("killed", "survived", "no tests", "timeout"))
    return (total["killed"] + total["timeout"]) / tried if tried else None


def _score(c: Counter) -> str:
    tried = sum(c[k] for k in ("killed", "survived", "no tests", "timeout"))
    return f"{(c['killed'] + c['timeout']) / tried:.1%}" if tried else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scopes", nargs="*", default=["marts"],
                    help="marts, conform, values or a module of assets/marts (red_black …)")
    ap.add_argument("--children", type=int, default=1, help="parallel mutant runs")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--sample", type=int, default=0,
                    help="run only this many mutants not yet run, drawn at random per scope")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--names", type=Path,
                    help="a file of mutant names (one a line, e.g. a sample saved in mutants/): "
                         "run those of them in the scopes not yet run (or timed out: re-checked)")
    args = ap.parse_args(argv)
    globs = globs_for(args.scopes)
    if not args.report_only:
        names = globs
        if args.names:
            todo = {n for n, s in results(globs).items() if s in ("not checked", "timeout")}
            listed = args.names.read_text(encoding="utf-8").split()
            names = [n for n in listed if n in todo]
            print(f"{len(names)} of the {len(listed)} listed mutants not yet run")
            if not names:
                names = ["-"]
        elif args.sample:  # mutmut lists every generated mutant once `mutmut run` has started
            rnd = random.Random(args.seed)
            if not results(globs):
                generate()
            names = []
            for g in globs:
                todo = sorted(n for n, s in results([g]).items() if s == "not checked")
                picked = rnd.sample(todo, min(args.sample, len(todo)))
                print(f"{g}: {len(picked)} of {len(todo)} mutants not yet run")
                names += picked
            saved = ROOT / "mutants" / f"sample-{'-'.join(args.scopes)}-{args.sample}-{args.seed}.txt"
            saved.write_text("\n".join(names) + "\n", encoding="utf-8")
        if names != ["-"]:
            subprocess.run([*MUTMUT, "run", "--max-children", str(args.children), *names],
                           cwd=ROOT, check=False)
    score = report(results(globs), equivalent())
    print(f"\nmutation score (equivalent mutants left out): "
          f"{'-' if score is None else f'{score:.1%}'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
