"""Incremental core (issue 17): the last build's scored matching pairs are reused only when the
distinct matching keys, the settings and the code are the same, and then with exactly the
result of scoring again; the monthly fact tables are rewritten only for the months whose rows
changed, and the tables equal a forced full rebuild."""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from assets.conform.assets import _write_findings, build_core, load_staging, row_hash_sql
from assets.conform.conform_findings import FIELDS, ConformFindings
from assets.conform.matching import DEFAULT_CONFIG, KeyMemo, ScoredPairs, match_projects
from assets.conform.project_memo import ROW_HASH, encode_findings
from assets.ingest.load import ingest
from runtime import build_state
from runtime.findings import Finding
from runtime.warehouse import Warehouse
from tests.conftest import url_for
from tests.pipeline import dropfolder

CORE = ["dim_unit", "dim_project", "bridge_project_unit", "fact_project_period", "fact_target",
        "fact_activity", "fact_reserve_project", "fact_cohort"]


def _ledger(amounts: tuple[float, float, float], extra: list[tuple] = ()) -> pd.DataFrame:
    rows = [
        ("岭南药业柳州中药生产基地", "岭南中药饮片有限公司", "柳南区", "2021-01", "a.xlsx", 4),
        ("岭南药业柳州中药材生产基地", "岭南中药饮片公司", "市工信局", "2021-01", "b.xlsx", 4),
        ("石墨烯复合材料项目", None, "柳南区", "2021-02", "c.xlsx", 5),
        *extra,
    ]
    df = pd.DataFrame(rows, columns=["project_name", "investor", "unit_name", "period",
                                     "source_file", "source_row"])
    df["funds"] = list(amounts) + [1.0] * len(extra)
    return df


def _same_match(a, b) -> None:
    pd.testing.assert_frame_equal(a.rows, b.rows)
    pd.testing.assert_frame_equal(a.clusters, b.clusters)
    assert (a.pairs_considered, a.pairs_merged) == (b.pairs_considered, b.pairs_merged)


def test_the_same_keys_reuse_the_stored_pairs_and_give_the_fresh_result():
    first = match_projects(_ledger((1.0, 2.0, 3.0)))
    assert first.pairs_merged == 1  # the two spellings of the 岭南药业 project are one
    stored = ScoredPairs.from_frame(first.scored.digest, first.scored.considered,
                                    first.scored.frame())
    changed = _ledger((9.0, 0.5, 3.0)).iloc[::-1]  # other figures, other row order
    again = match_projects(changed, previous=stored)
    assert again.scored is stored
    _same_match(again, match_projects(changed))


def test_a_new_name_or_other_settings_score_again():
    first = match_projects(_ledger((1.0, 2.0, 3.0)))
    grown = _ledger((1.0, 2.0, 3.0), [("集美江山项目", "柳州鹿寨金润房地产开发有限公司",
                                       "柳江区", "2021-02", "d.xlsx", 4)])
    after = match_projects(grown, previous=first.scored)
    assert after.scored is not first.scored and after.scored.digest != first.scored.digest
    _same_match(after, match_projects(grown))
    strict = replace(DEFAULT_CONFIG, threshold=0.99)
    other = match_projects(_ledger((1.0, 2.0, 3.0)), config=strict, previous=first.scored)
    assert other.scored is not first.scored
    assert other.pairs_merged == 0  # the two spellings score below 0.99


def test_stored_pairs_read_back_exactly():
    first = match_projects(_ledger((1.0, 2.0, 3.0)))
    frame = first.scored.frame().iloc[::-1]  # a database returns rows in any order
    back = ScoredPairs.from_frame(first.scored.digest, first.scored.considered, frame)
    assert back.pairs == first.scored.pairs and back.pairs
    assert back.pairs[0][3].investor_sim is not None


def _core(wh: Warehouse) -> dict[str, pd.DataFrame]:
    out = {}
    for t in CORE:
        df = wh.read(f"SELECT * FROM core.{t}").astype(str)
        out[t] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return out


def _conform_findings(wh) -> pd.DataFrame:
    df = wh.read("SELECT * FROM quality.findings WHERE stage = 'conform'").astype(str)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def _resubmit(root: Path, rows_of: list[list], stamp: int) -> None:
    path = dropfolder.ledger(root / "2021-02" / "柳南区.xlsx", "柳南区", "2021-02", rows_of)
    os.utime(path, (stamp, stamp))


