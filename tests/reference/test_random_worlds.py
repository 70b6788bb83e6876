"""Production's 红黑榜 and 绩效考评 against the independent reference on random worlds."""

from __future__ import annotations

import pytest

from assets.marts.build import build_marts

from . import rules as ref_rules
from .assessment import performance_assessment
from .compare import differences
from .red_black import red_black_list
from .tables import from_frames
from .worlds import scoring_world as random_world

RB_COLUMNS = ["list_group", "score", "rank", "list", "gate_completion"]
PA_COLUMNS = ["unit_type", "score", "max_score", "rank", "grade"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("period", ["2023-02", "2023-05", "2023-06"])
def test_red_black_agrees(rules, seed, period):
    core = random_world(seed)
    prod = build_marts(core, period, rules)["red_black_list"]
    ref = red_black_list(from_frames(core), period, ref_rules.load())
    assert differences(prod, ref, ["unit_name"], RB_COLUMNS) == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("period", ["2023-03", "2023-06"])
def test_assessment_agrees(rules, seed, period):
    core = random_world(seed)
    prod = build_marts(core, period, rules)["performance_assessment"]
    ref = performance_assessment(from_frames(core), period, ref_rules.load())
    assert differences(prod, ref, ["unit_name", "item"], PA_COLUMNS) == []
