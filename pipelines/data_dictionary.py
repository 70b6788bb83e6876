"""docs/data_dictionary.md, generated from the Chinese comments of the warehouse DDL.

    python -m pipelines.data_dictionary [--url WAREHOUSE_URL] [--out docs/data_dictionary.md]

The schema is created first (idempotent), so any URL works, even a fresh DuckDB file. DuckDB and
PostgreSQL give the same document: types are shown in one neutral spelling.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from runtime.settings import REPO_ROOT, Settings
from runtime.warehouse import Warehouse

DOC_SCHEMAS = ("core", "marts", "quality")  # every table and column, with its comment
LISTED_SCHEMAS = ("staging",)  # tables only: the pipeline's own, not for BI
DEFAULT_OUT = REPO_ROOT / "docs" / "data_dictionary.md"
SCHEMA_TITLES = {
    "core": "core — 规范化维表、事实表与项目单位桥表",
    "marts": "marts — 按期集市（BI 与通报使用）",
    "quality": "quality — 数据质量问题",
    "staging": "staging — 原始行与文件登记（仅流水线使用，含个人信息，BI 角色无权访问）",
}


def neutral_type(data_type: str, precision, scale) -> str:
    t = str(data_type).lower()
    if t.startswith(("decimal", "numeric")):
        m = re.search(r"\((\d+),\s*(\d+)\)", t)
        if m:
            return f"DECIMAL({m.group(1)},{m.group(2)})"
        return f"DECIMAL({int(precision)},{int(scale)})"
    return {
        "varchar": "TEXT", "text": "TEXT", "character varying": "TEXT",
        "integer": "INTEGER", "int": "INTEGER", "bigint": "BIGINT",
        "double": "DOUBLE", "double precision": "DOUBLE", "boolean": "BOOLEAN",
        "timestamp": "TIMESTAMP", "timestamp without time zone": "TIMESTAMP", "date": "DATE",
    }.get(t, t.upper())


def _cell(text) -> str:
    return ("" if text is None else str(text)).replace("|", "\\|").replace("\n", " ").strip()


def read_comments(wh: Warehouse, schemas) -> tuple[dict, list]:
    """({(schema, table): comment}, [(schema, table, column, type, comment)]) in table order."""
    names = ", ".join(f"'{s}'" for s in schemas)
    if wh.is_duckdb:
        tables = wh.read(f"SELECT schema_name, table_name, comment FROM duckdb_tables() "
                         f"WHERE schema_name IN ({names})")
        comments = wh.read(f"SELECT schema_name, table_name, column_name, comment "
                           f"FROM duckdb_columns() WHERE schema_name IN ({names})")
    else:
        tables = wh.read(
            "SELECT table_schema AS schema_name, table_name, obj_description("
            "format('%I.%I', table_schema, table_name)::regclass, 'pg_class') AS comment "
            f"FROM information_schema.tables WHERE table_schema IN ({names})")
        comments = wh.read(
            "SELECT table_schema AS schema_name, table_name, column_name, col_description("
            "format('%I.%I', table_schema, table_name)::regclass, ordinal_position) AS comment "
            f"FROM information_schema.columns WHERE table_schema IN ({names})")
    cols = wh.read(
        "SELECT table_schema, table_name, column_name, data_type, numeric_precision, "
        f"numeric_scale, ordinal_position FROM information_schema.columns "
        f"WHERE table_schema IN ({names}) ORDER BY table_schema, table_name, ordinal_position")
    col_comment = {(r.schema_name, r.table_name, r.column_name): r.comment
                   for r in comments.itertuples()}
    table_comment = {(r.schema_name, r.table_name): r.comment for r in tables.itertuples()}
    rows = [
        (r.table_schema, r.table_name, r.column_name,
         neutral_type(r.data_type, r.numeric_precision, r.numeric_scale),
         col_comment.get((r.table_schema, r.table_name, r.column_name)))
        for r in cols.itertuples()
    ]
    return table_comment, rows


def render(wh: Warehouse) -> str:
    table_comment, rows = read_comments(wh, DOC_SCHEMAS + LISTED_SCHEMAS)
    out = [
        "# 数据字典 / Data dictionary",
        "",
        "由 `python -m pipelines.data_dictionary` 根据 `warehouse_sql/*.sql` 中的中文注释"
        "（`COMMENT ON`）生成，请勿手工编辑；修改注释后重新生成。",
        "Generated from the DDL comments; do not edit by hand. Periods are text `'YYYY-MM'`, "
        "amounts 亿元, rates fractions (0.25 = 25%).",
        "",
    ]
    for schema in DOC_SCHEMAS:
        out += [f"## {SCHEMA_TITLES[schema]}", ""]
        for table in sorted({t for s, t, *_ in rows if s == schema}):
            out += [f"### `{schema}.{table}` — {_cell(table_comment.get((schema, table)))}", "",
                    "| 列名 column | 类型 type | 说明 |", "| --- | --- | --- |"]
            out += [f"| `{c}` | {t} | {_cell(comment)} |"
                    for s, tb, c, t, comment in rows if s == schema and tb == table]
            out.append("")
    for schema in LISTED_SCHEMAS:
        out += [f"## {SCHEMA_TITLES[schema]}", "", "| 表 table | 说明 |", "| --- | --- |"]
        for table in sorted({t for s, t, *_ in rows if s == schema}):
            out.append(f"| `{schema}.{table}` | {_cell(table_comment.get((schema, table)))} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write(url: str, out: Path = DEFAULT_OUT) -> Path:
    wh = Warehouse(url)
    try:
        wh.create_schema()
        text = render(wh)
    finally:
        wh.dispose()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成数据字典 docs/data_dictionary.md")
    parser.add_argument("--url", default=None, help="warehouse URL (default: WAREHOUSE_URL)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output Markdown file")
    args = parser.parse_args(argv)
    path = write(args.url or Settings.from_env().warehouse_url, Path(args.out))
    print(f"数据字典已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
