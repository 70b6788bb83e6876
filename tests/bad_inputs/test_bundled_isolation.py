"""Issue 20's "done when": the bundled samples with the hostile files added build every month and
every unit exactly as without them (the files that must change nothing), on DuckDB and
PostgreSQL.  Pure pipeline functions (ingest → core → every month's marts), as --all runs them."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from assets.conform.assets import build_core
from assets.ingest import registry
from assets.ingest.load import ingest
from assets.ingest.registry import month_folders
from assets.marts.assets import build_period
from runtime.resources import release_warehouses
from runtime.warehouse import Warehouse
from tests.bad_inputs import hostile
from tests.conftest import url_for
from tests.pipeline.bundled import SAMPLES, stamp_arrivals
from tests.reliability.helpers import CORE, MARTS

MONTH = "2022-05"
DISTRICTS_2022 = "附件1：2022年全市各县（区）、开发区招商引资目标任务分解表.xlsx"
LOCKED = "柳城县2022年5月招商引资项目统计表.xlsx"  # this file cannot be read in the hostile run


def add_hostile(root) -> None:
    month = root / MONTH
    shutil.copyfile(root / "targets" / DISTRICTS_2022, month / "柳南区-附件1.xlsx")
    older = root / "targets" / "2022年目标任务分解表（旧稿）.xlsx"
    shutil.copyfile(root / "targets" / DISTRICTS_2022, older)
    hostile._touch(older, hostile.OLD)
    resent = month / "柳南区2022年4月招商引资项目统计表（重报）.xlsx"
    shutil.copyfile(root / "2022-04" / "柳南区2022年4月招商引资项目统计表.xlsx", resent)
    hostile._touch(resent, hostile.NEW)
    hostile.zip_bomb(month / "柳南区_压缩炸弹.xlsx")
    hostile.et_not_a_workbook(month / "三江县.et")
    hostile.gbk_named_document(month)
    for name in ("2022-5", "2022年5月", "2022-13"):
        hostile.misnamed_folder(root, name)


def _build(url: str, root) -> dict[str, pd.DataFrame]:
    wh = Warehouse(url)
    try:
        wh.create_schema()
        ingest(wh, root)
        build_core(wh)
        for period in month_folders(root):
            build_period(wh, period)
        out = {}
        for table in [*(f"marts.{t}" for t in MARTS), *(f"core.{t}" for t in CORE)]:
            df = wh.read(f"SELECT * FROM {table}").astype(str)
            out[table] = df.sort_values(list(df.columns)).reset_index(drop=True)
        out["findings"] = wh.read("SELECT * FROM quality.findings WHERE stage = 'ingest'")
        out["files"] = wh.read("SELECT source_file, status FROM staging.files")
        return out
    finally:
        wh.dispose()
        release_warehouses()


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_bundled_samples_with_hostile_files_are_unchanged(backend, tmp_path, monkeypatch):
    stamp_arrivals()  # the copies keep the bundled files' arrival times
    base_root = tmp_path / "base"
    shutil.copytree(SAMPLES, base_root)
    (base_root / MONTH / LOCKED).unlink()  # without it: what the hostile run must equal
    base = _build(url_for(backend, tmp_path / "b"), base_root)

    root = tmp_path / "hostile"
    shutil.copytree(SAMPLES, root)
    add_hostile(root)
    real = registry._sha256
    monkeypatch.setattr(registry, "_sha256", lambda p: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied", str(p))) if p.name == LOCKED else real(p))
    (tmp_path / "h").mkdir()
    bad = _build(url_for(backend, tmp_path / "h"), root)

    for table in base:
        if table not in ("findings", "files"):
            pd.testing.assert_frame_equal(base[table], bad[table], obj=table)
    status = dict(zip(bad["files"].source_file, bad["files"].status))
    assert status[f"{MONTH}/柳南区-附件1.xlsx"] == "quarantined"
    assert status["targets/2022年目标任务分解表（旧稿）.xlsx"] == "superseded"
    assert status[f"{MONTH}/柳南区2022年4月招商引资项目统计表（重报）.xlsx"] == "superseded"
    assert status[f"{MONTH}/柳南区_压缩炸弹.xlsx"] == "quarantined"
    checks = set(zip(bad["findings"].source_file, bad["findings"].check_name))
    assert (f"{MONTH}/{LOCKED}", "unreadable_file") in checks
    assert (hostile.GBK_DOC.replace(hostile.MONTH, MONTH), "unreadable_file") in checks
    assert ("2022-5", "skipped_file") in checks and ("2022-13", "skipped_file") in checks
    assert os.path.exists(root / MONTH / LOCKED)  # it was there, and could not be read
