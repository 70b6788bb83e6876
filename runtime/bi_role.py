"""The read-only BI role of the PostgreSQL warehouse (docs/spec/warehouse.md "Access").

`grant_bi_role(wh)` creates the role if absent and gives it USAGE + SELECT on core, marts and
quality (also on tables created later, through default privileges), and nothing on staging, which
holds names and phone numbers. Idempotent; a no-op on DuckDB (an embedded file has no roles).

The password (BI_PASSWORD) never goes to the server as text: the statement carries its
SCRAM-SHA-256 verifier (RFC 5802/7677, what PostgreSQL itself stores), so a failed statement
echoed in an error, the server log or pg_stat_activity shows no password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata

from runtime.settings import Settings
from runtime.warehouse import Warehouse

READ_SCHEMAS = ("core", "marts", "quality", "bi")
PRIVATE_SCHEMAS = ("staging",)
DEFAULT_ROLE = "bi_reader"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = 4096) -> str:
    """The `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>` form PostgreSQL accepts in
    ALTER ROLE … PASSWORD and stores as is (NFKC stands in for SASLprep)."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", unicodedata.normalize("NFKC", password).encode(),
                                 salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return (f"SCRAM-SHA-256${iterations}:{b64(salt)}"
            f"${b64(stored_key)}:{b64(server_key)}")


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
        stmts.append(f"ALTER ROLE {role} LOGIN PASSWORD {_literal(scram_verifier(password))}")
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
    settings = Settings.from_env()
    return grant_bi_role(wh, settings.bi_role, settings.bi_password)
