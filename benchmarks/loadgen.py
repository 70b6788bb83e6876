"""Province-scale drop folder generator (issue 9), reusing the deterministic sample generator.

    python -m benchmarks.loadgen --units 460 --months 12 --rows-per-ledger 225 --out /tmp/drop

tests/samplegen models one city (柳州: 39 submitting units in a year with task groups).  A
province is made of "cities": city 0 is the sample world itself; city k ≥ 1 is another sample
world (seed + k, so other projects, people and amounts) whose unit names are rewritten with a
fictional place prefix ("城中区" → "青岚城中区", "市工信局" → "青岚市工信局") in every cell and
file name.  All synthetic units hang under the one city of the reference, so the pipeline treats
them as more districts / departments / task groups.  Their reference entries are written to a
benchmark-specific copy of reference/ (`<out>.reference/`, pointed at by $REFERENCE_DIR); the
repo's reference/ is not touched.

Messiness (layouts, 万元 columns, merged cells, .xls, encrypted / truncated files, lock files,
duplicate rows, renamed projects, ...) is whatever samplegen plants, in every city.  Only city 0
writes target tables (a second district table of the same year would supersede the first).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference"
# fictional place names (none occurs in samplegen's vocabulary)
CITY_WORDS = ["青岚", "云溪", "白川", "望江", "紫阳", "玉屏", "凤鸣", "银湖", "翠峰", "松岭",
              "苍梧", "澄江", "临溪", "霞浦", "蓝田", "雁门", "鹤汀", "晴川", "桐庐", "柏乡"]
BASE_ROWS_PER_LEDGER = 9.6  # samplegen at rows_scale=1 over a 12-month year (measured)
SAMPLE_PERIODS = None  # filled lazily from tests.samplegen.world.ALL_PERIODS


def city_tag(k: int) -> str:
    """'' for the sample city, a fictional place prefix for the others."""
    if k == 0:
        return ""
    word = CITY_WORDS[(k - 1) % len(CITY_WORDS)]
    return word if k <= len(CITY_WORDS) else f"{word}{(k - 1) // len(CITY_WORDS) + 1}"


def _unit_entries() -> list[dict]:
    return yaml.safe_load((REFERENCE / "units.yaml").read_text(encoding="utf-8"))["units"]


def _names_pattern() -> re.Pattern:
    """Every non-city unit name and alias, longest first (so 柳江区 wins over 柳江)."""
    names = set()
    for u in _unit_entries():
        if u["type"] == "city":
            continue
        names.add(u["name"])
        names.update(u.get("aliases") or ())
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n))))


class Renamer:
    def __init__(self, tag: str):
        self.tag = tag
        self.pattern = _names_pattern()

    def text(self, value: str) -> str:
        if not self.tag:
            return value
        return self.pattern.sub(lambda m: self.tag + m.group(0), value)

    def file_name(self, name: str) -> str:
        if not self.tag:
            return name
        renamed = self.text(name)
        if renamed != name:
            return renamed
        lock = name.startswith(("~$", "."))
        prefix = name[:2] if name.startswith("~$") else name[:1] if lock else ""
        return prefix + self.tag + name[len(prefix):]


def write_reference(out: Path, cities: int) -> Path:
    """A copy of reference/ whose units.yaml also lists every synthetic city's units."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REFERENCE, out)
    units = _unit_entries()
    extra = []
    for k in range(1, cities):
        ren = Renamer(city_tag(k))
        for u in units:
            if u["type"] == "city":
                continue
            parent = u.get("parent")
            city_parent = parent is None or next(
                (x for x in units if x["name"] == parent), {}).get("type") == "city"
            extra.append({
                "name": ren.tag + u["name"],
                "type": u["type"],
                "parent": parent if city_parent else ren.tag + parent,
                "aliases": [ren.tag + a for a in (u.get("aliases") or ())],
            })
    text = yaml.safe_dump({"units": units + extra}, allow_unicode=True, sort_keys=False,
                          width=200)
    (out / "units.yaml").write_text("# benchmark copy (benchmarks/loadgen.py)\n" + text,
                                    encoding="utf-8")
    return out


def _renamed_sheets(sheets, ren: Renamer):
    from tests.samplegen.writer import Sheet

    out = []
    for sh in sheets:
        rows = [[ren.text(v) if isinstance(v, str) else v for v in row] for row in sh.rows]
        out.append(Sheet(sh.name, rows, list(sh.merges), sh.hidden, list(sh.kinds)))
    return out


