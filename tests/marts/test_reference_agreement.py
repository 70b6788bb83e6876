"""build_marts agrees with the simple loop-based reference implementation on random worlds.

The worlds carry the revision-2 columns (source_class of all four kinds and NULL, in_library
true/false/blank on 在谈 rows), a 三企入桂 cohort list for 2023 in odd seeds and baseline-file rows
for some units, so every revision-2 rule of the indicators and the 四率 is compared; the
bundled samples get those columns only from the rev2-data branch."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.build import build_marts
from assets.marts.common import build_view
from assets.marts.indicators import unit_actuals

from .builders import UNITS, cohort_row, make_core, rules_variant
from .reference_impl import ref_actuals, ref_actuals_of_nothing, ref_city_summary, ref_four_rates

STAGES = ["在谈", "签约", "注册", "开工", "竣工投产"]
INDUSTRIES = [("汽车零部件", True, False), ("新材料", True, True), ("房地产业", False, False),
              ("数字经济", False, True), ("基础设施", False, False), ("林木加工", True, False)]
MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)][:18]  # to 2023-06
SOURCES = ["domestic_outside"] * 5 + ["inside_region", "foreign", "foreign", "unknown", None]


def random_world(seed: int):
    rnd = random.Random(seed)
    districts = [u for u, t, _ in UNITS if t == "district"]
    others = [u for u, t, _ in UNITS if t in ("department", "task_group")]
    projects, bridge, facts = [], [], []
    for i in range(60):
        pid = f"P{i:03d}"
        first = rnd.choice(MONTHS)
        signed = rnd.choice([m for m in MONTHS if m <= first] + [first[:4] + "-01"])
        industry, industrial, emerging = rnd.choice(INDUSTRIES)
        inv = rnd.choice([0.03, 0.3, 0.5, 0.8, 1, 2.5, 5, 8, 12, 60, 150])
        projects.append(dict(
            project_id=pid, project_name=f"项目{i}", investor="某公司", industry=industry,
            total_investment=inv if rnd.random() < 0.5 else Decimal(str(inv)),
            is_industrial=industrial if rnd.random() < 0.9 else None, is_emerging=emerging,
            is_sanqi=rnd.random() < 0.4, signed_month=min(signed, first),
            territorial_unit=None, first_period=first,
            below_threshold=None if rnd.random() < 0.5 else inv < 0.05,
            source_class=rnd.choice(SOURCES), source_region=None,
        ))
        if rnd.random() < 0.85:
            bridge.append((pid, rnd.choice(districts), "territorial", first))
            if rnd.random() < 0.4:
                later = rnd.choice([m for m in MONTHS if m >= first])
                bridge.append((pid, rnd.choice(others), rnd.choice(["lead", "co"]), later))
        else:
            bridge.append((pid, rnd.choice(others), "lead", first))
        stage_i = rnd.randrange(0, 3)
        year_funds = Decimal(0)
        cum = Decimal(0)
        for m in [m for m in MONTHS if m >= first]:
            if m.endswith("-01"):
                year_funds = Decimal(0)
            if rnd.random() < 0.25:
                continue  # not reported this month
            stage_i = min(stage_i + (rnd.random() < 0.2), 4)
            stage = "退库" if rnd.random() < 0.03 else STAGES[stage_i]
            if rnd.random() < 0.05:
                stage = None
            add = Decimal(str(round(rnd.random(), 2))) if rnd.random() < 0.5 else Decimal(0)
            year_funds += add
            cum += add
            facts.append(dict(
                project_id=pid, period=m, reported_by="x", status=stage, stage=stage,
                funds_this_year=float(year_funds) if rnd.random() < 0.3 else year_funds,
                funds_cumulative=cum if rnd.random() < 0.3 else None,
                in_library=rnd.choice([True, False, None, None]),
            ))
    targets = []
    for unit, _utype, _ in UNITS:
        for ind in ("funds_in_place", "new_projects", "new_industrial_projects",
                    "new_100m_industrial_projects"):
            if rnd.random() < 0.6:
                targets.append((2023, unit, ind, rnd.choice([0, 2, 5, 10.5])))
    cohort = []
    if seed % 2:  # a 2023 cohort list: some projects, flagged or not, and an unmatched row
        listed = rnd.sample([p["project_id"] for p in projects], 12)
        cohort = [cohort_row(2023, pid) for pid in listed] + [cohort_row(2023, None, "未匹配")]
    baseline = [(2023, u, *(rnd.choice([0, 0.1, 0.5, 1]) for _ in range(4)))
                for u, _t, _p in UNITS if rnd.random() < 0.3]
    return make_core(projects, bridge, facts, targets, cohort=cohort, baseline=baseline)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", ["2022-12", "2023-01", "2023-03", "2023-06"])
@pytest.mark.parametrize("unknown", ["exclude", "include"])
def test_target_progress_agrees_with_reference(rules, seed, period, unknown, tmp_path):
    if unknown == "include":
        rules = rules_variant(tmp_path, indicators__unknown_source="include")
    core = random_world(seed)
    tp = build_marts(core, period, rules)["target_progress"]
    ref = ref_actuals(core, period, rules)
    credited = {u for u, _ in ref}
    # a unit the reference credits with nothing: its own zeros (never a silent default)
    nothing = ref_actuals_of_nothing(period, rules)
    for row in tp.to_dict("records"):
        key = (row["unit_name"], row["indicator"])
        if row["unit_name"] in credited:
            assert key in ref, f"the reference has no figure for {key}"
            expected = ref[key]
        else:
            assert row["indicator"] in nothing, f"the reference has no figure for {key}"
            expected = nothing[row["indicator"]]
        if expected is None:
            assert row["actual"] is None or pd.isna(row["actual"]), key
        elif isinstance(expected, float):
            assert row["actual"] == pytest.approx(expected), key
        else:
            assert row["actual"] == expected, key
    assert len(tp) > 30
    assert not tp.duplicated(["unit_name", "indicator"]).any()
    assert {"started_projects", "foreign_funds_in_place"} <= set(tp["indicator"])
    # both ways: every figure the reference has for a published indicator is in the mart
    published = set(tp["indicator"])
    missing = {k for k in ref if k[1] in published} - set(zip(tp["unit_name"], tp["indicator"]))
    assert missing == set(), sorted(missing)[:5]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", ["2022-06", "2023-01", "2023-06"])
def test_city_summary_agrees_with_reference(rules, seed, period):
    """2022-06 has no 2021 to compare with (NULL); 2023 months have their 2022 month."""
    core = random_world(seed)
    cs = build_marts(core, period, rules)["city_summary"]
    ref = ref_city_summary(core, period, rules)
    assert set(ref) == set(cs["indicator"])
    assert not cs.duplicated(["indicator"]).any()
    for row in cs.to_dict("records"):
        actual, last, yoy = ref[row["indicator"]]
        for got, want in ((row["actual"], actual), (row["actual_last_year"], last),
                          (row["yoy_change"], yoy)):
            if want is None:
                assert got is None or pd.isna(got), row["indicator"]
            else:
                assert got == pytest.approx(want), row["indicator"]
    assert (cs["actual_last_year"].isna().all()) == (period == "2022-06")


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", ["2022-06", "2023-01", "2023-03", "2023-06"])
def test_four_rates_agree_with_reference(rules, seed, period):
    core = random_world(seed)
    fr = build_marts(core, period, rules)["four_rates"]
    ref = ref_four_rates(core, period, rules)
    assert set(fr["unit_name"]) == set(ref)
    assert not fr.duplicated(["unit_name"]).any()
    for row in fr.to_dict("records"):
        exp = ref[row["unit_name"]]
        for col, value in exp.items():
            got = row[col]
            if value is None:
                assert pd.isna(got), (row["unit_name"], col)
            elif isinstance(value, float):
                assert got == pytest.approx(value), (row["unit_name"], col)
            else:
                assert got == value, (row["unit_name"], col)


def test_random_world_is_stable_across_rebuilds(rules):
    core = random_world(7)
    a = build_marts(core, "2023-05", rules)
    b = build_marts(core, "2023-05", rules)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert set(a) == {"target_progress", "city_summary", "four_rates", "red_black_list",
                      "performance_assessment", "submission_status", "interview_list",
                      "early_warning", "project_pipeline", "industry_summary"}


def test_random_worlds_exercise_every_revision_2_rule(rules, tmp_path):
    """The agreement above means something: in these worlds each revision-2 rule changes a
    figure (unknown include vs exclude, 在谈 rows held back, foreign money, qualifying bars) and
    all three baseline sources occur, as do list-defined cohorts."""
    include = rules_variant(tmp_path, indicators__unknown_source="include")
    sources, list_years = set(), 0
    differs = {"unknown": 0, "foreign": 0, "qualifying": 0, "talks": 0}
    for seed in (1, 2, 3):
        core = random_world(seed)
        for period in ("2022-06", "2023-03", "2023-06"):
            ex, inc = ref_actuals(core, period, rules), ref_actuals(core, period, include)
            differs["unknown"] += ex != inc
            differs["foreign"] += any(
                v for (u, k), v in ex.items() if k == "foreign_funds_in_place")
            view = build_view(core, period, rules)
            for unit in ("市科技局汽车产业链招商专班", "市科技局"):
                act = unit_actuals(view, unit, rules)
                differs["qualifying"] += act.new_projects < sum(
                    1 for p in view.credited(unit) if p.countable and p.signed_month
                    and p.signed_month[:4] == period[:4] and p.signed_month <= period
                    and (p.stage_rank >= 2 or p.in_library))
            differs["talks"] += any(
                p.stage == "在谈" and not p.in_library and p.signed_month
                and p.signed_month[:4] == period[:4] for p in view.all_projects())
            fr = build_marts(core, period, rules)["four_rates"]
            sources |= set(fr["baseline_source"])
            list_years += view.cohort_ids is not None
    assert all(differs.values()), differs
    assert sources == {"file", "december", "none"}
    assert list_years > 0


def test_months_built_on_one_core_equal_each_month_on_a_fresh_core(rules):
    """build_periods reads core once for all its months, and the marts keep per-core work
    (fact rows sorted by month, rows split by unit, period views) between months: months built
    in any order on one core give the marts of each month built alone on a fresh core."""
    def world():
        core = random_world(5)
        rnd = random.Random(5)
        units = [u for u, t, _ in UNITS if t in ("department", "task_group")]
        acts, reserve = [], []
        for m in MONTHS:
            for unit in units:
                for _ in range(rnd.randrange(0, 4)):  # repeated names: the distinct count
                    acts.append(dict(period=m, unit_name=unit, activity_date=f"{m}-1{rnd.randrange(9)}",
                                     activity_name=f"活动{rnd.randrange(4)}",
                                     activity_type=rnd.choice(["走出去", "请进来", "不见面", "联席会",
                                                               None, "座谈"]),
                                     enterprises_docked=rnd.choice([None, 1, 3])))
                for _ in range(rnd.randrange(0, 3)):
                    reserve.append(dict(period=m, unit_name=unit, project_name=f"储备{rnd.randrange(5)}",
                                        entered_on=rnd.choice([None, f"{m[:4]}-02-01", f"{m}-05"])))
        core.activities, core.reserve = pd.DataFrame(acts), pd.DataFrame(reserve)
        return core

    shared = world()
    order = ["2023-06", "2022-03", "2023-01", "2022-12", "2023-02", "2022-01"]
    for period in order:
        got = build_marts(shared, period, rules)
        alone = build_marts(world(), period, rules)
        assert set(got) == set(alone)
        for name in got:
            pd.testing.assert_frame_equal(got[name], alone[name], obj=f"{period} {name}")
