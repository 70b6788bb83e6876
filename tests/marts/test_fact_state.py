"""The per-period fact state (PeriodView's stage, in_library and funds), worked out on arrays
once per core (perf, issue 17), equals the row-by-row reading of PeriodView's docstring on any
fact rows: missing values of every kind, amounts of every type, several rows of one project in
one month, months of several years, and periods before, between and after the loaded months."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.marts.common import _fact_state
from tests.marts.builders import FACT_COLS, make_core

MISSING = [None, float("nan"), pd.NA, Decimal("NaN")]
MONTHS = ["2022-11", "2022-12", "2023-01", "2023-02", "2024-01"]


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float | Decimal) and x != x)


def _amount(x):
    return None if _missing(x) else x if isinstance(x, Decimal) else Decimal(str(x))


def reference_state(facts: pd.DataFrame, p: str) -> dict:
    """PeriodView's docstring, read one row at a time in (stable) month order, on the values as
    the frame holds them (a column of None and 0 is a float column)."""
    rows = sorted(facts[FACT_COLS].itertuples(index=False, name=None), key=lambda r: str(r[1])[:7])
    upto = [r for r in rows if str(r[1])[:7] <= p]
    stage, lib, cum, last_of_year, now = {}, {}, {}, {}, {}
    for pid, period, _by, _status, stg, fty, fc, il in upto:
        if not _missing(stg):
            stage[pid] = stg
        if not _missing(il):
            lib[pid] = bool(il)
        if _amount(fty) is not None:
            last_of_year[(pid, str(period)[:4])] = _amount(fty)
        if _amount(fc) is not None:
            cum[pid] = _amount(fc)
        if str(period)[:7] == p and pid not in now:
            now[pid] = _amount(fty) if _amount(fty) is not None else Decimal(0)
    years: dict = {}
    for (pid, _year), v in last_of_year.items():
        years[pid] = years.get(pid, Decimal(0)) + v
    return dict(ids={r[0] for r in upto}, stage=stage, in_library=lib, cum_latest=cum,
                funds_now=now, sum_years=years,
                has_period=any(str(r[1])[:7] == p for r in upto))


amounts = st.one_of(st.sampled_from(MISSING), st.decimals(-5, 50, places=2),
                    st.floats(0, 50, allow_nan=False).map(lambda f: round(f, 3)),
                    st.integers(0, 9), st.sampled_from(["1.5", "0.25"]))
fact_rows = st.tuples(
    st.sampled_from(["P1", "P2", "P3", "P4"]), st.sampled_from(MONTHS), st.just("城中区"),
    st.just(None), st.one_of(st.sampled_from(MISSING), st.sampled_from(["签约", "开工", "退库"])),
    amounts, amounts,
    st.one_of(st.sampled_from(MISSING), st.booleans(), st.sampled_from([0, 1])))


@settings(max_examples=300, deadline=None)
@given(st.lists(fact_rows, max_size=25), st.sampled_from([*MONTHS, "2022-10", "2023-06"]))
def test_the_fact_state_equals_the_row_by_row_reading(facts, p):
    core = make_core(facts=facts)
    got = _fact_state(core, p)
    want = reference_state(core.facts, p)
    for name, value in want.items():
        have = getattr(got, name)
        assert have == value, name
        if isinstance(value, dict):  # the same Decimals, to the last digit and exponent
            assert {k: str(v) for k, v in have.items()} == {k: str(v) for k, v in value.items()}


def test_no_fact_rows_and_no_facts_table_give_an_empty_state():
    for core in (make_core(), make_core(facts=[])):
        state = _fact_state(core, "2023-01")
        assert (state.ids, state.stage, state.funds_now, state.has_period) == (set(), {}, {}, False)
    core = make_core()
    core.facts = pd.DataFrame(columns=[c for c in FACT_COLS if c != "project_id"])
    assert _fact_state(core, "2023-01").ids == set()
