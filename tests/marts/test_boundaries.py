"""Every threshold and window of rules.md at its bar and one unit either side, and ties whose
name order disagrees with the tie-break (issue 21). Each world is also scored by the
independent reference (tests/reference), which must agree row for row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.marts.build import build_marts
from tests.reference import rules as ref_rules
from tests.reference.assessment import performance_assessment
from tests.reference.compare import differences
from tests.reference.red_black import red_black_list
from tests.reference.tables import from_frames

from .builders import fact, make_core, project, rules_variant

D = Decimal


def _district_world(units: dict, period: str, *, target=10, extra=()):
    """units: name -> funds in place (亿元, exact) against a funds target `target`; extra:
    (pid, unit, investment, industry, industrial) new projects signed in the period's year."""
    projects, bridge, facts, targets = [], [], [], []
    for i, (unit, funds) in enumerate(units.items()):
        projects.append(project(f"F{i}", 3, signed="2022-01"))
        bridge.append((f"F{i}", unit, "territorial", "2022-01"))
        facts.append(fact(f"F{i}", period, funds=funds, by=unit))
        targets.append((2023, unit, "funds_in_place", target))
    for pid, unit, inv, industry, industrial in extra:
        projects.append(project(pid, inv, industry=industry, industrial=industrial,
                                signed=period[:4] + "-01"))
        bridge.append((pid, unit, "territorial", period[:4] + "-01"))
        facts.append(fact(pid, period, by=unit))
    return make_core(projects, bridge, facts, targets)


def _marts(core, period, rules, ref=None):
    """Production's marts, after checking the reference agrees on both scoring marts."""
    out = build_marts(core, period, rules)
    ref = ref or ref_rules.load()
    mine = from_frames(core)
    assert differences(out["red_black_list"], red_black_list(mine, period, ref), ["unit_name"],
                       ["list_group", "score", "rank", "list", "gate_completion"]) == []
    assert differences(out["performance_assessment"], performance_assessment(mine, period, ref),
                       ["unit_name", "item"], ["score", "max_score", "rank", "grade"]) == []
    return out


def _rb(out):
    return out["red_black_list"].set_index("unit_name")


# --- red-list gate: completion ≥ 序时进度, exactly ---------------------------------------------
@pytest.mark.parametrize("funds, expected", [("2.99", "black"), ("3", "red"), ("3.01", "red")])
def test_gate_at_time_progress_exactly_is_on_schedule(rules, funds, expected):
    """May: 序时进度 5/12. Target 7.2, funds 3 → completion exactly 5/12, though 3.0 / 7.2 <
    5 / 12 in floating point: the unit is on schedule (红榜), one cent less is behind (黑榜)."""
    assert 3.0 / 7.2 < 5 / 12  # the float trap this test is about
    out = _marts(_district_world({"城中区": D(funds)}, "2023-05", target=D("7.2")), "2023-05",
                 rules)
    assert _rb(out).loc["城中区", "list"] == expected
    tp = out["target_progress"].set_index(["unit_name", "indicator"])
    assert bool(tp.loc[("城中区", "funds_in_place"), "on_schedule"]) == (expected == "red")


def test_ratio_cap_exactly_one_and_a_half(rules):
    """June, target 10: completion 0.75 is 1.5 × 序时进度 → full funds points; 0.74 is not; 0.76
    is capped at the same full points."""
    units = {"城中区": D("7.4"), "鱼峰区": D("7.5"), "柳南区": D("7.6")}
    rb = _rb(_marts(_district_world(units, "2023-06"), "2023-06", rules))
    full = 100 * 40 / 55  # funds item full, major 0 of 0 (no 四率, no project target)
    assert rb.loc["鱼峰区", "score"] == rb.loc["柳南区", "score"] == pytest.approx(full, abs=0.01)
    assert rb.loc["城中区", "score"] == pytest.approx(100 * 40 * (0.74 / 0.5 / 1.5) / 55,
                                                     abs=0.01)
    # equal scores: the higher gate completion (0.76) ranks before 0.75
    assert rb.loc["柳南区", "rank"] == 1 and rb.loc["鱼峰区", "rank"] == 2


