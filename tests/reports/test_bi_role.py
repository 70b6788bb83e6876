"""The read-only BI role on the real local PostgreSQL: marts yes, staging no."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from runtime.bi_role import bi_role_statements, grant_bi_role
from runtime.resources import WarehouseResource
from runtime.warehouse import Warehouse


def _privilege(wh: Warehouse, role: str, table: str) -> bool:
    return bool(wh.scalar("SELECT has_table_privilege(:r, :t, 'SELECT')", {"r": role, "t": table}))


def test_duckdb_has_no_roles(duckdb_url):
    wh = Warehouse(duckdb_url)
    wh.create_schema()
    assert grant_bi_role(wh) is False
    wh.dispose()


def test_role_name_must_be_an_identifier():
    with pytest.raises(ValueError):
        bi_role_statements("bi; DROP TABLE x")


def test_resource_grants_read_only_role(postgres_url, monkeypatch):
    monkeypatch.delenv("BI_ROLE", raising=False)
    monkeypatch.delenv("BI_PASSWORD", raising=False)
    wh = WarehouseResource(url=postgres_url).get()  # create_schema + grant_bi_role
    with wh.transaction() as tx:
        tx.execute("INSERT INTO marts.red_black_list (period, unit_name, score) "
                   "VALUES ('2021-02', '柳南区', 88.25)")
        tx.execute("INSERT INTO staging.ledger_rows (file_id, source_file, contact_phone) "
                   "VALUES ('f', 'a.xlsx', '13812345678')")
    assert _privilege(wh, "bi_reader", "marts.target_progress")
    assert _privilege(wh, "bi_reader", "core.dim_project")
    assert _privilege(wh, "bi_reader", "quality.findings")
    assert not _privilege(wh, "bi_reader", "staging.ledger_rows")
    assert not _privilege(wh, "bi_reader", "staging.files")
    assert grant_bi_role(wh) is True  # idempotent
    assert grant_bi_role(wh) is True

    # a table created later in marts is readable too (default privileges)
    with wh.transaction() as tx:
        tx.execute("CREATE TABLE marts.zz_future_mart (x INTEGER)")
    assert _privilege(wh, "bi_reader", "marts.zz_future_mart")

    # act as the role on a separate engine (SET ROLE must not leak into the pool)
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET ROLE bi_reader")
            assert conn.exec_driver_sql("SELECT current_user").scalar() == "bi_reader"
            row = conn.exec_driver_sql(
                "SELECT unit_name, score FROM marts.red_black_list").one()
            assert tuple(row) == ("柳南区", 88.25)
            for table in ("core.dim_unit", "core.fact_project_period", "marts.target_progress",
                          "marts.zz_future_mart", "quality.findings"):
                conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SELECT * FROM staging.ledger_rows")
            conn.rollback()
            conn.exec_driver_sql("SET ROLE bi_reader")
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SELECT count(*) FROM staging.files")
            conn.rollback()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SET ROLE bi_reader; INSERT INTO marts.red_black_list "
                                     "(period, unit_name) VALUES ('x', 'y')")
            conn.rollback()
    finally:
        engine.dispose()


def test_role_from_env_with_password_can_log_in(postgres_url, monkeypatch):
    role = "bi_login_test"
    monkeypatch.setenv("BI_ROLE", role)
    monkeypatch.setenv("BI_PASSWORD", "s3cret'pw")
    wh = WarehouseResource(url=postgres_url).get()
    try:
        assert wh.scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r", {"r": role})
        assert _privilege(wh, role, "marts.four_rates")
        assert not _privilege(wh, role, "staging.ledger_rows")
        url = sa.engine.make_url(postgres_url).set(username=role, password="s3cret'pw")
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT current_user").scalar() == role
                conn.exec_driver_sql("SELECT count(*) FROM marts.four_rates").scalar()
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    conn.exec_driver_sql("SELECT count(*) FROM staging.ledger_rows")
        finally:
            engine.dispose()
    finally:
        with wh.transaction() as tx:
            tx.execute(f"DROP OWNED BY {role}")
            tx.execute(f"DROP ROLE IF EXISTS {role}")
