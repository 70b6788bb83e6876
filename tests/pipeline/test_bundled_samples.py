"""The bundled samples against their labelled ground truth (tests/ground_truth/).

One load of the whole drop folder into DuckDB (and, in the last test, PostgreSQL); each test
compares one layer with what the generator planted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from assets.conform.assets import last_core, load_staging
from assets.conform.build import conform
from assets.conform.evaluate import pairwise_precision_recall
from assets.conform.project_memo import MEMO_COLUMNS, ROW_HASH, ProjectMemo
from runtime.reference import Reference
from runtime.warehouse import Warehouse
from tests.conftest import require_postgres
from tests.pipeline.bundled import load_samples, norm, truth

# Checks that concern a whole file: compared by (check, file), the row being incidental.
FILE_LEVEL = {"period_mismatch", "unreadable_file", "skipped_file", "target_total_mismatch",
              "superseded_file"}
# Checks of a unit's month (the reporting duty): compared by (check, file, period, unit) — a
# missing submission has no file, so the file alone would not tell two of them apart.
UNIT_MONTH_LEVEL = {"missing_submission", "late_submission"}
# findings the ground truth does not plan, and where they are tested instead
NOT_IN_TRUTH = {
    "no_four_rates_baseline": "marts stage; tests/marts/test_four_rates_baseline.py",
}
MARTS = ["target_progress", "city_summary", "four_rates", "red_black_list",
         "performance_assessment"]





@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    warehouse = load_samples(f"duckdb:///{tmp_path_factory.mktemp('bundled') / 'wh.duckdb'}")
    yield warehouse
    warehouse.dispose()


def test_every_file_is_accounted_for(wh):
    files = wh.read("SELECT source_file, status, kind, unit_name FROM staging.files")
    expected = truth("files")
    merged = expected.merge(files, on="source_file", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    wrong = merged[merged["expected_status"] != merged["status"]]
    assert wrong.empty, wrong[["source_file", "expected_status", "status"]]
    loaded = merged[merged["status"] == "loaded"]
    assert (loaded["unit_name_x"] == loaded["unit_name_y"]).all()


def test_every_ledger_field_matches_the_truth(wh):
    ours = wh.read("SELECT * FROM staging.ledger_rows WHERE file_id IN "
                   "(SELECT file_id FROM staging.files WHERE status = 'loaded')")
    ours["source_row"] = ours["source_row"].astype(int).astype(str)
    expected = truth("ledger_rows")
    keys = ["source_file", "source_sheet", "source_row"]
    merged = expected.merge(ours, on=keys, how="outer", suffixes=("_gt", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys]
    fields = [c for c in expected.columns if c not in (*keys, "true_project_id")]
    mismatches = {}
    for field in fields:
        bad = merged[[norm(a) != norm(b) for a, b in zip(merged[f"{field}_gt"], merged[field])]]
        if len(bad):
            mismatches[field] = bad[[*keys, f"{field}_gt", field]].head(3).to_dict("records")
    assert not mismatches, mismatches


def test_seed_target_figures(wh):
    targets = wh.read("SELECT year, unit_name, indicator, SUM(target) AS target "
                      "FROM core.fact_target GROUP BY 1, 2, 3")
    t = {(int(r.year), r.unit_name, r.indicator): Decimal(str(r.target))
         for r in targets.itertuples()}
    assert [t[(2021, "柳州市", i)] for i in ("funds_in_place", "new_projects",
            "new_industrial_projects", "new_100m_industrial_projects")] == [675, 320, 210, 100]
    departments = targets[(targets.year == 2021) & (targets.indicator == "new_projects")
                          & targets.unit_name.str.startswith("市")]
    assert sum(Decimal(str(v)) for v in departments.target) == 134
    groups = targets[(targets.year == 2022) & targets.unit_name.str.startswith("鹿寨县")
                     & targets.unit_name.str.endswith("招商组")]
    sums = groups.groupby("indicator")["target"].apply(lambda s: sum(Decimal(str(v)) for v in s))
    assert [sums[i] for i in ("funds_in_place", "new_projects", "new_industrial_projects",
                              "new_100m_industrial_projects")] == [55, 60, 40, 25]


def test_findings_equal_the_planted_problems(wh):
    """Every finding of every check name, both ways: a finding of a kind the generator did not
    plant is as wrong as a planted one that is missed."""
    ours = wh.read("SELECT check_name, source_file, source_row, period, unit_name "
                   "FROM quality.findings")
    files = truth("files")
    # design.md's own checks, with their truth from the other ground-truth files: a dropped
    # title/合计/注/example row (dropped_rows.csv covers project-ledger sheets only; the
    # ingest does not report the title and header lines it reads) and a superseded file
    ledgers = set(files.loc[files["kind"] == "project_ledger", "source_file"])
    dropped = truth("dropped_rows")
    dropped = dropped[~dropped["reason"].isin(["title", "header"])].assign(
        check_name="dropped_row")
    superseded = files[files["expected_status"] == "superseded"].assign(
        check_name="superseded_file", source_row="")
    planted = pd.concat([truth("findings")] + [df[["check_name", "source_file", "source_row"]]
                                               for df in (dropped, superseded)],
                        ignore_index=True).fillna("")
    ours = ours[~ours["check_name"].isin(NOT_IN_TRUTH)
                & ~((ours["check_name"] == "dropped_row") & ~ours["source_file"].isin(ledgers))]

    def keys(df) -> list[tuple]:
        return [
            (c, f or "", "" if c in FILE_LEVEL else norm(r),
             (p, u) if c in UNIT_MONTH_LEVEL else ("", ""))
            for c, f, r, p, u in zip(df["check_name"], df["source_file"].fillna(""),
                                     df["source_row"].fillna(""), df["period"].fillna(""),
                                     df["unit_name"].fillna(""))
        ]

    def keyset(df) -> set[tuple]:
        return set(keys(df))

    # a unit missing both its ledgers of a month has two findings of one key: counted
    def duty(df) -> Counter:
        return Counter(k for k in keys(df) if k[0] in UNIT_MONTH_LEVEL)

    owed = truth("submission_status")
    assert sum(duty(planted).values()) == owed["status"].isin(["missing", "late"]).sum() > 0
    assert duty(ours) == duty(planted)
    expected, found = keyset(planted), keyset(ours)
    missed, beyond = expected - found, found - expected
    assert missed == set(), f"missed planted problems: {sorted(missed)[:10]}"
    assert beyond == set(), f"findings beyond the planted problems: {sorted(beyond)[:10]}"


def test_matching_precision_and_recall(wh):
    rows = wh.read("SELECT source_file, source_sheet, source_row FROM staging.ledger_rows "
                   "WHERE row_ok")
    assert len(rows) > 0
    expected = truth("ledger_rows")
    # the project of each row: through the bridge/fact lineage is indirect, so re-run matching
    # on the staged rows exactly as the core asset does and compare ids row by row
    from assets.conform.assets import load_staging
    from assets.conform.build import conform
    from runtime.reference import Reference

    staging = load_staging(wh)
    files = staging["files"]
    periods = sorted(m for m in files["folder_month"].dropna().unique() if m != "targets")
    result = conform(staging["ledger"], staging["activities"], staging["reserve"],
                     staging["targets"], files, Reference.load(), periods)
    matched = result.matched_ledger.copy()
    matched["source_row"] = matched["source_row"].astype(int).astype(str)
    joined = matched.merge(expected, on=["source_file", "source_sheet", "source_row"])
    assert len(joined) == len(expected)
    precision, recall = pairwise_precision_recall(joined["project_id"], joined["true_project_id"])
    assert precision >= 0.98 and recall >= 0.98, (precision, recall)


def _both_ways(expected: pd.DataFrame, ours: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Outer merge on keys; a row on one side only fails (no left merge that ignores extras)."""
    assert not ours.duplicated(keys).any(), ours[ours.duplicated(keys)].head()
    merged = expected.merge(ours, on=keys, how="outer", suffixes=("_gt", ""), indicator=True)
    lonely = merged[merged["_merge"] != "both"]
    assert lonely.empty, lonely[[*keys, "_merge"]].head(10)
    return merged


