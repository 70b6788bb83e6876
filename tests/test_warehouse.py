"""The warehouse resource on real DuckDB and real PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from runtime.warehouse import Warehouse

CONTRACT = {
    "core.dim_unit": ["unit_name", "unit_type", "parent_name"],
    "core.dim_project": ["project_id", "project_name", "investor", "industry", "total_investment",
                         "is_industrial", "is_emerging", "is_sanqi", "signed_month",
                         "territorial_unit"],
    "core.bridge_project_unit": ["project_id", "unit_name", "role"],
    "core.fact_project_period": ["project_id", "period", "reported_by", "status",
                                 "funds_this_year", "funds_cumulative", "source_file",
                                 "source_sheet", "source_row"],
    "core.fact_target": ["year", "unit_name", "indicator", "target"],
    "marts.target_progress": ["period", "year", "unit_name", "unit_type", "indicator", "target",
                              "actual", "completion_rate", "time_progress", "on_schedule"],
    "marts.city_summary": ["period", "indicator", "target", "actual"],
    "marts.four_rates": ["period", "unit_name", "signed_projects", "performing_projects",
                         "started_projects", "completed_projects", "contract_investment",
                         "funds_cumulative", "performance_rate", "funds_rate", "start_rate",
                         "completion_rate", "performance_rate_increment", "funds_rate_increment",
                         "start_rate_increment", "completion_rate_increment"],
    "marts.red_black_list": ["period", "list_group", "unit_name", "score", "rank", "list",
                             "reasons"],
    "marts.performance_assessment": ["period", "year", "unit_name", "unit_type", "item", "score",
                                     "max_score", "detail"],
    # revision 2 (warehouse.md): the reporting duty, 季约谈, 预警, pipeline and industry marts
    "marts.submission_status": ["period", "unit_name", "unit_type", "kind", "deadline",
                                "received_at", "status", "source_file"],
    "marts.interview_list": ["quarter", "period", "list_group", "unit_name", "black_list_months",
                             "gate_completion", "time_progress", "reasons"],
    "marts.early_warning": ["period", "warning_type", "unit_name", "project_id", "project_name",
                            "months", "message"],
    "marts.project_pipeline": ["period", "unit_name", "stage", "projects", "total_investment",
                               "funds_this_year", "entered_this_period"],
    "marts.industry_summary": ["period", "industry", "chain", "new_projects", "total_investment",
                               "funds_in_place", "actual_last_year"],
    "quality.findings": ["check_name", "severity", "period", "unit_name", "source_file",
                         "source_sheet", "source_row", "project_name", "message"],
}


def _target(unit: str, value: str) -> pd.DataFrame:
    return pd.DataFrame([{"year": 2021, "unit_name": unit, "indicator": "funds_in_place",
                          "target": Decimal(value)}])


def test_schema_has_the_contract_tables_and_columns(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    wh.create_schema()  # idempotent
    for table, columns in CONTRACT.items():
        actual = list(wh.columns(table))
        assert actual[: len(columns)] == columns, table


def test_replace_is_exact_and_scoped(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    wh.replace("core.fact_target", _target("城中区", "80.12345678"))
    with wh.transaction() as tx:
        tx.insert("core.fact_target", _target("鱼峰区", "78"))
        tx.replace("core.fact_target", _target("城中区", "0.00000001"), {"unit_name": "城中区"})
    df = wh.read("SELECT unit_name, target FROM core.fact_target ORDER BY unit_name")
    values = dict(zip(df["unit_name"], df["target"]))
    assert values == {"城中区": Decimal("0.00000001"), "鱼峰区": Decimal("78")}


def test_failed_transaction_leaves_previous_rows(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    wh.replace("core.fact_target", _target("城中区", "80"))
    with pytest.raises(RuntimeError), wh.transaction() as tx:
        tx.replace("core.fact_target", _target("城中区", "1"))
        raise RuntimeError("crash mid-write")
    df = wh.read("SELECT target FROM core.fact_target")
    assert list(df["target"]) == [Decimal("80")]


def test_unknown_column_and_bad_names_are_refused(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    with pytest.raises(ValueError):
        wh.replace("core.fact_target", pd.DataFrame([{"year": 2021, "oops": 1}]))
    with pytest.raises(ValueError):
        wh.replace("core.fact_target; DROP TABLE x", _target("城中区", "1"))


def test_chinese_comments_on_contract_tables(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    if wh.is_duckdb:
        comment = wh.scalar("SELECT comment FROM duckdb_columns() WHERE schema_name = 'core' "
                            "AND table_name = 'dim_project' AND column_name = 'total_investment'")
    else:
        comment = wh.scalar("SELECT col_description('core.dim_project'::regclass, "
                            "(SELECT attnum FROM pg_attribute WHERE attrelid = "
                            "'core.dim_project'::regclass AND attname = 'total_investment'))")
    assert comment == "投资总额（亿元）"


def test_delete_by_a_long_list_of_keys(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    units = [f"单位{i}" for i in range(2000)]
    frame = pd.DataFrame({"year": 2021, "unit_name": units, "indicator": "new_projects",
                          "target": Decimal(1)})
    wh.replace("core.fact_target", frame)
    with wh.transaction() as tx:
        tx.delete("core.fact_target", {"unit_name": units[:1500], "year": 2021})
    assert wh.scalar("SELECT COUNT(*) FROM core.fact_target") == 500


def test_findings_by_severity_of_one_month_or_several_counts_each_finding_once(warehouse_url):
    """A range run's metadata: the months' findings plus those of no month, each once."""
    from runtime.metadata import findings_by_severity

    wh = Warehouse(warehouse_url)
    wh.create_schema()
    try:
        with wh.transaction() as tx:
            tx.insert("quality.findings", pd.DataFrame([
                {"check_name": "a", "severity": "error", "period": "2021-01", "stage": "core", "message": "甲"},
                {"check_name": "b", "severity": "warning", "period": "2021-02", "stage": "core", "message": "乙"},
                {"check_name": "c", "severity": "warning", "period": "2021-03", "stage": "core", "message": "丙"},
                {"check_name": "d", "severity": "info", "period": None, "stage": "ingest", "message": "丁"},
            ]))
        assert findings_by_severity(wh, None, "2021-01") == {"error": 1, "warning": 0, "info": 1}
        assert findings_by_severity(wh, None, ["2021-01", "2021-02"]) == {
            "error": 1, "warning": 1, "info": 1}
        assert findings_by_severity(wh, "core", ["2021-02", "2021-03"]) == {
            "error": 0, "warning": 2, "info": 0}
    finally:
        wh.dispose()


def test_read_shares_equal_texts_and_changes_no_value(warehouse_url, monkeypatch):
    """wh.read fetches in chunks and makes equal texts of a column one object (memory at
    province scale); the frame must equal what one fetchall gives, value for value and type
    for type, across chunk boundaries, with NULLs and non-text columns left alone."""
    import sqlalchemy as sa

    import runtime.warehouse as warehouse

    monkeypatch.setattr(warehouse, "_CHUNK_ROWS", 3)  # several chunks of a small table
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    rows = pd.DataFrame({
        "file_id": [f"f{i % 2}" for i in range(8)], "source_file": ["a.xlsx"] * 8,
        "source_sheet": [None, "表1", "表1", None, "表2", "表1", None, "表1"],
        "source_row": [1, 2, None, 4, 5, 6, 7, 8], "period": ["2022-01"] * 8,
        "project_name": ["甲", "乙", "甲", None, "丙", "甲", "乙", "甲"],
        "total_investment": [Decimal("1.5"), None, Decimal("1.5"), Decimal("0"),
                             Decimal("-2.25"), None, Decimal("1.5"), Decimal("3")],
        "is_sanqi": [True, None, False, True, None, False, True, None],
    })
    with wh.transaction() as tx:
        tx.insert("staging.ledger_rows", rows)
    sql = ("SELECT file_id, source_file, source_sheet, source_row, period, project_name, "
           "total_investment, is_sanqi FROM staging.ledger_rows ORDER BY source_row NULLS FIRST, "
           "file_id")
    got = wh.read(sql)
    with wh.engine.connect() as conn:
        result = conn.execute(sa.text(sql))
        plain = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    pd.testing.assert_frame_equal(got, plain, check_exact=True)
    for col in got.columns:
        assert got[col].map(type).tolist() == plain[col].map(type).tolist(), col
    names = got["project_name"].tolist()
    firsts = {}
    for name in names:  # every equal text is the object met first, across chunks too
        assert name is firsts.setdefault(name, name)
    assert len(got) == 8 and names.count("甲") == 4
    wh.dispose()


_TYPED = {  # DuckDB type → a value of it (the columnar read's types and some it must leave alone)
    "VARCHAR": "'甲'", "INTEGER": "3", "BIGINT": "4", "SMALLINT": "2", "TINYINT": "1",
    "DOUBLE": "1.5", "FLOAT": "0.25", "DECIMAL(18,4)": "1.25", "DECIMAL(38,10)": "-2.5",
    "BOOLEAN": "false", "DATE": "DATE '2022-01-02'",
    "TIMESTAMP": "TIMESTAMP '2022-01-02 03:04:05.123456'",
    # read row by row: HUGEINT is decimal128(38, 0) in Arrow, JSON is text there, …
    "HUGEINT": "5", "DECIMAL(18,0)": "3", "JSON": "'[1, 2]'", "TIME": "TIME '01:02:03'",
    "TIMESTAMPTZ": "TIMESTAMPTZ '2022-01-02 03:04:05+08'", "UBIGINT": "7", "INTEGER[]": "[1, 2]",
}


@pytest.mark.parametrize("sql_type", list(_TYPED))
@pytest.mark.parametrize("values", ["all", "some missing", "all missing", "no rows"])
def test_duckdb_read_in_columns_equals_the_row_by_row_frame(duckdb_url, sql_type, values):
    """On DuckDB wh.read fetches in columns (Arrow); the frame must be the one the row-by-row
    read builds from the same rows (`pd.DataFrame(fetchall())`): dtypes, values, Python types
    of the values, missing values — for every type, with no, some or only NULLs, and none."""
    import sqlalchemy as sa

    value = f"CAST({_TYPED[sql_type]} AS {sql_type})"
    cell = {"all": value, "some missing": f"CASE WHEN range = 1 THEN NULL ELSE {value} END",
            "all missing": f"CAST(NULL AS {sql_type})", "no rows": value}[values]
    where = "WHERE range > 5" if values == "no rows" else ""
    sql = f"SELECT {cell} AS c, 'x' AS d, range AS n FROM range(4) {where} ORDER BY range"
    wh = Warehouse(duckdb_url)
    got = wh.read(sql)
    with wh.engine.connect() as conn:
        result = conn.execute(sa.text(sql))
        plain = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    wh.dispose()
    pd.testing.assert_frame_equal(got, plain, check_exact=True)
    for col in got.columns:
        assert got[col].map(type).tolist() == plain[col].map(type).tolist(), col
    assert len(got) == (0 if values == "no rows" else 4)


@pytest.mark.parametrize("value", ["a\\b", "x'y", "100%", "a:b", "甲\n乙", "", 3, 2.5, None, True,
                                   Decimal("1.50")])
def test_duckdb_read_binds_parameters_like_the_row_by_row_read(duckdb_url, value):
    """The columnar read binds parameters in DuckDB, never in the text: a backslash, quote,
    percent sign or colon is the value itself, as in the row-by-row read."""
    import sqlalchemy as sa

    sql = ("SELECT :v AS v, :v IS NULL AS missing, range AS n FROM range(3) "
           "WHERE range >= :low ORDER BY range")
    params = {"v": value, "low": 1}
    wh = Warehouse(duckdb_url)
    got = wh.read(sql, params)
    with wh.engine.connect() as conn:
        result = conn.execute(sa.text(sql), params)
        plain = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    wh.dispose()
    pd.testing.assert_frame_equal(got, plain, check_exact=True)
    assert got["v"].map(type).tolist() == plain["v"].map(type).tolist()
    assert got["n"].tolist() == [1, 2]


def test_duckdb_read_errors_are_the_usual_ones(duckdb_url):
    """A failing query raises SQLAlchemy's error, whichever way it would have been read."""
    import sqlalchemy as sa

    wh = Warehouse(duckdb_url)
    with pytest.raises(sa.exc.DBAPIError, match="no_such_table"):
        wh.read("SELECT * FROM no_such_table")
    with pytest.raises(sa.exc.DBAPIError):
        wh.read("SELECT CAST('x' AS INTEGER) AS n FROM range(2)")
    wh.dispose()


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_values_inside_a_transaction_see_its_writes_and_keep_python_types(backend, tmp_path):
    """Tx.values reads the first column under the transaction (its own uncommitted rows
    included) and gives what a row-by-row read gives: texts and None, whole numbers and None."""
    from tests.conftest import url_for

    wh = Warehouse(url_for(backend, tmp_path))
    wh.create_schema()
    with wh.transaction() as tx:
        tx.insert("staging.name_keys", pd.DataFrame(
            {"kind": ["name", "name", "investor"], "text": ["甲", "乙", "丙"],
             "key": ["k1", "k2", "k3"]}))
        texts = tx.values("SELECT CASE WHEN text = '乙' THEN NULL ELSE text END FROM "
                          "staging.name_keys WHERE kind = :k ORDER BY key", {"k": "name"})
        numbers = tx.values("SELECT CASE WHEN text = '乙' THEN NULL ELSE LENGTH(key) END "
                            "FROM staging.name_keys ORDER BY key")
        none = tx.values("SELECT text FROM staging.name_keys WHERE kind = 'other'")
    assert texts == ["甲", None] and numbers == [2, None, 2] and none == []
    assert all(type(v) in (str, type(None)) for v in texts)
    assert all(type(v) in (int, type(None)) for v in numbers)
    assert wh.scalar("SELECT COUNT(*) FROM staging.name_keys") == 3
    wh.dispose()


