"""Revision 2 of the indicators (domain.md), hand-worked on small worlds, through build_marts:
投资来源 classes, new = signed or 入库, started_projects, foreign funds, qualifying bars,
the year-on-year city columns."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.build import build_marts
from assets.marts.common import UnitRef, build_view
from assets.marts.indicators import qualifies, unit_actuals, unit_ref

from .builders import fact, make_core, project, rules_variant

ZHUANBAN = "市科技局汽车产业链招商专班"
SCIENCE = "市科技局"
TASK_GROUP = "鹿寨县林木加工产业招商组"


def _actual(tp: pd.DataFrame, unit: str, indicator: str):
    rows = tp[(tp["unit_name"] == unit) & (tp["indicator"] == indicator)]
    assert len(rows) == 1, (unit, indicator)
    return rows.iloc[0]["actual"]


def _city(marts: dict, indicator: str):
    cs = marts["city_summary"].set_index("indicator")
    return cs.loc[indicator]


# --- 投资来源 (source_class) --------------------------------------------------------------------
def _sources_world(legacy: bool = False):
    projects = [
        project("D", 2, source="domestic_outside"),
        project("I", 3, source="inside_region"),
        project("F", 4, source="foreign"),
        project("U", 5, source="unknown"),
        project("N", 6, source=None),  # a NULL class is unknown
    ]
    bridge = [(p["project_id"], "城中区", "territorial", "2023-01") for p in projects]
    facts = [fact("D", "2023-03", funds=1), fact("I", "2023-03", funds=10),
             fact("F", "2023-03", funds=0.25), fact("U", "2023-03", funds=100),
             fact("N", "2023-03", funds=1000)]
    return make_core(projects, bridge, facts, legacy=legacy)


def test_sources_exclude_default(rules):
    marts = build_marts(_sources_world(), "2023-03", rules)
    tp = marts["target_progress"]
    # 区内 I counts nowhere; unknown U and NULL N excluded by default; F counts as a project
    assert _actual(tp, "城中区", "funds_in_place") == Decimal(1)
    assert _actual(tp, "城中区", "foreign_funds_in_place") == Decimal("0.25")
    assert _actual(tp, "城中区", "new_projects") == 2  # D, F
    assert _city(marts, "funds_in_place")["actual"] == Decimal(1)
    assert _city(marts, "foreign_funds_in_place")["actual"] == Decimal("0.25")
    assert _city(marts, "new_projects")["actual"] == 2


def test_sources_include_unknown_as_domestic(tmp_path):
    rules = rules_variant(tmp_path, indicators__unknown_source="include")
    tp = build_marts(_sources_world(), "2023-03", rules)["target_progress"]
    assert _actual(tp, "城中区", "funds_in_place") == Decimal(1101)  # D + U + N
    assert _actual(tp, "城中区", "foreign_funds_in_place") == Decimal("0.25")
    assert _actual(tp, "城中区", "new_projects") == 4  # D, F, U, N; still not I


def test_core_without_source_column_counts_every_project_domestic(rules):
    tp = build_marts(_sources_world(legacy=True), "2023-03", rules)["target_progress"]
    assert _actual(tp, "城中区", "funds_in_place") == Decimal("1111.25")
    assert _actual(tp, "城中区", "foreign_funds_in_place") == Decimal(0)
    assert _actual(tp, "城中区", "new_projects") == 5


# --- new = signed or 入库 ------------------------------------------------------------------------
def _new_world():
    projects = [
        project("JAN", signed="2023-01"),
        project("DEC", signed="2022-12"),
        project("TALK_LIB", signed="2023-02"),
        project("TALK", signed="2023-02"),
        project("TALK_NULL", signed="2023-02"),
        project("LIB_EARLIER", signed="2023-01"),
        project("OUT", signed="2023-02"),
        project("START", signed="2023-02"),
        project("DONE", signed="2023-03"),
        project("REG", signed="2023-03"),
        project("OLD_START", signed="2022-06"),
    ]
    bridge = [(p["project_id"], "城中区", "territorial", "2022-06") for p in projects]
    facts = [
        fact("JAN", "2023-01"), fact("DEC", "2022-12"), fact("DEC", "2023-03"),
        fact("TALK_LIB", "2023-03", "在谈", library=True),
        fact("TALK", "2023-03", "在谈", library=False),
        fact("TALK_NULL", "2023-03", "在谈"),
        fact("LIB_EARLIER", "2023-01", "在谈", library=True),
        fact("LIB_EARLIER", "2023-03", "在谈", library=None),  # blank later: still 入库
        fact("OUT", "2023-02"), fact("OUT", "2023-03", "退库"),
        fact("START", "2023-03", "开工"), fact("DONE", "2023-03", "竣工投产"),
        fact("REG", "2023-03", "注册"), fact("OLD_START", "2023-03", "开工"),
    ]
    return make_core(projects, bridge, facts)


def test_new_projects_signed_or_in_library_hand_worked(rules):
    view = build_view(_new_world(), "2023-03", rules)
    act = unit_actuals(view, "城中区", rules)
    # JAN (signed in January: first month of the year counts), TALK_LIB (在谈 + 入库),
    # LIB_EARLIER (入库 said earlier), START, DONE, REG; not DEC (signed December of last
    # year), TALK/TALK_NULL (在谈 without 入库), OUT (退库), OLD_START (signed last year)
    assert sorted(act.new_project_ids) == sorted(
        ["JAN", "TALK_LIB", "LIB_EARLIER", "START", "DONE", "REG"])
    assert act.started_projects == 2  # START 开工, DONE 竣工投产; not REG 注册, not OLD_START


def test_new_projects_through_build_marts(rules):
    marts = build_marts(_new_world(), "2023-03", rules)
    tp = marts["target_progress"]
    assert _actual(tp, "城中区", "new_projects") == 6
    assert _actual(tp, "城中区", "started_projects") == 2
    assert _city(marts, "started_projects")["actual"] == 2
    # at 2023-01 only JAN (签约) and LIB_EARLIER (入库) are new
    tp1 = build_marts(_new_world(), "2023-01", rules)["target_progress"]
    assert _actual(tp1, "城中区", "new_projects") == 2
    assert _actual(tp1, "城中区", "started_projects") == 0


def test_started_projects_target_progress_and_label(rules):
    core = _new_world()
    core.targets = pd.DataFrame(
        [(2023, "城中区", "started_projects", Decimal(4), None),
         (2023, "城中区", "foreign_funds_in_place", Decimal(2), None)],
        columns=["year", "unit_name", "indicator", "target", "sub_unit"])
    tp = build_marts(core, "2023-03", rules)["target_progress"]
    row = tp[(tp["unit_name"] == "城中区") & (tp["indicator"] == "started_projects")].iloc[0]
    assert (row["target"], row["actual"]) == (4, 2)
    assert row["completion_rate"] == 0.5
    assert row["on_schedule"] is True  # 50% ≥ time progress 25%
    assert row["detail"].startswith("新开工项目：目标 4 个，完成 2 个")
    f = tp[(tp["unit_name"] == "城中区") & (tp["indicator"] == "foreign_funds_in_place")].iloc[0]
    assert f["target"] == Decimal(2) and f["actual"] == Decimal(0)
    assert f["detail"].startswith("境外到位资金：目标 2.00 亿元")


# --- qualifying projects ------------------------------------------------------------------------
ONE_CENT = Decimal("0.0000000001")  # 1 分 in 亿元


def _qualifying_world():
    cases = [  # (pid, investment, industrial)
        ("IND_AT", Decimal(1), True), ("IND_BELOW", Decimal(1) - ONE_CENT, True),
        ("IND_ABOVE", Decimal(1) + ONE_CENT, True),
        ("SRV_AT", Decimal("0.5"), False), ("SRV_BELOW", Decimal("0.5") - ONE_CENT, False),
        ("SRV_ABOVE", Decimal("0.5") + ONE_CENT, False),
    ]
    projects = [project(pid, inv, industrial=ind, industry="汽车零部件" if ind else "商贸物流",
                        signed="2023-02") for pid, inv, ind in cases]
    bridge = []
    for p in projects:
        pid = p["project_id"]
        bridge += [(pid, "柳南区", "territorial", "2023-02"), (pid, ZHUANBAN, "lead", "2023-02"),
                   (pid, SCIENCE, "co", "2023-02"), (pid, TASK_GROUP, "lead", "2023-02")]
    facts = [fact(p["project_id"], "2023-02", funds=0.1) for p in projects]
    return make_core(projects, bridge, facts)


QUALIFYING = {"IND_AT", "IND_ABOVE", "SRV_AT", "SRV_ABOVE"}


@pytest.mark.parametrize("unit", [ZHUANBAN, SCIENCE])
def test_qualifying_units_count_only_projects_at_or_above_the_bars(rules, unit):
    view = build_view(_qualifying_world(), "2023-02", rules)
    act = unit_actuals(view, unit, rules)
    assert set(act.new_project_ids) == QUALIFYING
    assert act.new_industrial_projects == 2 and act.qualifying_only
    assert act.funds_in_place == Decimal("0.6")  # funds are not filtered by the bars


@pytest.mark.parametrize("unit", ["柳南区", TASK_GROUP])
def test_other_units_count_every_project(rules, unit):
    act = unit_actuals(build_view(_qualifying_world(), "2023-02", rules), unit, rules)
    assert act.new_projects == 6 and not act.qualifying_only


def test_qualifying_through_build_marts_and_city_unaffected(rules):
    marts = build_marts(_qualifying_world(), "2023-02", rules)
    tp = marts["target_progress"]
    assert _actual(tp, ZHUANBAN, "new_projects") == 4
    assert _actual(tp, ZHUANBAN, "new_industrial_projects") == 2
    assert _actual(tp, SCIENCE, "new_projects") == 4
    assert _actual(tp, TASK_GROUP, "new_projects") == 6
    assert _city(marts, "new_projects")["actual"] == 6


def test_qualifies_pure_function(rules):
    core = _qualifying_world()
    zb = unit_ref(core, ZHUANBAN)
    assert zb == UnitRef(ZHUANBAN, "task_group", SCIENCE, "department")
    p = type("P", (), {"total_investment": Decimal(1), "is_industrial": True})()
    assert qualifies(zb, p, rules)
    p.total_investment = Decimal(1) - ONE_CENT
    assert not qualifies(zb, p, rules)
    p.is_industrial = None  # unknown → the other bar (0.5)
    assert qualifies(zb, p, rules)
    p.total_investment = None
    assert not qualifies(zb, p, rules)
    assert qualifies(unit_ref(core, TASK_GROUP), p, rules)  # no bars: 统计起点 only
    assert qualifies(UnitRef("不存在的单位"), p, rules)


def test_qualifying_bars_are_rules(tmp_path):
    rules = rules_variant(tmp_path, indicators__qualifying_projects=[
        {"units": ["柳南区"], "industrial_min_investment": 1.0000000001,
         "other_min_investment": 0.6}])
    marts = build_marts(_qualifying_world(), "2023-02", rules)
    tp = marts["target_progress"]
    assert _actual(tp, "柳南区", "new_projects") == 1  # IND_ABOVE only
    assert _actual(tp, ZHUANBAN, "new_projects") == 6  # no longer selected


# --- emerging share applies to the city and districts only ---------------------------------------
def test_emerging_share_target_only_for_city_and_districts(rules):
    tp = build_marts(_qualifying_world(), "2023-02", rules)["target_progress"]
    share = tp[tp["indicator"] == "emerging_share"].set_index("unit_name")
    assert share.loc["柳南区", "target"] == pytest.approx(0.30)
    assert share.loc["柳州市", "target"] == pytest.approx(0.30)
    for unit in (ZHUANBAN, SCIENCE, TASK_GROUP):
        assert share.loc[unit, "target"] is None
        assert share.loc[unit, "on_schedule"] is None
        assert "本单位不考核" in share.loc[unit, "detail"]


# --- city summary: the same period a year earlier ----------------------------------------------
def _two_years():
    projects = [project("A", 2, signed="2022-03"), project("B", 3, signed="2023-02"),
                project("C", 1, signed="2023-03")]
    bridge = [("A", "城中区", "territorial", "2022-03"), ("B", "城中区", "territorial", "2023-02"),
              ("C", "鱼峰区", "territorial", "2023-03")]
    facts = [fact("A", "2022-03", funds=2), fact("A", "2023-03", funds=1),
             fact("B", "2023-03", funds=2), fact("C", "2023-03", funds=0.5)]
    return make_core(projects, bridge, facts)


def test_city_summary_year_on_year(rules):
    marts = build_marts(_two_years(), "2023-03", rules)
    funds = _city(marts, "funds_in_place")
    assert funds["actual"] == Decimal("3.5")
    assert funds["actual_last_year"] == Decimal(2)
    assert funds["yoy_change"] == pytest.approx(0.75)
    assert "上年同期 2.00 亿元，同比增长 75.0%" in funds["detail"]
    new = _city(marts, "new_projects")
    assert (new["actual"], new["actual_last_year"]) == (2, 1)
    assert new["yoy_change"] == pytest.approx(1.0)
    started = _city(marts, "started_projects")
    assert started["actual_last_year"] == 0 and pd.isna(started["yoy_change"])  # ÷ 0


def test_city_summary_last_year_not_loaded_is_null(rules):
    marts = build_marts(_two_years(), "2023-02", rules)  # no fact row at 2022-02
    cs = marts["city_summary"]
    assert cs["actual_last_year"].isna().all() and cs["yoy_change"].isna().all()
    assert "上年同期数据未载入" in cs.set_index("indicator").loc["funds_in_place", "detail"]


def test_qualifying_unit_detail_names_the_bars(rules):
    tp = build_marts(_qualifying_world(), "2023-02", rules)["target_progress"]
    zb = tp[(tp["unit_name"] == ZHUANBAN) & (tp["indicator"] == "new_projects")].iloc[0]
    assert zb["detail"].endswith("（只计达标项目：工业项目投资≥1亿元、其他项目≥0.5亿元）")
    funds = tp[(tp["unit_name"] == ZHUANBAN) & (tp["indicator"] == "funds_in_place")].iloc[0]
    assert "达标" not in funds["detail"]
    other = tp[(tp["unit_name"] == TASK_GROUP) & (tp["indicator"] == "new_projects")].iloc[0]
    assert "达标" not in other["detail"]


def test_qualifies_refuses_a_bare_name(rules):
    p = type("P", (), {"total_investment": Decimal(1), "is_industrial": True})()
    with pytest.raises(TypeError, match="UnitRef"):
        qualifies(ZHUANBAN, p, rules)
