"""target_progress / city_summary: what counts, for whom, and reproducibility."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from assets.marts.build import CoreTables, build_marts
from assets.marts.target_progress import CITY_SUMMARY_COLUMNS, TARGET_PROGRESS_COLUMNS

from .builders import D, fact, make_core, project


def _world():
    projects = [
        # co-credited: 城中区 territorial + 市投资促进局 lead (lead credit known from 2023-03)
        project("A", 2.5, signed="2023-02", emerging=True),
        # continuing project from 2022: funds count, not a new project
        project("B", 8, signed="2022-06", industry="房地产业", industrial=False),
        # below the 统计起点: counts nowhere
        project("C", 0.03, signed="2023-02"),
        # withdrawn at 2023-03
        project("E", 3, signed="2023-01"),
        # new major industrial project, only a department reports it (no territory)
        project("F", 6, signed="2023-03", industry="新材料", emerging=True),
        # signed after the period
        project("G", 1, signed="2023-04"),
    ]
    bridge = [
        ("A", "城中区", "territorial", "2023-02"), ("A", "市投资促进局", "lead", "2023-03"),
        ("B", "城中区", "territorial", "2022-06"), ("C", "城中区", "territorial", "2023-02"),
        ("E", "城中区", "territorial", "2023-01"), ("F", "市投资促进局", "lead", "2023-03"),
        ("G", "城中区", "territorial", "2023-04"),
    ]
    facts = [
        fact("A", "2023-02", funds=0.4), fact("A", "2023-03", funds="0.6"),
        fact("B", "2022-12", "开工", funds=3), fact("B", "2023-01", "开工", funds=0.1),
        fact("B", "2023-03", "开工", funds=0.2),
        fact("C", "2023-02", funds=0.01), fact("C", "2023-03", funds=0.02),
        fact("E", "2023-01", funds=1), fact("E", "2023-03", "退库", funds=1),
        fact("F", "2023-03", "注册", funds=1.25, by="市投资促进局"),
        fact("G", "2023-04", funds=5),
    ]
    targets = [
        (2023, "城中区", "funds_in_place", 4), (2023, "城中区", "new_projects", 3),
        (2023, "城中区", "new_industrial_projects", 0),
        (2023, "市投资促进局", "new_projects", 30), (2023, "市投资促进局", "new_projects", 10),
        (2023, "柳州市", "funds_in_place", 10), (2023, "柳州市", "new_projects", 8),
        (2023, "鱼峰区", "funds_in_place", 1.5),
    ]
    return make_core(projects, bridge, facts, targets)


def _tp(core, period, rules):
    return build_marts(core, period, rules)["target_progress"].set_index(
        ["unit_name", "indicator"])


def test_columns_are_the_contract(rules):
    marts = build_marts(_world(), "2023-03", rules)
    assert list(marts["target_progress"].columns[:10]) == TARGET_PROGRESS_COLUMNS[:10]
    assert list(marts["city_summary"].columns[:4]) == ["period", "indicator", "target", "actual"]
    assert list(marts["city_summary"].columns) == CITY_SUMMARY_COLUMNS


def test_unit_actuals_hand_worked(rules):
    tp = _tp(_world(), "2023-03", rules)
    # 城中区 at 2023-03: A (0.6) + B (0.2); C below threshold; E withdrawn; G not yet known.
    row = tp.loc[("城中区", "funds_in_place")]
    assert row["actual"] == Decimal("0.8") and isinstance(row["actual"], Decimal)
    assert row["target"] == Decimal("4") and isinstance(row["target"], Decimal)
    assert row["completion_rate"] == 0.2
    assert row["time_progress"] == 0.25
    assert row["on_schedule"] is False
    assert tp.loc[("城中区", "new_projects"), "actual"] == 1  # A only (E withdrawn, B 2022)
    assert tp.loc[("城中区", "new_projects"), "target"] == 3
    # target 0: completion NULL
    assert pd.isna(tp.loc[("城中区", "new_industrial_projects"), "completion_rate"])
    assert tp.loc[("城中区", "new_industrial_projects"), "on_schedule"] is None
    # department: lead credit for A (from 2023-03) and F; target summed over sub rows = 40
    dep = tp.loc[("市投资促进局", "new_projects")]
    assert (dep["actual"], dep["target"]) == (2, 40)
    assert dep["completion_rate"] == 2 / 40
    assert tp.loc[("市投资促进局", "funds_in_place"), "actual"] == Decimal("1.85")
    assert tp.loc[("市投资促进局", "major_projects"), "actual"] == 1
    assert tp.loc[("市投资促进局", "emerging_share"), "actual"] == 1.0
    # a unit with a target but no projects still gets rows
    assert tp.loc[("鱼峰区", "funds_in_place"), "actual"] == Decimal(0)
    assert tp.loc[("鱼峰区", "funds_in_place"), "unit_type"] == "district"


def test_credit_only_from_first_period(rules):
    tp = _tp(_world(), "2023-02", rules)
    # 市投资促进局's lead credit starts 2023-03: at 2023-02 it has its target row, nothing done
    assert tp.loc[("市投资促进局", "new_projects"), "actual"] == 0
    assert tp.loc[("城中区", "new_projects"), "actual"] == 2  # A and E (not yet withdrawn)
    assert tp.loc[("城中区", "funds_in_place"), "actual"] == Decimal("0.4")  # A only, at 02


def test_city_counts_each_project_once(rules):
    marts = build_marts(_world(), "2023-03", rules)
    tp = marts["target_progress"]
    city = tp[tp["unit_name"] == "柳州市"].set_index("indicator")
    assert (city["unit_type"] == "city").all()
    # A 0.6 + B 0.2 + F 1.25 (no territory, still once); C, E excluded.
    assert city.loc["funds_in_place", "actual"] == Decimal("2.05")
    assert city.loc["new_projects", "actual"] == 2  # A, F
    assert city.loc["new_100m_industrial_projects", "actual"] == 2
    assert city.loc["major_projects", "actual"] == 1  # F (B is real estate and not new)
    assert city.loc["funds_in_place", "target"] == Decimal(10)
    cs = marts["city_summary"].set_index("indicator")
    for ind in cs.index:
        assert cs.loc[ind, "actual"] == city.loc[ind, "actual"]
        assert cs.loc[ind, "target"] == city.loc[ind, "target"] or (
            cs.loc[ind, "target"] is None and city.loc[ind, "target"] is None)


def test_emerging_share_row(rules):
    tp = _tp(_world(), "2023-03", rules)
    row = tp.loc[("城中区", "emerging_share")]
    assert row["target"] == 0.30 and row["actual"] == 1.0 and row["on_schedule"] is True


def test_float_inputs_become_exact_decimals(rules):
    core = make_core(
        [project("X", 2)], [("X", "城中区", "territorial", "2023-01")],
        [fact("X", "2023-01")], [(2023, "城中区", "funds_in_place", 1)],
    )
    core.facts["funds_this_year"] = pd.Series([0.1], dtype=float)
    core.projects["total_investment"] = pd.Series([2.0], dtype=float)
    tp = _tp(core, "2023-01", rules)
    assert tp.loc[("城中区", "funds_in_place"), "actual"] == Decimal("0.1")


def _truncate(core: CoreTables, period: str) -> CoreTables:
    def upto(df, col):
        return df[df[col].astype(str).str[:7] <= period].reset_index(drop=True)
    return CoreTables(
        units=core.units, projects=upto(core.projects, "first_period"),
        bridge=upto(core.bridge, "first_period"), facts=upto(core.facts, "period"),
        targets=core.targets, activities=upto(core.activities, "period"),
        reserve=upto(core.reserve, "period"),
    )


def test_same_result_after_later_months_are_loaded(rules):
    core = _world()
    for period in ("2023-01", "2023-02", "2023-03"):
        full = build_marts(core, period, rules)
        early = build_marts(_truncate(core, period), period, rules)
        again = build_marts(core, period, rules)
        for name in full:
            pd.testing.assert_frame_equal(full[name], early[name])
            pd.testing.assert_frame_equal(full[name], again[name])


def test_funds_sum_is_exact_decimal(rules):
    projects = [project(f"Q{i}", 1) for i in range(10)]
    bridge = [(f"Q{i}", "城中区", "territorial", "2023-01") for i in range(10)]
    facts = [fact(f"Q{i}", "2023-01", funds=0.1) for i in range(10)]
    tp = _tp(make_core(projects, bridge, facts), "2023-01", rules)
    assert tp.loc[("城中区", "funds_in_place"), "actual"] == D("1.0")
