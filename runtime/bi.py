"""The `bi` schema: stable views for BI tools, and on PostgreSQL a role per unit with row-level
security (docs/bi.md, issue 18).

- `bi.<mart>`: every period of a mart, columns named by their Chinese comment from the DDL
  (统计期, 单位, 综合得分…), so a BI tool that shows raw names shows Chinese.
- `bi.<mart>_latest`: the same, only the latest period the mart holds.
- `bi.findings` / `bi.findings_latest`: quality.findings likewise.
- PostgreSQL: one NOLOGIN role per non-city unit of reference/units.yaml (`bi.unit_roles` says
  which is which), with SELECT on `marts` and `bi` only; row-level security on every mart with a
  `unit_name` lets such a role see its own unit's rows and the city's, the read-only BI role
  (BI_ROLE) every row.  The views are `security_invoker`, so the policies apply through them.

Everything is recreated on each start (idempotent), from the DDL actually run, so a column added
to a mart appears in its views.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from runtime.metadata import column_schemas
from runtime.reference import Reference
from runtime.settings import Settings
from runtime.warehouse import Warehouse

VIEW_SOURCES = ("marts", "quality")
DEFAULT_UNIT_ROLE_PREFIX = "bi_unit_"
_POLICY_ALL, _POLICY_UNIT = "bi_reader_all_rows", "unit_own_and_city_rows"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _view_name(table: str) -> str:
    schema, name = table.split(".")
    return name if schema == "marts" else name.removeprefix("quality_")


def view_statements(dialect: str) -> list[str]:
    """DROP + CREATE of every bi view (CREATE OR REPLACE cannot rename a PostgreSQL column)."""
    invoker = " WITH (security_invoker = true)" if dialect == "postgresql" else ""
    stmts = ["CREATE SCHEMA IF NOT EXISTS bi"]
    for table, schema in sorted(column_schemas().items()):
        if table.split(".")[0] not in VIEW_SOURCES:
            continue
        aliases, seen = [], set()
        for col in schema.columns:
            label = col.description if col.description and col.description not in seen else col.name
            seen.add(label)
            aliases.append(f"{_quote(col.name)} AS {_quote(label)}")
        select = f"SELECT {', '.join(aliases)} FROM {table}"
        name = _view_name(table)
        latest = f"{select} WHERE period = (SELECT MAX(period) FROM {table})"
        for view, body in ((name, select), (f"{name}_latest", latest)):
            stmts.append(f"DROP VIEW IF EXISTS bi.{view}")
            stmts.append(f"CREATE VIEW bi.{view}{invoker} AS {body}")
        comment = "（最新一期）"
        stmts.append(f"COMMENT ON VIEW bi.{name}_latest IS {_literal(name + comment)}")
    return stmts


def unit_role(unit_name: str, unit_type: str, prefix: str | None = None) -> str:
    """A stable role name for a unit: prefix + type + 6 hex digits of the name (role names are
    ASCII identifiers; `bi.unit_roles` maps them back to the Chinese unit names)."""
    prefix = prefix if prefix is not None else Settings.from_env().bi_unit_role_prefix
    digest = hashlib.sha1(unit_name.encode("utf-8")).hexdigest()[:6]
    return f"{prefix}{unit_type}_{digest}"


def unit_roles(ref: Reference | None = None) -> dict[str, str]:
    """role name → unit name, for every unit of units.yaml except the city."""
    ref = ref or Reference.load()
    return {unit_role(u.name, u.type): u.name for u in ref.units.values() if u.type != "city"}


def _city(ref: Reference) -> str:
    return next(u.name for u in ref.units.values() if u.type == "city")


def role_statements(roles: dict[str, str], reader: str) -> list[str]:
    """Create the unit roles and `bi.unit_roles`; grants on marts and bi only."""
    stmts = []
    for role in roles:
        stmts.append(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_literal(role)}) THEN "
            f"CREATE ROLE {role} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    stmts += [
        "CREATE TABLE IF NOT EXISTS bi.unit_roles (role_name TEXT PRIMARY KEY, unit_name TEXT)",
        "COMMENT ON TABLE bi.unit_roles IS '单位角色：每个单位的数据库角色名'",
        "DELETE FROM bi.unit_roles",
    ]
    if roles:
        values = ", ".join(f"({_literal(r)}, {_literal(u)})" for r, u in roles.items())
        stmts.append(f"INSERT INTO bi.unit_roles VALUES {values}")
    grantees = ", ".join([reader, *roles])
    stmts += [f"GRANT USAGE ON SCHEMA bi, marts TO {grantees}",
              f"GRANT SELECT ON ALL TABLES IN SCHEMA bi TO {grantees}",
              f"GRANT SELECT ON ALL TABLES IN SCHEMA marts TO {grantees}"]
    return stmts


def policy_statements(tables: list[str], reader: str, city: str) -> list[str]:
    """Row-level security on the marts with a unit_name: own unit + city; the reader all."""
    # joined to pg_roles: a role listed but since dropped is skipped, not an error
    own = ("unit_name IN (SELECT r.unit_name FROM bi.unit_roles r JOIN pg_roles p "
           "ON p.rolname = r.role_name WHERE pg_has_role(p.oid, 'MEMBER'))")
    stmts = []
    for table in tables:
        stmts += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {_POLICY_ALL} ON {table}",
            f"CREATE POLICY {_POLICY_ALL} ON {table} FOR SELECT TO {reader} USING (true)",
            f"DROP POLICY IF EXISTS {_POLICY_UNIT} ON {table}",
            f"CREATE POLICY {_POLICY_UNIT} ON {table} FOR SELECT TO PUBLIC "
            f"USING (unit_name = {_literal(city)} OR {own})",
        ]
    return stmts


def _unit_tables(wh: Warehouse) -> list[str]:
    df = wh.read("SELECT table_schema || '.' || table_name AS t FROM information_schema.columns "
                 "WHERE table_schema = 'marts' AND column_name = 'unit_name' ORDER BY 1")
    return list(df["t"])


def setup_bi(wh: Warehouse, reader: str | None = None) -> None:
    """Create the bi views; on PostgreSQL also the unit roles and the row-level security."""
    stmts = view_statements(wh.dialect)
    if not wh.is_duckdb:
        reader = reader or Settings.from_env().bi_role
        ref = Reference.load()
        stmts += role_statements(unit_roles(ref), reader)
        stmts += policy_statements(_unit_tables(wh), reader, _city(ref))
    with wh.engine.begin() as conn:
        wh.lock_for_writing(conn)
        for stmt in stmts:
            conn.exec_driver_sql(stmt)


EXPORT_SCHEMAS = ("core", "marts", "quality")


def export_duckdb_copy(source_url: str, out: Path) -> dict[str, int]:
    """Write a BI copy of a DuckDB warehouse to `out`: core, marts and quality with their
    comments, the bi views, and no `staging` (names and phone numbers).  Returns rows per table.

    Written to a temporary file and renamed, so a half-written copy never replaces a good one."""
    if not source_url.startswith("duckdb:///"):
        raise ValueError("只有 DuckDB 仓库可以导出副本；PostgreSQL 请让 BI 工具连接 bi 模式")
    source = Path(source_url.removeprefix("duckdb:///")).resolve()
    if not source.is_file():
        raise FileNotFoundError(f"仓库文件不存在：{source}")
    out = out.resolve()
    if out == source:
        raise ValueError("导出文件不能是仓库文件本身")
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    copy = Warehouse(f"duckdb:///{tmp}")
    try:
        copy.create_schema()  # the DDL, comments included
        counts = _copy_tables(copy, source)
        setup_bi(copy)
    finally:
        copy.dispose()
    tmp.replace(out)
    return counts


def _copy_tables(copy: Warehouse, source: Path) -> dict[str, int]:
    counts = {}
    with copy.engine.begin() as conn:
        conn.exec_driver_sql(f"ATTACH {_literal(str(source))} AS src (READ_ONLY)")
        try:
            for table, schema in sorted(column_schemas().items()):
                if table.split(".")[0] not in EXPORT_SCHEMAS:
                    continue
                have = set(conn.exec_driver_sql(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'src' "
                    "AND schema_name || '.' || table_name = ?", (table,)).scalars().all())
                cols = ", ".join(_quote(c.name) for c in schema.columns if c.name in have)
                if not cols:
                    continue
                conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM src.{table}")
                counts[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            conn.exec_driver_sql("DROP SCHEMA staging CASCADE")
        finally:
            conn.exec_driver_sql("DETACH src")
    return counts
