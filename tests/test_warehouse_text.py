"""DuckDB's bulk insert registers every column as text and casts it inside SQL; `_text_column`
gives each value's text with the commonest types inline (perf, issue 17).  It must give exactly
what `_text` gives value by value, for any mix of types pandas can hold in a column, and the
warehouse must read back what was written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.warehouse import Warehouse, _text, _text_column

values = st.one_of(
    st.none(), st.just(float("nan")), st.just(pd.NA), st.just(pd.NaT), st.booleans(),
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=True, allow_infinity=False, places=4), st.text(max_size=4),
    st.dates(), st.datetimes(), st.sampled_from([np.int64(3), np.float64(2.5), np.bool_(True),
                                                 np.str_("柳州"), Decimal("NaN")]))


@settings(max_examples=400, deadline=None)
@given(column=st.lists(values, max_size=8))
def test_text_column_is_text_of_each_value(column):
    series = pd.Series(column, dtype=object)
    assert list(_text_column(series)) == [_text(v) for v in series]


@settings(max_examples=60, deadline=None)
@given(column=st.lists(st.one_of(st.integers(-5, 5), st.floats(-3, 3), st.booleans()),
                       min_size=1, max_size=6))
def test_typed_columns_too(column):
    for series in (pd.Series(column), pd.Series([c for c in column if type(c) is bool]),
                   pd.Series([c for c in column if type(c) is int]),
                   pd.Series(pd.to_datetime(["2023-01-05", None] * len(column)))):
        assert list(_text_column(series)) == [_text(v) for v in series]


def test_a_mixed_frame_reads_back_as_written(tmp_path):
    wh = Warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        with wh.transaction() as tx:
            tx.execute("CREATE SCHEMA s; CREATE TABLE s.t (a DECIMAL(18,6), b BOOLEAN, c BIGINT, d VARCHAR, "
                       "e DATE, f TIMESTAMP)")
        with wh.transaction() as tx:  # the columns are read from the committed table
            tx.insert("s.t", pd.DataFrame({
                "a": [Decimal("1.50"), None, Decimal("0.000001")],
                "b": [True, None, False], "c": [7, None, 10**12],
                "d": ["柳州", None, "x"], "e": [date(2023, 1, 31), None, date(2020, 2, 29)],
                "f": [datetime(2023, 1, 31, 8, 5), None, datetime(2021, 12, 1)]}, dtype=object))
        back = wh.read("SELECT * FROM s.t ORDER BY d NULLS FIRST")
    finally:
        wh.dispose()
    rows = [tuple(None if pd.isna(v) else v for v in r)
            for r in back.itertuples(index=False, name=None)]
    assert rows[0] == (None, None, None, None, None, None)
    assert rows[1][:4] == (Decimal("0.000001"), False, 10**12, "x")
    assert rows[2][:4] == (Decimal("1.5"), True, 7, "柳州")
    assert pd.Timestamp(rows[2][4]) == pd.Timestamp("2023-01-31")
    assert pd.Timestamp(rows[2][5]) == pd.Timestamp("2023-01-31 08:05")