def test_major_projects_when_the_group_has_none_or_one(rules):
    """Largest count 0 → every unit scores 0 on the item (no division by zero); one unit with a
    single ≥5亿 industry project takes the full 15 points, a 4.99亿 one or a real-estate 8亿 one
    counts nothing."""
    units = {"城中区": D(5), "鱼峰区": D(5)}
    none = _rb(_marts(_district_world(units, "2023-06"), "2023-06", rules))
    assert (none.loc[list(units), "major_projects_points"] == 0).all()
    extra = [("M1", "城中区", D(5), "汽车零部件", True), ("M2", "鱼峰区", D("4.99"), "汽车零部件", True),
             ("M3", "鱼峰区", D(8), "房地产业", False)]
    one = _rb(_marts(_district_world(units, "2023-06", extra=extra), "2023-06", rules))
    assert one.loc["城中区", "major_projects_points"] == pytest.approx(15 * 100 / 55, abs=0.01)
    assert one.loc["鱼峰区", "major_projects_points"] == 0
    # a share of the largest count, not a yes/no: 1 of 2 is half the points
    extra += [("M4", "城中区", D(6), "新材料", True), ("M5", "鱼峰区", D(7), "新材料", True)]
    two = _rb(_marts(_district_world(units, "2023-06", extra=extra), "2023-06", rules))
    assert two.loc["鱼峰区", "major_projects_points"] == pytest.approx(7.5 * 100 / 55, abs=0.01)


# --- top N / bottom N with ties at the cut ------------------------------------------------------
def test_red_cut_tie_broken_by_gate_against_name_order(tmp_path):
    """top_n 2; three on-schedule units with the same score (funds capped): the cut between the
    2nd and 3rd falls inside the tie, and the gate completion decides — 城中区 comes first by
    name but has the lowest completion, so it is left out."""
    rules = rules_variant(tmp_path, red_black__top_n=2, red_black__bottom_n=2)
    ref = ref_rules.load(red_black__top_n=2, red_black__bottom_n=2)
    units = {"城中区": D(8), "鱼峰区": D(9), "柳南区": D("8.5"), "柳北区": D(1)}
    rb = _rb(_marts(_district_world(units, "2023-06"), "2023-06", rules, ref))
    assert len({rb.loc[u, "score"] for u in ("城中区", "鱼峰区", "柳南区")}) == 1
    assert rb.loc["鱼峰区", "list"] == "red" and rb.loc["柳南区", "list"] == "red"
    assert rb["list"].isna()["城中区"]
    assert list(rb.sort_values("rank").index[:3]) == ["鱼峰区", "柳南区", "城中区"]


def test_black_cut_tie_broken_by_gate_against_name_order(tmp_path):
    """bottom_n 1. Two behind-schedule units with equal scores and gates (funds 0) are ordered
    by name, so the later name is last and goes on the 黑榜; with 0.1 against 0.2 the lower
    one is black although its name sorts first."""
    rules = rules_variant(tmp_path, red_black__top_n=1, red_black__bottom_n=1)
    ref = ref_rules.load(red_black__top_n=1, red_black__bottom_n=1)
    rb = _rb(_marts(_district_world({"城中区": D(0), "鱼峰区": D(0), "柳南区": D(6)},
                                    "2023-06"), "2023-06", rules, ref))
    assert rb.loc["鱼峰区", "list"] == "black" and rb["list"].isna()["城中区"]
    core = _district_world({"城中区": D("0.1"), "鱼峰区": D("0.2"), "柳南区": D(6)}, "2023-06")
    rb = _rb(_marts(core, "2023-06", rules, ref))
    assert rb.loc["城中区", "list"] == "black"  # lower score and gate, though first by name


