"""benchmarks/loadgen.py with a worker pool writes the same drop folder as without one, and
exits (issue 9: the pool once hung at shutdown, each worker joining samplegen's nested writer
pool forever).  Two cities (39 + 1 units), one month: no encrypted file, so every byte is
reproducible."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _generate(out: Path, workers: int) -> dict[str, tuple[bytes, float]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.loadgen", "--units", "40", "--months", "1",
         "--scale", "0.3", "--workers", str(workers), "--out", str(out)],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=300)  # the hang it guards against never returned
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the generator and its workers
        proc.communicate()
        raise
    assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime)
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_workers_write_the_same_folder_as_one(tmp_path):
    one = _generate(tmp_path / "one" / "drop", 1)
    two = _generate(tmp_path / "two" / "drop", 2)
    assert any(name.startswith("2022-06/青岚") for name in one)  # the second city is there
    assert sorted(two) == sorted(one)
    assert [n for n in one if two[n] != one[n]] == []
