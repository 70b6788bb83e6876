"""(e) A resubmitted file supersedes the old one; the old one stays registered, with its rows."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal

from runtime.warehouse import Warehouse
from tests.pipeline import dropfolder
from tests.reliability.helpers import assert_same, run_period, snapshot

PERIOD = "2021-02"
ROW = ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 2.5, None, "2021年1月",
       "已开工", "是", None]


def _funds(wh: Warehouse) -> Decimal:
    tp = wh.read("SELECT actual FROM marts.target_progress WHERE period = :p AND "
                 "unit_name = '柳南区' AND indicator = 'funds_in_place'", {"p": PERIOD})
    return Decimal(str(tp.actual.iloc[0]))


def assert_marts_as_if_alone(url, root, old: str | None, tmp_path) -> None:
    """The marts equal those of a fresh warehouse that never saw the superseded file."""
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, copy_function=shutil.copy2)
    if old:
        (clean / old).unlink()
    ref_url = f"duckdb:///{tmp_path / 'clean.duckdb'}"
    assert run_period(ref_url, clean, PERIOD, tmp_path).success
    assert_same(snapshot(ref_url, ("marts",)), snapshot(url, ("marts",)))


def test_correction_file_supersedes(warehouse_url, tmp_path):
    root = dropfolder.build(tmp_path / "drop")
    assert run_period(warehouse_url, root, PERIOD, tmp_path).success
    wh = Warehouse(warehouse_url)
    try:
        assert _funds(wh) == Decimal("4")
        old = wh.read("SELECT file_id FROM staging.files WHERE source_file = :f",
                      {"f": f"{PERIOD}/柳南区.xlsx"}).file_id.item()
        fixed = dropfolder.ledger(root / PERIOD / "柳南区（更正）.xlsx", "柳南区", PERIOD,
                                  [ROW[:4] + [5] + ROW[5:]])
        later = os.stat(root / PERIOD / "柳南区.xlsx").st_mtime + 60
        os.utime(fixed, (later, later))
        assert run_period(warehouse_url, root, PERIOD, tmp_path).success
        files = wh.read("SELECT file_id, source_file, status, superseded_by FROM staging.files")
        by_name = {r.source_file: r for r in files.itertuples()}
        new = by_name[f"{PERIOD}/柳南区（更正）.xlsx"]
        gone = by_name[f"{PERIOD}/柳南区.xlsx"]
        assert (new.status, gone.status) == ("loaded", "superseded")
        assert gone.superseded_by == new.file_id and gone.file_id == old
        # the old rows stay in staging, and only the new file counts
        assert wh.scalar("SELECT COUNT(*) FROM staging.ledger_rows WHERE file_id = :f",
                         {"f": old}) == 3
        assert _funds(wh) != Decimal("4")
        assert_marts_as_if_alone(warehouse_url, root, f"{PERIOD}/柳南区.xlsx", tmp_path)
        notes = wh.read("SELECT source_file FROM quality.findings "
                        "WHERE check_name = 'superseded_file'")
        assert list(notes.source_file) == [f"{PERIOD}/柳南区.xlsx"]
    finally:
        wh.dispose()


def test_same_name_new_content_supersedes(warehouse_url, tmp_path):
    root = dropfolder.build(tmp_path / "drop")
    assert run_period(warehouse_url, root, PERIOD, tmp_path).success
    wh = Warehouse(warehouse_url)
    try:
        old = wh.read("SELECT file_id FROM staging.files WHERE source_file = :f",
                      {"f": f"{PERIOD}/柳南区.xlsx"}).file_id.item()
        dropfolder.ledger(root / PERIOD / "柳南区.xlsx", "柳南区", PERIOD, [ROW[:4] + [7] + ROW[5:]])
        assert run_period(warehouse_url, root, PERIOD, tmp_path).success
        files = wh.read("SELECT file_id, status, superseded_by FROM staging.files "
                        "WHERE source_file = :f", {"f": f"{PERIOD}/柳南区.xlsx"})
        assert len(files) == 2
        old_rec = files[files.file_id == old].iloc[0]
        new_rec = files[files.file_id != old].iloc[0]
        assert old_rec.status == "superseded" and old_rec.superseded_by == new_rec.file_id
        assert new_rec.status == "loaded"
        assert wh.scalar("SELECT COUNT(*) FROM staging.ledger_rows WHERE file_id = :f",
                         {"f": old}) == 3
        assert _funds(wh) != Decimal("4")
        assert_marts_as_if_alone(warehouse_url, root, None, tmp_path)
    finally:
        wh.dispose()


def test_target_table_replaced_in_place(warehouse_url, tmp_path):
    """A corrected target table saved over the old one (same path, new bytes) is the one in
    force: its targets reach core.fact_target and the marts, the old version stays registered."""
    root = dropfolder.build(tmp_path / "drop")
    assert run_period(warehouse_url, root, PERIOD, tmp_path).success
    table = "targets/2021年县区目标任务分解表.xlsx"
    dropfolder.district_targets(root / table, liunan_funds=25)
    assert run_period(warehouse_url, root, PERIOD, tmp_path).success
    wh = Warehouse(warehouse_url)
    try:
        files = wh.read("SELECT status FROM staging.files WHERE source_file = :f", {"f": table})
        assert sorted(files.status) == ["loaded", "superseded"]
        targets = wh.read("SELECT unit_name, target FROM core.fact_target "
                          "WHERE indicator = 'funds_in_place' ORDER BY unit_name")
        got = {r.unit_name: Decimal(str(r.target)) for r in targets.itertuples()}
        assert got == {"柳南区": Decimal(25), "柳江区": Decimal(10), "柳州市": Decimal(35)}
        tp = wh.read("SELECT target FROM marts.target_progress WHERE period = :p AND "
                     "unit_name = '柳南区' AND indicator = 'funds_in_place'", {"p": PERIOD})
        assert Decimal(str(tp.target.iloc[0])) == Decimal(25)
        assert_marts_as_if_alone(warehouse_url, root, None, tmp_path)
    finally:
        wh.dispose()