@pytest.fixture(params=["duckdb", "postgres"])
def loaded(request, tmp_path):
    """(warehouse, drop folder): the small drop folder ingested, core not built yet."""
    root = dropfolder.build(tmp_path / "drop")
    wh = Warehouse(url_for(request.param, tmp_path))
    wh.create_schema()
    ingest(wh, root)
    yield wh, root
    wh.dispose()


def test_a_figures_only_resubmission_reuses_pairs_and_equals_a_full_rebuild(loaded):
    wh, root = loaded
    assert build_core(wh)["pairs_reused"] is False  # nothing stored yet
    b = ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.9, None, "2021.1",
         "已开工", "否", "市工业和信息化局"]
    _resubmit(root, [b], 1_700_000_000)  # 0.5 → 0.9: figures only, fewer rows
    ingest(wh, root)
    built = build_core(wh)
    assert built["pairs_reused"] is True and not built["skipped"]
    incremental = _core(wh)
    assert build_core(wh, force=True)["pairs_reused"] is False
    for t in CORE:
        pd.testing.assert_frame_equal(incremental[t], _core(wh)[t], obj=t)
    assert "0.90000000" in set(incremental["fact_project_period"].to_numpy().ravel().tolist())
    new = ["新材料", "某新材料产业园", "柳州某科技有限公司", 8, 3, None, "2021年2月",
           "已开工", "否", None]
    _resubmit(root, [b, new], 1_700_000_100)  # a new project: new keys
    ingest(wh, root)
    assert build_core(wh)["pairs_reused"] is False


def _liujiang_adds_a_project(wh, root: Path) -> None:
    """柳江区 resubmits February with 某新材料产业园 added beside 集美江山; ingested."""
    path = dropfolder.ledger(root / "2021-02" / "柳江区.xlsx", "柳江区", "2021-02", [
        ["房地产业", "集美江山", "鹿寨金润房地产开发公司", 6, 1, None, "2021年2月", "在建",
         "否", None],
        ["新材料", "某新材料产业园", "柳州某科技有限公司", 8, 2.25, None, "2021年2月", "已开工",
         "否", None]])
    os.utime(path, (1_700_000_000, 1_700_000_000))
    ingest(wh, root)


def test_projects_whose_reports_did_not_change_are_taken_from_the_last_build(loaded):
    """柳江区 resubmits February with a project added: its two projects (集美江山 and the new
    one) are worked out, the other two are taken from the last build, and core and the conform
    findings equal a forced full rebuild's."""
    wh, root = loaded
    assert build_core(wh)["projects_reused"] == 0  # nothing kept yet
    _liujiang_adds_a_project(wh, root)
    built = build_core(wh)
    assert built["counts"]["dim_project"] == 4 and built["projects_reused"] == 2
    # the reused projects' dim_project and bridge rows are left where the last build wrote them,
    # and of the monthly tables January's rows (only February changed); of the project facts,
    # whichever is fewer: February's rows or the rows of the two projects worked out again
    def rows(table: str, where: str, **params) -> int:
        return int(wh.scalar(f"SELECT COUNT(*) FROM core.{table} WHERE {where}", params))

    reused = built["result"].reused_projects
    kept = sum(rows(t, "project_id = :p", p=p) for t in ("dim_project", "bridge_project_unit")
               for p in reused)
    january = sum(rows(t, "period = '2021-01'") for t in build_state.BY_MONTH
                  if t != "fact_project_period")
    facts = rows("fact_project_period", "true")
    redone = facts - sum(rows("fact_project_period", "project_id = :p", p=p) for p in reused)
    february = rows("fact_project_period", "period = '2021-02'")
    assert kept >= 2 and 0 < redone < february
    assert built["rows_written"] == (sum(built["counts"].values()) - kept - january
                                     - (facts - redone))
    incremental, findings = _core(wh), _conform_findings(wh)
    assert "2.25000000" in set(incremental["fact_project_period"].to_numpy().ravel().tolist())
    assert {"territorial_conflict", "co_credited_project"} <= set(findings["check_name"])
    forced = build_core(wh, force=True)
    assert forced["projects_reused"] == 0
    for t in CORE:
        pd.testing.assert_frame_equal(incremental[t], _core(wh)[t], obj=t)
    pd.testing.assert_frame_equal(findings, _conform_findings(wh))
    # the next build after the forced one takes every unchanged project from it again
    _resubmit(root, [["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.5, None,
                      "2021.1", "已开工", "否", "市工业和信息化局"]], 1_700_000_100)
    ingest(wh, root)
    assert build_core(wh)["projects_reused"] >= 1