@pytest.mark.parametrize("n_behind, n_black", [(2, 2), (3, 3), (4, 3)])
def test_bottom_n_counts(rules, n_behind, n_black):
    names = ["城中区", "鱼峰区", "柳南区", "柳北区"][:n_behind]
    units = {u: D(i + 1) / 10 for i, u in enumerate(names)}
    units["鹿寨县"] = D(9)
    rb = _rb(_marts(_district_world(units, "2023-06"), "2023-06", rules))
    assert (rb["list"] == "black").sum() == n_black
    assert rb.loc["鹿寨县", "list"] == "red"


# --- 四率 cohort window --------------------------------------------------------------------------
@pytest.mark.parametrize("signed, in_cohort", [("2023-04", True), ("2023-05", True),
                                               ("2023-06", False)])
def test_four_rates_cohort_signed_up_to_the_period(rules, signed, in_cohort):
    """A 三企入桂 project signed in the period month itself is in the cohort; one signed the
    month after is not yet."""
    core = make_core(
        [project("S1", 2, sanqi=True, signed=signed, first_period="2023-04")],
        [("S1", "城中区", "territorial", "2023-04")],
        [fact("S1", "2023-05", stage="签约")], [(2023, "城中区", "funds_in_place", 10)])
    fr = _marts(core, "2023-05", rules)["four_rates"].set_index("unit_name")
    assert ("城中区" in fr.index and fr.loc["城中区", "signed_projects"] == 1) == in_cohort


# --- 绩效考评 bonus tiers and adjustment cap -------------------------------------------------------
@pytest.mark.parametrize("investments, bonus", [
    (["9.99"], 0), (["10"], 1), (["49.99"], 1), (["50"], 3), (["99.99"], 3), (["100"], 5),
    (["100", "100"], 10), (["100", "100", "10"], 10), (["100", "50", "10", "10"], 10),
    (["100", "50", "10"], 9),
])
def test_big_project_bonus_tiers_and_cap(rules, investments, bonus):
    extra = [(f"B{i}", "城中区", D(v), "汽车零部件", True) for i, v in enumerate(investments)]
    out = _marts(_district_world({"城中区": D(5)}, "2023-06", extra=extra), "2023-06", rules)
    pa = out["performance_assessment"].set_index(["unit_name", "item"])
    assert pa.loc[("城中区", "big_project_bonus"), "score"] == bonus


def _adjustment_world(months_red: int, months_black: int):
    """城中区 alone in its group is red every month it is on schedule and black otherwise:
    funds reported month by month so it is ahead for `months_red` months, then behind."""
    projects = [project("F0", 3, signed="2022-01"), project("G0", 3, signed="2022-01")]
    bridge = [("F0", "城中区", "territorial", "2022-01"), ("G0", "鱼峰区", "territorial", "2022-01")]
    facts, months = [], months_red + months_black
    for m in range(1, months + 1):
        funds = D(10) if m <= months_red else D(0)
        facts.append(fact("F0", f"2023-{m:02d}", funds=funds))
        facts.append(fact("G0", f"2023-{m:02d}", funds=D(5), by="鱼峰区"))
    targets = [(2023, "城中区", "funds_in_place", 10), (2023, "鱼峰区", "funds_in_place", 1000)]
    return make_core(projects, bridge, facts, targets), f"2023-{months:02d}"


@pytest.mark.parametrize("red, black, expected", [
    (5, 0, 2.5), (6, 0, 3), (7, 0, 3), (0, 5, -2.5), (0, 6, -3), (0, 7, -3), (7, 5, 1),
])
def test_red_black_adjustment_cap(rules, red, black, expected):
    core, period = _adjustment_world(red, black)
    out = _marts(core, period, rules)
    pa = out["performance_assessment"].set_index(["unit_name", "item"])
    assert pa.loc[("城中区", "red_black_adjustment"), "score"] == expected
