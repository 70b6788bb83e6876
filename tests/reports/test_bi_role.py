"""The read-only BI role: marts yes, staging no (shared local server), and its password really
checked (the session's own scram-sha-256 server, tests/pgserver.py)."""

from __future__ import annotations

import base64
import secrets

import pytest
import sqlalchemy as sa

from runtime.bi import unit_role
from runtime.bi_role import bi_role_statements, grant_bi_role, scram_verifier
from runtime.resources import WarehouseResource, release_warehouses
from runtime.warehouse import Warehouse
from tests.conftest import BI_ROLE
from tests.reports.test_bi_views import fill_marts


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
    monkeypatch.setenv("BI_ROLE", BI_ROLE)  # the session's own name (tests/conftest.py)
    monkeypatch.delenv("BI_PASSWORD", raising=False)
    wh = WarehouseResource(url=postgres_url).get()  # create_schema + grant_bi_role
    with wh.transaction() as tx:
        tx.execute("INSERT INTO marts.red_black_list (period, unit_name, score) "
                   "VALUES ('2021-02', '柳南区', 88.25)")
        tx.execute("INSERT INTO staging.ledger_rows (file_id, source_file, contact_phone) "
                   "VALUES ('f', 'a.xlsx', '13812345678')")
    assert _privilege(wh, BI_ROLE, "marts.target_progress")
    assert _privilege(wh, BI_ROLE, "core.dim_project")
    assert _privilege(wh, BI_ROLE, "quality.findings")
    assert not _privilege(wh, BI_ROLE, "staging.ledger_rows")
    assert not _privilege(wh, BI_ROLE, "staging.files")
    assert grant_bi_role(wh, BI_ROLE) is True  # idempotent
    assert grant_bi_role(wh, BI_ROLE) is True

    # a table created later in marts is readable too (default privileges)
    with wh.transaction() as tx:
        tx.execute("CREATE TABLE marts.zz_future_mart (x INTEGER)")
    assert _privilege(wh, BI_ROLE, "marts.zz_future_mart")

    # act as the role on a separate engine (SET ROLE must not leak into the pool)
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET ROLE {BI_ROLE}")
            assert conn.exec_driver_sql("SELECT current_user").scalar() == BI_ROLE
            row = conn.exec_driver_sql(
                "SELECT unit_name, score FROM marts.red_black_list").one()
            assert tuple(row) == ("柳南区", 88.25)
            for table in ("core.dim_unit", "core.fact_project_period", "marts.target_progress",
                          "marts.zz_future_mart", "quality.findings"):
                conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SELECT * FROM staging.ledger_rows")
            conn.rollback()
            conn.exec_driver_sql(f"SET ROLE {BI_ROLE}")
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SELECT count(*) FROM staging.files")
            conn.rollback()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql(f"SET ROLE {BI_ROLE}; INSERT INTO marts.red_black_list "
                                     "(period, unit_name) VALUES ('x', 'y')")
            conn.rollback()
    finally:
        engine.dispose()


@pytest.fixture
def scram_warehouse(scram_server):
    """A warehouse database on the session's own password-checking server, owned by a login
    role that may create the BI role; the BI role gets a name of its own. Dropped at the end."""
    tag = secrets.token_hex(4)
    owner, password, bi = f"wh_owner_{tag}", f"own-{secrets.token_hex(8)}", f"bi_{tag}"
    scram_server.create_login(owner, password, "CREATEROLE")
    scram_server.admin(f"CREATE DATABASE wh_{tag} OWNER {owner}")
    yield scram_server.url(owner, password, f"wh_{tag}"), bi
    release_warehouses()
    scram_server.admin(f"DROP DATABASE IF EXISTS wh_{tag} WITH (FORCE)",
                       f"DROP ROLE IF EXISTS {bi}", f"DROP ROLE IF EXISTS {owner}")