def _found_in_order(wh) -> list[tuple]:
    cols = "check_name, severity, period, unit_name, source_file, source_sheet, source_row, " \
           "project_name, message, file_id"
    df = wh.read(f"SELECT {cols} FROM staging.conform_findings ORDER BY part, project_id, seq")
    return [tuple(None if pd.isna(v) else v for v in row) for row in df.itertuples(index=False)]


def _as_rows(findings) -> list[tuple]:
    keys = ["check_name", "severity", "period", "unit_name", "source_file", "source_sheet",
            "source_row", "project_name", "message", "file_id"]
    return [tuple(f.as_row()[k] for k in keys) for f in findings]


def test_only_the_findings_of_projects_worked_out_again_are_rewritten(loaded):
    """The conform findings are kept per project: a build deletes and writes those of the
    projects it worked out again (and those about no single project), leaves the reused
    projects' rows where they are — a text planted in one survives, until a forced build
    writes everything — and quality.findings holds them all, in the order conform lists them."""
    wh, root = loaded
    first = build_core(wh)
    assert _found_in_order(wh) == _as_rows(first["result"].findings)
    _liujiang_adds_a_project(wh, root)
    stored = wh.read("SELECT project_id FROM staging.conform_findings "
                     "WHERE project_id IS NOT NULL")["project_id"]
    with wh.transaction() as tx:  # a mark on every project's findings as the last build left them
        tx.execute("UPDATE staging.conform_findings SET message = message || '（旧）' "
                   "WHERE project_id IS NOT NULL")
    built = build_core(wh)
    reused = built["result"].reused_projects
    assert reused & set(stored) and set(stored) - reused  # both kinds have findings
    now = wh.read("SELECT project_id, message FROM staging.conform_findings")
    marked = now["message"].str.endswith("（旧）")
    assert set(now.loc[marked, "project_id"]) == reused & set(stored)
    assert now.loc[~marked, "project_id"].isin(reused).sum() == 0
    quality = wh.read("SELECT message FROM quality.findings WHERE stage = 'conform'")
    assert sorted(quality["message"]) == sorted(now["message"])  # copied whole
    assert [r[:8] for r in _found_in_order(wh)] == [r[:8] for r in _as_rows(
        built["result"].findings)]
    build_core(wh, force=True)
    assert not wh.read("SELECT message FROM quality.findings")["message"].str.endswith(
        "（旧）").any()


def test_known_keys_are_used_and_what_is_keyed_now_is_added():
    """The key memo answers for the texts it knows (a wrong key given is a wrong key used: it is
    read, not checked) and keys the rest, once per text; a second build with the memo filled
    by the first keys nothing and gives the same result."""
    ledger = _ledger((1.0, 2.0, 3.0))
    fresh = match_projects(ledger)
    memo = KeyMemo()
    first = match_projects(ledger, known_keys=memo)
    _same_match(first, fresh)
    names, investors = set(ledger["project_name"]), set(ledger["investor"].dropna())
    assert sorted(t for k, t, _ in memo.new if k == "name") == sorted(names)
    assert sorted(t for k, t, _ in memo.new if k == "investor") == sorted(investors)
    memo.new.clear()
    _same_match(match_projects(ledger, known_keys=memo), fresh)
    assert memo.new == []
    told = match_projects(ledger, known_keys=KeyMemo(names={"石墨烯复合材料项目": "别的键"}))
    assert told.rows.loc[2, "name_key"] == "别的键"
    assert told.rows.loc[0, "name_key"] == fresh.rows.loc[0, "name_key"]


def _stored_keys(wh) -> pd.DataFrame:
    return wh.read("SELECT kind, text, key FROM staging.name_keys ORDER BY kind, text")


def _texts(keys: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(keys["kind"], keys["text"], strict=True))


