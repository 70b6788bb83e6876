"""Every table and column of core, marts and quality has a Chinese comment, on both warehouses."""

from __future__ import annotations

from runtime.warehouse import Warehouse

SCHEMAS = "('core', 'marts', 'quality')"


def test_every_contract_column_has_a_comment(warehouse_url):
    wh = Warehouse(warehouse_url)
    wh.create_schema()
    if wh.is_duckdb:
        cols = wh.read("SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
                       f"WHERE schema_name IN {SCHEMAS}")
        tables = wh.read("SELECT schema_name, table_name, comment FROM duckdb_tables() "
                         f"WHERE schema_name IN {SCHEMAS}")
    else:
        cols = wh.read(
            "SELECT table_schema AS schema_name, table_name, column_name, col_description("
            "format('%I.%I', table_schema, table_name)::regclass, ordinal_position) AS comment "
            f"FROM information_schema.columns WHERE table_schema IN {SCHEMAS}")
        tables = wh.read(
            "SELECT table_schema AS schema_name, table_name, obj_description(format('%I.%I', "
            "table_schema, table_name)::regclass, 'pg_class') AS comment "
            f"FROM information_schema.tables WHERE table_schema IN {SCHEMAS}")
    wh.dispose()
    assert len(tables) >= 13 and len(cols) >= 140
    missing_cols = [f"{r.schema_name}.{r.table_name}.{r.column_name}" for r in cols.itertuples()
                    if not isinstance(r.comment, str) or not r.comment.strip()]
    missing_tables = [f"{r.schema_name}.{r.table_name}" for r in tables.itertuples()
                      if not isinstance(r.comment, str) or not r.comment.strip()]
    assert not missing_cols, missing_cols
    assert not missing_tables, missing_tables
    # Chinese, for a BI user (not the English column name repeated)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in cols["comment"])
