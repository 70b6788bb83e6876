"""The parts of a period view worked out column by column or on arrays (perf, issue 17) say what
PeriodView's docstring and ProjectState say, read one row at a time, on random cores:

- the credit at P: a unit's projects are those of its bridge rows whose first_period (else
  dim_project.first_period) is <= P, each once, sorted by their text; units in the order of their
  first such row; rows without a month, a project or a unit ignored;
- a project's period-independent fields (dim_project): amounts as Decimal, flags True only for a
  true value, the threshold rule when below_threshold is not given, the source class and whether
  it counts under the rules;
- `ProjectState.at` is the dataclass's own constructor."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.marts.common import (
    ProjectState,
    _credit_lists,
    _projects_facts,
    build_view,
)
from tests.marts.builders import make_core, project

MONTHS = ["2022-11", "2022-12", "2023-01", "2023-02", "2024-01"]
MISSING = [None, float("nan"), pd.NA]
UNITS = ["城中区", "鱼峰区", "市投资促进局", "柳江区"]
# ids whose text order differs from their creation order, one a number
PIDS = ["P10", "P9", "P1", "A3", "项目2", 7]


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float | Decimal) and x != x)


def reference_credit(core, p: str) -> dict[str, list]:
    fallback = {pid: fp for pid, fp in zip(core.projects["project_id"],
                                           core.projects["first_period"])}
    credit: dict[str, set] = {}
    for pid, unit, _role, fp in core.bridge[["project_id", "unit_name", "role",
                                             "first_period"]].itertuples(index=False, name=None):
        month = fallback.get(pid) if _missing(fp) else fp
        if _missing(month) or _missing(pid) or _missing(unit):
            continue
        if str(month)[:7] <= p:
            credit.setdefault(unit, set()).add(pid)
    return {u: sorted(ids, key=str) for u, ids in credit.items()}


@st.composite
def cores(draw):
    pids = draw(st.lists(st.sampled_from(PIDS), max_size=5, unique=True))
    projects = [project(pid, first_period=draw(st.sampled_from([*MONTHS, None])))
                for pid in pids if isinstance(pid, str)]
    for row in projects:
        if row["first_period"] is None or draw(st.booleans()):
            row["first_period"] = draw(st.sampled_from([*MISSING, *MONTHS]))
    bridge = draw(st.lists(st.tuples(
        st.sampled_from([*pids, None] if pids else [None, "X1"]),
        st.sampled_from([*UNITS, None]), st.sampled_from(["territorial", "lead", "group"]),
        st.sampled_from([*MONTHS, *MISSING])), max_size=14))
    return make_core(projects, bridge, [])


@settings(max_examples=300, deadline=None)
@given(core=cores())
def test_credit_at_each_month_is_the_bridge_read_row_by_row(core):
    for p in ["2022-10", *MONTHS, "2025-01"]:
        credit, credited = _credit_lists(core, p)
        expected = reference_credit(core, p)
        assert credit == expected, p
        assert list(credit) == list(expected), p  # units in the order of their first row
        assert credited == {pid for ids in expected.values() for pid in ids}


flags = st.sampled_from([True, False, *MISSING, 1, 0])
amounts = st.one_of(st.sampled_from([*MISSING, Decimal("NaN")]), st.decimals(0, 9, places=3),
                    st.sampled_from([0.04, 0.05, 2, 0.049]))
sources = st.sampled_from(["domestic_outside", "inside_region", "foreign", "unknown", *MISSING])


@st.composite
def dim_rows(draw):
    rows = []
    for i in range(draw(st.integers(0, 6))):
        row = project(f"P{i}")
        row.update(
            total_investment=draw(amounts), is_industrial=draw(flags),
            is_emerging=draw(flags), is_sanqi=draw(flags), below_threshold=draw(flags),
            industry=draw(st.sampled_from(["汽车", *MISSING, 3])),
            territorial_unit=draw(st.sampled_from(["城中区", *MISSING])),
            signed_month=draw(st.sampled_from(["2023-01", "2023-01-15", "2023", *MISSING])),
            source_class=draw(sources))
        rows.append(row)
    return rows


def reference_fields(row: dict, rules, has_source: bool) -> dict:
    """ProjectState's period-independent fields of one dim_project row."""
    inv = row["total_investment"]
    inv = None if _missing(inv) else inv if isinstance(inv, Decimal) else Decimal(str(inv))
    bt = row["below_threshold"]
    threshold = Decimal(str(rules.indicators.below_threshold_amount))
    source = ("domestic_outside" if not has_source else
              "unknown" if _missing(row["source_class"]) else row["source_class"])
    counted = (source != "inside_region" and
               (source != "unknown" or rules.indicators.unknown_source == "include"))
    month = None if _missing(row["signed_month"]) else str(row["signed_month"])[:7]
    return dict(
        project_id=row["project_id"], total_investment=inv,
        industry=None if _missing(row["industry"]) else str(row["industry"]),
        is_industrial=not _missing(row["is_industrial"]) and bool(row["is_industrial"]),
        is_emerging=not _missing(row["is_emerging"]) and bool(row["is_emerging"]),
        is_sanqi=not _missing(row["is_sanqi"]) and bool(row["is_sanqi"]),
        signed_month=month if month and len(month) == 7 else None,
        territorial_unit=None if _missing(row["territorial_unit"]) else row["territorial_unit"],
        below_threshold=bool(bt) if not _missing(bt) else inv is not None and inv < threshold,
        source_class=source, source_counted=counted)


@settings(max_examples=300, deadline=None)
@given(rows=dim_rows(), legacy=st.booleans())
def test_project_fields_are_dim_project_read_row_by_row(rows, legacy, rules):
    core = make_core(rows, legacy=legacy)
    got = _projects_facts(core, rules)
    assert [pid for pid, _ in got] == [r["project_id"] for r in rows]
    # the values as the frame holds them (a column of 3 and None holds 3.0)
    rows = [dict(r, source_class=r.get("source_class"))
            for r in core.projects.to_dict("records")]
    for (_pid, fields), row in zip(got, rows):
        assert fields == reference_fields(row, rules, has_source=not legacy)
        assert [type(v) for v in fields.values()] == [
            type(v) for v in reference_fields(row, rules, not legacy).values()]


@settings(max_examples=100, deadline=None)
@given(rows=dim_rows())
def test_project_state_at_is_the_constructor(rows, rules):
    core = make_core(rows)
    for _pid, fixed in _projects_facts(core, rules):
        for period in [("签约", Decimal("1.50"), Decimal("3"), True),
                       (None, Decimal(0), Decimal("0.0"), False)]:
            made = ProjectState.at(fixed, *period)
            expected = ProjectState(**fixed, stage=period[0], funds_this_year=period[1],
                                    funds_cumulative=period[2], in_library=period[3])
            assert made == expected and vars(made) == vars(expected)
            assert made.countable == expected.countable
            assert made.stage_rank == expected.stage_rank


def test_a_view_holds_the_projects_known_by_credit_only(rules):
    """A project known only through a bridge row (its dim_project first_period later) is in the
    view from that row's month."""
    core = make_core([project("B", first_period="2023-02")],
                     [("B", "城中区", "territorial", "2023-01")], [])
    assert set(build_view(core, "2023-01", rules).projects) == {"B"}
    assert build_view(core, "2022-12", rules).projects == {}
