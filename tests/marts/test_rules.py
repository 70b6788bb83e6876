"""reference/rules.yaml: defaults, validation errors naming the key, edits change scores."""

from __future__ import annotations

import pytest
import yaml

from assets.marts.build import build_marts
from runtime.rules import DEFAULT_RULES_PATH, RulesError, load_rules

from .builders import rules_variant, simple_world


def write_rules(tmp_path, mutate):
    """The default rules file with `mutate` applied to its data, written under tmp_path."""
    data = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    mutate(data)
    p = tmp_path / "rules.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_defaults_match_rules_md(rules):
    assert rules.indicators.below_threshold_amount == 0.05
    assert rules.indicators.emerging_share_threshold == 0.30
    assert "房地产业" in rules.indicators.major_project_excluded_industries
    t = rules.four_rates.increment_targets
    assert (t.performance_rate, t.funds_rate, t.start_rate, t.completion_rate) == (
        0.11, 0.15, 0.11, 0.11)
    rb = rules.red_black
    assert (rb.cadence, rb.top_n, rb.bottom_n, rb.ratio_cap) == ("monthly", 3, 3, 1.5)
    assert (rb.weights.funds, rb.weights.projects, rb.weights.major_projects,
            rb.weights.four_rates) == (40, 30, 15, 15)
    dep = rules.assessment.department
    assert (dep.packaged_max, dep.packaged_required, dep.activities_max, dep.activity_points,
            dep.new_projects_max) == (3, 4, 3, 0.5, 4)
    dis = rules.assessment.district
    w = dis.weights
    assert (w.funds_in_place, w.new_projects, w.new_industrial_projects,
            w.new_100m_industrial_projects) == (40, 25, 20, 15)
    assert [(t.min_investment, t.points) for t in dis.bonus_tiers] == [
        (10, 1), (50, 3), (100, 5)]
    assert (dis.bonus_cap, dis.red_points, dis.black_points, dis.red_black_cap) == (
        10, 0.5, 0.5, 3)
    assert dis.emerging_share_deduction == 2
    assert rules.schedule_cron == "0 6 3 * *"


def test_rules_are_frozen(rules):
    with pytest.raises(AttributeError):
        rules.red_black.top_n = 5  # type: ignore[misc]


def test_non_number_weight_names_the_key(tmp_path):
    p = write_rules(tmp_path, lambda d: d["red_black"]["weights"].__setitem__("funds", "abc"))
    with pytest.raises(RulesError) as exc:
        load_rules(p)
    assert str(exc.value) == "rules.yaml: red_black.weights.funds 必须是数字，实际为 'abc'"


def test_boolean_is_not_a_number(tmp_path):
    p = write_rules(tmp_path, lambda d: d["assessment"]["district"]["weights"].__setitem__(
        "new_projects", True))
    with pytest.raises(RulesError, match=r"assessment\.district\.weights\.new_projects"):
        load_rules(p)


def test_unknown_key_names_the_key(tmp_path):
    p = write_rules(tmp_path, lambda d: d["red_black"]["weights"].__setitem__("fundz", 40))
    with pytest.raises(RulesError, match=r"未知的键 red_black\.weights\.fundz"):
        load_rules(p)


def test_missing_key_names_the_key(tmp_path):
    p = write_rules(tmp_path, lambda d: d["four_rates"]["increment_targets"].pop("funds_rate"))
    with pytest.raises(RulesError, match=r"缺少键 four_rates\.increment_targets\.funds_rate"):
        load_rules(p)


def test_bad_cadence_and_negative_and_tiers(tmp_path):
    p = write_rules(tmp_path, lambda d: d["red_black"].__setitem__("cadence", "weekly"))
    with pytest.raises(RulesError, match=r"red_black\.cadence"):
        load_rules(p)
    p = write_rules(tmp_path, lambda d: d["red_black"].__setitem__("top_n", -1))
    with pytest.raises(RulesError, match=r"red_black\.top_n 不能为负数"):
        load_rules(p)
    p = write_rules(tmp_path, lambda d: d["assessment"]["district"]["big_project_bonus"][
        "tiers"][1].__setitem__("points", "三"))
    with pytest.raises(RulesError,
                       match=r"assessment\.district\.big_project_bonus\.tiers\[1\]\.points"):
        load_rules(p)


def test_yaml_syntax_error(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text("red_black: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError, match="YAML"):
        load_rules(p)


def test_changed_weight_changes_the_score(tmp_path, rules):
    core = simple_world()
    before = build_marts(core, "2023-02", rules)["red_black_list"]
    changed = rules_variant(tmp_path, red_black__weights__major_projects=0)
    after = build_marts(core, "2023-02", changed)["red_black_list"]
    s_before = before.set_index("unit_name").loc["鱼峰区", "score"]
    s_after = after.set_index("unit_name").loc["鱼峰区", "score"]
    # 鱼峰区: funds 0.15/(2/12)=0.9 → s=0.6; projects 0.5/(2/12)=3 → 1; major 0 of max 1.
    assert s_before == pytest.approx(round(100 * (40 * 0.6 + 30 * 1 + 0) / 85, 2))
    assert s_after == pytest.approx(round(100 * (40 * 0.6 + 30 * 1) / 70, 2))
    assert s_before != s_after


# --- revision 2: indicators.unknown_source and indicators.qualifying_projects --------------------
def test_revision2_indicator_defaults(rules):
    ind = rules.indicators
    assert ind.unknown_source == "exclude"
    zb, sci = ind.qualifying_projects
    assert (zb.unit_type, zb.parent_type, zb.units) == ("task_group", "department", None)
    assert sci.units == ("市科技局",) and sci.unit_type is None
    for e in (zb, sci):
        assert (e.industrial_min_investment, e.other_min_investment) == (1, 0.5)


def test_unknown_source_must_be_exclude_or_include(tmp_path):
    p = write_rules(tmp_path, lambda d: d["indicators"].__setitem__("unknown_source", "count"))
    with pytest.raises(RulesError) as exc:
        load_rules(p)
    assert str(exc.value) == (
        "rules.yaml: indicators.unknown_source 只能是 exclude 或 include，实际为 'count'")


@pytest.mark.parametrize("entry, message", [
    ({"unit_type": "task_group", "industrial_min_investment": 1},
     r"缺少键 indicators\.qualifying_projects\[0\]\.other_min_investment"),
    ({"industrial_min_investment": 1, "other_min_investment": 0.5},
     r"indicators\.qualifying_projects\[0\] 至少要有 unit_type"),
    ({"unit_typ": "task_group", "industrial_min_investment": 1, "other_min_investment": 0.5},
     r"未知的键 indicators\.qualifying_projects\[0\]\.unit_typ"),
    ({"units": "市科技局", "industrial_min_investment": 1, "other_min_investment": 0.5},
     r"indicators\.qualifying_projects\[0\]\.units 必须是文字列表"),
    ({"parent": "市科技局", "industrial_min_investment": -1, "other_min_investment": 0.5},
     r"indicators\.qualifying_projects\[0\]\.industrial_min_investment 不能为负数"),
])
def test_qualifying_entries_are_validated(tmp_path, entry, message):
    p = write_rules(tmp_path, lambda d: d["indicators"].__setitem__("qualifying_projects", [entry]))
    with pytest.raises(RulesError, match=message):
        load_rules(p)


def test_qualifying_list_may_be_empty(tmp_path):
    p = write_rules(tmp_path, lambda d: d["indicators"].__setitem__("qualifying_projects", []))
    assert load_rules(p).indicators.qualifying_projects == ()