def _login(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            user = conn.exec_driver_sql("SELECT current_user").scalar()
            conn.exec_driver_sql("SELECT count(*) FROM marts.four_rates").scalar()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SELECT count(*) FROM staging.ledger_rows")
            return user
    finally:
        engine.dispose()


def _refused(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.OperationalError) as info:
            engine.connect().close()
        return str(info.value.orig)
    finally:
        engine.dispose()


def test_role_from_env_with_password_can_log_in(scram_warehouse, scram_server, monkeypatch):
    url, role = scram_warehouse
    password = f"s3cret'pw-{secrets.token_hex(4)}"
    monkeypatch.setenv("BI_ROLE", role)
    monkeypatch.setenv("BI_PASSWORD", password)
    wh = WarehouseResource(url=url).get()
    assert wh.scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r", {"r": role})
    assert _privilege(wh, role, "marts.four_rates")
    assert not _privilege(wh, role, "staging.ledger_rows")
    as_role = sa.engine.make_url(url).set(username=role)

    assert _login(as_role.set(password=password)) == role
    assert "password authentication failed" in _refused(as_role.set(password=password + "x"))
    assert "password authentication failed" in _refused(as_role.set(password="s3cret'pw"))
    assert "no password supplied" in _refused(as_role._replace(password=None))
    # the owner's login is checked the same way (the server really asks)
    assert "password authentication failed" in _refused(
        sa.engine.make_url(url).set(password="wrong"))

    # what the server stores and logs (every statement): the verifier, never the password
    stored = _stored_verifier(scram_server, role)
    assert stored.startswith("SCRAM-SHA-256$4096:") and password not in stored
    assert password not in scram_server.log_text()
    assert "SCRAM-SHA-256$" in scram_server.log_text()  # the ALTER ROLE was logged, masked

    # a new BI_PASSWORD replaces the old one at the next run
    monkeypatch.setenv("BI_PASSWORD", "neu-" + password)
    release_warehouses()
    WarehouseResource(url=url).get()
    assert _login(as_role.set(password="neu-" + password)) == role
    assert "password authentication failed" in _refused(as_role.set(password=password))


def _stored_verifier(server, role: str) -> str:
    engine = sa.create_engine(server.admin_url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("password", ["plain", "s3cret'pw 含中文", "ｆｕｌｌ-width"])
def test_scram_verifier_equals_what_postgresql_computes(scram_server, password):
    """PostgreSQL hashes a plain-text password itself; ours, with its salt, must be identical."""
    role = f"scram_{secrets.token_hex(4)}"
    literal = password.replace("'", "''")
    scram_server.admin(f"CREATE ROLE {role} LOGIN PASSWORD '{literal}'")
    try:
        stored = _stored_verifier(scram_server, role)
        head, _keys = stored.split("$", 2)[1:]
        iterations, salt = head.split(":")
        assert scram_verifier(password, base64.b64decode(salt), int(iterations)) == stored
        assert scram_verifier(password + "x", base64.b64decode(salt), int(iterations)) != stored
    finally:
        scram_server.admin(f"DROP ROLE {role}")


def test_district_roles_log_in_only_with_their_own_password_and_see_only_their_rows(
        scram_warehouse, scram_server, monkeypatch):
    """Row-level security on the password-checking server: each district's role, once a DBA
    gives it a login and a password, sees its own rows and the city's; a wrong password, none,
    or the other district's password is refused; the password is never in the server log."""
    url, reader = scram_warehouse
    monkeypatch.setenv("BI_ROLE", reader)
    monkeypatch.delenv("BI_PASSWORD", raising=False)
    wh = WarehouseResource(url=url).get()  # schema, bi views, unit roles and policies
    fill_marts(wh)
    roles = {unit: unit_role(unit, "district") for unit in ("柳南区", "柳江区")}
    base = sa.engine.make_url(url)
    assert "password authentication failed" in _refused(  # no login until a DBA gives one
        base.set(username=roles["柳南区"], password="anything"))
    passwords = {unit: f"{unit}-{secrets.token_hex(6)}" for unit in roles}
    for unit, role in roles.items():  # as a DBA would: a login and a password (as a verifier)
        verifier = scram_verifier(passwords[unit])
        with wh.engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER ROLE {role} LOGIN PASSWORD '{verifier}'")

    seen = {}
    for unit, role in roles.items():
        other = next(u for u in roles if u != unit)
        as_role = base.set(username=role)
        assert "password authentication failed" in _refused(as_role.set(password=passwords[other]))
        assert "password authentication failed" in _refused(as_role.set(password="wrong"))
        assert "no password supplied" in _refused(as_role._replace(password=None))
        engine = sa.create_engine(as_role.set(password=passwords[unit]))
        try:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT current_user").scalar() == role
                seen[unit] = set(conn.exec_driver_sql(
                    'SELECT "单位" FROM bi.target_progress_latest').scalars())
                assert conn.exec_driver_sql(
                    "SELECT DISTINCT unit_name FROM marts.red_black_list").scalars().all() == [unit]
            with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError,
                                                          match="permission denied"):
                conn.exec_driver_sql("SELECT 1 FROM staging.files LIMIT 1")
        finally:
            engine.dispose()
    assert seen == {"柳南区": {"柳南区", "柳州市"}, "柳江区": {"柳江区", "柳州市"}}
    log = scram_server.log_text()
    assert not [p for p in passwords.values() if p in log]
