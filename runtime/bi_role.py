"""The read-only BI role of the PostgreSQL warehouse (docs/spec/warehouse.md "Access").

`grant_bi_role(wh)` creates the role if absent and gives it USAGE + SELECT on core, marts and
quality (also on tables created later, through default privileges), and nothing on staging, which
holds names and phone numbers. Idempotent; a no-op on DuckDB (an embedded file has no roles).
"""

from __future__ import annotations

import os
import re

from runtime.warehouse import Warehouse

READ_SCHEMAS = ("core", "marts", "quality", "bi")
PRIVATE_SCHEMAS = ("staging",)
DEFAULT_ROLE = "bi_reader"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def bi_role_statements(role: str = DEFAULT_ROLE, password: str | None = None) -> list[str]:
    if not _ROLE.match(role):
        raise ValueError(f"BI role name {role!r} must be a lower-case SQL identifier")
    stmts = [
        # CREATE ROLE has no IF NOT EXISTS; a concurrent creator is tolerated.
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} NOLOGIN; END IF; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    ]
    if password:
        stmts.append(f"ALTER ROLE {role} LOGIN PASSWORD {_literal(password)}")
    for schema in READ_SCHEMAS:
        stmts += [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role}",
        ]
    for schema in PRIVATE_SCHEMAS:
        stmts += [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE ALL ON SCHEMA {schema} FROM {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {role}",
        ]
    return stmts


def grant_bi_role(wh: Warehouse, role: str = DEFAULT_ROLE, password: str | None = None) -> bool:
    """Create/refresh the read-only role; False (nothing done) on DuckDB."""
    if wh.is_duckdb:
        return False
    stmts = bi_role_statements(role, password)
    with wh.engine.begin() as conn:
        wh.lock_for_writing(conn)  # concurrent GRANTs fail: "tuple concurrently updated"
        for stmt in stmts:
            conn.exec_driver_sql(stmt)
    return True


def grant_from_env(wh: Warehouse) -> bool:
    """BI_ROLE (default bi_reader) and BI_PASSWORD (default none: a NOLOGIN role)."""
    return grant_bi_role(wh, os.environ.get("BI_ROLE") or DEFAULT_ROLE,
                         os.environ.get("BI_PASSWORD") or None)