def test_indicators_equal_the_truth(wh):
    """Both ways over the indicators the truth covers: every truth row is in the mart and
    every mart row of those indicators and periods is in the truth."""
    expected = truth("indicators")
    marts = wh.read("SELECT period, unit_name, unit_type, indicator, actual "
                    "FROM marts.target_progress")
    marts = marts[marts["indicator"].isin(set(expected["indicator"]))
                  & marts["period"].isin(set(expected["period"]))
                  & (marts["unit_type"] != "city")]  # the city: city_summary below
    # the truth lists units with a credit; any other unit's row must count nothing
    keys = set(zip(expected["period"], expected["unit_name"]))
    others = marts[[k not in keys for k in zip(marts["period"], marts["unit_name"])]]
    counted = others[[norm(a) not in ("", "0") for a in others["actual"]]]
    assert counted.empty, counted.head(10)
    marts = marts.drop(others.index).drop(columns="unit_type")
    merged = _both_ways(expected, marts, ["period", "unit_name", "indicator"])

    def same(a, b):
        if norm(a) == "" or norm(b) == "":
            return norm(a) == norm(b)
        return abs(Decimal(norm(a)) - Decimal(norm(b))) < Decimal("0.000001")

    bad = merged[[not same(a, b) for a, b in zip(merged["actual_gt"], merged["actual"])]]
    assert bad.empty, bad.head(10)

    city_truth = truth("city_summary")
    city = wh.read("SELECT period, indicator, actual FROM marts.city_summary")
    city = city[city["indicator"].isin(set(city_truth["indicator"]))
                & city["period"].isin(set(city_truth["period"]))]
    merged = _both_ways(city_truth, city, ["period", "indicator"])
    bad = merged[[not same(a, b) for a, b in zip(merged["actual_gt"], merged["actual"])]]
    assert bad.empty, bad.head(10)


