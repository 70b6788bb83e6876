"""`has_cohort_at` (perf, issue 17) says what a whole period view says — whether the unit's (or
the city's) 四率 cohort at a month is not empty — on random cores: projects flagged or not,
signed before, in or after the month, with or without an amount, below the threshold, of every
source class; credit that starts at any month or only by dim_project.first_period; projects
known only by their facts; a year's cohort list or none."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assets.marts.common import build_view
from assets.marts.four_rates import has_cohort_at, no_baseline_findings, unit_rate_figures
from tests.marts.builders import cohort_row, fact, make_core, project

MONTHS = ["2022-11", "2022-12", "2023-01", "2023-02", "2023-03"]
UNITS = ["城中区", "鱼峰区", "市投资促进局"]
SOURCES = ["domestic_outside", "inside_region", "foreign", "unknown", None]


@st.composite
def cores(draw):
    n = draw(st.integers(0, 7))
    projects, bridge, facts = [], [], []
    for i in range(n):
        pid = f"P{i}"
        projects.append(project(
            pid, draw(st.sampled_from([2, 0.04, 0.05, 9])), sanqi=draw(st.booleans()),
            signed=draw(st.sampled_from(MONTHS + ["2023-09"])),
            first_period=draw(st.sampled_from(MONTHS)), source=draw(st.sampled_from(SOURCES))))
        if draw(st.booleans()):
            projects[-1]["total_investment"] = None
        for unit in draw(st.lists(st.sampled_from(UNITS), max_size=2, unique=True)):
            bridge.append((pid, unit, "territorial", draw(st.sampled_from([*MONTHS, None]))))
        for period in draw(st.lists(st.sampled_from(MONTHS), max_size=2)):
            facts.append(fact(pid, period))
    if n and draw(st.booleans()):  # a project known only by a fact row, not in dim_project
        facts.append(fact("X9", draw(st.sampled_from(MONTHS))))
    cohort = []
    if draw(st.booleans()):
        ids = draw(st.lists(st.sampled_from([p["project_id"] for p in projects] or ["P0"]),
                            max_size=3, unique=True))
        cohort = [cohort_row(2023, pid) for pid in ids] or [cohort_row(2023, None, "未匹配")]
    return make_core(projects, bridge, facts, cohort=cohort)


@settings(max_examples=200, deadline=None)
@given(core=cores())
def test_has_cohort_at_agrees_with_the_view(core, rules):
    for period in MONTHS:
        view = build_view(core, period, rules)
        for unit in [None, *UNITS]:
            assert has_cohort_at(core, period, rules, unit) == bool(
                unit_rate_figures(view, unit).signed_projects), (period, unit)


def test_the_finding_is_dated_at_the_first_month_with_a_cohort(rules):
    """No December 2022 is loaded, so no baseline: the finding is dated at the unit's first month
    of 2023 with a cohort — February for 城中区 (signed then), March for 鱼峰区 (its credit starts
    then), January for the city — whichever month of the year is built."""
    core = make_core(
        [project("A", sanqi=True, signed="2023-02"), project("B", sanqi=True, signed="2023-01")],
        [("A", "城中区", "territorial", "2023-01"), ("B", "鱼峰区", "territorial", "2023-03")],
        [fact("A", "2023-01"), fact("B", "2023-01"), fact("A", "2023-03")])
    for period in ("2023-03", "2023-05"):
        found = no_baseline_findings(core, period, rules)
        assert sorted((f.unit_name, f.period) for f in found) == [
            ("城中区", "2023-02"), ("柳州市", "2023-01"), ("鱼峰区", "2023-03")]
