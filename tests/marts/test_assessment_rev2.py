"""绩效考评, revision 2: activity types, 专班 duties pro rata, emerging share for districts only,
grade and rank.  Every expected figure is worked by hand in the comment next to it."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pandas as pd
import pytest

from assets.marts.build import build_marts
from runtime.reference import REFERENCE_DIR, load_activity_types
from runtime.rules import GradeRules

from .builders import UNITS, fact, make_core, project, rules_variant
from .scoring_builders import (
    TASK_FORCE,
    activity,
    task_force_world,
    with_activities,
    with_reserve,
)

DEPT = "市投资促进局"
TASK_FORCE_ITEMS = ["qualifying_projects", "activities", "reserve_projects",
                    "enterprises_docked", "joint_meetings", "total"]


def _pa(core, period, rules):
    return build_marts(core, period, rules)["performance_assessment"].set_index(
        ["unit_name", "item"])


# --- the activity-type table -----------------------------------------------------------------
def test_activity_type_table_exact_contains_and_unknown():
    t = load_activity_types()
    assert t.classify("参加自治区或市组织的活动") == "key_event"          # exact
    assert t.classify("参加2023年中国—东盟博览会") == "key_event"         # contains 东盟博览会
    assert t.classify("汽车产业专题推介会") == "industry_special"           # contains 专题
    assert t.classify("走出去") == "going_out"
    assert t.classify("不见面 / 线上") == "online"                         # spaces dropped
    assert t.classify("ｗ走访") == "other"                                  # full width, contains
    assert t.classify("招商工作联席会") == "joint_meeting"
    assert t.classify("茶话会") is None and t.classify("") is None and t.classify(None) is None


def _dept_activities(types: list[str | None]):
    core = make_core()
    return with_activities(core, [
        activity("2023-06", DEPT, f"2023-05-{i + 1:02d}", f"活动{i}", t, 2)
        for i, t in enumerate(types)])


@pytest.mark.parametrize("n_scoring,expected", [(5, 2.5), (6, 3.0), (7, 3.0)])
def test_department_activities_only_scoring_types_and_cap(rules, n_scoring, expected):
    # scoring: 推介会 (industry_special) and 参加自治区或市组织的活动 (key_event), 0.5 each, cap 3
    # (6 × 0.5 = 3 exactly at the cap).  走访/座谈/走出去 are known but do not score for a
    # department; 茶话会 and a blank type are unknown and count nowhere.
    scoring = ["推介会", "参加自治区或市组织的活动"] * 4
    types = scoring[:n_scoring] + ["走访", "座谈", "走出去", "茶话会", None]
    row = _pa(_dept_activities(types), "2023-06", rules).loc[(DEPT, "activities")]
    assert row["score"] == expected
    assert f"本行业专题招商活动 {n_scoring} 次" in row["detail"]
    assert "其他活动 3 次不计分" in row["detail"]
    assert "另有 2 次活动类型未能识别（茶话会、（空白））" in row["detail"]


def test_department_activity_classes_are_a_rule(tmp_path, rules):
    # with going_out added to the scoring classes the department's 走出去 scores too
    core = _dept_activities(["推介会", "走出去", "走出去", "走访"])
    assert _pa(core, "2023-06", rules).loc[(DEPT, "activities"), "score"] == 0.5
    wider = rules_variant(tmp_path, assessment__department__activities__classes=[
        "key_event", "industry_special", "going_out"])
    assert _pa(core, "2023-06", wider).loc[(DEPT, "activities"), "score"] == 1.5


def test_activity_types_read_from_reference_dir(tmp_path, monkeypatch, rules):
    # an office that maps 茶话会 to industry_special in its own reference folder
    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, ref)
    with open(ref / "activity_types.csv", "a", encoding="utf-8") as fh:
        fh.write("exact,茶话会,industry_special,\n")
    core = _dept_activities(["茶话会", "推介会"])
    assert _pa(core, "2023-06", rules).loc[(DEPT, "activities"), "score"] == 0.5
    monkeypatch.setenv("REFERENCE_DIR", str(ref))
    assert _pa(core, "2023-06", rules).loc[(DEPT, "activities"), "score"] == 1.0


# --- 专班 duties ------------------------------------------------------------------------------
def _tf(period, acts=(), reserve=(), projects=(), targets=()):
    core = task_force_world(projects, period, targets)
    core = with_activities(core, acts)
    if reserve:
        core = with_reserve(core, period, TASK_FORCE, reserve)
    return _pa(core, period, _tf.rules).loc[TASK_FORCE]


@pytest.fixture(autouse=True)
def _rules_for_tf(rules):
    _tf.rules = rules


def _meeting(period, date, name="联席会"):
    return activity(period, TASK_FORCE, date, f"{name}{date}", "联席会")


@pytest.mark.parametrize("period,dates,expected", [
    ("2023-03", ["2023-02-10"], 10.0),               # due 4 × 3/12 = 1: 1 of 1
    ("2023-04", ["2023-02-10"], 7.5),                # due 4 × 4/12 = 4/3: 1 ÷ 4/3 = 0.75
    ("2023-06", ["2023-01-10", "2023-03-10"], 5.0),  # two in Q1 count once: 1 of 2
    ("2023-06", ["2023-03-31", "2023-04-01"], 10.0),  # Q1 and Q2: 2 of 2
    ("2023-12", ["2023-03-31", "2023-06-30", "2023-09-30"], 7.5),  # 3 of 4
])
def test_task_force_joint_meetings_one_a_quarter_pro_rata(period, dates, expected):
    tf = _tf(period, [_meeting(period, d) for d in dates])
    assert tf.loc["joint_meetings", "score"] == expected
    assert list(tf.index) == TASK_FORCE_ITEMS


@pytest.mark.parametrize("period,types,expected", [
    ("2023-03", ["走出去"], 20.0),                        # due 3 × 0.25 = 0.75: 1 ≥ 0.75
    ("2023-12", ["走出去", "走出去", "走出去"], 6.67),     # one kind only: 1 of 3 × 20
    ("2023-12", ["走出去", "请进来", "不见面", "推介会"], 20.0),  # 3 of 3; 推介会 not a kind
    ("2023-06", ["走出去"], 13.33),                       # 1 ÷ 1.5 × 20
    ("2023-06", ["推介会", "走访", "茶话会"], 0.0),
])
def test_task_force_activities_each_kind_once(period, types, expected):
    acts = [activity(period, TASK_FORCE, f"2023-01-{i + 1:02d}", f"活动{i}", t, 0)
            for i, t in enumerate(types)]
    row = _tf(period, acts).loc["activities"]
    assert row["score"] == expected
    assert "每类最多计 1 场" in row["detail"]


def test_task_force_reserve_and_docked_pro_rata():
    # 2023-06, tp 0.5: reserve due 5 × 0.5 = 2.5 → 2 of 2.5 × 15 = 12; docked due 3 × 0.5 = 1.5,
    # Σ 对接企业数 = 1 (the 走访 counts: docking is docking, whatever the activity) → 10
    acts = [activity("2023-06", TASK_FORCE, "2023-02-01", "走访某企业", "走访", 1),
            activity("2023-06", TASK_FORCE, "2023-03-01", "线上会", "不见面", None)]
    tf = _tf("2023-06", acts, reserve=["储备一", "储备二", "储备二"])
    assert tf.loc["reserve_projects", "score"] == 12.0
    assert tf.loc["reserve_projects", "completion_rate"] == pytest.approx(0.8)
    assert tf.loc["enterprises_docked", "score"] == 10.0
    assert "应完成 1.50 家" in tf.loc["enterprises_docked", "detail"]
    # at December: 3 reserve → 3 of 5 × 15 = 9; docked 1 + 2 of 3 → 15
    acts.append(activity("2023-12", TASK_FORCE, "2023-11-01", "走出去", "走出去", 2))
    acts = [(("2023-12",) + a[1:]) for a in acts]
    tf = _tf("2023-12", acts, reserve=["储备一", "储备二", "储备三"])
    assert tf.loc["reserve_projects", "score"] == 9.0
    assert tf.loc["enterprises_docked", "score"] == 15.0


def _q(pid, inv, industrial):
    return project(pid, inv, industrial=industrial, signed="2023-02",
                   industry="汽车零部件" if industrial else "商贸物流")


def test_task_force_counts_qualifying_projects_only():
    # bars: industrial ≥ 1, other ≥ 0.5 (亿元).  0.99 industrial and 0.49 other do not count.
    below = [_q("Q1", 0.99, True), _q("Q2", 0.49, False)]
    tf = _tf("2023-06", projects=below)
    assert tf.loc["qualifying_projects", "score"] == 0.0
    # exactly at the bars: 1.0 industrial and 0.5 other both count; due 1 × 0.5 → capped 40
    at = [_q("Q3", 1, True), _q("Q4", 0.5, False)]
    tf = _tf("2023-06", projects=[*below, *at])
    assert tf.loc["qualifying_projects", "score"] == 40.0
    assert "新引进达标项目 2 个" in tf.loc["qualifying_projects", "detail"]
    assert "年度任务取考核规则" in tf.loc["qualifying_projects", "detail"]


def test_task_force_duty_from_target_table_when_given():
    # target 4 → due 4 × 0.5 = 2; one qualifying project → 0.5 × 40 = 20
    tf = _tf("2023-06", projects=[_q("Q3", 1, True)],
             targets=[(2023, TASK_FORCE, "new_projects", 4)])
    assert tf.loc["qualifying_projects", "score"] == 20.0
    assert "年度任务取目标任务表" in tf.loc["qualifying_projects", "detail"]
    total = tf.loc["total"]
    assert total["score"] == 20.0 and total["max_score"] == 100  # nothing else done
    assert total["grade"] == "不合格" and total["rank"] == 1


# --- emerging share: districts only ----------------------------------------------------------
def _emerging_world():
    """4 new non-emerging projects each for a district, a task group and the 专班, each with a
    new-project target of 4: share 0 < 30%."""
    units = ["鱼峰区", "鹿寨县林木加工产业招商组", TASK_FORCE]
    projects, bridge, facts, targets = [], [], [], []
    for u_i, unit in enumerate(units):
        for i in range(4):
            pid = f"E{u_i}{i}"
            projects.append(project(pid, 2, signed="2023-03"))
            bridge.append((pid, unit, "lead", "2023-03"))
            facts.append(fact(pid, "2023-06", by=unit))
        targets.append((2023, unit, "new_projects", 4))
    return make_core(projects, bridge, facts, targets)


def test_emerging_share_deduction_district_not_task_group_nor_task_force(rules, tmp_path):
    pa = _pa(_emerging_world(), "2023-06", rules)
    assert pa.loc[("鱼峰区", "emerging_share"), "score"] == -2.0
    group = pa.loc[("鹿寨县林木加工产业招商组", "emerging_share")]
    assert pd.isna(group["score"]) and "针对县区整体" in group["detail"]
    assert "不单独考核" in group["detail"]
    assert ("鹿寨县林木加工产业招商组", "total") in pa.index
    assert "新兴产业占比" in pa.loc[("鹿寨县林木加工产业招商组", "total"), "detail"]
    assert (TASK_FORCE, "emerging_share") not in pa.index  # 专班: its own items only
    assert (DEPT, "emerging_share") not in pa.index
    # the unit types are a rule: adding task_group brings the deduction back for the group
    wider = rules_variant(tmp_path, assessment__district__emerging_share_unit_types=[
        "district", "task_group"])
    pa = _pa(_emerging_world(), "2023-06", wider)
    assert pa.loc[("鹿寨县林木加工产业招商组", "emerging_share"), "score"] == -2.0
    assert (TASK_FORCE, "emerging_share") not in pa.index


# --- grade and rank --------------------------------------------------------------------------
@pytest.mark.parametrize("share,grade", [
    (0.90, "优秀"), (0.8999, "良好"), (0.80, "良好"), (0.7999, "合格"), (0.60, "合格"),
    (0.5999, "不合格"), (1.13, "优秀"), (0.0, "不合格"),
])
def test_grade_thresholds(rules, share, grade):
    assert rules.assessment.grade.grade(share) == grade


def test_grade_thresholds_are_rules(tmp_path):
    r = rules_variant(tmp_path, assessment__grade__excellent=0.95)
    assert r.assessment.grade == GradeRules(0.95, 0.80, 0.60)
    assert r.assessment.grade.grade(0.94) == "良好"


def _dept_world(n_new: int, n_acts: int, unit=DEPT, target=40):
    """A department with 4 packaged projects (3 points), n_acts 推介会 (0.5 each) and n_new
    new projects against a target of 40 (0.1 point each)."""
    projects = [project(f"{unit}{i}", 2, signed="2023-02") for i in range(n_new)]
    bridge = [(p["project_id"], unit, "lead", "2023-02") for p in projects]
    facts = [fact(p["project_id"], "2023-06", by=unit) for p in projects]
    core = make_core(projects, bridge, facts, [(2023, unit, "new_projects", target)])
    core = with_reserve(core, "2023-06", unit, [f"包装{i}" for i in range(4)])
    return with_activities(core, [activity("2023-06", unit, f"2023-03-{i + 1:02d}", f"推介{i}",
                                           "推介会") for i in range(n_acts)])


@pytest.mark.parametrize("n_new,n_acts,total,grade", [
    (30, 6, 9.0, "优秀"),    # 3 + 3 + 3.0 = 9.0 → 0.90 exactly
    (29, 6, 8.9, "良好"),    # 0.89
    (20, 6, 8.0, "良好"),    # 0.80 exactly
    (19, 6, 7.9, "合格"),    # 0.79
    (5, 5, 6.0, "合格"),     # 3 + 2.5 + 0.5 = 6.0 → 0.60 exactly
    (4, 5, 5.9, "不合格"),   # 0.59
])
def test_grade_in_the_mart_at_the_boundaries(rules, n_new, n_acts, total, grade):
    t = _pa(_dept_world(n_new, n_acts), "2023-06", rules).loc[(DEPT, "total")]
    assert t["score"] == total and t["max_score"] == 10
    assert t["grade"] == grade
    assert f"等次{grade}" in t["detail"]


def test_rank_within_list_group_equal_totals_share_a_rank(rules):
    units = [*UNITS, ("市商务局", "department", "柳州市")]
    a, b, c = _dept_world(30, 6), _dept_world(30, 6, unit="市商务局"), _dept_world(0, 2,
                                                                                 unit="市科技局")
    core = make_core(
        [*a.projects.to_dict("records"), *b.projects.to_dict("records")],
        [*a.bridge.itertuples(index=False), *b.bridge.itertuples(index=False)],
        [*a.facts.to_dict("records"), *b.facts.to_dict("records")],
        [(2023, DEPT, "new_projects", 40), (2023, "市商务局", "new_projects", 40),
         (2023, "市科技局", "new_projects", 40)], units=units)
    core.reserve = pd.concat([a.reserve, b.reserve, c.reserve], ignore_index=True)
    core.activities = pd.concat([a.activities, b.activities, c.activities], ignore_index=True)
    pa = _pa(core, "2023-06", rules)
    # 市投资促进局 9.0 and 市商务局 9.0 share rank 1; 市科技局 3 + 1 + 0 = 4.0 is third
    assert pa.loc[(DEPT, "total"), "rank"] == 1 and pa.loc[("市商务局", "total"), "rank"] == 1
    assert pa.loc[("市科技局", "total"), "rank"] == 3
    assert pa.loc[("市科技局", "total"), "grade"] == "不合格"
    assert "与市商务局并列" in pa.loc[(DEPT, "total"), "detail"]
    assert "柳州市·部门组内第 1 名（共 3 个单位" in pa.loc[(DEPT, "total"), "detail"]
    # only total rows carry rank and grade
    others = pa[[i != "total" for _u, i in pa.index]]
    assert others["rank"].isna().all() and others["grade"].isna().all()


def test_district_grade_counts_bonus_on_top_of_full_marks(rules):
    # funds 10 of 10 → 40, new 1 of 1 → 25 (full marks 65); the project is 60 亿: bonus +3;
    # funds only arrive in June: 黑榜 Jan–May (funds 0 < time progress), 红榜 Jun → −2.5 + 0.5;
    # 66 ÷ 65 = 1.015 → 优秀; a district without any target is neither graded nor ranked
    core = make_core([project("B", 60, signed="2023-02", emerging=True)], [("B", "城中区", "territorial",
                                                             "2023-02")],
                     [fact("B", "2023-06", funds=10)],
                     [(2023, "城中区", "funds_in_place", 10), (2023, "城中区", "new_projects", 1)])
    pa = _pa(core, "2023-06", rules)
    t = pa.loc[("城中区", "total")]
    assert pa.loc[("城中区", "red_black_adjustment"), "score"] == -2.0
    assert t["score"] == 66.0 and t["max_score"] == 40 + 25 + 10 + 3
    assert t["grade"] == "优秀" and t["rank"] == 1
    assert "基本分满分 65 分" in t["detail"]
    empty = pa.loc[("鱼峰区", "total")]
    assert pd.isna(empty["rank"]) and empty["grade"] is None
    assert "不评等次" in empty["detail"]


def test_decimal_boundary_of_qualifying_bar_uses_exact_amounts(rules):
    # 0.5 亿 given as Decimal("0.50") is exactly at the bar for a non-industrial project
    tf = _tf("2023-06", projects=[project("X", Decimal("0.50"), industrial=False,
                                          industry="商贸物流", signed="2023-02")])
    assert tf.loc["qualifying_projects", "score"] == 40.0


def test_task_force_reserve_counts_projects_entered_this_year_up_to_p():
    # 2023-06, due 2.5: entered 2022-11 (last year) and 2023-07 (after P) do not count;
    # 2023-01, 2023-06 and an undated one do: 3 ÷ 2.5 → capped 15; two only → 12
    core = task_force_world([], "2023-06")
    core.reserve = pd.DataFrame(
        [("2023-06", TASK_FORCE, n, e) for n, e in [("甲", "2022-11"), ("乙", "2023-07"),
                                                     ("丙", "2023-01"), ("丁", "2023-06")]],
        columns=["period", "unit_name", "project_name", "entered_on"])
    assert _pa(core, "2023-06", _tf.rules).loc[(TASK_FORCE, "reserve_projects"), "score"] == 12.0
    core.reserve.loc[len(core.reserve)] = ("2023-06", TASK_FORCE, "戊", None)
    assert _pa(core, "2023-06", _tf.rules).loc[(TASK_FORCE, "reserve_projects"), "score"] == 15.0


def test_reference_dir_without_activity_table_falls_back_to_the_repo_table(tmp_path):
    (tmp_path / "units.yaml").write_text("units: []\n", encoding="utf-8")
    assert load_activity_types(tmp_path).classify("走出去") == "going_out"


def test_malformed_activity_table_line_is_named(tmp_path):
    (tmp_path / "activity_types.csv").write_text(
        "match,text,class,note\nexact,走出去,going_out,\nsometimes,请进来,inviting_in,\n",
        encoding="utf-8")
    with pytest.raises(ValueError, match="activity_types.csv 第 3 行"):
        load_activity_types(tmp_path)


def test_task_force_without_target_or_submission_is_not_assessed(rules):
    # a 专班 set up in 2024 has nothing in 2023: every item NULL, no grade, no rank
    pa = _pa(task_force_world([], "2023-06"), "2023-06", rules)
    tf = pa.loc[TASK_FORCE]
    assert list(tf.index) == TASK_FORCE_ITEMS
    assert tf.drop("total")["score"].isna().all()
    assert "尚未开展工作，不考核" in tf.loc["joint_meetings", "detail"]
    assert pd.isna(tf.loc["total", "score"]) and tf.loc["total", "max_score"] == 0  # no total
    assert pd.isna(tf.loc["total", "rank"]) and tf.loc["total", "grade"] is None
    # one activity list of the year is enough to be assessed
    core = with_activities(task_force_world([], "2023-06"),
                           [activity("2023-06", TASK_FORCE, "2023-05-01", "走出去", "走出去", 0)])
    tf = _pa(core, "2023-06", rules).loc[TASK_FORCE]
    assert tf.loc["activities", "score"] == 13.33
    assert tf.loc["total", "grade"] == "不合格" and tf.loc["total", "rank"] == 1