def test_red_and_black_lists_both_occur(wh):
    lists = wh.read("SELECT list, COUNT(*) AS n FROM marts.red_black_list "
                    "WHERE list IS NOT NULL GROUP BY list")
    assert set(lists["list"]) == {"red", "black"}


def test_no_phone_number_outside_staging(wh):
    phones = set(truth("ledger_rows")["contact_phone"]) - {""}
    assert phones
    for schema, table in [("core", t) for t in ("dim_project", "fact_project_period",
                                                "bridge_project_unit")] + \
                         [("marts", m) for m in MARTS] + [("quality", "findings")]:
        text = wh.read(f"SELECT * FROM {schema}.{table}").astype(str).to_csv()
        leaked = [p for p in phones if p in text]
        assert not leaked, f"{schema}.{table} shows phone numbers {leaked[:3]}"


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in df.columns:
        df[col] = [norm(v) for v in df[col]]
    key = df.apply("|".join, axis=1)
    return df.iloc[key.argsort(kind="stable")].reset_index(drop=True)


def test_postgres_gives_the_same_marts(wh):
    pg = load_samples(require_postgres())
    try:
        for name in MARTS + ["../core.dim_project", "../core.bridge_project_unit"]:
            table = name[3:] if name.startswith("../") else f"marts.{name}"
            a, b = wh.read(f"SELECT * FROM {table}"), pg.read(f"SELECT * FROM {table}")
            pd.testing.assert_frame_equal(_sorted(a), _sorted(b), check_dtype=False)
    finally:
        pg.dispose()


def test_submission_status_equals_the_truth(wh):
    """marts.submission_status of every built month against the generator's independent
    expectation (tests/samplegen/duty.py; written with the arrival manifest)."""
    expected = truth("submission_status")
    assert {"on_time", "late", "missing"} <= set(expected["status"])
    # the boundary plants: the deadline day's last minute is on time, the next day's first late
    got_at = {(r.received_at, r.status) for r in expected.itertuples() if r.received_at}
    day = [date.fromisoformat(d) for d in expected["deadline"]]
    assert any((f"{d} 23:59:00", "on_time") in got_at for d in day)
    assert any((f"{d + timedelta(days=1)} 00:00:00", "late") in got_at for d in day)
    ours = wh.read("SELECT period, unit_name, kind, deadline, status, source_file, received_at "
                   "FROM marts.submission_status")
    got = {(r.period, r.unit_name, r.kind): (str(r.deadline)[:10], r.status,
                                             r.source_file or "", norm_ts(r.received_at))
           for r in ours.itertuples()}
    want = {(r.period, r.unit_name, r.kind): (r.deadline, r.status, r.source_file, r.received_at)
            for r in expected.itertuples() if r.period in {k[0] for k in got}}
    assert {k[0] for k in got} == set(expected["period"])
    assert got == want


def norm_ts(value) -> str:
    if value is None or value != value:
        return ""
    return str(value)[:19]


@pytest.mark.parametrize("size", [1, 7, 100])
def test_working_projects_in_slices_changes_nothing(wh, size):
    """Conform works projects out a slice at a time to bound memory; the slice size must never
    show: same rows, same order, same column and value types, same findings in the same order."""
    staging = load_staging(wh)
    files = staging["files"]
    periods = sorted(m for m in files.loc[files.status == "loaded", "folder_month"].unique()
                     if m != "targets")

    def run(**kw):
        return conform(staging["ledger"], staging["activities"], staging["reserve"],
                       staging["targets"], files, Reference.load(), periods,
                       cohort=staging["cohort"], **kw)

    whole, sliced = run(), run(project_slice=size)
    assert whole.dim_project["project_id"].nunique() > 3 * size  # several slices
    _assert_same_conform(whole, sliced)
    # the world raises every per-project kind, so each kind's order across slices is compared
    assert {f.check_name for f in whole.findings} >= {
        "territorial_conflict", "co_credited_project", "no_territorial_report", "below_threshold",
        "inside_region_project", "unknown_source", "cohort_flag_outside_list"}