def _staged_texts(wh) -> set[tuple[str, str]]:
    ledger = load_staging(wh)["ledger"]
    return ({("name", t) for t in ledger["project_name"].dropna()}
            | {("investor", t) for t in ledger["investor"].dropna()})


def test_each_text_is_keyed_once_while_the_settings_stay(loaded, tmp_path):
    """staging.name_keys holds every name and investor text a build keyed, each once; a
    resubmission adds only its new texts; a forced build, or other settings (a reference file
    edited), key the texts in force again from nothing, so a key made under other settings (here
    a wrong one written in) is never used."""
    wh, root = loaded
    build_core(wh)
    keys = _stored_keys(wh)
    assert _texts(keys) == _staged_texts(wh)
    assert not keys.duplicated(["kind", "text"]).any()
    _resubmit(root, [["新材料", "某新材料产业园", "柳州新园新材料有限公司", 3, 0.5, None,
                      "2021.1", "已开工", "否", None]], 1_700_000_200)
    ingest(wh, root)
    build_core(wh)
    now = _stored_keys(wh)
    added = now.merge(keys, how="left", indicator=True).query("_merge == 'left_only'")
    assert set(zip(added["kind"], added["text"])) == {("name", "某新材料产业园"), ("investor", "柳州新园新材料有限公司")}
    assert not now.duplicated(["kind", "text"]).any()
    # a key the stored settings did not make is not used: forced, or under other settings
    with wh.transaction() as tx:
        tx.execute("UPDATE staging.name_keys SET key = '别的键'")
    build_core(wh, force=True)
    assert "别的键" not in set(_stored_keys(wh)["key"])
    assert _texts(_stored_keys(wh)) == _staged_texts(wh)  # the texts in force, keyed again
    again = _stored_keys(wh)
    with wh.transaction() as tx:
        tx.execute("UPDATE staging.name_keys SET key = '别的键'")
        tx.execute("UPDATE staging.build_state SET fingerprint = 'other settings' "
                   "WHERE layer = 'name_keys'")
    _resubmit(root, [["新材料", "某新材料产业园", "柳州新园新材料有限公司", 3, 0.75, None,
                      "2021.1", "已开工", "否", None]], 1_700_000_300)
    ingest(wh, root)
    build_core(wh)
    pd.testing.assert_frame_equal(_stored_keys(wh), again)


def test_the_row_hash_of_staging_tells_every_value_apart(loaded):
    """The database's row hash stands for a ledger row's columns in the project digests: rows
    that differ in one value (a missing value and an empty text, an amount in its last decimal,
    a flag) hash apart, equal rows alike; DuckDB and PostgreSQL."""
    wh, _ = loaded
    rows = ("(VALUES ('a', 1.5, true), ('a', 1.5, true), (NULL, 1.5, true), ('', 1.5, true), "
            "('a', 1.50000001, true), ('a', 1.5, NULL), ('a', NULL, true)) AS t(x, y, z)")
    sql = (f"SELECT {row_hash_sql(wh, 'x, CAST(y AS DECIMAL(20,8)), z')} FROM {rows}")
    hashes = wh.read(sql)[ROW_HASH].tolist()
    assert hashes[0] == hashes[1]
    assert len(set(hashes)) == 6
    ledger = load_staging(wh)["ledger"]
    assert ledger[ROW_HASH].notna().all() and ledger[ROW_HASH].is_unique


def test_changed_months_of_a_table_written_by_month():
    old = {"fact_activity|": "by month", "fact_activity|2021-01": "a", "fact_activity|2021-02": "b",
           "fact_activity|2021-03": "c"}
    new = {"fact_activity|": "by month", "fact_activity|2021-01": "a", "fact_activity|2021-02": "B",
           "fact_activity|2021-04": "d"}
    # changed, vanished and appeared months; the unchanged January stays
    assert build_state.changed_months("fact_activity", old, new) == ["2021-02", "2021-03",
                                                                     "2021-04"]
    assert build_state.changed_months("fact_activity", old, old) == []
    assert build_state.changed_months("fact_activity", {}, new) is None  # first build
    assert build_state.changed_months("fact_activity", old, {}) is None  # not by month now
    assert build_state.changed_months("dim_project", old, new) is None


