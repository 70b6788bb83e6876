"""The `bi` schema (issue 18): latest-period views with Chinese column names on DuckDB and
PostgreSQL, and row-level security per unit on PostgreSQL, tested by logging in as two districts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from runtime.bi import unit_role, unit_roles
from runtime.reference import Reference
from runtime.resources import WarehouseResource, release_warehouses
from tests.conftest import BI_ROLE

ROWS = [  # period, unit, indicator, actual
    ("2021-01", "柳州市", "new_projects", 5), ("2021-01", "柳南区", "new_projects", 2),
    ("2021-02", "柳州市", "new_projects", 7), ("2021-02", "柳南区", "new_projects", 3),
    ("2021-02", "柳江区", "new_projects", 4), ("2021-02", "鹿寨县", "new_projects", 0),
]


def fill_marts(wh) -> None:
    """A few mart rows of three districts and the city (shared with the password-checking test)."""
    with wh.transaction() as tx:
        for period, unit, ind, actual in ROWS:
            tx.execute("INSERT INTO marts.target_progress (period, year, unit_name, indicator, "
                       "actual) VALUES (:p, 2021, :u, :i, :a)",
                       {"p": period, "u": unit, "i": ind, "a": actual})
            if unit != "柳州市":
                tx.execute("INSERT INTO marts.red_black_list (period, list_group, unit_name, "
                           "score, rank) VALUES (:p, '县区', :u, :a, 1)",
                           {"p": period, "u": unit, "a": actual})
        tx.execute("INSERT INTO marts.city_summary (period, indicator, actual) "
                   "VALUES ('2021-02', 'new_projects', 7)")


def test_latest_views_with_chinese_column_names(warehouse_url):
    wh = WarehouseResource(url=warehouse_url).get()  # schema + bi views
    try:
        fill_marts(wh)
        latest = wh.read('SELECT * FROM bi.target_progress_latest ORDER BY "单位"')
        assert set(latest["统计期"]) == {"2021-02"}
        assert list(latest["单位"]) == sorted(u for p, u, _, _ in ROWS if p == "2021-02")
        assert {"统计期", "单位", "指标", "完成值", "完成率", "序时进度"} <= set(latest.columns)
        every = wh.read("SELECT * FROM bi.target_progress")
        assert len(every) == len(ROWS)
        assert "综合得分" in wh.read("SELECT * FROM bi.red_black_list_latest").columns
        assert set(wh.read("SELECT * FROM bi.findings").columns) >= {"检查项", "问题说明"}
        # a later period replaces the latest view's rows without any change to the view
        with wh.transaction() as tx:
            tx.execute("INSERT INTO marts.target_progress (period, year, unit_name, indicator) "
                       "VALUES ('2021-03', 2021, '柳南区', 'new_projects')")
        assert list(wh.read("SELECT * FROM bi.target_progress_latest")["统计期"]) == ["2021-03"]
        # recreated on every start, idempotent
        release_warehouses()
        wh = WarehouseResource(url=warehouse_url).get()
        assert len(wh.read("SELECT * FROM bi.target_progress")) == len(ROWS) + 1
    finally:
        release_warehouses()


def test_a_role_for_every_unit_but_the_city():
    ref = Reference.load()
    roles = unit_roles(ref)
    units = {u.name for u in ref.units.values() if u.type != "city"}
    assert sorted(roles.values()) == sorted(units)
    assert len(set(roles)) == len(roles)
    assert all(len(r) <= 63 and r.isascii() and r == r.lower() for r in roles)
    assert unit_role("柳南区", "district", "p_") == unit_role("柳南区", "district", "p_")


def _as_login(url: str, role: str) -> sa.Engine:
    return sa.create_engine(sa.engine.make_url(url).set(username=role, password=None))


def test_each_district_sees_its_own_and_the_city_rows(postgres_url):
    wh = WarehouseResource(url=postgres_url).get()  # creates the unit roles and the policies
    fill_marts(wh)
    liunan, liujiang = unit_role("柳南区", "district"), unit_role("柳江区", "district")
    mapping = wh.read("SELECT role_name, unit_name FROM bi.unit_roles")
    assert dict(zip(mapping["role_name"], mapping["unit_name"]))[liunan] == "柳南区"
    for role in (liunan, liujiang):
        with wh.engine.begin() as conn:  # as a DBA would: give the unit role a login
            conn.exec_driver_sql(f"ALTER ROLE {role} LOGIN")
    seen = {}
    for role, unit in ((liunan, "柳南区"), (liujiang, "柳江区")):
        engine = _as_login(postgres_url, role)
        try:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT current_user").scalar() == role
                rows = conn.exec_driver_sql(
                    'SELECT "单位" FROM bi.target_progress_latest').scalars().all()
                seen[unit] = set(rows)
                ranked = conn.exec_driver_sql(
                    "SELECT DISTINCT unit_name FROM marts.red_black_list").scalars().all()
                assert ranked == [unit]
                # city-level rows: the city summary has no unit, every unit sees it
                assert conn.exec_driver_sql(
                    "SELECT count(*) FROM bi.city_summary_latest").scalar() == 1
            for private in ("staging.files", "core.dim_project", "quality.findings"):
                with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError,
                                                              match="permission denied"):
                    conn.exec_driver_sql(f"SELECT 1 FROM {private} LIMIT 1")
        finally:
            engine.dispose()
    assert seen == {"柳南区": {"柳南区", "柳州市"}, "柳江区": {"柳江区", "柳州市"}}
    # the read-only BI role (this session's name for it) reads every row
    with wh.engine.connect() as conn:
        conn.exec_driver_sql(f"SET ROLE {BI_ROLE}")
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM bi.target_progress_latest").scalar() == 4
        conn.exec_driver_sql("RESET ROLE")
    release_warehouses()
