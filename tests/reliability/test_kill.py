"""(a) A run killed mid-write (os._exit(137) at a named point, or SIGKILL on a timer) leaves the
warehouse as the last completed run left it, and the next run gives the marts of an
uninterrupted run."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.pipeline import dropfolder
from tests.reliability.helpers import (
    assert_same,
    cli,
    cli_env,
    differs,
    run_period,
    snapshot,
)

PERIOD = "2021-02"
MARTS = [f"marts.{t}" for t in ("target_progress", "city_summary", "four_rates",
                                "red_black_list", "performance_assessment")]
CORE = ["core.dim_project", "core.bridge_project_unit", "core.fact_project_period"]


def change_month(root: Path) -> None:
    """What the killed run should have brought in: 柳北区 reports late, 柳南区 corrects itself."""
    dropfolder.ledger(root / PERIOD / "柳北区.xlsx", "柳北区", PERIOD, [
        ["新材料", "柳北新材料产业园", "柳北某新材料有限公司", 8, 2, None, "2021年2月", "已开工",
         "否", None]])
    dropfolder.ledger(root / PERIOD / "柳南区（更正）.xlsx", "柳南区", PERIOD, [
        ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 3, None,
         "2021年1月", "已开工", "是", None]])


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A warehouse holding a completed 2021-02, the drop folder changed since, and the snapshot
    an uninterrupted run on the changed folder gives (computed on a separate warehouse)."""
    tmp = tmp_path_factory.mktemp("kill")
    root = dropfolder.build(tmp / "drop")
    db = tmp / "warehouse.duckdb"
    assert run_period(f"duckdb:///{db}", root, PERIOD, tmp).success
    before = snapshot(f"duckdb:///{db}")
    change_month(root)
    ref_url = f"duckdb:///{tmp / 'reference.duckdb'}"
    assert run_period(ref_url, root, PERIOD, tmp).success
    expected = snapshot(ref_url)
    assert differs(before, expected, "marts.target_progress")  # the change matters
    return root, db, before, expected


@pytest.fixture
def world(template, tmp_path):
    root, db, before, expected = template
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(db, copy)
    return root, f"duckdb:///{copy}", before, expected


# point → the layers that must still equal the last completed run
INTACT = {
    "staging_tx": ["staging.files", "staging.ledger_rows", *CORE, *MARTS],
    "staging_done": [*CORE, *MARTS],
    "core_tx": [*CORE, *MARTS],
    "marts_tx": MARTS,
}


@pytest.mark.parametrize("point", list(INTACT))
def test_killed_at_a_named_point(world, tmp_path, point):
    root, url, before, expected = world
    proc = cli(PERIOD, cli_env(url, root, tmp_path, ZS_FAULT_AT=point))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 137, (out, err)
    after = snapshot(url)
    assert_same(before, after, INTACT[point])
    # the next run completes and equals an uninterrupted one
    assert run_period(url, root, PERIOD, tmp_path).success
    assert_same(expected, snapshot(url), [*MARTS, *CORE, "quality.findings", "staging.files"])


@pytest.mark.parametrize("delay", [0.0, 0.7, 2.0])
def test_sigkill_while_writing(world, tmp_path, delay):
    """Wherever the kill lands, the marts are the old ones or the new ones, never a mix.

    The kill is timed from the moment the run starts writing (DuckDB opens its write-ahead log),
    and the test checks it really landed (the process died of SIGKILL) rather than passing on a
    run that had finished."""
    root, url, before, expected = world
    wal = Path(url.removeprefix("duckdb:///") + ".wal")
    proc = cli(PERIOD, cli_env(url, root, tmp_path))
    deadline = time.monotonic() + 300
    while not wal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert wal.exists(), "the run never started writing"
    time.sleep(delay)
    assert proc.poll() is None, "the run ended before the kill: nothing was tested"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.2)
    after = snapshot(url, ("marts",))
    assert not differs(before, after, MARTS[0]) or not differs(expected, after, MARTS[0])
