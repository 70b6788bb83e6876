"""A layer whose inputs are unchanged is not rebuilt, and skipping leaves exactly what a rebuild
would have written (issue 9: re-run with nothing changed)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pandas as pd
from dagster import AssetKey, DagsterInstance, materialize

from assets.conform.assets import build_core, core_model
from assets.ingest.assets import staging_submissions
from assets.ingest.load import ingest
from assets.marts.assets import MARTS, build_period, build_periods, marts_for_period
from runtime.resources import (
    pipeline_resources,
    release_warehouses,
)
from runtime.rules import DEFAULT_RULES_PATH, load_rules
from runtime.warehouse import Warehouse
from tests.pipeline import dropfolder

PERIOD = "2021-02"
CORE = ["dim_project", "bridge_project_unit", "fact_project_period", "fact_target"]


def _tables(wh: Warehouse, names: list[str]) -> dict[str, pd.DataFrame]:
    out = {}
    for name in names:
        df = wh.read(f"SELECT * FROM {name}").astype(str)
        out[name] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return out


def _everything(wh: Warehouse) -> dict[str, pd.DataFrame]:
    return _tables(wh, [f"core.{t}" for t in CORE] + [f"marts.{m}" for m in MARTS]
                   + ["quality.findings"])


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


@contextmanager
def _world(url: str, tmp_path):
    """The small drop folder and an empty warehouse with our schemas."""
    root = dropfolder.build(tmp_path / "drop")
    wh = Warehouse(url)
    wh.create_schema()
    try:
        yield root, wh
    finally:
        wh.dispose()


def _run(wh: Warehouse, root, rules=None) -> tuple[dict, object]:
    ingest(wh, root)
    return build_core(wh), build_period(wh, PERIOD, rules)


def test_nothing_changed_skips_and_equals_a_rebuild(warehouse_url, tmp_path):
    with _world(warehouse_url, tmp_path) as (root, wh):
        core, marts = _run(wh, root)
        assert not core["skipped"] and marts is not None
        first = _everything(wh)
        core, marts = _run(wh, root)
        assert core["skipped"] and core["result"] is None and marts is None
        assert core["counts"]["fact_project_period"] == len(first["core.fact_project_period"])
        _assert_same(first, _everything(wh))
        # forcing the rebuild writes the very same tables
        assert not build_core(wh, force=True)["skipped"]
        assert build_period(wh, PERIOD, force=True) is not None
        _assert_same(first, _everything(wh))


def test_a_changed_file_rebuilds_core_and_marts(warehouse_url, tmp_path):
    with _world(warehouse_url, tmp_path) as (root, wh):
        _run(wh, root)
        dropfolder.ledger(root / PERIOD / "柳江区.xlsx", "柳江区", PERIOD,
                          [["新材料", "某新材料产业园", "柳州某科技有限公司", 8, 3, None,
                            "2021年2月", "已开工", "否", None]])
        core, marts = _run(wh, root)
        assert not core["skipped"] and marts is not None
        funds = wh.scalar("SELECT actual FROM marts.target_progress WHERE period = :p AND "
                          "unit_name = '柳江区' AND indicator = 'funds_in_place'", {"p": PERIOD})
        assert Decimal(str(funds)) == Decimal(3)


def test_changed_rules_rebuild_the_marts_only(duckdb_url, tmp_path):
    with _world(duckdb_url, tmp_path) as (root, wh):
        _run(wh, root)
        text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
        changed = text.replace("    funds: 40 ", "    funds: 45 ", 1)
        assert changed != text
        (tmp_path / "rules.yaml").write_text(changed, encoding="utf-8")
        core, marts = _run(wh, root, load_rules(tmp_path / "rules.yaml"))
        assert core["skipped"] and marts is not None
        assert build_period(wh, PERIOD, load_rules(tmp_path / "rules.yaml")) is None
        # back to the repo's rules: rebuilt again, not mistaken for the other rules' marts
        assert build_period(wh, PERIOD) is not None


def test_build_periods_equals_build_period_per_month(duckdb_url, tmp_path):
    months = ["2021-01", "2021-02"]
    with _world(duckdb_url, tmp_path / "one") as (root, wh):
        ingest(wh, root)
        build_core(wh)
        for month in months:
            build_period(wh, month)
        expected = _tables(wh, [f"marts.{m}" for m in MARTS])
    with _world(f"duckdb:///{tmp_path / 'many.duckdb'}", tmp_path / "many") as (root, wh):
        ingest(wh, root)
        build_core(wh)
        build_periods(wh, months)
        _assert_same(expected, _tables(wh, [f"marts.{m}" for m in MARTS]))
        # both months now carry their fingerprints: nothing is stale, nothing is rebuilt
        assert all(build_period(wh, month) is None for month in months)


def test_dagster_run_reports_whether_core_was_rebuilt(duckdb_url, tmp_path):
    root = dropfolder.build(tmp_path / "drop")
    resources = pipeline_resources(duckdb_url, str(root), str(tmp_path / "reports"))
    rebuilt = []
    try:
        for _ in range(2):
            result = materialize([staging_submissions, core_model, marts_for_period],
                                 partition_key=PERIOD, resources=resources,
                                 instance=DagsterInstance.ephemeral())
            events = result.asset_materializations_for_node("core_model")
            md = next(e.metadata for e in events if e.asset_key == AssetKey(["core",
                                                                             "dim_project"]))
            rebuilt.append(md["rebuilt"].value)
            marts = next(e.metadata for e in result.asset_materializations_for_node(
                "marts_for_period") if e.asset_key == AssetKey(["marts", "target_progress"]))
            assert marts["dagster/row_count"].value > 0
            assert md["dagster/row_count"].value > 0
    finally:
        release_warehouses()
    assert rebuilt == [True, False]