def test_only_tables_whose_every_row_has_an_exact_month_are_written_by_month():
    facts = pd.DataFrame({"period": ["2021-01", "2021-02"], "x": [1, 2]})
    odd = pd.DataFrame({"period": ["2021-01", "2021-02-15"], "x": [1, 2]})
    tables = {"fact_project_period": facts, "fact_activity": odd,
              "fact_reserve_project": facts.iloc[0:0]}
    months = build_state.month_digests(tables, build_state.table_digests(tables))
    assert sorted(months) == ["fact_project_period|", "fact_project_period|2021-01",
                              "fact_project_period|2021-02", "fact_reserve_project|"]


def test_a_february_correction_rewrites_only_february_s_fact_rows(loaded):
    wh, root = loaded
    first = build_core(wh)
    assert first["rows_written"] == sum(first["counts"].values())
    b = ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.7, None, "2021.1",
         "已开工", "否", "市工业和信息化局"]
    a = ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 2.5,
         None, "2021年1月", "已开工", "是", None]
    _resubmit(root, [a, b], 1_700_000_000)
    ingest(wh, root)
    built = build_core(wh)
    january = sum(int(wh.scalar(f"SELECT COUNT(*) FROM core.{t} WHERE period = '2021-01'"))
                  for t in build_state.BY_MONTH)
    assert january > 0
    # every project of this small folder has a report in the corrected file (集美江山 too, whose
    # February row in it is gone), so none is reused and the per-project tables are replaced
    assert built["projects_reused"] == 0
    assert built["rows_written"] == sum(built["counts"].values()) - january
    incremental = _core(wh)
    build_core(wh, force=True)
    for t in CORE:
        pd.testing.assert_frame_equal(incremental[t], _core(wh)[t], obj=t)


def test_digests_tell_every_value_apart_and_ignore_row_order(monkeypatch):
    """A bucket's digest is the digest of its rows alone, whatever the row order and however many
    rows are hashed at a time; it changes with any value, told apart as text: a missing value
    from the text "None", 1.5 from 1.50; numpy numbers and flags by their bits (a missing float
    from 0.0, the last bit of a float)."""
    frame = pd.DataFrame({
        "period": ["2022-01", "2022-02", "2022-01", "2022-02"],
        "name": ["甲", None, "None", "乙"],
        "amount": [Decimal("1.5"), Decimal("2"), None, Decimal("0")],
        "row": [1, 2, 3, 4],
        "ok": [True, False, True, None],
        "score": [0.5, 0.82, float("nan"), 1.0],  # numpy numbers and flags: hashed as bits
        "flag": [True, False, True, False],
    })
    assert (frame["score"].dtype.kind, frame["flag"].dtype.kind, frame["row"].dtype.kind) == (
        "f", "b", "i")
    by_bucket = build_state.bucket_digests(frame, frame["period"])
    assert set(by_bucket) == {"2022-01", "2022-02"}
    monkeypatch.setattr(build_state, "_HASH_ROWS", 3)  # rows hashed three at a time
    assert build_state.bucket_digests(frame, frame["period"]) == by_bucket
    for month, digest in by_bucket.items():
        rows = frame.loc[frame["period"] == month]
        assert digest == build_state.frame_digest(rows)
        assert digest == build_state.frame_digest(rows.iloc[::-1])  # order-free
    shuffled = frame.sample(frac=1, random_state=3)
    assert build_state.frame_digest(frame) == build_state.frame_digest(shuffled)
    base = build_state.frame_digest(frame)
    for col, row, value in [("name", 1, "None"), ("name", 2, None), ("row", 3, 5),
                            ("amount", 0, Decimal("1.50")), ("ok", 3, False),
                            ("period", 0, "2022-02"), ("score", 2, 0.0),
                            ("score", 0, 0.5000000001), ("flag", 1, True)]:
        changed = frame.copy()
        changed.loc[row, col] = value
        assert build_state.frame_digest(changed) != base, (col, row, value)
    assert build_state.bucket_digests(frame.iloc[:0], frame["period"].iloc[:0]) == {}


