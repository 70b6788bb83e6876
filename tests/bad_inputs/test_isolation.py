"""One bad file is that file's problem (GitHub issue 20), on DuckDB and on PostgreSQL.

The corpus of issue 10 is run twice per warehouse: as it is, and with every hostile input of
tests/bad_inputs/hostile.py added (plus one file the process cannot read).  Every month runs,
every hostile input has its finding, and every unit the hostile files do not belong to — and
every month they are not in — is exactly as without them.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from assets.ingest import registry
from runtime.findings import CHECKS
from runtime.resources import release_warehouses
from runtime.warehouse import Warehouse
from tests.bad_inputs import hostile
from tests.bad_inputs import make_corpus as corpus
from tests.conftest import url_for
from tests.reliability.helpers import run_period, snapshot

CJK = re.compile(r"[\u4e00-\u9fff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MONTHS = ("2021-01", corpus.MONTH)
LOADED_UNITS = {"市商务局", "市农业农村局", "市住房城乡建设局"}
LOCKED = f"{corpus.MONTH}/柳城县_无权限.xlsx"  # a file the process cannot read


def _unreadable_sha(real_sha):
    """Opening LOCKED fails as it does for a file without read permission (the tests run as
    root, for whom chmod 000 does not stop a read)."""
    def sha(path):
        if path.name == LOCKED.split("/")[-1]:
            raise PermissionError(13, "Permission denied", str(path))
        return real_sha(path)
    return sha


def _run_all(url, root, tmp_path):
    results = [run_period(url, root, period, tmp_path) for period in MONTHS]
    assert all(r.success for r in results), [r.success for r in results]
    return snapshot(url, ("marts", "core", "quality", "staging"))


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def runs(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"isolation_{request.param}")
    base_root = corpus.build(tmp / "base", symlinks=False)
    base = _run_all(url_for(request.param, tmp / "base"), base_root, tmp / "base")
    release_warehouses()
    root = hostile.build(tmp / "hostile")
    corpus.ledger(root / LOCKED, "柳城县", [corpus._row("无权限文件项目", "柳城某公司", total=9)])
    url = url_for(request.param, tmp / "hostile")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(registry, "_sha256", _unreadable_sha(registry._sha256))
        bad = _run_all(url, root, tmp / "hostile")
    yield base, bad, url
    release_warehouses()


def _rows(snap, table, **where) -> pd.DataFrame:
    df = snap[table]
    for column, keep in where.items():
        df = df[df[column].map(keep)]
    return df.reset_index(drop=True)


def test_other_units_and_months_are_exactly_as_without_the_hostile_files(runs):
    base, bad, _url = runs
    # targets: a copy in a month folder and an older overlapping table never add up
    pd.testing.assert_frame_equal(base["core.fact_target"], bad["core.fact_target"])
    # every unit of the corpus, every month, every indicator: unchanged
    other = {"unit_name": lambda u: u not in LOADED_UNITS and u != "柳州市"}
    pd.testing.assert_frame_equal(_rows(base, "marts.target_progress", **other),
                                  _rows(bad, "marts.target_progress", **other))
    reported = {"reported_by": lambda u: u not in LOADED_UNITS}
    pd.testing.assert_frame_equal(_rows(base, "core.fact_project_period", **reported),
                                  _rows(bad, "core.fact_project_period", **reported))
    # the month without hostile files is the same in every mart, city rows included
    for table in ("marts.target_progress", "marts.city_summary", "marts.red_black_list",
                  "marts.performance_assessment"):
        january = {"period": lambda p: str(p).startswith("2021-01")}
        pd.testing.assert_frame_equal(_rows(base, table, **january), _rows(bad, table, **january),
                                      obj=table)


def test_every_hostile_file_has_its_finding(runs):
    _base, bad, _url = runs
    files = bad["staging.files"]
    status = dict(zip(files.source_file, files.status))
    findings = bad["quality.findings"]
    for rel, (_builder, check, severity, expected) in {**hostile.INERT, **hostile.LOADED}.items():
        assert status.get(rel) == expected, (rel, status.get(rel))
        if check is None:
            continue
        mine = findings[(findings.source_file == rel) & (findings.check_name == check)]
        assert len(mine), f"no {check} finding for {rel}"
        assert set(mine.severity) == {severity}, (rel, set(mine.severity))
        assert all(CJK.search(m) for m in mine.message)
    superseded = findings[findings.check_name == "superseded_file"].set_index("source_file")
    # which file won and why
    assert "柳江区.xlsx" in superseded.loc[f"{corpus.MONTH}/柳江区（更正）.xlsx", "message"]
    assert "更早" in superseded.loc[f"{corpus.MONTH}/柳江区（更正）.xlsx", "message"]
    assert "2021-01" in superseded.loc[f"{corpus.MONTH}/柳南区（1月重报）.xlsx", "message"]
    assert "不相加" in superseded.loc["targets/2021年目标任务（征求意见稿）.xlsx", "message"]


def test_unreadable_names_and_folders_are_findings(runs):
    _base, bad, _url = runs
    findings = bad["quality.findings"]
    by_file = findings.groupby("source_file")
    locked = by_file.get_group(LOCKED)
    assert list(locked.check_name) == ["unreadable_file"] and "Permission denied" in \
        locked.message.iloc[0]
    assert LOCKED not in set(bad["staging.files"].source_file)
    # GBK names: read under their decoded name, with a warning; never a failed month
    for rel in (hostile.GBK_DOC, hostile.GBK_LEDGER):
        mine = by_file.get_group(rel)
        assert "warning" in set(mine.severity) and "unreadable_file" in set(mine.check_name)
    assert dict(zip(bad["staging.files"].source_file, bad["staging.files"].status))[
        hostile.GBK_LEDGER] == "loaded"
    stray = by_file.get_group(hostile.STRAY)
    assert list(stray.severity) == ["warning"] and "不在任何月份文件夹" in stray.message.iloc[0]
    for folder, wanted in hostile.MISNAMED.items():
        mine = by_file.get_group(folder)
        assert list(mine.severity) == ["warning"], folder
        if wanted:
            assert f"「{wanted}」" in mine.message.iloc[0]
        else:
            assert "不存在" in mine.message.iloc[0]


def test_bad_cells_are_findings_naming_the_cell(runs):
    _base, bad, url = runs
    source = f"{corpus.MONTH}/市商务局_坏值.xlsx"
    findings = bad["quality.findings"]
    mine = findings[findings.source_file == source]
    text: dict[str, str] = {}
    for row, message in zip(mine.source_row, mine.message):
        key = str(int(float(row))) if row not in ("None", "nan", "<NA>") else "-"
        text[key] = text.get(key, "") + message
    assert "C4" in text["4"] and "#VALUE!" in text["4"]
    assert "C5" in text["5"] and "#N/A" in text["5"]
    assert "E6" in text["6"] and "#REF!" in text["6"]
    assert "F7" in text["7"] and "没有保存计算结果" in text["7"]
    assert "12,34" in text["9"]
    assert "10月" in text["10"]
    assert "晚于报送月份" in text["11"]
    assert any("XFD12" in m for m in mine.message)
    wh = Warehouse(url)
    try:
        rows = wh.read("SELECT * FROM staging.ledger_rows WHERE source_file = :f", {"f": source})
        by_row = rows.set_index("source_row")
        # never a counted project, never a vanished row, no invented value
        assert not by_row.loc[4, "row_ok"] and by_row.loc[4, "project_name"] is None
        assert not by_row.loc[5, "row_ok"] and by_row.loc[5, "project_name_raw"] == "#N/A"
        assert pd.isna(by_row.loc[9, "total_investment"])
        assert by_row.loc[10, "signed_on"] is None
        assert by_row.loc[11, "signed_on"] == "2021-05"
        names = set(wh.read("SELECT project_name FROM core.dim_project").project_name.dropna())
        assert not any(n.startswith("#") for n in names)
        # control characters never reach either warehouse
        assert by_row.loc[8, "project_name"] == "控制字符项目"
        for table in ("staging.ledger_rows", "staging.files", "quality.findings"):
            for column, values in wh.read(f"SELECT * FROM {table}").items():
                assert not values.astype(str).str.contains(CONTROL).any(), (table, column)
    finally:
        wh.dispose()


def test_checks_used_are_known(runs):
    _base, bad, _url = runs
    assert set(bad["quality.findings"].check_name) <= set(CHECKS)


FULL_DISK = r"""
import resource, signal, sys
from pathlib import Path
from assets.reports.excel import write_excel
from assets.reports.html import write_html
from assets.reports.tongbao import load_report_data
from runtime.warehouse import Warehouse

wh = Warehouse(sys.argv[1])
data = load_report_data(wh, sys.argv[2])
wh.dispose()
out = Path(sys.argv[3])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit a write fails (EFBIG), as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
failed = []
for write in (write_excel, write_html):
    try:
        write(data, out)
    except OSError as exc:
        failed.append(exc.errno)
print(failed)
"""


def test_a_full_reports_folder_leaves_no_tmp_file(runs, tmp_path):
    import subprocess
    import sys

    from tests.reliability.helpers import REPO

    _base, _bad, url = runs
    out = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-c", FULL_DISK, url, corpus.MONTH, str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[27, 27]", done.stdout  # EFBIG for both writers
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []
