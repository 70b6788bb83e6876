"""The office's 四率 baseline file (reference/four_rates_baseline.csv) and the marts-stage
findings, parsed and then used through the real marts asset code on DuckDB and PostgreSQL."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.assets import build_period
from assets.marts.baseline import FILE_NAME, load_baseline, parse_baseline
from runtime import build_state
from runtime.reference import REFERENCE_DIR
from runtime.warehouse import Warehouse

from .builders import fact, make_core, project

HEADER = "year,unit_name,performance_rate,funds_rate,start_rate,completion_rate"


def test_shipped_file_has_the_header_and_no_rows():
    frame, findings, digest = load_baseline(REFERENCE_DIR / FILE_NAME)
    assert len(frame) == 0 and findings == [] and digest != "absent"
    lines = (REFERENCE_DIR / FILE_NAME).read_text(encoding="utf-8").splitlines()
    assert HEADER in lines and lines[0].startswith("#")


def test_fractions_and_percentages():
    text = f"# 说明\n{HEADER}\n2021,柳南区,0.5,12.5%,0,100%\n2021,柳州市,1,0.0,0.25,0.1\n"
    frame, findings = parse_baseline(text)
    assert findings == []
    rows = frame.set_index("unit_name")
    assert rows.loc["柳南区"].tolist()[1:] == [0.5, 0.125, 0.0, 1.0]
    assert rows.loc["柳州市", "year"] == 2021


@pytest.mark.parametrize("line, why", [
    ("2021,柳南区,0.5,,0.1,0.1", "funds_rate 不是"),
    ("2021,柳南区,0.5,abc,0.1,0.1", "funds_rate 不是"),
    ("2021,柳南区,1.01,0.1,0.1,0.1", "performance_rate 不是"),   # just above 100%
    ("2021,柳南区,-0.01,0.1,0.1,0.1", "performance_rate 不是"),
    ("二〇二一,柳南区,0.5,0.1,0.1,0.1", "年度或单位"),
    ("2021,,0.5,0.1,0.1,0.1", "年度或单位"),
])
def test_bad_rows_are_findings_and_left_out(line, why):
    frame, findings = parse_baseline(f"{HEADER}\n2021,柳北区,1,1,1,1\n{line}\n")
    assert list(frame["unit_name"]) == ["柳北区"]
    assert len(findings) == 1
    f = findings[0]
    assert f.check_name == "invalid_value" and f.source_row == 3 and why in f.message
    assert f.message.startswith(f"四率基数文件 {FILE_NAME} 第3行")


def test_duplicate_and_missing_header():
    frame, findings = parse_baseline(f"{HEADER}\n2021,柳北区,1,1,1,1\n2021,柳北区,0,0,0,0\n")
    assert len(frame) == 1 and "重复" in findings[0].message
    frame, findings = parse_baseline("year,unit_name,performance_rate\n2021,柳北区,1\n")
    assert len(frame) == 0 and "表头缺少列" in findings[0].message


# --- through the marts asset code on a real warehouse --------------------------------------------
def _core():
    """城中区 has a 三企入桂 project; 2021-12 is not loaded (no baseline unless the file has one)."""
    projects = [project("S1", 10, sanqi=True, signed="2022-02"),
                project("S2", 5, sanqi=True, signed="2021-06")]
    bridge = [("S1", "城中区", "territorial", "2022-02"), ("S2", "城中区", "territorial", "2021-06")]
    facts = [fact("S2", "2021-06"), fact("S1", "2022-02"), fact("S2", "2022-02", "注册"),
             fact("S1", "2022-03", "开工", funds=2), fact("S2", "2022-03", "注册")]
    return make_core(projects, bridge, facts, [(2022, "城中区", "funds_in_place", 10)])


def _write_core(wh: Warehouse, core) -> None:
    """The builder frames, restricted to the columns this warehouse's core tables have."""
    tables = {"dim_unit": core.units, "dim_project": core.projects,
              "bridge_project_unit": core.bridge, "fact_project_period": core.facts,
              "fact_target": core.targets}
    with wh.transaction() as tx:
        for name, df in tables.items():
            cols = wh.columns(f"core.{name}")
            tx.replace(f"core.{name}", df[[c for c in df.columns if c in cols]])


def _baseline_findings(wh: Warehouse) -> pd.DataFrame:
    return wh.read("SELECT check_name, period, unit_name, message FROM quality.findings "
                   "WHERE stage = 'marts' ORDER BY unit_name, period")


def _reference_dir(tmp_path, monkeypatch):
    """A copy of reference/ used as REFERENCE_DIR, so the test can edit the baseline file."""
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    monkeypatch.setenv("REFERENCE_DIR", str(folder))
    return folder


@pytest.fixture
def warehouse(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    yield wh
    wh.dispose()


def test_no_baseline_finding_once_per_unit_and_year(warehouse, rules, tmp_path, monkeypatch):
    (_reference_dir(tmp_path, monkeypatch) / FILE_NAME).unlink()  # no baseline file at all
    _write_core(warehouse, _core())
    for period in ("2022-03", "2022-02", "2022-03"):
        build_period(warehouse, period, rules)
    found = _baseline_findings(warehouse)
    # dated at the first month of 2022 with a cohort: S2 (signed 2021-06) from 2022-01
    assert list(zip(found["unit_name"], found["period"])) == [
        ("城中区", "2022-01"), ("柳州市", "2022-01")]
    assert set(found["check_name"]) == {"no_four_rates_baseline"}
    fr = warehouse.read("SELECT * FROM marts.four_rates WHERE period = '2022-03' "
                        "AND unit_name = '城中区'")
    assert fr.loc[0, "baseline_source"] == "none"
    assert pd.isna(fr.loc[0, "start_rate_increment"])
    cs = warehouse.read("SELECT indicator, actual_last_year, yoy_change FROM marts.city_summary "
                        "WHERE period = '2022-03'")
    assert cs["actual_last_year"].isna().all()  # 2021-03 not loaded


def test_baseline_file_through_the_asset(warehouse, rules, tmp_path, monkeypatch):
    path = _reference_dir(tmp_path, monkeypatch) / FILE_NAME
    path.write_text(f"{HEADER}\n2022,城中区,40%,0.1,0.2,0\n2022,鱼峰区,2,0,0,0\n",
                    encoding="utf-8")
    _write_core(warehouse, _core())
    with warehouse.transaction() as tx:  # as if the pipeline had built core: marts can skip
        build_state.store(tx, "core", "", "core-fingerprint")
    assert build_period(warehouse, "2022-03", rules) is not None
    fr = warehouse.read("SELECT * FROM marts.four_rates WHERE period = '2022-03'").set_index(
        "unit_name")
    r = fr.loc["城中区"]
    assert r["baseline_source"] == "file"
    # at 2022-03: S1 开工 with 2 in place, S2 注册 → performance 1, funds 2/15, start 1/2
    assert r["performance_rate_increment"] == pytest.approx(1 - 0.4)
    assert r["funds_rate_increment"] == pytest.approx(2 / 15 - 0.1)
    assert r["start_rate_increment"] == pytest.approx(0.5 - 0.2)
    assert Decimal(str(r["contract_investment"])) == Decimal(15)
    found = _baseline_findings(warehouse)
    # 城中区 has its baseline; the city has none; the bad 鱼峰区 line (200%) is a finding
    assert sorted(zip(found["check_name"], found["unit_name"].fillna(""))) == [
        ("invalid_value", ""), ("no_four_rates_baseline", "柳州市")]
    # editing the baseline file rebuilds the marts even though core and rules are unchanged
    path.write_text(f"{HEADER}\n2022,城中区,0.5,0.1,0.2,0\n", encoding="utf-8")
    assert build_period(warehouse, "2022-03", rules) is not None
    assert build_period(warehouse, "2022-03", rules) is None  # nothing changed since
    r = warehouse.read("SELECT performance_rate_increment FROM marts.four_rates WHERE "
                       "period = '2022-03' AND unit_name = '城中区'")
    assert r.iloc[0, 0] == pytest.approx(0.5)
    assert "invalid_value" not in set(_baseline_findings(warehouse)["check_name"])
