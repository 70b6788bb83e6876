"""Revision 2 columns of staging and core against the labelled ground truth of the bundled samples
(tests/ground_truth/), on DuckDB and on PostgreSQL: source_region / source_class / signed_month of
dim_project, in_library of fact_project_period, core.fact_cohort and the four new findings.

Only staging and core are built (ingest + build_core): the marts are not this layer's business.
"""

from __future__ import annotations

import pytest

from assets.conform.assets import build_core
from assets.ingest.load import ingest
from runtime.warehouse import Warehouse
from tests.conftest import url_for
from tests.pipeline.bundled import SAMPLES, TRUTH, norm, stamp_arrivals, truth

NEW_CHECKS = ["unknown_source", "inside_region_project", "cohort_project_unmatched",
              "cohort_flag_outside_list"]





@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def wh(request, tmp_path_factory):
    # PostgreSQL unreachable: a failure under CI, a skip elsewhere (url_for)
    url = url_for(request.param, tmp_path_factory.mktemp("rev2"))
    warehouse = Warehouse(url)
    warehouse.create_schema()
    stamp_arrivals()
    ingest(warehouse, SAMPLES)
    build_core(warehouse)
    yield warehouse
    warehouse.dispose()


@pytest.fixture(scope="module")
def true_id(wh) -> dict[str, str]:
    """project_id → true project id, through the ledger row each conformed figure came from."""
    facts = wh.read("SELECT DISTINCT project_id, source_file, source_sheet, source_row "
                    "FROM core.fact_project_period")
    facts["source_row"] = facts["source_row"].astype(int).astype(str)
    rows = truth("ledger_rows")[["source_file", "source_sheet", "source_row", "true_project_id"]]
    joined = facts.merge(rows, on=["source_file", "source_sheet", "source_row"])
    mapping = joined.groupby("project_id")["true_project_id"].agg(lambda s: s.mode()[0])
    return mapping.to_dict()


def test_source_and_signed_month_of_every_project(wh, true_id):
    ours = wh.read("SELECT project_id, source_region, source_class, signed_month "
                   "FROM core.dim_project")
    ours["true_project_id"] = ours["project_id"].map(true_id)
    expected = truth("projects")
    merged = expected.merge(ours, on="true_project_id", how="left", suffixes=("_gt", ""))
    assert merged["project_id"].notna().all()
    for column in ("source_region", "source_class", "signed_month"):
        bad = merged[[norm(a) != norm(b) for a, b in zip(merged[f"{column}_gt"], merged[column])]]
        assert bad.empty, bad[["true_project_id", f"{column}_gt", column]].head(5)
    # the samples exercise every class, blanks and projects never signed
    assert set(ours["source_class"]) == {"domestic_outside", "inside_region", "foreign", "unknown"}
    assert ours["source_region"].isna().any() and ours["signed_month"].isna().any()


def test_in_library_of_every_project_and_period(wh, true_id):
    ours = wh.read("SELECT project_id, period, in_library, stage FROM core.fact_project_period")
    ours["true_project_id"] = ours["project_id"].map(true_id)
    expected = truth("project_periods")
    merged = expected.merge(ours, on=["true_project_id", "period"], how="outer",
                            suffixes=("_gt", ""), indicator=True)
    assert (merged["_merge"] == "both").all()
    bad = merged[[norm(a) != norm(b) for a, b in zip(merged["in_library_gt"],
                                                      merged["in_library"])]]
    assert bad.empty, bad[["true_project_id", "period", "in_library_gt", "in_library"]].head(5)
    talks = merged[merged["stage"] == "在谈"]
    assert set(talks["in_library"].map(norm)) >= {"true", "false", ""}


def test_cohort_list_rows_and_their_projects(wh, true_id):
    ours = wh.read("SELECT year, project_id, project_name, contract_investment, territorial_unit, "
                   "source_file, source_sheet, source_row FROM core.fact_cohort")
    ours["source_row"] = ours["source_row"].astype(int).astype(str)
    ours["true_project_id"] = ours["project_id"].map(lambda p: true_id.get(p, "") if p else "")
    expected = truth("cohort")
    keys = ["source_file", "source_sheet", "source_row"]
    merged = expected.merge(ours, on=keys, how="outer", suffixes=("_gt", ""), indicator=True)
    assert (merged["_merge"] == "both").all()
    for column in ("year", "true_project_id", "project_name", "contract_investment",
                   "territorial_unit"):
        bad = merged[[norm(a) != norm(b) for a, b in zip(merged[f"{column}_gt"], merged[column])]]
        assert bad.empty, bad[[*keys, f"{column}_gt", column]].head(5)
    assert (expected["true_project_id"] == "").sum() == 1  # the planted unmatched entry


def test_new_findings_name_the_planted_rows(wh):
    ours = wh.read("SELECT check_name, severity, period, unit_name, source_file, source_row, "
                   "project_name, message FROM quality.findings WHERE stage = 'conform'")
    ours = ours[ours["check_name"].isin(NEW_CHECKS)]
    planted = truth("findings")
    planted = planted[planted["check_name"].isin(NEW_CHECKS)]
    # project_name aside: the truth writes the canonical name, conform the territorial spelling
    cols = ["check_name", "severity", "period", "unit_name", "source_file", "source_row"]

    def keys(df):
        return sorted(tuple(norm(v) for v in row) for row in df[cols].itertuples(index=False))

    assert keys(ours) == keys(planted)
    assert set(planted["check_name"]) == set(NEW_CHECKS)
    assert ours["message"].str.contains("第").all()  # every message names its row


def test_a_warehouse_created_before_revision_2_gets_the_new_columns(tmp_path):
    """create_schema on a warehouse built by the previous DDL adds the revision-2 columns."""
    import subprocess

    from runtime.warehouse import split_sql

    before = "f2b3a9c"  # the last commit before revision 2
    texts = []
    for name in ("00_schemas.sql", "10_staging.sql", "20_core.sql"):
        shown = subprocess.run(["git", "show", f"{before}:warehouse_sql/{name}"],
                               capture_output=True, text=True, cwd=TRUTH.parents[1])
        if shown.returncode:
            pytest.skip(f"no git history with commit {before} here")
        texts.append(shown.stdout)
    old = Warehouse(f"duckdb:///{tmp_path / 'old.duckdb'}")
    with old.engine.begin() as conn:
        for text in texts:
            for stmt in split_sql(text):
                conn.exec_driver_sql(stmt)
    assert "in_library" not in old.columns("staging.ledger_rows")
    old.create_schema()
    assert {"in_library", "in_library_raw"} <= set(old.columns("staging.ledger_rows"))
    assert {"source_region", "source_class"} <= set(old.columns("core.dim_project"))
    assert "in_library" in old.columns("core.fact_project_period")
    assert "project_id" in old.columns("core.fact_cohort")
    old.dispose()