def test_duckdb_insert_inside_a_transaction_keeps_no_python_text_alive(duckdb_url):
    """Perf, issue 17: DuckDB kept every str object of a registered pandas frame alive until the
    transaction committed, so ingest (one transaction) held every cell of the province as a
    Python object (3.3 GB).  Written as Arrow strings, the frame's texts are freed once it is
    gone, inside the transaction, and the rows written are the ones given."""
    import gc
    import sys

    wh = Warehouse(duckdb_url)
    wh.create_schema()
    n = 100_000
    with wh.transaction() as tx:
        gc.collect()
        before = sys.getallocatedblocks()
        frame = pd.DataFrame({"kind": ["name"] * n, "text": [f"项目{i}" for i in range(n)],
                              "key": [f"k{i}" for i in range(n)]})
        assert tx.insert("staging.name_keys", frame) == n
        del frame
        gc.collect()
        held = sys.getallocatedblocks() - before
        assert held < n // 10, f"{held:,} Python objects still held for {2 * n:,} texts"
    assert wh.scalar("SELECT COUNT(*) FROM staging.name_keys") == n
    assert wh.read("SELECT text, key FROM staging.name_keys WHERE key IN ('k0', 'k99999') "
                   "ORDER BY key").values.tolist() == [["项目0", "k0"], ["项目99999", "k99999"]]
    wh.dispose()