def test_a_project_that_vanishes_leaves_no_row_and_the_others_stay(loaded):
    """柳江区 adds a project in February, then resubmits February without it: the project's
    dim_project, bridge and fact rows go, the projects taken from the last build keep theirs,
    and core equals a forced full rebuild's; then the project comes back."""
    wh, root = loaded
    build_core(wh)
    jimei = ["房地产业", "集美江山", "鹿寨金润房地产开发公司", 6, 1, None, "2021年2月", "在建",
             "否", None]
    new = ["新材料", "某新材料产业园", "柳州某科技有限公司", 8, 2.25, None, "2021年2月",
           "已开工", "否", None]
    count = ("SELECT COUNT(*) FROM core.{t} WHERE project_id IN (SELECT project_id FROM "
             "core.dim_project WHERE project_name = '某新材料产业园')")
    tables = ("dim_project", "bridge_project_unit", "fact_project_period")
    for stamp, rows, present in ((1_700_000_000, [jimei, new], True),
                                 (1_700_000_100, [jimei], False),
                                 (1_700_000_200, [jimei, new], True)):
        path = dropfolder.ledger(root / "2021-02" / "柳江区.xlsx", "柳江区", "2021-02", rows)
        os.utime(path, (stamp, stamp))
        ingest(wh, root)
        built = build_core(wh)
        assert built["projects_reused"] == 2  # 岭南药业 and 石墨烯: written by project
        assert all((int(wh.scalar(count.format(t=t))) > 0) is present for t in tables)
        incremental = _core(wh)
        build_core(wh, force=True)
        for t in CORE:
            pd.testing.assert_frame_equal(incremental[t], _core(wh)[t], obj=t)


def test_findings_about_no_single_project_are_made_anew_at_every_build(loaded):
    """A duplicate row's finding belongs to no project: 柳江区 resubmits February with 集美江山
    twice, then without the second row; the finding comes and goes, while the projects'
    findings are taken from the last build, and the conform findings equal a forced build's."""
    wh, root = loaded
    build_core(wh)
    jimei = ["房地产业", "集美江山", "鹿寨金润房地产开发公司", 6, 1, None, "2021年2月", "在建",
             "否", None]

    def duplicates() -> int:
        return int(wh.scalar("SELECT COUNT(*) FROM quality.findings "
                             "WHERE check_name = 'duplicate_row'"))

    for stamp, rows, expected in ((1_700_000_000, [jimei, jimei], 1),
                                  (1_700_000_100, [jimei], 0)):
        path = dropfolder.ledger(root / "2021-02" / "柳江区.xlsx", "柳江区", "2021-02", rows)
        os.utime(path, (stamp, stamp))
        ingest(wh, root)
        assert build_core(wh)["projects_reused"] >= 1
        assert duplicates() == expected
    incremental = _conform_findings(wh)
    build_core(wh, force=True)
    pd.testing.assert_frame_equal(incremental, _conform_findings(wh))


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_writing_findings_by_project_replaces_those_about_no_project(backend, tmp_path):
    """Nine of ten projects reused: the tenth's findings and those about no single project are
    replaced (the old duplicate-row finding goes, the new one comes), the nine's stay."""
    wh = Warehouse(url_for(backend, tmp_path))
    wh.create_schema()

    def finding(check: str, text: str, pid: str | None = None) -> Finding:
        return Finding(check, text, period="2021-02", stage="conform", project_id=pid)

    pids = [f"P{i}" for i in range(10)]
    rows = {pid: [["credit", *(getattr(finding("co_credited_project", f"{pid} 旧", pid), n)
                               for n in FIELDS)]] for pid in pids}
    with wh.transaction() as tx:
        _write_findings(tx, ConformFindings([finding("duplicate_row", "旧重复行")], rows, {}, []),
                        frozenset())
    now = ConformFindings(
        [finding("duplicate_row", "新重复行")],
        {"P9": [["credit", *(getattr(finding("co_credited_project", "P9 新", "P9"), n)
                             for n in FIELDS)]]},
        {pid: encode_findings(rows[pid]) for pid in pids[:9]}, [])
    with wh.transaction() as tx:
        _write_findings(tx, now, frozenset(pids[:9]))
    messages = wh.read("SELECT message FROM quality.findings")["message"].tolist()
    assert sorted(messages) == sorted(["新重复行", *(f"{pid} 旧" for pid in pids[:9]), "P9 新"])
    assert int(wh.scalar("SELECT COUNT(*) FROM staging.conform_findings")) == 11
    wh.dispose()
