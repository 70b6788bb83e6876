"""季约谈, 预警, project pipeline and industry summary (revision 2), hand-worked at every rule's
boundary: 6 months exactly (and 5), 3 months exactly (and 2), a 20-point gap exactly (and 19),
2 black months vs 1, gate completion at exactly half of time progress (and just below)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.build import build_marts
from assets.marts.pipeline_views import build_industry_summary, build_project_pipeline
from assets.marts.watch import build_early_warning, build_interview_list, unit_warnings
from tests.marts.builders import fact, make_core, project, rules_variant


def _warnings(core, period, rules):
    df = build_early_warning(core, period, rules, pd.DataFrame(columns=[
        "unit_name", "gate_completion", "time_progress", "year"]))
    return {(r.warning_type, r.project_id): r for r in df.itertuples()}


def test_signed_not_started_at_six_months_exactly(rules):
    core = make_core(
        [project("P1", 3, signed="2023-01"), project("P2", 3, signed="2023-01")],
        [("P1", "城中区", "territorial", "2023-01"), ("P2", "鱼峰区", "territorial", "2023-01")],
        [fact("P1", "2023-01", funds=1), fact("P1", "2023-07", "注册", funds=1),
         fact("P2", "2023-01", funds=1), fact("P2", "2023-07", "开工", funds=1)])
    assert ("signed_not_started", "P1") not in _warnings(core, "2023-06", rules)  # 5 months
    w = _warnings(core, "2023-07", rules)
    row = w[("signed_not_started", "P1")]
    assert (row.months, row.unit_name, row.project_name) == (6, "城中区", "项目P1")
    assert row.message == ("项目「项目P1」2023-01 签约，至 2023-07 已 6 个月仍未开工（现为注册，"
                           "满 6 个月预警），请督促开工")
    assert ("signed_not_started", "P2") not in w  # started


def test_signed_no_funds_at_three_months_exactly(rules):
    core = make_core(
        [project("P1", 3, signed="2023-01"), project("P2", 3, signed="2023-01")],
        [("P1", "城中区", "territorial", "2023-01"), ("P2", "城中区", "territorial", "2023-01")],
        [fact("P1", "2023-01", funds=0), fact("P2", "2023-01", funds=0),
         fact("P2", "2023-04", funds=0.5)])
    assert ("signed_no_funds", "P1") not in _warnings(core, "2023-03", rules)  # 2 months
    w = _warnings(core, "2023-04", rules)
    assert w[("signed_no_funds", "P1")].months == 3
    assert ("signed_no_funds", "P2") not in w  # money arrived
    stricter = rules_variant_months(rules)
    assert ("signed_no_funds", "P1") not in _warnings(core, "2023-04", stricter)


def rules_variant_months(rules):
    from dataclasses import replace
    return replace(rules, early_warning=replace(rules.early_warning, signed_no_funds_months=4))


@pytest.mark.parametrize("gate, warned", [(0.30, True), (0.31, False), (0.10, True)])
def test_behind_schedule_at_a_twenty_point_gap(rules, gate, warned):
    rb = pd.DataFrame([{"unit_name": "城中区", "gate_completion": gate, "time_progress": 0.5,
                        "year": 2023}])
    rows = unit_warnings(rb, "2023-06", rules)
    assert bool(rows) == warned
    if warned:
        assert rows[0]["warning_type"] == "behind_schedule" and rows[0]["project_id"] is None
        assert "落后 20 个百分点以上预警" in rows[0]["message"]


def _quarter_world():
    """Funds target 12 each; funds_this_year per month (YTD) chosen so that:
    城中区 black in Feb and Mar (2 months), gate at Mar 2/12 ≥ half of 3/12;
    鱼峰区 black only in Mar, gate 2/12;  柳南区 black only in Mar, gate 1.5/12 = exactly half;
    柳北区 black only in Mar, gate 1.44/12 = 0.12 < 0.125."""
    plan = {"城中区": (1, 1.5, 2), "鱼峰区": (1, 2, 2), "柳南区": (1, 2, 1.5),
            "柳北区": (1, 2, 1.44)}
    projects, bridge, facts, targets = [], [], [], []
    for i, (unit, funds) in enumerate(plan.items()):
        pid = f"Q{i}"
        projects.append(project(pid, 3, signed="2022-06"))
        bridge.append((pid, unit, "territorial", "2022-06"))
        facts += [fact(pid, f"2023-0{m}", "开工", funds=f, by=unit) for m, f in
                  zip((1, 2, 3), funds)]
        targets.append((2023, unit, "funds_in_place", 12))
    return make_core(projects, bridge, facts, targets)


def test_interview_list_two_black_months_vs_one_and_half_of_time_progress(tmp_path):
    rules = rules_variant(tmp_path, red_black__bottom_n=10)  # every unit behind is black
    core = _quarter_world()
    marts = build_marts(core, "2023-03", rules)
    il = marts["interview_list"].set_index("unit_name")
    assert sorted(il.index) == ["城中区", "柳北区"]
    assert il.loc["城中区", "black_list_months"] == 2
    assert il.loc["城中区", "quarter"] == "2023-Q1" and il.loc["城中区", "period"] == "2023-03"
    assert "本季度 2 个月上黑榜（2023-02、2023-03）" in il.loc["城中区", "reasons"]
    assert "低于序时进度" not in il.loc["城中区", "reasons"]
    assert il.loc["柳北区", "black_list_months"] == 1
    assert il.loc["柳北区", "gate_completion"] == pytest.approx(0.12)
    assert "低于序时进度 25.0% 的 0.5 倍（12.5%）" in il.loc["柳北区", "reasons"]
    # 鱼峰区: one black month; 柳南区: one black month and exactly half → neither listed
    assert build_marts(core, "2023-02", rules)["interview_list"].empty  # not a quarter end


def test_interview_list_rule_numbers_are_rules(tmp_path):
    core = _quarter_world()
    rules = rules_variant(tmp_path, red_black__bottom_n=10, interview__black_list_months=1,
                          interview__gate_share_of_time_progress=0.4)
    il = build_marts(core, "2023-03", rules)["interview_list"]
    assert sorted(il["unit_name"]) == ["城中区", "柳北区", "柳南区", "鱼峰区"]  # 1 month is enough
    rb = build_marts(core, "2023-03", rules)["red_black_list"]
    assert build_interview_list(core, "2023-03", rules, rb.iloc[0:0]).empty


def test_project_pipeline_counts_stage_moves_once_per_unit_and_city(rules):
    core = make_core(
        [project("P1", 3, signed="2023-01"), project("P2", 2, signed="2023-01")],
        [("P1", "城中区", "territorial", "2023-01"), ("P1", "市投资促进局", "lead", "2023-01"),
         ("P2", "城中区", "territorial", "2023-01")],
        [fact("P1", "2023-01", funds=1), fact("P2", "2023-01"),
         fact("P1", "2023-02", "开工", funds=1.5), fact("P2", "2023-02", funds=0.2)])
    df = build_project_pipeline(core, "2023-02", rules)
    got = {(r.unit_name, r.stage): (r.projects, r.total_investment, r.funds_this_year,
                                    r.entered_this_period) for r in df.itertuples()}
    assert got[("城中区", "开工")] == (1, Decimal(3), Decimal("1.5"), 1)
    assert got[("城中区", "签约")] == (1, Decimal(2), Decimal("0.2"), 0)
    assert got[("柳州市", "开工")] == (1, Decimal(3), Decimal("1.5"), 1)  # the city: once
    assert got[("柳州市", "在谈")] == (0, Decimal(0), Decimal(0), 0)
    assert got[("市投资促进局", "开工")][0] == 1
    assert list(df[df.unit_name == "城中区"]["stage"]) == ["在谈", "签约", "注册", "开工",
                                                           "竣工投产", "退库"]
    jan = build_project_pipeline(core, "2023-01", rules)
    assert jan[(jan.unit_name == "城中区") & (jan.stage == "签约")].iloc[0].entered_this_period == 2


def test_industry_summary_counts_each_project_once_with_last_year(rules):
    core = make_core(
        [project("P1", 3, signed="2023-01"), project("P2", 2, signed="2023-02"),
         project("P0", 4, signed="2022-01", industry="新材料")],
        [("P1", "城中区", "territorial", "2023-01"), ("P1", "市投资促进局", "co", "2023-01"),
         ("P2", "鱼峰区", "territorial", "2023-02"), ("P0", "鱼峰区", "territorial", "2022-01")],
        [fact("P0", "2022-02", "开工", funds=1.25, by="鱼峰区"), fact("P1", "2023-02", funds=1),
         fact("P2", "2023-02", funds=0.5, by="鱼峰区")])
    df = build_industry_summary(core, "2023-02", rules).set_index("industry")
    car = df.loc["汽车零部件"]
    assert (car.new_projects, car.total_investment, car.funds_in_place) == (
        2, Decimal(5), Decimal("1.5"))
    assert car.actual_last_year == Decimal(0)  # 2022-02 loaded, no car money then
    assert df.loc["新材料", "actual_last_year"] == Decimal("1.25")
    jan = build_industry_summary(core, "2023-01", rules)
    assert jan["actual_last_year"].isna().all()  # 2022-01 not loaded


def test_a_project_without_territory_is_warned_to_the_unit_credited_first(rules):
    """No 属地 unit: the warning names the unit credited first (earliest first period), not the
    first by name (市投资促进局 sorts before 市科技局); same month → by name."""
    core = make_core(
        [project("P1", 3, signed="2023-01"), project("P2", 3, signed="2023-01")],
        [("P1", "市投资促进局", "co", "2023-02"), ("P1", "市科技局", "lead", "2023-01"),
         ("P2", "市科技局", "lead", "2023-01"), ("P2", "市投资促进局", "co", "2023-01")],
        [fact("P1", "2023-01", funds=0), fact("P2", "2023-01", funds=0)])
    w = _warnings(core, "2023-04", rules)
    assert w[("signed_no_funds", "P1")].unit_name == "市科技局"
    assert w[("signed_no_funds", "P2")].unit_name == "市投资促进局"


@pytest.mark.parametrize("cadence, period, months", [
    ("monthly", "2023-01", []),
    ("monthly", "2023-03", ["2023-01", "2023-02"]),
    ("quarterly", "2023-02", []),  # no list month before it, not a quarter's end
    ("quarterly", "2023-03", ["2023-01", "2023-02"]),  # the quarter's months
    ("quarterly", "2023-05", ["2023-03"]),  # the list month only
    ("quarterly", "2023-06", ["2023-03", "2023-04", "2023-05"]),
    ("quarterly", "2023-12", ["2023-03", "2023-06", "2023-09", "2023-10", "2023-11"]),
])
def test_the_earlier_lists_a_month_reads(tmp_path, cadence, period, months):
    """lists_read: the months whose 红黑榜 the marts of P read (the 绩效考评's appearances: the
    list months of P's year before P; the 约谈名单: the quarter's months at its end), which a
    run reads back from current stored marts instead of rebuilding them."""
    from assets.marts.build import lists_read

    assert lists_read(period, rules_variant(tmp_path, red_black__cadence=cadence)) == months


def test_the_interview_list_reads_the_quarter_s_lists_it_is_given(tmp_path):
    """A month's list given to the marts (as a run reads it back from the stored marts of that
    month, `seed_lists`) is the one the 约谈名单 counts: given 鱼峰区 black in January and
    February too, it has 3 black months in the quarter and is interviewed."""
    from assets.marts.red_black import seed_lists

    rules = rules_variant(tmp_path, red_black__bottom_n=10)
    core = _quarter_world()
    assert "鱼峰区" not in set(build_marts(core, "2023-03", rules)["interview_list"]["unit_name"])
    seeded = _quarter_world()
    seed_lists(seeded, rules, {m: [("鱼峰区", "black")] for m in ("2023-01", "2023-02")})
    il = build_marts(seeded, "2023-03", rules)["interview_list"].set_index("unit_name")
    assert il.loc["鱼峰区", "black_list_months"] == 3
    assert "本季度 3 个月上黑榜（2023-01、2023-02、2023-03）" in il.loc["鱼峰区", "reasons"]