def _worker_init() -> None:
    """Pool initializer, in a freshly spawned process before anything imports openpyxl.

    tests/samplegen/writer.py writes an .xlsx through a lazily started, never shut down
    ProcessPoolExecutor when openpyxl uses lxml.  Inside a pool worker that nested pool deadlocks
    the worker's exit: multiprocessing's exit handler joins every child process before
    concurrent.futures' own exit hook would tell the nested worker to stop, so the city's worker
    waits for its child forever and `pool.shutdown()` waits for the worker.  With OPENPYXL_LXML
    off, openpyxl serialises with ElementTree in this process (the bytes the nested worker
    would write) and no nested pool is ever started."""
    os.environ["OPENPYXL_LXML"] = "False"
    from openpyxl import LXML

    if LXML:  # openpyxl imported before the initializer: writing would start the nested pool
        raise RuntimeError("loadgen worker: openpyxl still uses lxml")


def _generate_city(args: tuple) -> dict:
    """One city's drop folder into `tmp` (run in a worker process)."""
    k, tmp, seed, units, months, rows_scale = args
    import tests.samplegen.activities as acts
    import tests.samplegen.ledgers as ledgers
    import tests.samplegen.specials as specials
    import tests.samplegen.targets as targets
    from tests.samplegen import generate
    from tests.samplegen.writer import write_workbook

    ren = Renamer(city_tag(k))

    def write(path, sheets):
        write_workbook(path, _renamed_sheets(sheets, ren))

    # a worker process may generate several cities in any order: city 0 writes unrenamed
    for mod in (acts, ledgers, specials, targets):
        mod.write_workbook = write if k else write_workbook
    started = time.perf_counter()
    generate(Path(tmp) / "drop", Path(tmp) / "truth", seed=seed + k, units=units,
             months=months, rows_scale=rows_scale)
    truth = Path(tmp) / "truth"
    with open(truth / "ledger_rows.csv", encoding="utf-8") as fh:
        ledger_rows = sum(1 for _ in fh) - 1
    return {"city": k, "tag": ren.tag, "seconds": time.perf_counter() - started,
            "ledger_rows": ledger_rows}


def _world_units(months: list[str]) -> list[str]:
    from tests.samplegen.world import World

    return list(World(20221, None, months, 1.0).units)


def generate_province(out: Path, units: int = 460, months: int = 12,
                      rows_per_ledger: float | None = None, rows_scale: float | None = None,
                      seed: int = 20221, workers: int | None = None,
                      reference_out: Path | None = None) -> dict:
    """Write the drop folder into `out` and its reference copy; returns a summary dict."""
    from tests.samplegen.world import ALL_PERIODS

    if months < 1 or months > len(ALL_PERIODS):
        raise SystemExit(f"--months must be 1..{len(ALL_PERIODS)}")
    periods = list(ALL_PERIODS[-months:])
    if rows_scale is None:
        rows_scale = (rows_per_ledger or BASE_ROWS_PER_LEDGER) / BASE_ROWS_PER_LEDGER
    per_city = _world_units(periods)
    cities = max(1, math.ceil(units / len(per_city)))
    jobs = []
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    scratch = Path(tempfile.mkdtemp(prefix="loadgen-", dir=out.parent))
    for k in range(cities):
        left = units - k * len(per_city)
        subset = None if left >= len(per_city) else per_city[:left]
        jobs.append((k, str(scratch / f"city{k:02d}"), seed, subset, periods, rows_scale))
    started = time.perf_counter()
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers > 1:  # spawn: no fork of a parent with threads or with openpyxl already imported
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_worker_init) as pool:
            done = list(pool.map(_generate_city, jobs))
    else:
        done = [_generate_city(j) for j in jobs]
    files = 0
    for job in jobs:
        k, tmp = job[0], Path(job[1]) / "drop"
        ren = Renamer(city_tag(k))
        for path in sorted(tmp.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(tmp)
            if k and rel.parts[0] == "targets":
                continue
            dest = out / rel.parent / ren.file_name(rel.name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():
                raise RuntimeError(f"loadgen: two cities wrote {dest}")
            os.replace(path, dest)  # keeps the deterministic mtime samplegen set
            files += 1
    shutil.rmtree(scratch)
    ref_dir = write_reference(Path(reference_out or f"{out}.reference"), cities)
    summary = {
        "out": str(out), "reference_dir": str(ref_dir), "cities": cities,
        "units": min(units, cities * len(per_city)), "months": periods,
        "rows_scale": rows_scale, "files": files,
        "ledger_rows_expected": sum(d["ledger_rows"] for d in done),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out.parent / f"{out.name}.loadgen.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="drop folder to (re)create")
    ap.add_argument("--units", type=int, default=460, help="submitting units (39 per city)")
    ap.add_argument("--months", type=int, default=12, help="months, ending 2022-06 (max 18)")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--rows-per-ledger", type=float, help="approx. average rows per ledger")
    size.add_argument("--scale", type=float, help="samplegen rows_scale (1.0 ≈ 9.6 rows)")
    ap.add_argument("--seed", type=int, default=20221)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--reference-out", type=Path, default=None,
                    help="where to write the extended reference/ (default <out>.reference)")
    args = ap.parse_args(argv)
    summary = generate_province(args.out, args.units, args.months, args.rows_per_ledger,
                                args.scale, args.seed, args.workers, args.reference_out)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