def _assert_same_conform(a, b) -> None:
    """Same rows, order, column and value types, and findings in the same order."""
    for name in ("dim_project", "bridge", "fact_project_period", "fact_cohort", "matched_ledger"):
        x, y = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(x, y, check_exact=True, obj=name)
        for col in x.select_dtypes(object).columns:
            assert x[col].map(type).tolist() == y[col].map(type).tolist(), (name, col)
    assert [f.as_row() for f in a.findings] == [f.as_row() for f in b.findings]


def _memo_of(result, context: str, folder) -> ProjectMemo:
    """The memo build_core gives the next build: the result's digests and findings, and its
    core rows as written to and read back from a warehouse (the types of a real read)."""
    scratch = Warehouse(f"duckdb:///{folder / 'memo.duckdb'}")
    scratch.create_schema()
    with scratch.transaction() as tx:
        tx.replace("core.dim_project", result.dim_project)
        tx.replace("core.bridge_project_unit", result.bridge)
        tx.replace("core.fact_project_period", result.fact_project_period)
    memo = pd.DataFrame([(pid, d, f) for pid, (d, f) in result.memo.items()],
                        columns=MEMO_COLUMNS)
    core = last_core(scratch)
    scratch.dispose()
    return ProjectMemo.from_frames(context, memo, lambda: core)


def test_projects_taken_from_the_memo_equal_projects_worked_out_again(wh, tmp_path):
    """Issue 17: conform keeps each project's digest of its inputs; after a correction (an
    amount, a partner, a removed report) the projects whose reports changed are worked out again
    and all others are taken from the last build, and the result is exactly that of working
    every project out again."""
    staging = load_staging(wh)
    # the corrections below change values in the frame, not in the warehouse: without the row
    # hashes the database computes (which would change with them), every column is hashed
    staging["ledger"] = staging["ledger"].drop(columns=[ROW_HASH])
    files = staging["files"]
    periods = sorted(m for m in files.loc[files.status == "loaded", "folder_month"].unique()
                     if m != "targets")

    def run(ledger, memo, periods=periods):
        return conform(ledger, staging["activities"], staging["reserve"], staging["targets"],
                       files, Reference.load(), periods, cohort=staging["cohort"], memo=memo,
                       project_slice=50)

    first = run(staging["ledger"], ProjectMemo("settings"))
    assert first.projects_reused == 0 and len(first.memo) == len(first.dim_project)
    memo = _memo_of(first, "settings", tmp_path)
    assert first.projects_reused == 0 and run(staging["ledger"], memo).projects_reused == len(
        first.dim_project)
    # three corrections, each in a different project's latest report
    matched = first.matched_ledger.loc[first.matched_ledger["project_id"].notna()
                                       & ~first.matched_ledger["is_duplicate"]]
    latest = matched.sort_values("period").groupby("project_id").tail(1)
    several = latest.loc[latest["project_id"].isin(
        matched.groupby("project_id").size().loc[lambda n: n > 1].index)]
    a, b, c = several.index[:3]
    ledger = staging["ledger"].copy()
    ledger.loc[a, "funds_cumulative"] = Decimal("987.65430000")
    ledger.loc[b, "partners"] = "市工信局"
    ledger = ledger.drop(index=c)
    changed = {matched.at[i, "project_id"] for i in (a, b, c)}

    fresh = run(ledger, ProjectMemo("settings"))
    again = run(ledger, memo)
    _assert_same_conform(again, fresh)
    assert fresh.projects_reused == 0
    assert again.projects_reused == len(fresh.dim_project) - len(changed)
    assert again.memo == fresh.memo
    # the corrections show in the result (a memo that ignored them would be caught above)
    facts = fresh.fact_project_period
    assert (facts["funds_cumulative"] == Decimal("987.65430000")).any()
    assert not first.fact_project_period.equals(facts)
    # another context reuses nothing
    assert run(ledger, replace(memo, context="other settings")).projects_reused == 0
    assert run(ledger, memo, periods[:-1]).projects_reused == 0
