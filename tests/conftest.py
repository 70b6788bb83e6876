"""Shared fixtures: real warehouses (a DuckDB file and the local PostgreSQL) and settings."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pgserver import scram_server  # noqa: F401 — the session's own password-checking server

REPO = Path(__file__).resolve().parents[1]
# The server the tests use; each test session works in a database of its own on it (created at
# session start, dropped at the end), so two suites on one server never collide.
POSTGRES_SERVER_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SESSION_DB = f"zs_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
# The unit roles the pipeline creates (runtime/bi.py) are server-wide: this session's have a prefix
# of their own and are dropped at the end.
UNIT_ROLE_PREFIX = f"zs{uuid.uuid4().hex[:8]}_"
os.environ["BI_UNIT_ROLE_PREFIX"] = UNIT_ROLE_PREFIX
POSTGRES_URL = sa.engine.make_url(POSTGRES_SERVER_URL).set(database=SESSION_DB).render_as_string(
    hide_password=False
)
SCHEMAS = ("staging", "core", "marts", "quality", "bi")
# The BI role is a server-wide object: one name per session, so parallel sessions never share it.
BI_ROLE = f"bi_{SESSION_DB}"
os.environ["BI_ROLE"] = BI_ROLE


def _admin(statement: str) -> None:
    engine = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def pytest_sessionstart(session) -> None:
    try:
        _admin(f'CREATE DATABASE "{SESSION_DB}"')
    except Exception:  # noqa: BLE001 — unreachable: require_postgres() fails or skips each test
        pass


def pytest_sessionfinish(session, exitstatus) -> None:
    try:
        from runtime.resources import release_warehouses

        release_warehouses()
        _admin(f'DROP DATABASE IF EXISTS "{SESSION_DB}" WITH (FORCE)')
        _admin(f"DROP ROLE IF EXISTS {BI_ROLE}")
    except Exception:  # noqa: BLE001 — the server went away; nothing left to clean
        pass
    try:
        drop_unit_roles()
    except Exception:  # noqa: BLE001
        pass


def drop_unit_roles() -> None:
    """Drop this session's unit roles (their grants went with the session database)."""
    engine = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            roles = conn.exec_driver_sql(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %(p)s)",
                {"p": UNIT_ROLE_PREFIX}).scalars().all()
            for role in roles:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        engine.dispose()


def reset_postgres(url: str = POSTGRES_URL) -> None:
    """Drop our schemas (and the BI role's grants with them) for an isolated test."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for schema in SCHEMAS:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        engine.dispose()


def postgres_available(url: str = POSTGRES_URL) -> str | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).splitlines()[0]


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


def require_postgres() -> str:
    """POSTGRES_URL with our schemas dropped. Unreachable: a failure in CI (the production path
    must be proven every run), a skip elsewhere."""
    problem = postgres_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} unreachable: {problem}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} unreachable (set CI=true to fail): {problem}")
    reset_postgres()
    return POSTGRES_URL


def url_for(backend: str, folder: Path) -> str:
    """A fresh warehouse of the given backend ("duckdb": a file in `folder`)."""
    if backend == "duckdb":
        return f"duckdb:///{folder / 'warehouse.duckdb'}"
    return require_postgres()


@pytest.fixture
def postgres_url() -> str:
    yield require_postgres()
    from runtime.resources import release_warehouses

    release_warehouses()


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_url(request) -> str:
    """Run the test on both warehouses."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch) -> Path:
    """DAGSTER_HOME and REPORTS_DIR under tmp_path, so tests never touch the repo's data/."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("REPORTS_DIR", str(tmp_path / "reports"))
    (tmp_path / "dagster_home").mkdir()
    return tmp_path
